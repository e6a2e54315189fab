"""Cumulocity's global roles (``ROLE_*``), the built-in groups, and how both map onto the tenant's
coarse roles (``admin``, ``user``, ``device``; cumulocity-api.md §4.1): PURE.

The built-in groups are the coarse roles: a user is in ``admins`` (id 2) exactly when it has the
``admin`` role, in ``business`` (1) with ``user``, in ``devices`` (3) with ``device``. Other groups and
roles given to a user directly grant ``admin`` when they hold a tenant or user management admin role,
``user`` when they hold any other admin or create role; read roles grant nothing beyond reading.
"""

from __future__ import annotations

from collections.abc import Iterable

from c8ylink.tenant.state.users import ADMIN, BOOTSTRAP, DEVICE, USER

BUSINESS_ROLES = (
    "ROLE_INVENTORY_ADMIN",
    "ROLE_INVENTORY_CREATE",
    "ROLE_INVENTORY_READ",
    "ROLE_MEASUREMENT_ADMIN",
    "ROLE_MEASUREMENT_READ",
    "ROLE_EVENT_ADMIN",
    "ROLE_EVENT_READ",
    "ROLE_ALARM_ADMIN",
    "ROLE_ALARM_READ",
    "ROLE_DEVICE_CONTROL_ADMIN",
    "ROLE_DEVICE_CONTROL_READ",
    "ROLE_IDENTITY_ADMIN",
    "ROLE_IDENTITY_READ",
    "ROLE_AUDIT_READ",
    "ROLE_BULK_OPERATION_ADMIN",
    "ROLE_BULK_OPERATION_READ",
    "ROLE_USER_MANAGEMENT_OWN_ADMIN",
    "ROLE_USER_MANAGEMENT_OWN_READ",
    "ROLE_NOTIFICATION_2_ADMIN",
    "ROLE_SMARTREST_ADMIN",
    "ROLE_SMARTREST_READ",
)
MANAGEMENT_ROLES = (
    "ROLE_TENANT_ADMIN",
    "ROLE_TENANT_MANAGEMENT_ADMIN",
    "ROLE_TENANT_MANAGEMENT_READ",
    "ROLE_TENANT_STATISTICS_READ",
    "ROLE_USER_MANAGEMENT_ADMIN",
    "ROLE_USER_MANAGEMENT_CREATE",
    "ROLE_USER_MANAGEMENT_READ",
    "ROLE_APPLICATION_MANAGEMENT_ADMIN",
    "ROLE_APPLICATION_MANAGEMENT_READ",
    "ROLE_OPTION_MANAGEMENT_ADMIN",
    "ROLE_OPTION_MANAGEMENT_READ",
    "ROLE_RETENTION_RULE_ADMIN",
    "ROLE_RETENTION_RULE_READ",
    "ROLE_AUDIT_ADMIN",
)
DEVICE_ROLES = ("ROLE_DEVICE",)
ALL_ROLES = tuple(sorted({*BUSINESS_ROLES, *MANAGEMENT_ROLES, *DEVICE_ROLES, "ROLE_DEVICE_BOOTSTRAP"}))
ADMIN_GRANTING = frozenset(
    {"ROLE_TENANT_ADMIN", "ROLE_TENANT_MANAGEMENT_ADMIN", "ROLE_USER_MANAGEMENT_ADMIN"}
)

# coarse role -> the ROLE_* names it stands for
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    ADMIN: tuple(sorted({*BUSINESS_ROLES, *MANAGEMENT_ROLES})),
    USER: tuple(sorted(BUSINESS_ROLES)),
    DEVICE: DEVICE_ROLES,
    BOOTSTRAP: ("ROLE_DEVICE_BOOTSTRAP",),
}

# built-in groups: id -> (name, coarse role, description)
BUILTIN_GROUPS: dict[str, tuple[str, str, str]] = {
    "1": ("business", USER, "Users of the tenant's devices and data"),
    "2": ("admins", ADMIN, "Administrators of the tenant"),
    "3": ("devices", DEVICE, "Device users"),
}
FIRST_CUSTOM_GROUP = 10


def implied_roles(role_names: Iterable[str]) -> frozenset[str]:
    """The coarse roles that ``ROLE_*`` names grant."""
    names = set(role_names)
    granted: set[str] = set()
    if names & ADMIN_GRANTING:
        granted.add(ADMIN)
    if any(name.endswith(("_ADMIN", "_CREATE")) for name in names - ADMIN_GRANTING):
        granted.add(USER)
    if "ROLE_DEVICE" in names:
        granted.add(DEVICE)
    return frozenset(granted)


def is_role(name: str) -> bool:
    return name in ALL_ROLES
