"""Pure tenant state with a fixed clock and deterministic secrets."""

from __future__ import annotations

import hashlib

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.tenant import TenantIdentity, TenantState
from c8ylink.tenant.state.users import ADMIN, DEVICE


class CountingSecrets:
    """Reproducible "randomness": each call yields the next block of a hash chain."""

    def __init__(self) -> None:
        self.counter = 0

    def token_bytes(self, size: int) -> bytes:
        self.counter += 1
        return hashlib.sha256(str(self.counter).encode()).digest()[:size].ljust(size, b"\0")

    def password(self, length: int) -> str:
        self.counter += 1
        return f"pw{self.counter}".ljust(length, "x")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def state(clock: FixedClock) -> TenantState:
    return TenantState(TenantIdentity("t100", "localhost", b"k" * 32), clock=clock, secrets=CountingSecrets())


@pytest.fixture
def admin() -> Principal:
    return Principal("t100", "admin", frozenset({ADMIN}), "basic")


def device_principal(external_id: str) -> Principal:
    return Principal("t100", f"device_{external_id}", frozenset({DEVICE}), "bearer")
