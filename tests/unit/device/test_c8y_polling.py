"""Polling and retries with time as a parameter: EST enrollment until registered or timed out, and the
retries when the tenant cannot be reached. The fake ``sleep`` moves a FixedClock; nothing waits."""

from __future__ import annotations

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.core.errors import C8yLinkError, NetworkError, TlsError
from c8ylink.device.c8y.enroll import TIMEOUT_ERROR, AttemptResult, EnrollmentPoller
from c8ylink.device.c8y.http import with_retries


class Script:
    """Attempts that fail ``failures`` times, then succeed; records what the poller printed."""

    def __init__(self, failures: int) -> None:
        self.remaining = failures
        self.clock = FixedClock()
        self.warnings: list[str] = []
        self.sleeps: list[float] = []
        self.calls = 0

    def attempt(self) -> list[object] | AttemptResult:
        self.calls += 1
        self.clock.advance(0.25)  # each request takes a little time
        if self.remaining:
            self.remaining -= 1
            return AttemptResult.RETRY
        return ["certificate"]

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    def poller(self, retry_every: float, max_timeout: float) -> EnrollmentPoller:
        return EnrollmentPoller(
            attempt=self.attempt,  # type: ignore[arg-type]
            retry_every=retry_every,
            max_timeout=max_timeout,
            clock=self.clock,
            sleep=self.sleep,
            warn=self.warnings.append,
        )


def test_polls_until_the_device_is_registered() -> None:
    script = Script(failures=3)
    assert script.poller(30, 600).run() == ["certificate"]
    assert script.calls == 4
    assert script.warnings == ["Will retry in 30 seconds"] * 3
    assert script.sleeps == [30, 30, 30]


def test_gives_up_after_the_maximum_timeout() -> None:
    script = Script(failures=1000)
    with pytest.raises(C8yLinkError, match=TIMEOUT_ERROR):
        script.poller(30, 100).run()
    # attempts at t=0, 30, 60, 90 and 120 (> 100 after it): five tries, four waits
    assert script.calls == 5 and len(script.warnings) == 4


def test_zero_timeout_tries_once() -> None:
    script = Script(failures=1)
    with pytest.raises(C8yLinkError, match=TIMEOUT_ERROR):
        script.poller(1, 0).run()
    assert script.calls == 1 and script.warnings == []


def test_retries_when_unreachable_then_succeeds() -> None:
    calls: list[int] = []
    waits: list[float] = []

    def action() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise NetworkError("Fail to connect to h:1: refused")
        return "ok"

    retried: list[tuple[str, float]] = []
    result = with_retries(
        action, sleep=waits.append, on_retry=lambda exc, wait: retried.append((str(exc), wait))
    )
    assert result == "ok" and len(calls) == 3
    assert waits == [0.5, 1.0]
    assert retried == [("Fail to connect to h:1: refused", 0.5), ("Fail to connect to h:1: refused", 1.0)]


def test_gives_up_after_the_last_attempt() -> None:
    waits: list[float] = []

    def action() -> str:
        raise NetworkError("down")

    with pytest.raises(NetworkError, match="down"):
        with_retries(action, attempts=3, sleep=waits.append)
    assert waits == [0.5, 1.0]


def test_other_errors_are_not_retried() -> None:
    waits: list[float] = []
    calls: list[int] = []

    def action() -> str:
        calls.append(1)
        raise TlsError("untrusted", kind="unknown-ca")

    with pytest.raises(TlsError):
        with_retries(action, sleep=waits.append)
    assert calls == [1] and waits == []
