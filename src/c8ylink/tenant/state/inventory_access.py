"""Inventory roles, enforced (cumulocity-api.md §4.1): a user without global roles (no ``admin``/``user``
coarse role: it could otherwise read everything) who has inventory assignments sees only the assigned
groups, their descendants and those devices' data, in the scopes the assigned roles grant (``READ``,
``ADMIN`` = read and write, ``*``), and changes only where a role grants ``ADMIN``. PURE.

A user without global roles and without assignments keeps the tenant's default (reads everything,
writes nothing), so that nothing changes for the users of earlier versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.errors import forbidden
from c8ylink.tenant.state.tenant import TenantState

SCOPES = ("ALARM", "AUDIT", "EVENT", "MANAGED_OBJECT", "MEASUREMENT", "OPERATION")
CHILD_KINDS = ("childAssets", "childDevices", "childAdditions")


@dataclass(frozen=True, slots=True)
class InventoryAccess:
    readable: dict[str, frozenset[str]]  # scope -> managed object ids
    writable: dict[str, frozenset[str]]

    def may_read(self, scope: str, object_id: str) -> bool:
        return object_id in self.readable.get(scope, frozenset())

    def may_write(self, scope: str, object_id: str) -> bool:
        return object_id in self.writable.get(scope, frozenset())


def inventory_access(state: TenantState, principal: Principal) -> InventoryAccess | None:
    """The principal's inventory permissions, or None when its global roles decide."""
    if principal.roles:
        return None
    assignments = [a for a in state.groups.assignments.all() if a.get("user") == principal.username]
    if not assignments:
        return None
    readable: dict[str, set[str]] = {scope: set() for scope in SCOPES}
    writable: dict[str, set[str]] = {scope: set() for scope in SCOPES}
    for assignment in assignments:
        root = str(assignment["managedObject"])
        ids = {root} | state.inventory.descendants(root, CHILD_KINDS)
        for role_id in assignment.get("roles", []):
            role = state.groups.inventory_roles.find(str(role_id))
            for permission in (role or {}).get("permissions", []):
                _grant(permission, ids, readable, writable)
    return InventoryAccess(
        {scope: frozenset(ids) for scope, ids in readable.items()},
        {scope: frozenset(ids) for scope, ids in writable.items()},
    )


def _grant(permission: dict[str, Any], ids: set[str], readable: dict[str, set[str]],
           writable: dict[str, set[str]]) -> None:  # fmt: skip
    scope = permission.get("scope", "*")
    for name in SCOPES if scope == "*" else (scope,):
        if name not in readable:
            continue
        readable[name] |= ids
        if permission.get("permission", "*") in ("ADMIN", "*"):
            writable[name] |= ids


def visible(state: TenantState, principal: Principal, scope: str, documents: Sequence[dict[str, Any]],
            owner_of: str = "id") -> Sequence[dict[str, Any]]:  # fmt: skip
    """The documents the principal may read (``owner_of``: where the managed object's id is)."""
    access = inventory_access(state, principal)
    if access is None:
        return documents
    return [doc for doc in documents if access.may_read(scope, _owner(doc, owner_of))]


def check_may_read(state: TenantState, principal: Principal, scope: str, object_id: str) -> None:
    access = inventory_access(state, principal)
    if access is not None and not access.may_read(scope, object_id):
        raise forbidden()


def _owner(document: dict[str, Any], path: str) -> str:
    current: Any = document
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    return str(current or "")
