"""Log in with a session (go-c8y-cli.md §4.2-§4.9): pick the flow, run it, verify the result.

``Login(request, tls=..., prompter=...).run()`` returns a ``LoginResult`` (credentials to send, the
login type used, tenant, version, username, and the password if one was typed). Verification is a real
request (``GET /tenant/currentTenant``): a stored token the tenant revoked is noticed here and a fresh
login follows (upstream #365).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.errors import ApiError, AuthError
from c8ylink.core.exit_codes import c8y_exit_for_status
from c8ylink.infra.net.http import HttpClient, HttpResponse
from c8ylink.infra.net.transport import Transport
from c8ylink.infra.prompts import Prompter
from c8ylink.operator.auth import flows
from c8ylink.operator.auth.flows import (
    BASIC,
    BROWSER,
    CERTIFICATE,
    DEVICE,
    NONE,
    OAUTH2,
    OAUTH2_INTERNAL,
)
from c8ylink.operator.auth.sso import SsoOptions, run_browser_flow, run_device_flow, system_browser
from c8ylink.operator.auth.totp import enrol_totp, totp_code
from c8ylink.operator.client import TlsOptions
from c8ylink.operator.credentials import BASIC as BASIC_AUTH
from c8ylink.operator.credentials import BEARER, Credentials, basic_value, split_tenant_user, token_claims
from c8ylink.operator.sessions.model import host_name

PASSWORD_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class LoginRequest:
    host: str
    username: str = ""
    password: str = field(default="", repr=False)
    tenant: str = ""
    token: str = field(default="", repr=False)
    use_tenant_prefix: bool = True
    login_type: str = ""
    tfa_code: str = field(default="", repr=False)
    totp_secret: str = field(default="", repr=False)
    clear: bool = False
    token_valid_for: float = 8 * 3600
    certificate_url: str = ""
    sso: SsoOptions = field(default_factory=SsoOptions)


@dataclass(frozen=True, slots=True)
class LoginResult:
    credentials: Credentials
    login_type: str
    tenant: str
    version: str = ""
    username: str = ""
    password: str = field(default="", repr=False)


# upstream's words, then what to do
_NO_PROMPT = (
    "username or password is empty and the interactive prompt is disabled: put the {what} in the "
    "session file (or {variable} with --from-env), or run set-session on a terminal to be asked"
)


class _Unauthorized(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _message(response: HttpResponse) -> str:
    body = response.json_or_none()
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or body.get("error") or "")
    return response.text[:200]


class Login:
    def __init__(
        self,
        request: LoginRequest,
        *,
        tls: TlsOptions,
        prompter: Prompter,
        http: Transport | None = None,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        open_browser: Callable[[str], bool] = system_browser,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.request = request
        self.tls = tls
        self.prompter = prompter
        self.http: Transport = http or HttpClient(
            request.host, ssl_context=tls.context(), timeout=60, proxy=tls.proxy
        )
        self._now = now
        self._sleep = sleep
        self._open_browser = open_browser
        self._random = random_bytes
        tenant, username = split_tenant_user(request.username, request.tenant)
        self.tenant = tenant
        self.username = username
        self.password = request.password
        self._options: list[Mapping[str, Any]] | None = None

    def close(self) -> None:
        self.http.close()

    # -- the flows ----------------------------------------------------------------------------------
    def run(self) -> LoginResult:
        kind = self.request.login_type
        if kind == NONE:
            return self._finish(Credentials(), NONE)
        if kind == CERTIFICATE:
            from c8ylink.operator.auth.certificate import fetch_device_token

            token = fetch_device_token(
                self.request.host, self.tls, certificate_url=self.request.certificate_url
            )
            return self._finish(self._bearer(token), CERTIFICATE)
        if kind in (DEVICE, OAUTH2):
            return self._finish(self._bearer(self._device_flow()), DEVICE)
        if kind == BROWSER:
            return self._finish(self._bearer(self._browser_flow()), BROWSER)
        reused = self._try_stored_token(kind)
        if reused is not None:
            return reused
        options = self.login_options()
        if not kind:
            kind = flows.default_login_type(options, has_password=bool(self.password or self.username))
            if kind == DEVICE:
                return self._finish(self._bearer(self._device_flow()), DEVICE)
        self._ensure_credentials()
        if kind == OAUTH2_INTERNAL and options and flows.find_option(options, OAUTH2_INTERNAL) is None:
            self.prompter.write("warning: the tenant offers no OAUTH2_INTERNAL login; using BASIC\n")
            kind = BASIC
        return self._oauth_internal() if kind == OAUTH2_INTERNAL else self._basic()

    def _bearer(self, token: str, cookies: Mapping[str, str] | None = None) -> Credentials:
        return Credentials(BEARER, self.username, self.tenant, token=token, cookies=dict(cookies or {}))

    def _try_stored_token(self, kind: str) -> LoginResult | None:
        token = self.request.token
        if not token or kind == BASIC:
            return None
        claims = token_claims(token)
        decision = flows.token_reuse(
            claims, now=self._now(), valid_for=self.request.token_valid_for, clear=self.request.clear
        )
        if not decision.reuse:
            if decision.reason:
                self.prompter.write(f"warning: {decision.reason}\n")
            return None
        inferred = OAUTH2_INTERNAL if not self.username or claims.get("sub") == self.username else OAUTH2
        try:
            return self._finish(self._bearer(token), kind or inferred)
        except _Unauthorized as exc:
            self.prompter.write(
                f"warning: the stored token was not accepted ({exc.message}); logging in again\n"
            )
            return None

    def login_options(self) -> list[Mapping[str, Any]]:
        if self._options is None:
            answer = self.http.request("GET", "/tenant/loginOptions", headers={"Accept": "application/json"})
            body = answer.json_or_none() if answer.ok else None
            options = body.get("loginOptions", []) if isinstance(body, dict) else []
            self._options = [o for o in options if isinstance(o, Mapping)]
            if not self.tenant:
                for option in self._options:
                    tenant = flows.query_params(str(option.get("initRequest", ""))).get("tenant_id", "")
                    if tenant:
                        self.tenant = tenant
                        break
        return self._options

    def _ensure_credentials(self) -> None:
        if not self.username:
            if not self.prompter.interactive:
                raise AuthError(_NO_PROMPT.format(what="username", variable="C8Y_USER"))
            self.username = self.prompter.text("Enter username")
        if not self.password:
            if not self.prompter.interactive:
                raise AuthError(_NO_PROMPT.format(what="password", variable="C8Y_PASSWORD"))
            self.password = self.prompter.secret(f"Enter c8y password for user ({self.username}) 🔒")

    def _reprompt_password(self, attempt: int, message: str) -> None:
        if not self.prompter.interactive or attempt >= PASSWORD_ATTEMPTS:
            raise AuthError(
                f"wrong username or password for {self.username} on {host_name(self.request.host)} "
                f"({message.removeprefix('Invalid credentials! : ')}): check the session's password"
            )
        self.prompter.write("✗ wrong username or password\n")
        self.password = self.prompter.secret(f"Re-enter c8y password for user ({self.username}) 🔒")

    def _basic(self) -> LoginResult:
        for attempt in range(PASSWORD_ATTEMPTS + 1):
            credentials = Credentials(
                BASIC_AUTH,
                self.username,
                self.tenant,
                self.password,
                use_tenant_prefix=self.request.use_tenant_prefix,
            )
            try:
                return self._finish(credentials, BASIC)
            except _Unauthorized as exc:
                kind = flows.classify_unauthorized(exc.message)
                if kind in (flows.TFA_CODE, flows.TFA_SETUP):
                    self.prompter.write(
                        "Two-factor authentication is required: logging in with OAUTH2_INTERNAL\n"
                    )
                    return self._oauth_internal()
                if kind == flows.BAD_CREDENTIALS:
                    self._reprompt_password(attempt, exc.message)
                    continue
                raise AuthError(f"login refused: {exc.message}") from None
        raise AuthError("login failed")

    def _oauth_internal(self) -> LoginResult:
        code = self.request.tfa_code.replace(" ", "")
        sent_code, setup_done, password_attempt, code_attempt = bool(code), False, 0, 0
        while True:
            form = {"grant_type": "PASSWORD", "username": self.username, "password": self.password}
            if code:
                form["tfa_code"] = code
            params = {"tenant_id": self.tenant} if self.tenant else None
            answer = self.http.request(
                "POST",
                "/tenant/oauth/token",
                params=params,
                data=form,
                headers={"Accept": "application/json"},
            )
            if answer.ok:
                body = answer.json_or_none()
                token = body.get("access_token") if isinstance(body, dict) else None
                token = str(token or answer.cookies.get("authorization", ""))
                if not token:
                    raise AuthError("the tenant answered the token request without a token")
                return self._finish(self._bearer(token, answer.cookies), OAUTH2_INTERNAL)
            if answer.status != 401:
                raise self._api_error(answer)
            message = _message(answer)
            kind = flows.classify_unauthorized(message)
            if kind == flows.TFA_SETUP and not setup_done:
                code, setup_done, sent_code = self._enrol(), True, False
            elif kind == flows.TFA_CODE:
                if sent_code:
                    code_attempt += 1
                    if not self.prompter.interactive or code_attempt > PASSWORD_ATTEMPTS:
                        raise AuthError("the two-factor code is wrong or expired: use the current code")
                    self.prompter.write("✗ wrong or expired two-factor code\n")
                code = self._tfa_code(retry=sent_code)
            elif kind == flows.BAD_CREDENTIALS:
                self._reprompt_password(password_attempt, message)
                password_attempt += 1
                sent_code = False
                continue
            else:
                raise AuthError(f"login refused: {message}")
            sent_code = True

    def _tfa_code(self, *, retry: bool) -> str:
        if self.request.totp_secret and not retry:
            return totp_code(self.request.totp_secret, self._now())
        if not self.prompter.interactive:
            raise AuthError(
                "a two-factor code is required: pass --tfaCode CODE or set C8Y_CREDENTIAL_TOTP_SECRET"
            )
        if not retry:
            self.prompter.write(f"Session details:\nHost={self.request.host}, username={self.username}\n")
        return flows.check_tfa_code(self.prompter.text("Enter Two-Factor code"))

    def _enrol(self) -> str:
        basic = basic_value(
            self.username, self.password, tenant=self.tenant, use_prefix=self.request.use_tenant_prefix
        )
        return enrol_totp(
            self.http,
            basic=basic,
            username=self.username,
            issuer=host_name(self.request.host),
            prompter=self.prompter,
        )

    def _device_flow(self) -> str:
        return run_device_flow(
            self.http, self.login_options(), self.request.sso, self.prompter, sleep=self._sleep
        )

    def _browser_flow(self) -> str:
        options = self.login_options()
        return run_browser_flow(
            self.http,
            options,
            self.request.sso,
            self.prompter,
            tenant=self.tenant,
            open_browser=self._open_browser,
            random_bytes=self._random,
        )

    # -- verification -------------------------------------------------------------------------------
    def _api_error(self, answer: HttpResponse) -> ApiError:
        body = answer.json_or_none()
        error = ApiError(
            answer.status, answer.url, body if body is not None else answer.text, method=answer.method
        )
        error.exit_code = c8y_exit_for_status(answer.status)
        return error

    def _get(self, path: str, credentials: Credentials) -> HttpResponse:
        headers = {"Accept": "application/json", **credentials.headers()}
        return self.http.request("GET", path, headers=headers, cookies=credentials.cookies or None)

    def _finish(self, credentials: Credentials, login_type: str) -> LoginResult:
        answer = self._get("/tenant/currentTenant", credentials)
        if answer.status == 401 and login_type != NONE:
            raise _Unauthorized(_message(answer))
        if not answer.ok:
            if login_type == NONE:
                return LoginResult(credentials, NONE, self.tenant, username=self.username)
            raise self._api_error(answer)
        body = answer.json_or_none()
        tenant = str(body.get("name", "")) if isinstance(body, dict) else self.tenant
        username = self.username or str(token_claims(credentials.token).get("sub", ""))
        if not username and credentials.kind == BEARER:
            user = self._get("/user/currentUser", credentials).json_or_none()
            username = str(user.get("userName", "")) if isinstance(user, dict) else ""
        version = self._version(credentials)
        final = credentials._replace(tenant=tenant or credentials.tenant, username=username)
        return LoginResult(final, login_type, tenant or self.tenant, version, username, self.password)

    def _version(self, credentials: Credentials) -> str:
        answer = self._get("/tenant/system/options/system/version", credentials)
        body = answer.json_or_none() if answer.ok else None
        return str(body.get("value", "")) if isinstance(body, dict) else ""


def run_login(request: LoginRequest, *, tls: TlsOptions, prompter: Prompter, **options: Any) -> LoginResult:
    login = Login(request, tls=tls, prompter=prompter, **options)
    try:
        return login.run()
    finally:
        login.close()


def login_types_offered(options: Sequence[Mapping[str, Any]]) -> list[str]:
    """The choices of ``sessions create``'s "Select login type" list (§1.5 step 2)."""
    kinds = [str(option.get("type", "")).upper() for option in options if option.get("type")]
    offered = list(dict.fromkeys(kinds))
    if OAUTH2 in offered:
        offered += [BROWSER, DEVICE]
    return [*offered, CERTIFICATE]
