"""The polling commands as processes against the local tenant: ``inventory wait``, ``operations wait``,
``assert exists|fragments|count`` (success, the input passed on, timeouts exit 106, failed assertions
exit 112 with ``--strict``), a bad ``--duration``; and ``devices children assign|unassign``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
FAST = ("--interval", "100ms")


def one(run: Run) -> dict[str, Any]:
    assert run.code == 0, run.stderr
    [line] = run.stdout.splitlines()
    item: dict[str, Any] = json.loads(line)
    return item


def new_device(rest: C8y, *data: str) -> dict[str, Any]:
    extra = [word for item in data for word in ("--data", item)]
    return one(rest("devices", "create", "--name", unique("poll-"), *extra, "--force"))


@contextmanager
def later(action: Callable[[], object], delay: float = 0.5) -> Iterator[None]:
    """``action`` runs ``delay`` seconds after the block starts (while the command polls)."""
    timer = threading.Timer(delay, action)
    timer.start()
    try:
        yield
    finally:
        timer.join()


def test_inventory_wait_returns_once_the_fragments_hold(rest: C8y) -> None:
    device = new_device(rest)

    def update() -> Run:
        return rest("inventory", "update", "--id", device["id"], "--data", "c8y_Mobile.iccid=8988", "-f")

    patterns = ("--fragments", "c8y_Mobile.iccid", "--fragments", "!c8y_Old", "--fragments", "name=^poll-")
    with later(update):
        run = rest("inventory", "wait", "--id", device["id"], *patterns, "--duration", "20s", *FAST)
    assert one(run)["c8y_Mobile"] == {"iccid": 8988}


def test_inventory_wait_times_out_with_exit_106(rest: C8y) -> None:
    device = new_device(rest)
    run = rest(
        "inventory", "wait", "--id", device["id"], "--fragments", "c8y_Never", "--duration", "1s", *FAST
    )
    assert run.code == 106 and "Timeout after 1s" in run.stderr
    assert json.loads(run.stdout.splitlines()[-1])["id"] == device["id"]  # the last state, as upstream


@pytest.mark.parametrize("duration", ["soon", "-5s", "10 parsecs"])
def test_wait_with_a_bad_duration_is_a_user_error(rest: C8y, duration: str) -> None:
    run = rest("inventory", "wait", "--id", "1", "--fragments", "x", "--duration", duration)
    assert run.code == 101 and "--duration" in run.stderr and "Traceback" not in run.stderr


def test_operations_wait_for_success_failure_and_timeout(rest: C8y) -> None:
    device = new_device(rest)

    def operation() -> str:
        created = rest("operations", "create", "--device", device["id"], "--data", "c8y_Restart={}", "-f")
        return str(one(created)["id"])

    first = operation()
    with later(lambda: rest("operations", "update", "--id", first, "--status", "SUCCESSFUL", "-f")):
        done = rest("operations", "wait", "--id", first, "--duration", "20s", *FAST)
    assert one(done)["status"] == "SUCCESSFUL"

    second = operation()
    failed = rest("operations", "update", "--id", second, "--status", "FAILED", "--data",
                  "failureReason=disk full", "-f")  # fmt: skip
    assert failed.code == 0, failed.stderr
    run = rest("operations", "wait", "--id", second, *FAST)
    assert run.code == 112 and "wanted=SUCCESSFUL, got=FAILED" in run.stderr and "disk full" in run.stderr
    either = rest("operations", "wait", "--id", second, "--status", "FAILED", "--status", "SUCCESSFUL")
    assert one(either)["status"] == "FAILED"

    pending = rest("operations", "wait", "--id", operation(), "--duration", "500ms", *FAST)
    assert pending.code == 106 and "Timeout" in pending.stderr


def test_assert_exists_passes_the_input_on(rest: C8y) -> None:
    device = new_device(rest)
    found = rest("inventory", "assert", "exists", "--id", device["id"])
    assert found.code == 0 and found.stdout == device["id"] + "\n"
    piped = json.dumps({"id": device["id"], "name": device["name"]})
    lines = rest("devices", "assert", "exists", "--attempts", "1", stdin=f"{piped}\n")
    assert lines.code == 0 and json.loads(lines.stdout) == json.loads(piped)  # the piped object passed on
    gone = rest("inventory", "assert", "exists", "--id", "999999999", "--attempts", "1")
    assert gone.code == 0 and gone.stdout == ""  # not strict: filtered out, no error
    strict = rest("inventory", "assert", "exists", "--id", "999999999", "--attempts", "1", "--strict")
    assert strict.code == 112 and "wanted=Found, got=NotFound" in strict.stderr
    negated = rest("inventory", "assert", "exists", "--id", "999999999", "--not")
    assert negated.code == 0 and negated.stdout == "999999999\n"


def test_assert_fragments_and_timeout(rest: C8y) -> None:
    device = new_device(rest, "c8y_Hardware.serialNumber=A-1")
    ok = rest(
        "devices", "assert", "fragments", "--id", device["id"], "--fragments", "c8y_Hardware.serialNumber=^A-"
    )
    assert ok.code == 0 and ok.stdout == device["id"] + "\n"
    miss = rest("inventory", "assert", "fragments", "--id", device["id"], "--fragments", "c8y_Other",
                "--attempts", "2", "--strict", *FAST)  # fmt: skip
    assert miss.code == 112 and miss.stdout == ""
    slow = rest("inventory", "assert", "fragments", "--id", device["id"], "--fragments", "c8y_Other",
                "--duration", "500ms", *FAST)  # fmt: skip
    assert slow.code == 106


def test_assert_count_of_alarms_and_events(rest: C8y) -> None:
    device = new_device(rest)
    for number in range(2):
        created = rest("alarms", "create", "--device", device["id"], "--type", f"t{number}", "--text", "x",
                       "--severity", "MAJOR", "-f")  # fmt: skip
        assert created.code == 0, created.stderr
    ok = rest("alarms", "assert", "count", "--device", device["id"], "--minimum", "2", "--maximum", "2")
    assert ok.code == 0 and ok.stdout == device["id"] + "\n"
    none = rest("events", "assert", "count", "--device", device["id"], "--minimum", "1", "--attempts", "1",
                "--strict")  # fmt: skip
    assert none.code == 112 and "wanted count in [1, -1]" in none.stderr
    by_type = rest("alarms", "assert", "count", "--device", device["id"], "--type", "t0", "--maximum", "1")
    assert by_type.code == 0 and by_type.stdout == device["id"] + "\n"


def test_devices_children_assign_and_unassign(rest: C8y) -> None:
    parent, child = new_device(rest), new_device(rest)
    assigned = rest("devices", "children", "assign", "--id", parent["name"], "--child", child["id"],
                    "--childType", "device", "-f")  # fmt: skip
    assert assigned.code == 0, assigned.stderr
    children = rest("devices", "children", "list", "--id", parent["id"], "--childType", "device")
    assert children.code == 0, children.stderr
    assert [json.loads(line)["id"] for line in children.stdout.splitlines()] == [child["id"]]  # unwrapped
    removed = rest("devices", "children", "unassign", "--id", parent["id"], "--child", child["id"],
                   "--childType", "device", "-f")  # fmt: skip
    assert removed.code == 0, removed.stderr
    after = rest("devices", "children", "list", "--id", parent["id"], "--childType", "device")
    assert after.code == 0 and after.stdout == ""


def test_assert_text_passes_matching_lines(c8y: C8y) -> None:
    run = c8y("assert", "text", "--regex", "name$", stdin="myname\nother\n")
    assert run.code == 0 and run.stdout == "myname\n"
    exact = c8y("assert", "text", "--exact", "myname", "--strict", stdin="other\n")
    assert exact.code == 112 and exact.stdout == "" and "got=other, wanted=myname" in exact.stderr
    bad = c8y("assert", "text", "--regex", "(", stdin="x\n")
    assert bad.code == 101 and "--regex" in bad.stderr
