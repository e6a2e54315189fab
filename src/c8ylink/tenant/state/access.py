"""Who is calling (``Principal``) and the coarse role checks of cumulocity-api.md §4.1."""

from __future__ import annotations

from dataclasses import dataclass, field

from c8ylink.tenant.state.errors import forbidden
from c8ylink.tenant.state.users import ADMIN, BOOTSTRAP, DEVICE, USER


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``method``: basic, bearer, cookie (OAI-Secure) or certificate."""

    tenant: str
    username: str
    roles: frozenset[str]
    method: str
    token: str | None = field(default=None, repr=False)
    tfa: bool = False

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_business_user(self) -> bool:
        """A person (admin or user), as opposed to a device or the bootstrap user."""
        return ADMIN in self.roles or USER in self.roles

    @property
    def is_device(self) -> bool:
        return DEVICE in self.roles

    @property
    def is_bootstrap(self) -> bool:
        return BOOTSTRAP in self.roles


def require_tenant_admin(principal: Principal) -> None:
    """Tenant management (trusted certificates, CA, registrations, users): admins only."""
    if not principal.is_admin:
        raise forbidden()


def require_business_user(principal: Principal) -> None:
    """Creating operations, deleting data: people, not devices."""
    if not principal.is_business_user:
        raise forbidden()


def require_not_bootstrap(principal: Principal) -> None:
    """The bootstrap user may only poll ``deviceCredentials``."""
    if principal.is_bootstrap:
        raise forbidden()


def require_writer(principal: Principal) -> None:
    """Creating data: people with a write role, or devices (a user without roles only reads)."""
    if not (principal.is_business_user or principal.is_device):
        raise forbidden()
