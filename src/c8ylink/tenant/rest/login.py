"""Login: login options, OAI-Secure tokens and cookies, current tenant/user, TOTP enrolment, logout
(cumulocity-api.md §3.1)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.auth import TOTP_ENROLMENT_PATHS, check_login, check_totp, public, split_username
from c8ylink.tenant.rest.certificates import check_tenant_path
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import (
    json_response,
    read_json_object,
    unsupported_media_type,
    written_response,
)
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.errors import (
    BAD_CREDENTIALS,
    TFA_CODE_REQUIRED,
    TFA_SETUP_REQUIRED,
    TenantApiError,
    forbidden,
    missing_fields,
    not_found,
    unauthorized,
    validation_error,
)
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.tokens import USER_TOKEN_SECONDS, IssuedToken
from c8ylink.tenant.state.users import User, totp_uri

routes = web.RouteTableDef()
SESSION = {
    "absoluteTimeoutMillis": USER_TOKEN_SECONDS * 1000,
    "renewalTimeoutMillis": USER_TOKEN_SECONDS * 500,
    "userAgentValidationRequired": False,
    "maximumNumberOfParallelSessions": 5,
}


@routes.get("/tenant/loginOptions")
@public
async def login_options(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    base = render.base_url(request)
    common = {
        "userManagementSource": "INTERNAL",
        "visibleOnLoginPage": True,
        "tfaStrategy": "TOTP",
        "enforceStrength": False,
        "greenMinLength": 8,
        "strengthValidity": False,
        "grantType": "PASSWORD",
        "sessionConfiguration": SESSION,
        "authenticationRestrictions": {
            "forbiddenClients": [],
            "forbiddenUserAgents": [],
            "trustedUserAgents": [],
        },
    }
    options = [
        {
            **common,
            "id": "basic",
            "type": "BASIC",
            "_type": "BasicAuthConfig",
            "self": f"{base}/tenant/loginOptions/basic",
        },
        {
            **common,
            "id": "oauth2_internal",
            "type": "OAUTH2_INTERNAL",
            "_type": "OAuth2Config",
            "initRequest": f"{base}/tenant/oauth?tenant_id={state.tenant_id}",
            "loginRedirectDomain": state.domain,
            "self": f"{base}/tenant/loginOptions/oauth2_internal",
        },
        {
            **common,
            "id": "oauth2",
            "type": "OAUTH2",
            "_type": "OAuth2Config",
            "grantType": "AUTHORIZATION_CODE",
            "userManagementSource": "REMOTE",
            "initRequest": f"{base}/tenant/oauth?tenant_id={state.tenant_id}",
            "loginRedirectDomain": state.domain,
            "self": f"{base}/tenant/loginOptions/oauth2",
        },
    ]
    return json_response(
        {"self": f"{base}/tenant/loginOptions", "loginOptions": options}, "loginoptioncollection"
    )


def _code_login(request: web.Request, form: Any) -> IssuedToken:
    """SSO: the authorization code from the browser flow, redeemed for the redirect URI the client used
    (``REQUEST_ORIGIN`` cookie, as go-c8y sends it, or ``redirect_uri``) and its PKCE verifier."""
    from c8ylink.tenant.rest.sso import issue_sso_token
    from c8ylink.tenant.state.sso import OAuthError

    state = service_of(request).state
    redirect_uri = request.cookies.get("REQUEST_ORIGIN") or str(form.get("redirect_uri", ""))
    try:
        user = state.sso.redeem_code(
            str(form.get("code", "")),
            redirect_uri=redirect_uri,
            verifier=str(form.get("code_verifier", "")),
            now=state.now(),
        )
    except OAuthError as exc:
        raise unauthorized(f"Invalid credentials! : {exc.description}") from exc
    return issue_sso_token(state, user)


async def _login(request: web.Request) -> tuple[IssuedToken, User | None]:
    """Check the OAI-Secure form (``grant_type=PASSWORD``, username, password, tfa_code) and issue a token."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise unsupported_media_type(request.headers.get("Content-Type", ""))
    form = await request.post()
    state = service_of(request).state
    tenant_param = request.query.get("tenant_id")
    if tenant_param and tenant_param != state.tenant_id:
        raise unauthorized(BAD_CREDENTIALS)
    grant = str(form.get("grant_type", "PASSWORD")).upper()
    if grant == "AUTHORIZATION_CODE":
        return _code_login(request, form), None
    if grant != "PASSWORD":
        raise TenantApiError(400, "security/badRequest", "grant_type must be PASSWORD or AUTHORIZATION_CODE")
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    if not username or not password:
        raise unauthorized(BAD_CREDENTIALS)
    tenant, name = split_username(username, state.tenant_id, strict=False)
    user = check_login(request, tenant, name, password)
    if user is None or tenant != state.tenant_id:
        raise unauthorized(BAD_CREDENTIALS)
    if user.tfa_setup_required and not user.tfa_active:
        raise unauthorized(TFA_SETUP_REQUIRED)
    code = str(form.get("tfa_code", "") or "")
    if user.tfa_active and (code in ("", "undefined") or not check_totp(request, user, code)):
        raise unauthorized(TFA_CODE_REQUIRED)
    return state.tokens.issue_user_token(user.username, tfa=user.tfa_active, now=state.now()), user


def _set_login_cookies(response: web.StreamResponse, issued: IssuedToken) -> None:
    response.set_cookie(
        "authorization", issued.token, max_age=USER_TOKEN_SECONDS, path="/", secure=True, httponly=True
    )
    response.set_cookie("XSRF-TOKEN", issued.xsrf_token, max_age=USER_TOKEN_SECONDS, path="/", secure=True)


@routes.post("/tenant/oauth")
@public
async def oauth_cookie(request: web.Request) -> web.StreamResponse:
    issued, _ = await _login(request)
    response = web.Response(status=200)
    _set_login_cookies(response, issued)
    return response


@routes.post("/tenant/oauth/token")
@public
async def oauth_token(request: web.Request) -> web.StreamResponse:
    issued, _ = await _login(request)
    response = json_response({"access_token": issued.token}, None)
    _set_login_cookies(response, issued)
    return response


@routes.post("/user/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    state = service_of(request).state
    if principal.token is not None:
        state.tokens.revoke(principal.token, now=state.now())
    response = web.Response(status=200)
    response.del_cookie("authorization", path="/")
    response.del_cookie("XSRF-TOKEN", path="/")
    return response


@routes.get("/tenant/currentTenant")
async def current_tenant(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    base = render.base_url(request)
    document = {
        "name": state.tenant_id,
        "domainName": state.domain,
        "allowCreateTenants": False,
        "customProperties": {},
        "applications": {"references": []},
        "self": f"{base}/tenant/currentTenant",
    }
    return json_response(document, "currenttenant")


def _current_user_document(base: str, state: TenantState, principal: Principal) -> dict[str, Any]:
    user = state.users.get(principal.tenant, principal.username)
    roles = state.role_names(user)
    return {
        **{
            key: value
            for key, value in user.profile.items()
            if key in ("firstName", "lastName", "email", "phone")
        },
        "id": user.username,
        "userName": user.username,
        "self": f"{base}/user/currentUser",
        "lastPasswordChange": user.last_password_change,
        "shouldResetPassword": False,
        "twoFactorAuthenticationEnabled": user.tfa_active,
        "effectiveRoles": [{"id": name, "name": name, "self": f"{base}/user/roles/{name}"} for name in roles],
        "devicePermissions": {},
    }


@routes.get("/user/currentUser")
async def current_user(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    return json_response(
        _current_user_document(render.base_url(request), state, principal_of(request)), "currentuser"
    )


@routes.put("/user/currentUser")
async def update_current_user(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    body = await read_json_object(request)
    profile: dict[str, str] = {}
    for key in ("firstName", "lastName", "email", "phone"):
        if key in body:
            if not isinstance(body[key], str):
                raise validation_error(f"{key} must be a string")
            profile[key] = body[key]
    user = state.users.get(principal.tenant, principal.username)
    state.users.update_profile(user, profile)
    if isinstance(body.get("password"), str):
        state.users.set_password(
            state.users.get(principal.tenant, principal.username), body["password"], now=state.now()
        )
    document = _current_user_document(render.base_url(request), state, principal)
    return written_response(request, document, "currentuser", status=200)


@routes.put("/user/currentUser/password")
async def change_password(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    body = await read_json_object(request)
    current, new = body.get("currentUserPassword"), body.get("newPassword")
    if not isinstance(current, str) or not isinstance(new, str):
        raise missing_fields("currentUserPassword", "newPassword")
    user = state.users.get(principal.tenant, principal.username)
    if not state.users.check_password(user, current):
        raise validation_error("The current password is not correct")
    state.users.set_password(user, new, now=state.now())
    return web.Response(status=200)


@routes.get("/tenant/tenants/{tenant}/tfa")
async def tenant_tfa(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    check_tenant_path(state, principal_of(request), request.match_info["tenant"])
    document = {
        "strategy": "TOTP",
        "enabledOnSystemLevel": True,
        "enabledOnTenantLevel": True,
        "enforcedOnSystemLevel": False,
        "totpEnforcedOnTenantLevel": False,
        "enforcedUsersGroup": "",
    }
    return json_response(document, None)


@routes.post(TOTP_ENROLMENT_PATHS[0])
async def totp_secret(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    user = state.users.get(principal.tenant, principal.username)
    if user.tfa_active:
        raise forbidden("Two-factor authentication is already active; deactivate it first")
    _, secret = state.users.new_totp_secret(user)
    return json_response(
        {"rawSecret": secret, "secretQrUrl": totp_uri(secret, user.username, state.domain)}, None
    )


@routes.post(TOTP_ENROLMENT_PATHS[0] + "/verify")
async def totp_verify(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    body = await read_json_object(request)
    code = body.get("code")
    if not isinstance(code, str) or not code:
        raise missing_fields("code")
    user = state.users.get(principal.tenant, principal.username)
    if not user.tfa_secret:
        raise not_found("user", "TOTP secret not found; request one first")
    if not check_totp(request, user, code):
        raise forbidden("Invalid verification code")
    return web.Response(status=204)


@routes.get(TOTP_ENROLMENT_PATHS[0] + "/activity")
async def totp_activity(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    return json_response({"isActive": state.users.get(principal.tenant, principal.username).tfa_active}, None)


@routes.post(TOTP_ENROLMENT_PATHS[0] + "/activity")
async def set_totp_activity(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    body = await read_json_object(request)
    active = body.get("isActive")
    if not isinstance(active, bool):
        raise missing_fields("isActive")
    user = state.users.get(principal.tenant, principal.username)
    if not active and user.tfa_setup_required:
        raise forbidden("Two-factor authentication is enforced for this user")
    state.users.set_totp_active(user, active)
    return web.Response(status=204)
