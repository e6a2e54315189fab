"""The tenant's SSO identity provider over HTTP (state in ``tenant.state.sso``), and the Cumulocity side
of SSO: the ``OAUTH2`` login option's init request and the code exchange of ``/tenant/oauth/token``.

    GET  /tenant/oauth                      initRequest -> {"redirectTo": <authorize URL>}
    GET  /.well-known/openid-configuration  discovery
    GET  /sso/authorize                     login page (response_type=code, PKCE S256/plain)
    POST /sso/authorize                     -> 302 <redirect_uri>?code=..&state=.. (or error=access_denied)
    POST /sso/token                         authorization_code | urn:ietf:params:oauth:grant-type:device_code
    POST /sso/device_authorization          RFC 8628 device authorization
    GET/POST /sso/device                    verification page (approve / deny)
    GET/POST/DELETE /__local__/sso/users    the provider's users (tenant admins only)
    PUT  /__local__/sso/settings            {"deviceInterval": s, "deviceCodeSeconds": s, "slowDownOnce": b}

Redirect URIs: loopback ``http://localhost|127.0.0.1|[::1]:<port>/...`` (native apps, RFC 8252) and
the tenant's own base URL. Access tokens are the tenant's own JWTs for a password-less tenant user of the
same name (external token configuration), created on first login.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.auth import public
from c8ylink.tenant.rest.keys import GUARD, principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object
from c8ylink.tenant.rest.sso_pages import device_page, login_page, message_page
from c8ylink.tenant.state.access import require_tenant_admin
from c8ylink.tenant.state.errors import unauthorized, validation_error
from c8ylink.tenant.state.sso import CLIENT_ID, OAuthError, SsoUser
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.tokens import IssuedToken

routes = web.RouteTableDef()
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def issue_sso_token(state: TenantState, user: SsoUser) -> IssuedToken:
    """A tenant token for an SSO user; the matching tenant user is created (without password) at first."""
    if state.users.find(state.tenant_id, user.username) is None:
        state.users.add(state.tenant_id, user.username, roles=user.roles, password=None, now=state.now())
    return state.tokens.issue_user_token(user.username, tfa=False, now=state.now())


def _check_sso_login(request: web.Request, form: Any) -> SsoUser | None:
    """The identity provider's password check, locked after repeated failures like the tenant's."""
    state = service_of(request).state
    username = str(form.get("username", ""))
    guard, key, now = request.app[GUARD], f"sso:{username}", state.now().timestamp()
    guard.check(key, now)
    user = state.sso.check(username, str(form.get("password", "")))
    if user is None:
        guard.failed(key, now)
    else:
        guard.succeeded(key)
    return user


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _oauth_error(exc: OAuthError) -> web.Response:
    return web.json_response({"error": exc.error, "error_description": exc.description}, status=exc.status)


def redirect_allowed(uri: str, base: str) -> bool:
    """The tenant's own callback exactly, or a native client's loopback callback (RFC 8252 §7.3: any
    port) whose parsed authority is exactly ``host[:port]``: no user info, percent-encoding, backslash
    or blank that a browser could read as another host (``http://localhost%2F@evil.example/``)."""
    if uri == f"{base}/tenant/oauth/callback":
        return True
    if any(char in uri for char in "\\%@") or not uri.isprintable() or " " in uri:
        return False
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.fragment or parts.hostname not in _LOOPBACK:
        return False
    try:
        port = parts.port
    except ValueError:
        return False
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    authority = host if port is None else f"{host}:{port}"
    return parts.netloc == authority and (parts.path == "" or parts.path.startswith("/"))


@routes.get("/tenant/oauth")
@public
async def init_request(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    tenant = request.query.get("tenant_id")
    if tenant and tenant != state.tenant_id:
        raise unauthorized()
    base = render.base_url(request)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "scope": "openid",
            "redirect_uri": f"{base}/tenant/oauth/callback",
        }
    )
    return json_response({"redirectTo": f"{base}/sso/authorize?{query}"}, None)


@routes.get("/.well-known/openid-configuration")
@public
async def discovery(request: web.Request) -> web.StreamResponse:
    base = render.base_url(request)
    document = {
        "issuer": base,
        "authorization_endpoint": f"{base}/sso/authorize",
        "token_endpoint": f"{base}/sso/token",
        "device_authorization_endpoint": f"{base}/sso/device_authorization",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", DEVICE_GRANT],
        "code_challenge_methods_supported": ["S256", "plain"],
        "scopes_supported": ["openid", "profile"],
        "token_endpoint_auth_methods_supported": ["none"],
        "subject_types_supported": ["public"],
    }
    return json_response(document, None)


def _authorize_params(source: Any) -> dict[str, str]:
    return {key: str(source.get(key, "")) for key in _AUTHORIZE_PARAMS}


def _check_client(params: dict[str, str], base: str) -> web.Response | None:
    if params["client_id"] != CLIENT_ID:
        return _html(message_page("Login failed", f"Unknown client_id {params['client_id']!r}"), 400)
    if not redirect_allowed(params["redirect_uri"], base):
        return _html(message_page("Login failed", "This redirect_uri is not allowed"), 400)
    return None


def _back(params: dict[str, str], **answer: str) -> web.StreamResponse:
    query = urlencode({**answer, **({"state": params["state"]} if params["state"] else {})})
    separator = "&" if "?" in params["redirect_uri"] else "?"
    raise web.HTTPFound(f"{params['redirect_uri']}{separator}{query}")


@routes.get("/sso/authorize")
@public
async def authorize_page(request: web.Request) -> web.StreamResponse:
    params = _authorize_params(request.query)
    refused = _check_client(params, render.base_url(request))
    if refused is not None:
        return refused
    if params["response_type"] != "code":
        return _back(params, error="unsupported_response_type", error_description="only response_type=code")
    return _html(login_page(service_of(request).state.tenant_id, params))


@routes.post("/sso/authorize")
@public
async def authorize_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    params = _authorize_params(form)
    refused = _check_client(params, render.base_url(request))
    if refused is not None:
        return refused
    if form.get("action") == "cancel":
        return _back(params, error="access_denied", error_description="The user cancelled the login")
    state = service_of(request).state
    user = _check_sso_login(request, form)
    if user is None:
        return _html(login_page(state.tenant_id, params, error="Invalid username or password"), 401)
    try:
        code = state.sso.authorize(
            user,
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            challenge=params["code_challenge"],
            method=params["code_challenge_method"],
            now=state.now(),
        )
    except OAuthError as exc:
        return _back(params, error=exc.error, error_description=exc.description)
    return _back(params, code=code)


@routes.post("/sso/token")
@public
async def token(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    state = service_of(request).state
    grant = str(form.get("grant_type", ""))
    try:
        if grant == "authorization_code":
            user = state.sso.redeem_code(
                str(form.get("code", "")),
                redirect_uri=str(form.get("redirect_uri", "")),
                verifier=str(form.get("code_verifier", "")),
                now=state.now(),
                client_id=str(form.get("client_id", "")),
            )
        elif grant == DEVICE_GRANT:
            user = state.sso.poll(
                str(form.get("device_code", "")), client_id=str(form.get("client_id", "")), now=state.now()
            )
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")
    except OAuthError as exc:
        return _oauth_error(exc)
    issued = issue_sso_token(state, user)
    expires_in = int(issued.expires_at - state.now().timestamp())
    return json_response(
        {"access_token": issued.token, "token_type": "Bearer", "expires_in": expires_in}, None
    )


@routes.post("/sso/device_authorization")
@public
async def device_authorization(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    state = service_of(request).state
    try:
        grant = state.sso.start_device(
            client_id=str(form.get("client_id", "")), scope=str(form.get("scope", "")), now=state.now()
        )
    except OAuthError as exc:
        return _oauth_error(exc)
    base = render.base_url(request)
    return json_response(
        {
            "device_code": grant.device_code,
            "user_code": grant.user_code,
            "verification_uri": f"{base}/sso/device",
            "verification_uri_complete": f"{base}/sso/device?{urlencode({'user_code': grant.user_code})}",
            "expires_in": int((grant.expires - state.now()).total_seconds()),
            "interval": grant.interval,
        },
        None,
    )


@routes.get("/sso/device")
@public
async def device_form(request: web.Request) -> web.StreamResponse:
    return _html(device_page(request.query.get("user_code", "")))


@routes.post("/sso/device")
@public
async def device_decision(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    state = service_of(request).state
    user_code = str(form.get("user_code", ""))
    approve = form.get("action") != "deny"
    user = _check_sso_login(request, form) if approve else None
    if approve and user is None:
        return _html(device_page(user_code, error="Invalid username or password"), 401)
    try:
        state.sso.decide(user_code, user=user, approve=approve, now=state.now())
    except OAuthError as exc:
        return _html(device_page(user_code, error=exc.description), 400)
    if approve:
        return _html(message_page("Login approved", "You can return to the command line."))
    return _html(message_page("Login denied", "The login was denied."))


# -- control API (tenant admins) -------------------------------------------------------------------------
@routes.get("/__local__/sso/users")
async def list_users(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    users = [
        {"username": u.username, "roles": sorted(u.roles)} for u in service_of(request).state.sso.users()
    ]
    return json_response({"users": users}, None)


@routes.post("/__local__/sso/users")
async def add_user(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    body = await read_json_object(request)
    username, password, roles = body.get("username"), body.get("password"), body.get("roles", ["user"])
    if not isinstance(username, str) or not isinstance(password, str) or not isinstance(roles, list):
        raise validation_error("Following mandatory fields should be included: username,password")
    user = service_of(request).state.sso.add_user(username, password, roles)
    return json_response({"username": user.username, "roles": sorted(user.roles)}, None, status=201)


@routes.delete("/__local__/sso/users/{username}")
async def remove_user(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    service_of(request).state.sso.remove_user(request.match_info["username"])
    return web.Response(status=204)


@routes.put("/__local__/sso/settings")
async def update_settings(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    body = await read_json_object(request)
    sso = service_of(request).state.sso
    for key, attribute in (("deviceInterval", "device_interval"), ("deviceCodeSeconds", "device_seconds")):
        if key in body:
            value = body[key]
            if not isinstance(value, int) or value < 0:
                raise validation_error(f"{key} must be a non-negative integer")
            setattr(sso, attribute, value)
    if isinstance(body.get("slowDownOnce"), bool):
        sso.slow_down_once = body["slowDownOnce"]
    document = {
        "deviceInterval": sso.device_interval,
        "deviceCodeSeconds": sso.device_seconds,
        "slowDownOnce": sso.slow_down_once,
    }
    return json_response(document, None)
