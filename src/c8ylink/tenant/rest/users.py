"""``/user``: users, groups, global roles, inventory roles and the references between them.

Reading needs a person (admin or user), changing needs a tenant admin (403 otherwise, as for a
user without ``ROLE_USER_MANAGEMENT_ADMIN``); ``{tenantId}`` must be the tenant's own. Device users
(``device_<id>``, created by registration) are users like the others, in the built-in ``devices`` group.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.certificates import check_tenant_path
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object, written_response
from c8ylink.tenant.rest.params import paged, params_of
from c8ylink.tenant.state.access import require_business_user, require_tenant_admin
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.errors import missing_fields, not_found, validation_error
from c8ylink.tenant.state.paging import parse_bool
from c8ylink.tenant.state.roles import ALL_ROLES, BUILTIN_GROUPS
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.user_groups import check_role
from c8ylink.tenant.state.users import User

routes = web.RouteTableDef()
TENANT = "/user/{tenant}"
PROFILE_FIELDS = ("firstName", "lastName", "email", "phone", "displayName")


def _reader(request: web.Request) -> TenantState:
    principal = principal_of(request)
    require_business_user(principal)
    state = service_of(request).state
    if "tenant" in request.match_info:
        check_tenant_path(state, principal, request.match_info["tenant"])
    return state


def _writer(request: web.Request) -> TenantState:
    state = _reader(request)
    require_tenant_admin(principal_of(request))
    return state


def _user(state: TenantState, username: str) -> User:
    return state.users.get(state.tenant_id, username)


def _group_id(request: web.Request) -> str:
    return request.match_info["group"]


# -- rendering ---------------------------------------------------------------------------------------------
def role_document(base: str, name: str) -> dict[str, Any]:
    return {"id": name, "name": name, "self": f"{base}/user/roles/{name}"}


def _role_reference(base: str, owner_url: str, name: str) -> dict[str, Any]:
    return {"self": f"{owner_url}/roles/{name}", "role": role_document(base, name)}


def group_document(base: str, tenant: str, group: dict[str, Any]) -> dict[str, Any]:
    url = f"{base}/user/{tenant}/groups/{group['id']}"
    return {
        "id": int(group["id"]),
        "name": group["name"],
        "description": group.get("description", ""),
        "self": url,
        "roles": {
            "self": f"{url}/roles",
            "references": [_role_reference(base, url, role) for role in group["roles"]],
        },
        "users": {"self": f"{url}/users"},
        "customProperties": group.get("customProperties") or {},
        "devicePermissions": {},
        "applications": [],
    }


def user_document(base: str, state: TenantState, user: User) -> dict[str, Any]:
    url = f"{base}/user/{user.tenant}/users/{user.username}"
    document: dict[str, Any] = {
        key: user.profile[key] for key in PROFILE_FIELDS if isinstance(user.profile.get(key), str)
    }
    document.update(
        {
            "id": user.username,
            "userName": user.username,
            "self": url,
            "enabled": user.enabled,
            "lastPasswordChange": user.last_password_change,
            "shouldResetPassword": False,
            "twoFactorAuthenticationEnabled": user.tfa_active,
            "customProperties": user.profile.get("customProperties") or {},
            "groups": {
                "self": f"{url}/groups",
                "references": [
                    {
                        "self": f"{base}/user/{user.tenant}/groups/{group['id']}/users/{user.username}",
                        "group": group_document(base, user.tenant, group),
                    }
                    for group in state.groups.groups_of(user)
                ],
            },
            "roles": {
                "self": f"{url}/roles",
                "references": [_role_reference(base, url, role) for role in user.direct_roles],
            },
            "devicePermissions": {},
            "applications": [],
        }
    )
    return document


def _user_reference(base: str, state: TenantState, group_id: str, user: User) -> dict[str, Any]:
    return {
        "self": f"{base}/user/{user.tenant}/groups/{group_id}/users/{user.username}",
        "user": user_document(base, state, user),
    }


def _profile(body: dict[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    for key in PROFILE_FIELDS:
        if key in body:
            if not isinstance(body[key], str):
                raise validation_error(f"{key} must be a string")
            profile[key] = body[key]
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise validation_error("enabled must be true or false")
        profile["enabled"] = body["enabled"]
    if "customProperties" in body:
        if not isinstance(body["customProperties"], dict):
            raise validation_error("customProperties must be an object")
        profile["customProperties"] = body["customProperties"]
    return profile


def _referenced_name(body: dict[str, Any], key: str) -> str:
    """The id in ``{"user": {"self": ".../users/bob"}}`` or ``{"user": {"id": "bob"}}``."""
    target = body.get(key)
    if isinstance(target, dict):
        if isinstance(target.get("id"), str | int) and str(target["id"]):
            return str(target["id"])
        if isinstance(target.get("self"), str) and target["self"].rstrip("/"):
            return str(target["self"]).rstrip("/").rsplit("/", 1)[-1]
    raise missing_fields(f"{key}.self")


# -- users -------------------------------------------------------------------------------------------------
@routes.get(TENANT + "/users")
async def list_users(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    params = dict(params_of(request))
    users = state.users.all(state.tenant_id)
    prefix = (params.get("username") or "").lower()
    if prefix:
        users = [user for user in users if user.username.lower().startswith(prefix)]
    if params.get("groups"):
        wanted = {part.strip() for part in params["groups"].split(",") if part.strip()}
        users = [u for u in users if wanted & {group["id"] for group in state.groups.groups_of(u)}]
    if parse_bool(params, "onlyDevices"):
        users = [user for user in users if user.is_device]
    base = render.base_url(request)
    return json_response(
        paged(request, "users", users, lambda u: user_document(base, state, u)), "usercollection"
    )


@routes.post(TENANT + "/users")
async def create_user(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    body = await read_json_object(request)
    username = body.get("userName")
    if not isinstance(username, str) or not username:
        raise missing_fields("userName")
    password = body.get("password")
    if password is not None and not isinstance(password, str):
        raise validation_error("password must be a string")
    profile = _profile(body)
    user = state.users.add(state.tenant_id, username, roles=(), password=password, now=state.now())
    if profile:
        user = state.users.update_profile(user, profile)
    audit(state, principal_of(request), "User", "User created", f"User '{username}' created", user=username)
    document = user_document(render.base_url(request), state, user)
    return written_response(request, document, "user", status=201, location=document["self"])


@routes.get(TENANT + "/users/{user}")
async def get_user(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    user = _user(state, request.match_info["user"])
    return json_response(user_document(render.base_url(request), state, user), "user")


@routes.get(TENANT + "/userByName/{user}")
async def get_user_by_name(request: web.Request) -> web.StreamResponse:
    return await get_user(request)


@routes.put(TENANT + "/users/{user}")
async def update_user(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    body = await read_json_object(request)
    user = state.users.update_profile(user, _profile(body))
    if isinstance(body.get("password"), str):
        user = state.users.set_password(user, body["password"], now=state.now())
    audit(
        state,
        principal_of(request),
        "User",
        "User updated",
        f"User '{user.username}' updated",
        user=user.username,
    )
    return written_response(request, user_document(render.base_url(request), state, user), "user", status=200)


@routes.put(TENANT + "/users/{user}/password")
async def set_user_password(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    body = await read_json_object(request)
    password = body.get("newPassword")
    if not isinstance(password, str):
        raise missing_fields("newPassword")
    state.users.set_password(user, password, now=state.now())
    return web.Response(status=200)


@routes.delete(TENANT + "/users/{user}")
async def delete_user(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    if user.username == principal_of(request).username:
        raise validation_error("Users cannot delete themselves")
    state.delete_user(user)
    audit(
        state,
        principal_of(request),
        "User",
        "User deleted",
        f"User '{user.username}' deleted",
        user=user.username,
    )
    return web.Response(status=204)


@routes.get(TENANT + "/users/{user}/groups")
async def list_user_groups(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    user = _user(state, request.match_info["user"])
    base = render.base_url(request)

    def reference(group: dict[str, Any]) -> dict[str, Any]:
        url = f"{base}/user/{user.tenant}/groups/{group['id']}"
        return {"self": f"{url}/users/{user.username}", "group": group_document(base, user.tenant, group)}

    groups = state.groups.groups_of(user)
    return json_response(paged(request, "references", groups, reference), "groupreferencecollection")


@routes.get(TENANT + "/users/{user}/tfa")
async def user_tfa(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    user = _user(state, request.match_info["user"])
    return json_response(
        {"tfaEnabled": user.tfa_active, "tfaEnforced": user.tfa_setup_required, "strategy": "TOTP"}, None
    )


@routes.post(TENANT + "/users/{user}/roles")
async def add_user_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    role = check_role(_referenced_name(await read_json_object(request), "role"))
    if role not in user.direct_roles:
        user = state.users.update_profile(user, {"directRoles": [*user.direct_roles, role]})
    base = render.base_url(request)
    url = f"{base}/user/{user.tenant}/users/{user.username}"
    return written_response(request, _role_reference(base, url, role), "rolereference", status=201)


@routes.delete(TENANT + "/users/{user}/roles/{role}")
async def remove_user_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    role = request.match_info["role"]
    if role not in user.direct_roles:
        raise not_found("user", f"Role {role} is not assigned to {user.username}")
    state.users.update_profile(user, {"directRoles": [r for r in user.direct_roles if r != role]})
    return web.Response(status=204)


# -- groups ------------------------------------------------------------------------------------------------
@routes.get(TENANT + "/groups")
async def list_groups(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    base = render.base_url(request)
    document = paged(
        request, "groups", state.groups.all(), lambda g: group_document(base, state.tenant_id, g)
    )
    return json_response(document, "groupcollection")


@routes.post(TENANT + "/groups")
async def create_group(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    group = state.groups.create(await read_json_object(request))
    document = group_document(render.base_url(request), state.tenant_id, group)
    return written_response(request, document, "group", status=201, location=document["self"])


@routes.get(TENANT + "/groups/{group}")
async def get_group(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    group = state.groups.get(_group_id(request))
    return json_response(group_document(render.base_url(request), state.tenant_id, group), "group")


@routes.get(TENANT + "/groupByName/{name}")
async def get_group_by_name(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    group = state.groups.by_name(request.match_info["name"])
    return json_response(group_document(render.base_url(request), state.tenant_id, group), "group")


@routes.put(TENANT + "/groups/{group}")
async def update_group(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    group = state.groups.update(_group_id(request), await read_json_object(request))
    return written_response(
        request, group_document(render.base_url(request), state.tenant_id, group), "group", status=200
    )


@routes.delete(TENANT + "/groups/{group}")
async def delete_group(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    group = state.groups.get(_group_id(request))
    state.groups.delete(group["id"])
    state.bump_members(group)
    return web.Response(status=204)


@routes.get(TENANT + "/groups/{group}/users")
async def list_group_users(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    group = state.groups.get(_group_id(request))
    members = state.groups.members_of(group, state.users.all(state.tenant_id))
    base = render.base_url(request)
    document = paged(request, "references", members, lambda u: _user_reference(base, state, group["id"], u))
    return json_response(document, "userreferencecollection")


@routes.post(TENANT + "/groups/{group}/users")
async def add_group_user(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    group = state.groups.get(_group_id(request))
    user = _user(state, _referenced_name(await read_json_object(request), "user"))
    builtin = BUILTIN_GROUPS.get(group["id"])
    if builtin is not None:
        user = state.users.set_roles(user, user.roles | {builtin[1]})
    else:
        state.groups.add_member(group["id"], user.username)
        user = state.users.bump(user)
    audit(
        state,
        principal_of(request),
        "User",
        "User updated",
        f"User '{user.username}' added to group '{group['name']}'",
        user=user.username,
    )
    document = _user_reference(render.base_url(request), state, group["id"], user)
    return written_response(request, document, "userreference", status=201)


@routes.delete(TENANT + "/groups/{group}/users/{user}")
async def remove_group_user(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    group = state.groups.get(_group_id(request))
    user = _user(state, request.match_info["user"])
    builtin = BUILTIN_GROUPS.get(group["id"])
    if builtin is not None:
        if builtin[1] not in user.roles:
            raise not_found("user", f"User {user.username} is not in group {group['name']}")
        state.users.set_roles(user, user.roles - {builtin[1]})
    else:
        state.groups.remove_member(group["id"], user.username)
        state.users.bump(user)
    return web.Response(status=204)


@routes.get(TENANT + "/groups/{group}/roles")
async def list_group_roles(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    group = state.groups.get(_group_id(request))
    base = render.base_url(request)
    url = f"{base}/user/{state.tenant_id}/groups/{group['id']}"
    document = paged(request, "references", group["roles"], lambda r: _role_reference(base, url, r))
    return json_response(document, "rolereferencecollection")


@routes.post(TENANT + "/groups/{group}/roles")
async def add_group_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    role = _referenced_name(await read_json_object(request), "role")
    group = state.groups.add_role(_group_id(request), role)
    state.bump_members(group)
    base = render.base_url(request)
    url = f"{base}/user/{state.tenant_id}/groups/{group['id']}"
    return written_response(request, _role_reference(base, url, role), "rolereference", status=201)


@routes.delete(TENANT + "/groups/{group}/roles/{role}")
async def remove_group_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    group = state.groups.remove_role(_group_id(request), request.match_info["role"])
    state.bump_members(group)
    return web.Response(status=204)


# -- global roles ------------------------------------------------------------------------------------------
@routes.get("/user/roles")
async def list_roles(request: web.Request) -> web.StreamResponse:
    _reader(request)
    base = render.base_url(request)
    return json_response(
        paged(request, "roles", list(ALL_ROLES), lambda r: role_document(base, r)), "rolecollection"
    )


@routes.get("/user/roles/{role}")
async def get_role(request: web.Request) -> web.StreamResponse:
    _reader(request)
    return json_response(
        role_document(render.base_url(request), check_role(request.match_info["role"])), "role"
    )


# -- inventory roles and their assignments -----------------------------------------------------------------
def _inventory_role(base: str, role: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(role["id"]),
        "name": role["name"],
        "description": role.get("description", ""),
        "permissions": role["permissions"],
        "self": f"{base}/user/inventoryroles/{role['id']}",
    }


@routes.get("/user/inventoryroles")
async def list_inventory_roles(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    base = render.base_url(request)
    roles = state.groups.inventory_roles.all()
    return json_response(
        paged(request, "roles", roles, lambda r: _inventory_role(base, r)), "inventoryrolecollection"
    )


@routes.post("/user/inventoryroles")
async def create_inventory_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    role = state.groups.create_inventory_role(await read_json_object(request))
    document = _inventory_role(render.base_url(request), role)
    return written_response(request, document, "inventoryrole", status=201, location=document["self"])


@routes.get("/user/inventoryroles/{role}")
async def get_inventory_role(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    role = state.groups.inventory_roles.get(request.match_info["role"])
    return json_response(_inventory_role(render.base_url(request), role), "inventoryrole")


@routes.put("/user/inventoryroles/{role}")
async def update_inventory_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    role = state.groups.update_inventory_role(request.match_info["role"], await read_json_object(request))
    return written_response(
        request, _inventory_role(render.base_url(request), role), "inventoryrole", status=200
    )


@routes.delete("/user/inventoryroles/{role}")
async def delete_inventory_role(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    state.groups.inventory_roles.delete(request.match_info["role"])
    return web.Response(status=204)


def _assignment(base: str, state: TenantState, assignment: dict[str, Any]) -> dict[str, Any]:
    roles = [state.groups.inventory_roles.find(role_id) for role_id in assignment["roles"]]
    user_url = f"{base}/user/{state.tenant_id}/users/{assignment['user']}"
    return {
        "id": int(assignment["id"]),
        "managedObject": assignment["managedObject"],
        "roles": [_inventory_role(base, role) for role in roles if role is not None],
        "self": f"{user_url}/roles/inventory/{assignment['id']}",
    }


@routes.get(TENANT + "/users/{user}/roles/inventory")
async def list_assignments(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    user = _user(state, request.match_info["user"])
    base = render.base_url(request)
    found = state.groups.assignments.select(lambda a: a["user"] == user.username)
    document = {
        "inventoryAssignments": [_assignment(base, state, a) for a in found],
        "self": f"{base}/user/{state.tenant_id}/users/{user.username}/roles/inventory",
    }
    return json_response(document, "inventoryassignmentcollection")


@routes.post(TENANT + "/users/{user}/roles/inventory")
async def create_assignment(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    body = await read_json_object(request)
    state.inventory.get(str(body.get("managedObject", "")))
    assignment = state.groups.assign(user.username, body)
    document = _assignment(render.base_url(request), state, assignment)
    # 200, as the OpenAPI file documents (unlike every other creation)
    return written_response(request, document, "inventoryassignment", status=200, location=document["self"])


@routes.get(TENANT + "/users/{user}/roles/inventory/{assignment}")
async def get_assignment(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    user = _user(state, request.match_info["user"])
    assignment = state.groups.assignment_of(user.username, request.match_info["assignment"])
    return json_response(_assignment(render.base_url(request), state, assignment), "inventoryassignment")


@routes.put(TENANT + "/users/{user}/roles/inventory/{assignment}")
async def update_assignment(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    assignment = state.groups.update_assignment(
        user.username, request.match_info["assignment"], await read_json_object(request)
    )
    return written_response(
        request, _assignment(render.base_url(request), state, assignment), "inventoryassignment", status=200
    )


@routes.delete(TENANT + "/users/{user}/roles/inventory/{assignment}")
async def delete_assignment(request: web.Request) -> web.StreamResponse:
    state = _writer(request)
    user = _user(state, request.match_info["user"])
    state.groups.assignments.delete(
        state.groups.assignment_of(user.username, request.match_info["assignment"])["id"]
    )
    return web.Response(status=204)
