"""Piped lines become jobs (bad lines are reported, the rest goes on); a batch runs them with workers,
pauses, error limits and go-c8y-cli's exit codes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from c8ylink.core.errors import ApiError, C8yLinkError
from c8ylink.infra.prompts import PromptCancelled
from c8ylink.operator.api.jobs import Batch, BatchOptions
from c8ylink.operator.api.pipeline import BadInput, Job, piped_jobs
from c8ylink.operator.api.specs import devices, measurements


def test_lines_ids_json_objects_and_csv() -> None:
    lines = [
        "12\n",
        "\n",
        '{"id": "13", "name": "a"}\n',
        "14,sensor,x\n",
        '"15,5",y\n',
        '{"source": {"id": 16}}',
    ]
    jobs = list(piped_jobs(lines, devices.GET.pipeline_param))  # type: ignore[arg-type]
    assert [(job.number, job.value) for job in jobs if isinstance(job, Job)] == [
        (1, "12"),
        (3, "13"),
        (4, "14"),
        (5, "15,5"),
        (6, "16"),
    ]


def test_aliases_are_tried_in_order() -> None:
    param = measurements.CREATE.pipeline_param
    assert param is not None
    [job] = piped_jobs(['{"id": "1", "source": {"id": "2"}}'], param)
    assert isinstance(job, Job) and job.value == "2"  # a measurement's source wins over its own id


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{bad", "skipping input line 1: invalid JSON (Expecting property name"),
        (
            '{"name": "no id"}',
            "skipping input line 1: the object has none of id, source.id, managedObject.id,",
        ),
        ("[1, 2]", "skipping input line 1: a JSON array"),
        ('{"id": null}', "skipping input line 1: the object has none of"),
    ],
    ids=["broken", "no-id", "array", "null-id"],
)
def test_bad_lines(line: str, message: str) -> None:
    [bad] = piped_jobs([line], devices.GET.pipeline_param)  # type: ignore[arg-type]
    assert isinstance(bad, BadInput) and bad.message.startswith(message)


class Recorder:
    def __init__(self, fail: set[int] | None = None) -> None:
        self.fail = fail or set()
        self.done: list[int] = []
        self.reported: list[str] = []
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def work(self, job: int) -> None:
        if job in self.fail:
            if job % 2:
                error = ApiError(404, f"https://h/x/{job}", {"message": "gone"})
                error.exit_code = 4  # as C8yClient sets it
                raise error
            raise C8yLinkError("bad")
        with self.lock:
            self.done.append(job)

    def batch(self, **options: int | float) -> Batch:
        return Batch(
            self.work,
            lambda e: self.reported.append(str(e)),
            BatchOptions(**options),  # type: ignore[arg-type]
            sleep=self.sleeps.append,
        )


def jobs(count: int) -> Iterator[int | C8yLinkError]:
    yield from range(1, count + 1)


def test_one_worker_keeps_the_order_and_pauses_between_jobs() -> None:
    recorder = Recorder()
    result = recorder.batch(workers=1, delay=0.2, delay_before=0.01).run(jobs(4))
    assert recorder.done == [1, 2, 3, 4] and result.exit_code == 0
    assert recorder.sleeps == [0.01, 0.01, 0.2, 0.01, 0.2, 0.01, 0.2]  # no pause after the last


def test_workers_run_every_job() -> None:
    recorder = Recorder()
    result = recorder.batch(workers=8).run(jobs(200))
    assert sorted(recorder.done) == list(range(1, 201)) and result.jobs == 200 and result.exit_code == 0


def test_error_codes() -> None:
    one = Recorder(fail={3})
    assert one.batch(workers=1).run(jobs(5)).exit_code == 4  # the single error's own code (404)
    assert one.done == [1, 2, 4, 5]
    two = Recorder(fail={3, 4})
    result = two.batch(workers=2).run(jobs(5))
    assert result.exit_code == 104 and result.summary(two.batch().options) == "jobs completed with 2 errors"
    assert len(two.reported) == 2


def test_bad_input_counts_as_an_error_without_running() -> None:
    recorder = Recorder()
    items: list[int | C8yLinkError] = [1, C8yLinkError("skipping input line 2", exit_code=101), 3]
    result = recorder.batch().run(iter(items))
    assert (
        recorder.done == [1, 3] and result.exit_code == 101 and recorder.reported == ["skipping input line 2"]
    )


def test_abort_on_errors_and_job_limit() -> None:
    failing = Recorder(fail=set(range(1, 100)))
    result = failing.batch(workers=1, abort_on_errors=3).run(jobs(99))
    assert result.aborted and result.exit_code == 103 and len(result.errors) == 3
    limited = Recorder()
    result = limited.batch(max_jobs=5).run(jobs(20))
    assert limited.done == [1, 2, 3, 4, 5] and result.exit_code == 105
    unlimited = Recorder(fail=set(range(1, 30)))
    assert unlimited.batch(abort_on_errors=0).run(jobs(29)).exit_code == 104


def test_a_crash_in_a_job_is_an_error_not_a_dead_worker() -> None:
    def boom(job: int) -> None:
        raise RuntimeError("oops")

    reported: list[C8yLinkError] = []
    result = Batch(boom, reported.append, BatchOptions(workers=3), sleep=lambda _: None).run(jobs(6))
    assert len(reported) == 6 and result.exit_code == 104
    assert str(reported[0]) == "internal error: RuntimeError: oops" and reported[0].exit_code == 100


@pytest.mark.parametrize("workers", [1, 3])
def test_a_declined_confirmation_stops_the_batch_with_exit_2(workers: int) -> None:
    """go-c8y-cli.md §5.4: `n` (or Ctrl-C) at "[y] Yes [a] Yes to All [n] No" aborts, exit code 2."""
    done: list[int] = []

    def work(job: int) -> None:
        if job == 3:
            raise PromptCancelled("c8y devices update was cancelled")
        done.append(job)

    reported: list[C8yLinkError] = []
    blocked = Batch(work, reported.append, BatchOptions(workers=workers), sleep=lambda _: None)
    result = blocked.run(jobs(50))
    assert result.exit_code == 2 and result.summary(blocked.options) == ""
    assert [str(e) for e in reported] == ["c8y devices update was cancelled"]
    assert 3 not in done and len(done) < 49  # the jobs queued after the "n" do not run
    assert result.errors == []  # a declined job is not an error: no "jobs completed with N errors"
