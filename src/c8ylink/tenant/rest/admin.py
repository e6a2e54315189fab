"""The local control API under ``/__local__`` (not part of Cumulocity): users, TFA, registrations,
fault injection and the tenant's own description. Tenant admins only; never subject to faults.

    GET    /__local__/tenant                      what tenant.json says (without passwords)
    GET    /__local__/users                       users of the tenant
    POST   /__local__/users                       {"username", "password"?, "roles"?: ["admin"|"user"]}
    DELETE /__local__/users/{username}
    POST   /__local__/users/{username}/tfa        {"mode": "enable"} -> {"secret", "uri"};
                                                  {"mode": "require"}: the user must enrol at next login
    DELETE /__local__/users/{username}/tfa        switch TOTP off
    GET    /__local__/registrations               device registrations with their enrollment state
    POST   /__local__/registrations/{id}/accept   accept a request whatever its status
    GET    /__local__/faults                      the pending injected faults
    POST   /__local__/faults                      {"status": 503, "count": 1, "pathPrefix": "/",
                                                   "method"?, "message"?}
    DELETE /__local__/faults                      drop all injected faults
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from c8ylink.tenant.faults import parse_fault_rule
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object
from c8ylink.tenant.state.access import require_tenant_admin
from c8ylink.tenant.state.errors import validation_error
from c8ylink.tenant.state.registrations import ACCEPTED
from c8ylink.tenant.state.users import ADMIN, USER, User, totp_uri

routes = web.RouteTableDef()
PREFIX = "/__local__"
TENANT_INFO = web.AppKey("c8ylink.tenant_info", dict)
GENERATED_PASSWORD_LENGTH = 16


def _admin(request: web.Request) -> None:
    require_tenant_admin(principal_of(request))


def _user_document(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "tenant": user.tenant,
        "roles": sorted(user.roles),
        "tfaActive": user.tfa_active,
        "tfaSetupRequired": user.tfa_setup_required,
    }


@routes.get(PREFIX + "/tenant")
async def tenant_info(request: web.Request) -> web.StreamResponse:
    _admin(request)
    info = {
        key: value
        for key, value in request.app.get(TENANT_INFO, {}).items()
        if key not in ("admin", "bootstrap")
    }
    return json_response(info, None)


@routes.get(PREFIX + "/users")
async def list_users(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    return json_response({"users": [_user_document(u) for u in state.users.all(state.tenant_id)]}, None)


@routes.post(PREFIX + "/users")
async def add_user(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    body = await read_json_object(request)
    username, password, roles = body.get("username"), body.get("password"), body.get("roles", [ADMIN])
    if not isinstance(username, str) or not username:
        raise validation_error("Following mandatory fields should be included: username")
    if password is not None and (not isinstance(password, str) or len(password) < 6):
        raise validation_error("password must have at least 6 characters")
    if not isinstance(roles, list) or not roles or any(role not in (ADMIN, USER) for role in roles):
        raise validation_error("roles must be a list of 'admin' and/or 'user'")
    generated = password is None
    secret = state.secrets.password(GENERATED_PASSWORD_LENGTH) if generated else str(password)
    user = state.users.add(state.tenant_id, username, roles=roles, password=secret, now=state.now())
    document = _user_document(user)
    if generated:
        document["password"] = secret
    return json_response(document, None, status=201)


@routes.delete(PREFIX + "/users/{username}")
async def delete_user(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    user = state.users.get(state.tenant_id, request.match_info["username"])
    state.delete_user(user)
    return web.Response(status=204)


@routes.post(PREFIX + "/users/{username}/tfa")
async def enable_tfa(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    user = state.users.get(state.tenant_id, request.match_info["username"])
    body = await read_json_object(request) if request.can_read_body else {}
    mode = body.get("mode", "enable")
    if mode == "require":
        user = state.users.require_totp_setup(user)
        return json_response(_user_document(user), None)
    if mode != "enable":
        raise validation_error("mode must be 'enable' or 'require'")
    user, secret = state.users.enable_totp(user)
    return json_response(
        {**_user_document(user), "secret": secret, "uri": totp_uri(secret, user.username, state.domain)}, None
    )


@routes.delete(PREFIX + "/users/{username}/tfa")
async def disable_tfa(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    user = state.users.get(state.tenant_id, request.match_info["username"])
    user = state.users.set_totp_active(replace(user, tfa_setup_required=False), False)
    return web.Response(status=204)


@routes.get(PREFIX + "/registrations")
async def list_registrations(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    items = [
        {
            "id": r.id,
            "status": r.status,
            "authType": r.auth_type,
            "owner": r.owner,
            "creationTime": r.creation_time,
            "otpUsed": r.otp_used,
            "otpFailures": r.otp_failures,
            "locked": r.locked,
        }
        for r in state.registrations.all()
    ]
    return json_response({"registrations": items}, None)


@routes.post(PREFIX + "/registrations/{id}/accept")
async def accept_registration(request: web.Request) -> web.StreamResponse:
    _admin(request)
    state = service_of(request).state
    registration = state.registrations.get(request.match_info["id"])
    state.registrations.force_status(registration.id, ACCEPTED)
    return web.Response(status=204)


@routes.get(PREFIX + "/faults")
async def list_faults(request: web.Request) -> web.StreamResponse:
    _admin(request)
    return json_response(
        {"faults": [rule.to_document() for rule in service_of(request).faults.rules()]}, None
    )


@routes.post(PREFIX + "/faults")
async def add_fault(request: web.Request) -> web.StreamResponse:
    _admin(request)
    rule = parse_fault_rule(await read_json_object(request))
    service_of(request).faults.add(rule)
    return json_response(rule.to_document(), None, status=201)


@routes.delete(PREFIX + "/faults")
async def clear_faults(request: web.Request) -> web.StreamResponse:
    _admin(request)
    service_of(request).faults.clear()
    return web.Response(status=204)
