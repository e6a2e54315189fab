"""Bulk work (go-c8y-cli.md §6.1, §7.1): jobs run by ``--workers`` threads, each pausing ``--delay``
after a request (``--delayBefore`` before one), the batch stopping at ``--abortOnErrors`` errors and
at ``--maxJobs`` jobs. As upstream, a worker prints its result when it is done: the output keeps the
input order with one worker, and is in completion order with more.

The outcome is go-c8y-cli's: no error -> 0; one error -> that error's exit code; more -> 104 "jobs
completed with N errors"; aborted -> 103; job limit -> 105; a declined confirmation (``n``, Ctrl-C)
stops the batch -> 2. ``sleep`` is a parameter (tests, and the
pauses are part of the behaviour, not synchronisation).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.infra.prompts import PromptCancelled

TYPE_CHECKING = False
if TYPE_CHECKING:
    from queue import Queue
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

_DONE = object()


class BatchOptions(NamedTuple):
    workers: int = 1
    delay: float = 0.0
    delay_before: float = 0.0
    abort_on_errors: int = 10  # 0: never
    max_jobs: int = 0  # 0: no limit


class BatchResult:
    def __init__(self) -> None:
        self.jobs = 0
        self.errors: list[C8yLinkError] = []
        self.aborted = False
        self.limit_reached = False
        self.cancelled = False  # a confirmation was declined: the rest of the batch did not run

    @property
    def exit_code(self) -> int:
        if self.cancelled:
            return int(C8yExit.CANCELLED)
        if self.aborted:
            return int(C8yExit.BATCH_ABORTED)
        if len(self.errors) == 1:
            return self.errors[0].exit_code
        if self.errors:
            return int(C8yExit.BATCH_COMPLETED_WITH_ERRORS)
        return int(C8yExit.JOB_LIMIT) if self.limit_reached else 0

    def summary(self, options: BatchOptions) -> str:
        """The closing line for stderr ("" when the exit code speaks for itself)."""
        if self.cancelled:
            return ""
        if self.aborted:
            return f"aborted batch as error count has been exceeded. totalErrors={len(self.errors)}"
        if len(self.errors) > 1:
            return f"jobs completed with {len(self.errors)} errors"
        if self.limit_reached:
            return f"max job limit exceeded. limit={options.max_jobs}"
        return ""


class Batch:
    """``run(jobs)``: ``work(job)`` for each job; a job that is a ``C8yLinkError`` already failed (bad
    input) and counts as an error without running. ``report(error)`` is told of every error at once."""

    def __init__(
        self,
        work: Callable[[Any], None],
        report: Callable[[C8yLinkError], None],
        options: BatchOptions,
        *,
        sleep: Callable[[float], None],
    ) -> None:
        self.work = work
        self.report = report
        self.options = options
        self.sleep = sleep
        self.result = BatchResult()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def _failed(self, error: C8yLinkError) -> None:
        with self._lock:
            self.result.errors.append(error)
            limit = self.options.abort_on_errors
            if limit and len(self.result.errors) >= limit:
                self.result.aborted = True
                self._stop.set()
        self.report(error)

    def _cancelled(self, cancelled: PromptCancelled) -> None:
        with self._lock:
            first = not self.result.cancelled
            self.result.cancelled = True
            self._stop.set()
        if first:
            self.report(cancelled)

    def _run_one(self, job: Any, *, first: bool) -> None:
        if self.options.delay_before:
            self.sleep(self.options.delay_before)
        if not first and self.options.delay:
            self.sleep(self.options.delay)
        try:
            self.work(job)
        except PromptCancelled as cancelled:
            self._cancelled(cancelled)
        except C8yLinkError as error:
            self._failed(error)
        except Exception as exc:  # a bug in one job must not leave the others waiting on a dead worker
            crash = C8yLinkError(
                f"internal error: {type(exc).__name__}: {exc}", exit_code=int(C8yExit.SYSTEM)
            )
            crash.__cause__ = exc
            self._failed(crash)

    def _admit(self, count: int) -> bool:
        limit = self.options.max_jobs
        if limit and count > limit:
            self.result.limit_reached = True
            return False
        return True

    def run(self, jobs: Iterable[Any]) -> BatchResult:
        if self.options.workers <= 1:
            return self._run_serial(jobs)
        return self._run_parallel(jobs)

    def _run_serial(self, jobs: Iterable[Any]) -> BatchResult:
        first = True
        for job in jobs:
            if self._stop.is_set():
                break
            if isinstance(job, C8yLinkError):
                self._failed(job)
                continue
            self.result.jobs += 1
            if not self._admit(self.result.jobs):
                break
            self._run_one(job, first=first)
            first = False
        return self.result

    def _run_parallel(self, jobs: Iterable[Any]) -> BatchResult:
        import queue

        pending: queue.Queue[object] = queue.Queue(maxsize=self.options.workers * 2)
        threads = [
            threading.Thread(target=self._worker, args=(pending,), name=f"c8y-worker-{n}", daemon=True)
            for n in range(1, self.options.workers + 1)
        ]
        for thread in threads:
            thread.start()
        try:
            for job in jobs:
                if self._stop.is_set():
                    break
                if isinstance(job, C8yLinkError):
                    self._failed(job)
                    continue
                self.result.jobs += 1
                if not self._admit(self.result.jobs):
                    break
                pending.put(job)
        finally:
            for _ in threads:
                pending.put(_DONE)
            for thread in threads:
                thread.join()
        return self.result

    def _worker(self, pending: Queue[object]) -> None:
        first = True
        while True:
            job = pending.get()
            if job is _DONE:
                return
            if self._stop.is_set():
                continue
            self._run_one(job, first=first)
            first = False
