"""The commands that poll until a condition holds (go-c8y-cli's hand-written ones, go-c8y-cli.md §6.3):

* ``inventory wait`` / ``operations wait``: poll one object every ``--interval`` until it has the
  ``--fragments`` / one of the ``--status`` values, or ``--duration`` is over (exit 106, timeout); an
  operation that ends (SUCCESSFUL/FAILED) in another status fails at once (exit 112, assertion);
* ``inventory|devices assert exists|fragments`` and ``alarms|events|measurements|operations assert
  count``: the same polling, limited by ``--attempts`` too; when the assertion holds the input passes
  through untouched (the id, or the piped line), when it does not nothing is printed and, with
  ``--strict``, the command fails with exit 112.

Fragment patterns (``--fragments``): ``c8y_Mobile.iccd`` (present), ``!c8y_Mobile`` (absent),
``name=^\\d+$`` (the value matches the regular expression), ``!name=^x`` (does not); all must hold.

The checks are pure; ``run_*`` are the handlers (``CommandSpec.handler``) called per job.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import ApiError, C8yLinkError, UsageError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.operator.api.plan import RequestPlan, encode_component

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

USER_ERROR = int(C8yExit.USER)
TIMEOUT = int(C8yExit.TIMEOUT)
ASSERTION = int(C8yExit.ASSERTION)
FINAL_STATUSES = ("SUCCESSFUL", "FAILED")
_MISSING = object()
JSON = (("Accept", "application/json"),)


class AssertionFailed(C8yLinkError):
    """The condition did not hold (go-c8y-cli's assertion error, exit 112)."""

    exit_code = ASSERTION


class WaitTimeout(C8yLinkError):
    exit_code = TIMEOUT


# -- pure: the conditions ----------------------------------------------------------------------------------
def parse_pattern(raw: str) -> tuple[str, str | None, bool]:
    """``!path=regex`` -> (path, regex or None, negated)."""
    negate = raw.startswith("!") and len(raw) > 1
    text = raw[1:] if negate else raw
    path, equals, value = text.partition("=")
    return path, (value if equals else None), negate


def lookup(document: Any, path: str) -> Any:
    current = document
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def check_patterns(patterns: Sequence[str]) -> None:
    for raw in patterns:
        _, value, _ = parse_pattern(raw)
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise UsageError(f"invalid --fragments {raw!r}: {exc}", exit_code=USER_ERROR) from None


def fragments_hold(document: Mapping[str, Any], patterns: Sequence[str]) -> bool:
    """Every pattern holds for ``document`` (a present/absent fragment, a value matching a regex)."""
    for raw in patterns:
        path, value, negate = parse_pattern(raw)
        found = lookup(document, path)
        if value is None:
            if (found is not _MISSING) == negate:
                return False
            continue
        text = "" if found is _MISSING else found if isinstance(found, str) else json.dumps(found)
        if (found is not _MISSING and re.search(value, text) is not None) == negate:
            return False
    return True


def operation_state(operation: Mapping[str, Any], wanted: Sequence[str]) -> str:
    """``done`` (a wanted status), ``failed`` (ended in another status) or ``waiting``."""
    status = str(operation.get("status", "")).upper()
    if status in (item.upper() for item in wanted):
        return "done"
    return "failed" if status in FINAL_STATUSES else "waiting"


def count_holds(count: int, minimum: int, maximum: int) -> bool:
    """Within ``[minimum, maximum]`` (inclusive; -1 turns a bound off)."""
    return (minimum < 0 or count >= minimum) and (maximum < 0 or count <= maximum)


def parse_wait_duration(flag: str, text: str) -> float:
    """Seconds of a Go duration (``30s``, ``1m``, ``1.5h``; a bare number is seconds)."""
    from c8ylink.core.settings.durations import GO_DURATION, parse_duration
    from c8ylink.core.settings.errors import ValueParseError

    try:
        seconds = parse_duration(text, GO_DURATION).seconds
    except ValueParseError as exc:
        raise UsageError(
            f"invalid {flag} {text!r}: {exc} (e.g. 30s, 1m, 1h30m)", exit_code=USER_ERROR
        ) from None
    if seconds < 0:
        raise UsageError(f"invalid {flag} {text!r}: must not be negative", exit_code=USER_ERROR)
    return seconds


# -- I/O: polling ------------------------------------------------------------------------------------------
class Poll:
    """Every ``interval`` seconds until ``duration`` is over or ``attempts`` (-1: no limit) are used."""

    def __init__(self, values: Mapping[str, Any], *, interval: str = "5s", attempts: int = -1) -> None:
        self.duration = parse_wait_duration("--duration", str(values.get("duration") or "30s"))
        self.interval = parse_wait_duration("--interval", str(values.get("interval") or interval))
        self.attempts = int(values.get("attempts", attempts))

    def run(self, executor: Executor, probe: Callable[[], tuple[bool, Any]]) -> tuple[str, Any]:
        """``("done"|"attempts"|"timeout", last value)``; ``probe`` answers (condition holds, value)."""
        deadline = time.monotonic() + self.duration
        used = 0
        last: Any = None
        while True:
            done, last = probe()
            used += 1
            if done:
                return "done", last
            if 0 <= self.attempts <= used:
                return "attempts", last
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout", last
            executor.sleep(min(self.interval, remaining))
            if time.monotonic() >= deadline:
                return "timeout", last


def _timeout(poll: Poll) -> WaitTimeout:
    return WaitTimeout(f"Timeout after {poll.duration:g}s")


def _object_plan(path: str, object_id: str) -> RequestPlan:
    return RequestPlan(
        "GET", f"{path}/{encode_component(object_id, safe='')}", headers=JSON, label=f"id={object_id}"
    )


def _first(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    if not value:
        raise UsageError(f"missing --{name}: give it or pipe it", exit_code=USER_ERROR)
    return str(value)


def _pass_through(executor: Executor, object_id: str) -> None:
    piped = executor.current_input()
    executor.printer.text((piped if piped is not None else object_id).rstrip("\n") + "\n")


# -- handlers ----------------------------------------------------------------------------------------------
def run_inventory_wait(executor: Executor, values: dict[str, Any]) -> None:
    patterns = list(values.get("fragments") or [])
    check_patterns(patterns)
    poll = Poll(values)
    plan = _object_plan("/inventory/managedObjects", _first(values, "id"))
    if executor.run.dry:
        executor.print_dry(plan)
        return
    outcome, last = poll.run(executor, lambda: _holds(executor.get_json(plan) or {}, patterns))
    if last:
        executor.printer.items([last])
    if outcome != "done":
        raise _timeout(poll)


def _holds(document: dict[str, Any], patterns: Sequence[str]) -> tuple[bool, dict[str, Any]]:
    return fragments_hold(document, patterns), document


def run_operation_wait(executor: Executor, values: dict[str, Any]) -> None:
    wanted = [str(item).upper() for item in values.get("status") or ["SUCCESSFUL"]]
    poll = Poll(values, interval=str(values.get("interval") or "1s"))
    plan = _object_plan("/devicecontrol/operations", _first(values, "id"))
    if executor.run.dry:
        executor.print_dry(plan)
        return

    def probe() -> tuple[bool, dict[str, Any]]:
        operation = executor.get_json(plan) or {}
        return operation_state(operation, wanted) != "waiting", operation

    outcome, last = poll.run(executor, probe)
    if last:
        if last.get("failureReason"):
            executor.err.write(f"warning: Failure reason: {last['failureReason']}\n")
        executor.printer.items([last])
    if outcome != "done":
        raise _timeout(poll)
    if operation_state(last, wanted) == "failed":
        shown = wanted[0] if len(wanted) == 1 else "[" + " ".join(wanted) + "]"
        raise AssertionFailed(
            f"Operation completed but did not match expected status. wanted={shown}, got={last.get('status')}"
        )


def _assert(
    executor: Executor,
    values: Mapping[str, Any],
    object_id: str,
    probe: Callable[[], tuple[bool, Any]],
    failure: str,
) -> None:
    poll = Poll(values)
    outcome, _ = poll.run(executor, probe)
    if outcome == "done":
        _pass_through(executor, object_id)
    elif outcome == "timeout":
        raise _timeout(poll)
    elif values.get("strict"):
        raise AssertionFailed(failure)


def run_assert_exists(executor: Executor, values: dict[str, Any]) -> None:
    object_id = _first(values, "id")
    negate = bool(values.get("not"))
    plan = _object_plan("/inventory/managedObjects", object_id)
    if executor.run.dry:
        executor.print_dry(plan)
        return

    def probe() -> tuple[bool, None]:
        try:
            executor.send(plan)
            exists = True
        except ApiError as exc:
            if exc.status != 404:
                raise
            exists = False
        return exists != negate, None

    wanted, got = ("NotFound", "Found") if negate else ("Found", "NotFound")
    _assert(
        executor,
        values,
        object_id,
        probe,
        f"assertion failed: managed object {object_id}: wanted={wanted}, got={got}",
    )


def run_assert_fragments(executor: Executor, values: dict[str, Any]) -> None:
    object_id = _first(values, "id")
    patterns = list(values.get("fragments") or [])
    check_patterns(patterns)
    plan = _object_plan("/inventory/managedObjects", object_id)
    if executor.run.dry:
        executor.print_dry(plan)
        return
    _assert(executor, values, object_id, lambda: _holds(executor.get_json(plan) or {}, patterns),
            f"assertion failed: managed object {object_id}: wanted fragments {patterns}")  # fmt: skip


# what a count assertion counts: (collection path, its items, the device's query parameter)
COUNTED = {
    "alarms": ("/alarm/alarms", "source"),
    "events": ("/event/events", "source"),
    "measurements": ("/measurement/measurements", "source"),
    "operations": ("/devicecontrol/operations", "deviceId"),
}
COUNT_FILTERS = ("dateFrom", "dateTo", "type", "fragmentType", "status", "severity", "resolved",
                 "valueFragmentType", "valueFragmentSeries", "agentId")  # fmt: skip


def count_plan(group: str, device: str, values: Mapping[str, Any]) -> RequestPlan:
    path, device_param = COUNTED[group]
    query = [(device_param, device), ("pageSize", "1"), ("withTotalPages", "true")]
    for name in COUNT_FILTERS:
        value = values.get(name)
        if value not in (None, "", False):
            query.append((name, "true" if value is True else str(value)))
    return RequestPlan("GET", path, query=tuple(query), headers=JSON, label=f"device={device}")


def run_assert_count(executor: Executor, values: dict[str, Any]) -> None:
    group = next(name for name, (path, _) in COUNTED.items() if path == executor.spec.path)
    device = _first(values, "device")
    minimum, maximum = int(values.get("minimum", -1)), int(values.get("maximum", -1))
    plan = count_plan(group, device, values)
    if executor.run.dry:
        executor.print_dry(plan)
        return

    def probe() -> tuple[bool, int]:
        answer = executor.get_json(plan) or {}
        count = int((answer.get("statistics") or {}).get("totalPages") or 0)
        return count_holds(count, minimum, maximum), count

    failure = f"assertion failed: {group} of device {device}: wanted count in [{minimum}, {maximum}]"
    _assert(executor, values, device, probe, failure)
