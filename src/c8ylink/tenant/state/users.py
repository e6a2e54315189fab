"""Users of the tenant: passwords (scrypt), coarse roles, TOTP two-factor state.

Roles are deliberately coarse (cumulocity-api.md §4.1): ``admin`` may do everything including tenant
management, ``user`` everything but tenant management (trusted certificates, registrations, CA),
``device`` is a device user (``device_<externalId>``), ``bootstrap`` only fetches device credentials.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pyotp

from c8ylink.tenant.state.errors import TenantApiError, conflict, not_found, validation_error
from c8ylink.tenant.state.ids import SecretSource
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.times import format_time

KIND = "user"
ADMIN, USER, DEVICE, BOOTSTRAP = "admin", "user", "device", "bootstrap"
ROLES = (ADMIN, USER, DEVICE, BOOTSTRAP)
DEVICE_PREFIX = "device_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


_NO_HASH = "scrypt$" + base64.b64encode(b"\0" * 16).decode() + "$"  # matches nothing


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` is the one of ``stored``; the same scrypt work when there is no such hash
    (an unknown user, a user without a password), so the time taken does not tell them apart."""
    known = bool(stored) and str(stored).startswith("scrypt$") and str(stored).count("$") == 2
    _, salt_text, digest_text = (str(stored) if known else _NO_HASH).split("$")
    expected = hash_password(password, base64.b64decode(salt_text))
    return hmac.compare_digest(expected.split("$")[2], digest_text) and known


def device_username(external_id: str) -> str:
    return f"{DEVICE_PREFIX}{external_id}"


@dataclass(frozen=True, slots=True)
class User:
    username: str
    tenant: str
    roles: frozenset[str]
    password_hash: str | None = field(repr=False)
    created: str
    last_password_change: str
    tfa_secret: str | None = field(default=None, repr=False)
    tfa_active: bool = False
    tfa_setup_required: bool = False
    profile: Mapping[str, Any] = field(default_factory=dict)  # names, email, enabled, directRoles...
    version: int = 0  # bumped whenever credentials or TFA change (auth caches compare it)

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_device(self) -> bool:
        return DEVICE in self.roles

    @property
    def enabled(self) -> bool:
        return self.profile.get("enabled", True) is not False

    @property
    def direct_roles(self) -> list[str]:
        """``ROLE_*`` names given to the user itself (not through a group)."""
        return list(self.profile.get("directRoles") or [])

    def to_record(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "tenant": self.tenant,
            "roles": sorted(self.roles),
            "passwordHash": self.password_hash,
            "created": self.created,
            "lastPasswordChange": self.last_password_change,
            "tfaSecret": self.tfa_secret,
            "tfaActive": self.tfa_active,
            "tfaSetupRequired": self.tfa_setup_required,
            "profile": dict(self.profile),
            "version": self.version,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> User:
        return cls(
            username=record["username"],
            tenant=record["tenant"],
            roles=frozenset(record["roles"]),
            password_hash=record.get("passwordHash"),
            created=record["created"],
            last_password_change=record["lastPasswordChange"],
            tfa_secret=record.get("tfaSecret"),
            tfa_active=bool(record.get("tfaActive")),
            tfa_setup_required=bool(record.get("tfaSetupRequired")),
            profile=dict(record.get("profile") or {}),
            version=int(record.get("version", 0)),
        )


def user_not_found(username: str) -> TenantApiError:
    return not_found("user", f"User with username '{username}' not found")


class Users:
    def __init__(self, journal: Journal, secrets: SecretSource) -> None:
        self._journal = journal
        self._secrets = secrets
        self._users: dict[tuple[str, str], User] = {}

    def find(self, tenant: str, username: str) -> User | None:
        return self._users.get((tenant, username))

    def get(self, tenant: str, username: str) -> User:
        user = self._users.get((tenant, username))
        if user is None:
            raise user_not_found(username)
        return user

    def all(self, tenant: str | None = None) -> list[User]:
        return [u for (t, _), u in sorted(self._users.items()) if tenant is None or t == tenant]

    def add(
        self, tenant: str, username: str, *, roles: Iterable[str], password: str | None, now: datetime
    ) -> User:
        if not username or "/" in username or ":" in username:
            raise validation_error(f"Invalid username '{username}'")
        role_set = frozenset(roles)
        if not role_set <= set(ROLES):
            raise validation_error(f"roles must be some of {', '.join(ROLES)}")
        if (tenant, username) in self._users:
            raise conflict("user", f"User with username '{username}' already exists")
        if password is not None:
            _check_password(password)
        stamp = format_time(now)
        user = User(
            username=username,
            tenant=tenant,
            roles=role_set,
            password_hash=self._hash(password) if password is not None else None,
            created=stamp,
            last_password_change=stamp,
        )
        self._store(user)
        return user

    def _hash(self, password: str) -> str:
        return hash_password(password, self._secrets.token_bytes(16))

    def _store(self, user: User) -> User:
        self._users[(user.tenant, user.username)] = user
        self._journal.put(KIND, f"{user.tenant}/{user.username}", user.to_record())
        return user

    def check_password(self, user: User | None, password: str) -> bool:
        """``False`` for no user too, after the same work as for a wrong password (no timing oracle)."""
        return password_matches(user.password_hash if user is not None else None, password)

    def set_password(self, user: User, password: str, *, now: datetime) -> User:
        _check_password(password)
        return self._store(
            replace(
                user,
                password_hash=self._hash(password),
                last_password_change=format_time(now),
                version=user.version + 1,
            )
        )

    def update_profile(self, user: User, profile: Mapping[str, Any]) -> User:
        """Merge ``profile``; a change of ``enabled`` or the direct roles invalidates cached logins."""
        merged = {**user.profile, **profile}
        security = ("enabled", "directRoles")
        changed = any(merged.get(key) != user.profile.get(key) for key in security)
        return self._store(replace(user, profile=merged, version=user.version + int(changed)))

    def set_roles(self, user: User, roles: Iterable[str]) -> User:
        role_set = frozenset(roles)
        if not role_set <= set(ROLES):
            raise validation_error(f"roles must be some of {', '.join(ROLES)}")
        return self._store(replace(user, roles=role_set, version=user.version + 1))

    def bump(self, user: User) -> User:
        """Its effective roles changed elsewhere (a group): cached logins must be checked again."""
        return self._store(replace(user, version=user.version + 1))

    def delete(self, user: User) -> None:
        del self._users[(user.tenant, user.username)]
        self._journal.delete(KIND, f"{user.tenant}/{user.username}")

    # -- two-factor authentication (TOTP, RFC 6238: 30 s steps, 6 digits, SHA-1) -----------------------
    def new_totp_secret(self, user: User) -> tuple[User, str]:
        secret = base64.b32encode(self._secrets.token_bytes(20)).decode().rstrip("=")
        return self._store(replace(user, tfa_secret=secret, version=user.version + 1)), secret

    def enable_totp(self, user: User) -> tuple[User, str]:
        """Admin shortcut: a new secret, already active (the admin hands it to the user)."""
        updated, secret = self.new_totp_secret(user)
        return self._store(replace(updated, tfa_active=True, tfa_setup_required=False)), secret

    def require_totp_setup(self, user: User) -> User:
        """The user must enrol (secret, verify, activate) before logging in again."""
        return self._store(
            replace(
                user, tfa_secret=None, tfa_active=False, tfa_setup_required=True, version=user.version + 1
            )
        )

    def set_totp_active(self, user: User, active: bool) -> User:
        if active and not user.tfa_secret:
            raise not_found("user", "TOTP secret not found")
        return self._store(
            replace(
                user,
                tfa_active=active,
                tfa_setup_required=user.tfa_setup_required and not active,
                version=user.version + 1,
            )
        )

    def totp_matches(self, user: User, code: str, *, now: datetime) -> bool:
        """``code`` is the TOTP of ``now`` or of the step just before or after it."""
        if not user.tfa_secret:
            return False
        compact = code.replace(" ", "")
        if not (compact.isdigit() and len(compact) == 6):
            return False
        return bool(pyotp.TOTP(user.tfa_secret).verify(compact, for_time=now, valid_window=1))

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            user = User.from_record(record)
            self._users[(user.tenant, user.username)] = user


def totp_uri(secret: str, username: str, issuer: str) -> str:
    """``otpauth://totp/...`` for authenticator apps."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer))


MIN_PASSWORD_LENGTH = 6


def _check_password(password: str) -> None:
    """The one password rule of the local tenant, for new users (bulk rows included) and changes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise validation_error(f"Password must have at least {MIN_PASSWORD_LENGTH} characters")
