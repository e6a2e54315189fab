"""Backoff: a broker that accepts and at once drops a service must not make it a busy loop."""

from __future__ import annotations

from c8ylink.infra.net.reconnect import Backoff, ReconnectPolicy


def test_failed_attempts_double_up_to_the_maximum() -> None:
    backoff = Backoff(1.0, 8.0)
    assert [backoff.failed() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_connection_dropped_soon_after_it_was_made_waits_like_a_failed_attempt() -> None:
    # e.g. a second tedge-mapper with the same client id: the broker drops one, then the other
    backoff = Backoff(1.0, 30.0, stable=10.0)
    waits = []
    for n in range(5):
        backoff.connected(now=100.0 + n)
        waits.append(backoff.lost(now=100.5 + n))
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_a_connection_that_stayed_up_is_retried_at_once_and_starts_afresh() -> None:
    backoff = Backoff(1.0, 30.0, stable=10.0)
    assert backoff.failed() == 1.0 and backoff.failed() == 2.0
    backoff.connected(now=0.0)
    assert backoff.lost(now=60.0) == 0.0
    assert backoff.failed() == 1.0


def test_a_policy_sets_the_figures() -> None:
    backoff = Backoff.of(ReconnectPolicy(initial=0.1, maximum=0.3, stable=2.0))
    assert [backoff.failed() for _ in range(4)] == [0.1, 0.2, 0.3, 0.3]
    backoff.connected(5.0)
    assert backoff.lost(7.0) == 0.0
    assert backoff.failed() == 0.1
