"""SSO logins against the tenant's ``OAUTH2`` login option (go-c8y-cli.md §4.5, §4.6).

* device flow (RFC 8628): device authorization at the identity provider, the user approves on another
  device, we poll its token endpoint (``slow_down`` adds 5 s; ``access_denied``/``expired_token`` stop);
  the provider's access token is the Cumulocity token (external token configuration);
* browser flow: authorization code with PKCE through a local callback server; the code is exchanged by
  the tenant (``POST /tenant/oauth/token``, ``grant_type=AUTHORIZATION_CODE``).
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from c8ylink.core.errors import AuthError, NetworkError
from c8ylink.infra.net.transport import Transport
from c8ylink.infra.prompts import Prompter
from c8ylink.operator.auth.flows import (
    OAUTH2,
    CallbackAddress,
    DevicePoll,
    authorize_url_with,
    build_pkce,
    find_option,
    parse_callback,
    parse_callback_url,
    parse_device_authorization,
    query_params,
)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CALLBACK_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class SsoOptions:
    scopes: str = ""
    audience: str = ""
    discovery_url: str = ""
    callback_url: str = ""
    timeout: float = CALLBACK_TIMEOUT


@dataclass(frozen=True, slots=True)
class Provider:
    authorize_url: str
    client_id: str
    scopes: str
    audience: str


def find_provider(http: Transport, options: Sequence[Mapping[str, Any]], sso: SsoOptions) -> Provider:
    """The identity provider behind the tenant's OAUTH2 option (its ``initRequest`` redirect)."""
    option = find_option(options, OAUTH2)
    if option is None or not option.get("initRequest"):
        raise AuthError(
            "no OAuth2 provider (SSO) is configured for this tenant: use --loginType OAUTH2_INTERNAL or BASIC"
        )
    answer = http.request("GET", str(option["initRequest"]), headers={"Accept": "application/json"})
    location = answer.headers.get("location", "")
    if 300 <= answer.status < 400 and location:
        authorize = location
    else:
        body = answer.json_or_none()
        authorize = str(body.get("redirectTo", "")) if isinstance(body, dict) else ""
    if not authorize:
        raise AuthError(f"the tenant's SSO init request gave no authorize URL ({answer.status})")
    params = query_params(authorize)
    scopes = sso.scopes.replace(",", " ") or params.get("scope", "")
    audience = sso.audience or params.get("audience", "")
    return Provider(authorize, params.get("client_id", ""), scopes, audience)


def discovery_url_for(authorize_url: str, configured: str) -> str:
    if configured:
        return configured
    parts = urlsplit(authorize_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    segments = parts.path.split("/")
    if "realms" in segments:  # Keycloak
        realm = segments[segments.index("realms") + 1]
        return f"{origin}/realms/{realm}/.well-known/openid-configuration"
    if parts.hostname == "login.microsoftonline.com" and len(segments) > 1:
        return f"{origin}/{segments[1]}/v2.0/.well-known/openid-configuration"
    return f"{origin}/.well-known/openid-configuration"


def fetch_discovery(http: Transport, provider: Provider, sso: SsoOptions) -> dict[str, Any]:
    url = discovery_url_for(provider.authorize_url, sso.discovery_url)
    answer = http.request("GET", url, headers={"Accept": "application/json"})
    document = answer.json_or_none()
    if not answer.ok or not isinstance(document, dict) or not document.get("token_endpoint"):
        raise AuthError(
            f"cannot read the identity provider's OpenID configuration at {url} ({answer.status})"
        )
    return document


def run_device_flow(
    http: Transport,
    options: Sequence[Mapping[str, Any]],
    sso: SsoOptions,
    prompter: Prompter,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> str:
    provider = find_provider(http, options, sso)
    discovery = fetch_discovery(http, provider, sso)
    endpoint = discovery.get("device_authorization_endpoint")
    if not endpoint:
        raise AuthError(
            "device flow not supported: the identity provider has no device_authorization_endpoint"
        )
    form = {"client_id": provider.client_id, "scope": provider.scopes}
    if provider.audience:
        form["audience"] = provider.audience
    answer = http.request("POST", str(endpoint), data=form, headers={"Accept": "application/json"})
    if answer.status in (401, 403, 404, 422) or not answer.ok:
        raise AuthError(
            f"device flow not supported by the identity provider ({answer.status} {answer.text[:120]})"
        )
    authorization = parse_device_authorization(answer.json())
    prompter.write("Logging in using the device flow (OAUTH2)\n")
    prompter.write(f"First copy your one-time code: {authorization.user_code}\n")
    target = authorization.verification_uri_complete or authorization.verification_uri
    prompter.write(f"Then open {target} in a browser and approve the login\n")
    poll = DevicePoll(authorization.interval)
    deadline = now() + authorization.expires_in
    token_form = {
        "client_id": provider.client_id,
        "device_code": authorization.device_code,
        "grant_type": DEVICE_GRANT,
    }
    while not poll.token:
        if now() > deadline:
            raise AuthError("device login expired before it was approved (expired_token): run it again")
        sleep(poll.interval)
        reply = http.request(
            "POST", str(discovery["token_endpoint"]), data=token_form, headers={"Accept": "application/json"}
        )
        body = reply.json_or_none()
        previous = poll.interval
        poll = poll.next(reply.status, body if isinstance(body, dict) else {})
        if poll.interval > previous:
            prompter.write(
                f"The identity provider asks to poll less often (slow_down): every {poll.interval:g} s\n"
            )
    return poll.token


# -- browser flow -------------------------------------------------------------------------------------
_SUCCESS_PAGE = b"<!doctype html><title>Logged in</title><h1>Login successful</h1><p>You can close this tab."
_ERROR_PAGE = "<!doctype html><title>Login failed</title><h1>Login failed</h1><p>{}"


class CallbackServer:
    """A one-shot HTTP server on the callback address; binds at once (a port in use fails fast)."""

    def __init__(self, address: CallbackAddress, expected_state: str = "") -> None:
        self.address = address
        self.result: dict[str, str] | None = None
        self._done = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != outer.address.path:
                    self.send_error(404)
                    return
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                state_ok = not expected_state or query.get("state") == expected_state
                ok = "code" in query and "error" not in query and state_ok
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                message = query.get("error_description") or query.get("error") or "no code"
                if not state_ok and "error" not in query:
                    message = "the state does not match this login"
                self.wfile.write(_SUCCESS_PAGE if ok else _ERROR_PAGE.format(_html(message)).encode())
                outer.result = query
                outer._done.set()

            def log_message(self, format: str, *args: Any) -> None:
                return

        host = "127.0.0.1" if address.host == "localhost" else address.host
        try:
            self._server = http.server.HTTPServer((host, address.port), Handler)
        except OSError as exc:
            raise NetworkError(
                f"cannot listen for the SSO callback on {address.host}:{address.port}: {exc.strerror} "
                "(another program uses the port: stop it, or choose another address with --browserCallback "
                "and allow it at the identity provider)"
            ) from None
        self._thread = threading.Thread(target=self._server.serve_forever, name="sso-callback", daemon=True)
        self._thread.start()

    def wait(self, timeout: float) -> dict[str, str]:
        if not self._done.wait(timeout):
            raise AuthError(f"no SSO callback within {int(timeout)} s: the browser login was not completed")
        assert self.result is not None
        return self.result

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def run_browser_flow(
    http: Transport,
    options: Sequence[Mapping[str, Any]],
    sso: SsoOptions,
    prompter: Prompter,
    *,
    tenant: str,
    open_browser: Callable[[str], bool],
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> str:
    address = parse_callback_url(sso.callback_url)
    state = random_bytes(16).hex()
    server = CallbackServer(address, state)  # first: fail fast when the port is taken
    try:
        provider = find_provider(http, options, sso)
        pkce = build_pkce(random_bytes(32))
        url = authorize_url_with(
            provider.authorize_url,
            redirect_uri=address.url,
            state=state,
            code_challenge=pkce.challenge,
            code_challenge_method=pkce.method,
        )
        prompter.write(f"Opening the SSO login page in your browser so you can login...\n{url}\n")
        if not open_browser(url):
            prompter.write(f"Open this URL in your browser: {url}\n")
        query = server.wait(sso.timeout)
    finally:
        server.close()
    code = parse_callback(query, state)
    form = {"grant_type": "AUTHORIZATION_CODE", "code": code, "code_verifier": pkce.verifier}
    params = {"tenant_id": tenant} if tenant else None
    answer = http.request(
        "POST",
        "/tenant/oauth/token",
        params=params,
        data=form,
        headers={"Accept": "application/json"},
        cookies={"REQUEST_ORIGIN": address.url},
    )
    body = answer.json_or_none()
    if not answer.ok or not isinstance(body, dict) or not body.get("access_token"):
        message = body.get("message") if isinstance(body, dict) else answer.text[:200]
        raise AuthError(f"the tenant did not accept the SSO authorization code: {message}")
    return str(body["access_token"])


def system_browser(url: str) -> bool:
    """Open ``url`` with the system browser (``BROWSER`` is honoured); False when none is there."""
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
