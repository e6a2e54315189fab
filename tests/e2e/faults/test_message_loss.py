"""No measurement the device's broker acknowledged is lost when one process of the chain dies in the
middle of a stream: the tenant (SIGKILL, SIGTERM), mosquitto (restarted, SIGKILL) or the mapper
(SIGKILL). Each test publishes ``COUNT`` QoS 1 measurements of its own type and counts what the tenant
stored: 0 lost; duplicates (at-least-once delivery) are counted and reported, not refused.
"""

from __future__ import annotations

import signal

import pytest

from .conftest import COUNT, MAPPER, Chain, describe

pytestmark = pytest.mark.e2e


def report(name: str, chain: Chain, kind: str, fault: object, recover: object = None) -> None:
    stored = chain.stream(kind, fault, recover)  # type: ignore[arg-type]
    print(f"fault {name}: published {COUNT}, lost {len(stored.lost)}, duplicates {stored.duplicates}")
    assert stored.lost == [], describe(stored)


def test_the_tenant_killed_with_sigkill_loses_nothing(chain: Chain) -> None:
    report("tenant SIGKILL", chain, "fault_tenant_kill", lambda: chain.tenant.stop(signal.SIGKILL),
           chain.tenant.start)  # fmt: skip


def test_the_tenant_stopped_with_sigterm_loses_nothing(chain: Chain) -> None:
    report("tenant SIGTERM", chain, "fault_tenant_term", lambda: chain.tenant.stop(signal.SIGTERM),
           chain.tenant.start)  # fmt: skip


def test_mosquitto_restarted_loses_nothing(chain: Chain) -> None:
    report("mosquitto restart", chain, "fault_broker_restart", lambda: chain.restart_program("mosquitto"))


def test_mosquitto_killed_with_sigkill_loses_nothing_it_acknowledged(chain: Chain) -> None:
    """The broker saves its database after every change (tedge-mosquitto.conf), so what it acknowledged
    and had not passed on over the bridge yet survives SIGKILL."""
    report("mosquitto SIGKILL", chain, "fault_broker_kill", lambda: chain.kill_program("mosquitto"))


def test_the_mapper_killed_with_sigkill_loses_nothing(chain: Chain) -> None:
    report("mapper SIGKILL", chain, "fault_mapper_kill", lambda: chain.kill_program(MAPPER))
