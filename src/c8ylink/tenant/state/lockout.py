"""Lock-out after repeated wrong passwords or one-time codes (as Cumulocity blocks a login for a while
after too many failures). PURE: the caller passes the time.

    guard = LoginGuard(LockoutPolicy(max_failures=10, lock_seconds=300))
    guard.check(key, now)      # LockedOut while the key is locked
    guard.failed(key, now)     # one more failure (locks at max_failures)
    guard.succeeded(key)       # forgets the failures

A key is what is guessed: ``password:<tenant>/<user>`` for passwords (unknown users count too, so a
lock-out does not tell whether a user exists), ``totp:<tenant>/<user>`` for TOTP codes. State is kept in
memory only and is bounded: at most ``max_keys`` keys, the oldest forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from c8ylink.tenant.state.errors import TenantApiError


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 10  # wrong passwords in a row before the login is locked
    lock_seconds: float = 300.0  # how long it stays locked
    totp_max_failures: int = 5  # wrong TOTP codes in a row before the second factor is locked
    max_keys: int = 10_000


def locked_out(seconds: float) -> TenantApiError:
    return TenantApiError(
        401,
        "security/Unauthorized",
        f"Invalid credentials! : too many failed attempts, locked for {max(1, round(seconds))} s",
    )


@dataclass(slots=True)
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class LoginGuard:
    def __init__(self, policy: LockoutPolicy | None = None) -> None:
        self.policy = policy or LockoutPolicy()
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def check(self, key: str, now: float) -> None:
        """``TenantApiError`` 401 while ``key`` is locked."""
        entry = self._keys.get(key)
        if entry is not None and entry.locked_until > now:
            raise locked_out(entry.locked_until - now)

    def failed(self, key: str, now: float, *, limit: int | None = None) -> None:
        """Count a failure; the ``limit``-th in a row (default ``max_failures``) locks the key."""
        entry = self._keys.pop(key, None) or _Failures()
        if entry.locked_until and entry.locked_until <= now:
            entry = _Failures()  # the lock ran out: a fresh start
        entry.count += 1
        if entry.count >= (limit or self.policy.max_failures):
            entry.locked_until = now + self.policy.lock_seconds
        self._keys[key] = entry
        while len(self._keys) > self.policy.max_keys:
            self._keys.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self._keys.pop(key, None)
