"""User groups, global roles given to users, inventory roles and their assignments (the parts of
``/user`` beyond the users themselves); built-in groups are the coarse roles (``roles``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from c8ylink.tenant.state.documents import require_object
from c8ylink.tenant.state.errors import conflict, forbidden, missing_fields, not_found, validation_error
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.records import Document, RecordStore
from c8ylink.tenant.state.roles import BUILTIN_GROUPS, FIRST_CUSTOM_GROUP, ROLE_NAMES, is_role
from c8ylink.tenant.state.users import User

PERMISSIONS = ("ADMIN", "READ", "*")
SCOPES = ("ALARM", "AUDIT", "EVENT", "MANAGED_OBJECT", "MEASUREMENT", "OPERATION", "*")


def role_not_found(name: str) -> Exception:
    return not_found("user", f"Role {name} not found")


def check_role(name: object) -> str:
    if not isinstance(name, str) or not is_role(name):
        raise role_not_found(str(name))
    return name


class UserGroups:
    def __init__(self, journal: Journal) -> None:
        self.custom = RecordStore(
            journal, "userGroup", resource="user", what="Group", first_id=FIRST_CUSTOM_GROUP
        )
        self.inventory_roles = RecordStore(journal, "inventoryRole", resource="user", what="Inventory role")
        self.assignments = RecordStore(
            journal, "inventoryAssignment", resource="user", what="Inventory assignment"
        )

    # -- groups ----------------------------------------------------------------------------------------
    def builtin(self, group_id: str) -> Document | None:
        entry = BUILTIN_GROUPS.get(group_id)
        if entry is None:
            return None
        name, coarse, description = entry
        return {
            "id": group_id,
            "name": name,
            "description": description,
            "roles": list(ROLE_NAMES[coarse]),
            "builtin": coarse,
        }

    def get(self, group_id: str) -> Document:
        return self.builtin(group_id) or self.custom.get(group_id)

    def all(self) -> list[Document]:
        builtins = [self.builtin(group_id) or {} for group_id in BUILTIN_GROUPS]
        return [*builtins, *self.custom.all()]

    def by_name(self, name: str) -> Document:
        for group in self.all():
            if group["name"] == name:
                return group
        raise not_found("user", f"Group with name {name} not found")

    def create(self, body: object) -> Document:
        fields = require_object(body, "group")
        name = fields.get("name")
        if not isinstance(name, str) or not name:
            raise missing_fields("name")
        if any(group["name"] == name for group in self.all()):
            raise conflict("user", f"Group with name {name} already exists")
        description = fields.get("description", "")
        return self.custom.create(
            {
                "name": name,
                "description": description if isinstance(description, str) else "",
                "roles": [],
                "members": [],
                "customProperties": fields.get("customProperties") or {},
            }
        )

    def update(self, group_id: str, body: object) -> Document:
        fields = require_object(body, "group")
        group = self._custom(group_id)
        updated = dict(group)
        for key in ("name", "description"):
            if key in fields:
                if not isinstance(fields[key], str) or (key == "name" and not fields[key]):
                    raise validation_error(f"{key} must be a string")
                updated[key] = fields[key]
        if isinstance(fields.get("customProperties"), dict):
            updated["customProperties"] = fields["customProperties"]
        if updated["name"] != group["name"] and any(g["name"] == updated["name"] for g in self.all()):
            raise conflict("user", f"Group with name {updated['name']} already exists")
        return self.custom.put(updated)

    def delete(self, group_id: str) -> Document:
        return self.custom.delete(self._custom(group_id)["id"])

    def _custom(self, group_id: str) -> Document:
        if group_id in BUILTIN_GROUPS:
            raise forbidden(f"The built-in group {BUILTIN_GROUPS[group_id][0]} cannot be changed")
        return self.custom.get(group_id)

    def add_role(self, group_id: str, role: str) -> Document:
        group = self._custom(group_id)
        check_role(role)
        if role not in group["roles"]:
            group = self.custom.put({**group, "roles": [*group["roles"], role]})
        return group

    def remove_role(self, group_id: str, role: str) -> Document:
        group = self._custom(group_id)
        if role not in group["roles"]:
            raise role_not_found(role)
        return self.custom.put({**group, "roles": [r for r in group["roles"] if r != role]})

    def add_member(self, group_id: str, username: str) -> Document:
        group = self._custom(group_id)
        if username not in group["members"]:
            group = self.custom.put({**group, "members": [*group["members"], username]})
        return group

    def remove_member(self, group_id: str, username: str) -> None:
        group = self._custom(group_id)
        if username not in group["members"]:
            raise not_found("user", f"User {username} is not in group {group['name']}")
        self.custom.put({**group, "members": [m for m in group["members"] if m != username]})

    def forget_user(self, username: str) -> None:
        for group in self.custom.select(lambda g: username in g["members"]):
            self.custom.put({**group, "members": [m for m in group["members"] if m != username]})
        for assignment in self.assignments.select(lambda a: a["user"] == username):
            self.assignments.delete(assignment["id"])

    def groups_of(self, user: User) -> list[Document]:
        builtins = [
            self.builtin(group_id) or {}
            for group_id, (_, coarse, _) in BUILTIN_GROUPS.items()
            if coarse in user.roles
        ]
        return [*builtins, *self.custom.select(lambda g: user.username in g["members"])]

    def members_of(self, group: Mapping[str, Any], users: list[User]) -> list[User]:
        if "builtin" in group:
            return [user for user in users if group["builtin"] in user.roles]
        return [user for user in users if user.username in group["members"]]

    # -- inventory roles ---------------------------------------------------------------------------------
    def create_inventory_role(self, body: object) -> Document:
        fields = require_object(body, "inventory role")
        name = fields.get("name")
        if not isinstance(name, str) or not name:
            raise missing_fields("name")
        document = {"name": name, "description": _text(fields, "description"), "permissions": []}
        role = self.inventory_roles.create(document)
        role["permissions"] = _permissions(fields.get("permissions", []))
        return self.inventory_roles.put(role)

    def update_inventory_role(self, role_id: str, body: object) -> Document:
        fields = require_object(body, "inventory role")
        role = dict(self.inventory_roles.get(role_id))
        if isinstance(fields.get("name"), str) and fields["name"]:
            role["name"] = fields["name"]
        if "description" in fields:
            role["description"] = _text(fields, "description")
        if "permissions" in fields:
            role["permissions"] = _permissions(fields["permissions"])
        return self.inventory_roles.put(role)

    def assign(self, username: str, body: object) -> Document:
        fields = require_object(body, "inventory assignment")
        managed_object = fields.get("managedObject")
        if managed_object in (None, ""):
            raise missing_fields("managedObject")
        roles = self._role_ids(fields.get("roles"))
        return self.assignments.create(
            {"user": username, "managedObject": str(managed_object), "roles": roles}
        )

    def update_assignment(self, username: str, assignment_id: str, body: object) -> Document:
        fields = require_object(body, "inventory assignment")
        assignment = self.assignment_of(username, assignment_id)
        return self.assignments.put({**assignment, "roles": self._role_ids(fields.get("roles"))})

    def assignment_of(self, username: str, assignment_id: str) -> Document:
        assignment = self.assignments.get(assignment_id)
        if assignment["user"] != username:
            raise self.assignments.not_found(assignment_id)
        return assignment

    def _role_ids(self, roles: object) -> list[str]:
        if not isinstance(roles, list) or not roles:
            raise missing_fields("roles")
        ids = []
        for role in roles:
            role_id = str(role.get("id")) if isinstance(role, dict) else ""
            self.inventory_roles.get(role_id)
            ids.append(role_id)
        return ids


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name, "")
    return value if isinstance(value, str) else ""


def _permissions(items: object) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise validation_error("permissions must be a list")
    permissions = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise validation_error("every permission must be an object")
        permission, scope = item.get("permission", "*"), item.get("scope", "*")
        if permission not in PERMISSIONS or scope not in SCOPES:
            raise validation_error(
                f"permission must be one of {', '.join(PERMISSIONS)} and scope one of {', '.join(SCOPES)}"
            )
        kind = item.get("type", "*")
        permissions.append({"id": number, "permission": permission, "scope": scope, "type": str(kind)})
    return permissions
