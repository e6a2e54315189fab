"""Bad REST input and attacks against the local tenant (one tenant for the module, real HTTPS):
each is refused with the right status and a JSON error, never a 500, and the tenant keeps serving.

Also the tenant's secrets at rest: file modes of the data dir, no password in clear in the database or
its WAL file, and the deadlines for connections that never finish a TLS handshake or a request head.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
from collections.abc import Iterator

import httpx2
import pytest

from c8ylink.core.jwt import encode_jwt
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig
from c8ylink.tenant.state.lockout import LockoutPolicy

pytestmark = pytest.mark.integration

LOCKOUT = LockoutPolicy(max_failures=5, lock_seconds=600, totp_max_failures=3)


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    config = TenantConfig.on_free_ports(
        tmp_path_factory.mktemp("tenant"),
        mqtt=False,
        lockout=LOCKOUT,
        handshake_timeout=0.5,
        request_head_timeout=0.5,
        admin_password="Admin-Secret-Password-1",
    )
    with BackgroundTenant(config) as running:
        yield running


def _client(tenant: BackgroundTenant, auth: tuple[str, str] | None = None) -> httpx2.Client:
    context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
    return httpx2.Client(base_url=tenant.info.https_url, verify=context, auth=auth, timeout=30)


@pytest.fixture(scope="module")
def admin(tenant: BackgroundTenant) -> Iterator[httpx2.Client]:
    with _client(tenant, (f"{tenant.info.tenant}/admin", tenant.info.admin.password)) as client:
        yield client


@pytest.fixture(scope="module")
def anonymous(tenant: BackgroundTenant) -> Iterator[httpx2.Client]:
    with _client(tenant) as client:
        yield client


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_TOKENS = {
    "nested header": f"{_segment(b'[' * 5_000)}.{_segment(b'{}')}.x",
    "nested payload": _segment(b'{"alg":"HS256"}') + "." + _segment(b'{"a":' * 1_000) + ".x",
    "non-ASCII": "eyJhbGciOiJIUzI1NiJ9.é.x",
    "not base64": "a!.b!.c!",
    "alg none": _segment(b'{"alg":"none"}') + "." + _segment(b'{"sub":"admin","exp":9999999999}') + ".",
    "wrong key": encode_jwt({"sub": "admin", "exp": 9_999_999_999, "ten": "t100"}, b"x" * 32),
    "expired": "",  # filled in by the test: signed with the tenant's key, expired
    "one segment": "abc",
    "two dots only": "..",
    "huge": "a" * 60_000,
}


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_a_bad_bearer_token_is_401(tenant: BackgroundTenant, anonymous: httpx2.Client, name: str) -> None:
    token = BAD_TOKENS[name]
    if name == "expired":
        key = tenant.service.state.tokens._key
        token = encode_jwt({"sub": "admin", "exp": 1, "ten": tenant.info.tenant}, key)
    header = f"Bearer {token}".encode()  # bytes: a client may send what is not ASCII
    response = anonymous.get("/inventory/managedObjects", headers={"Authorization": header})
    assert response.status_code == (400 if name == "huge" else 401), response.text  # huge: header too long


@pytest.mark.parametrize("name", ["nested header", "non-ASCII", "alg none", "wrong key"])
def test_a_bad_cookie_token_is_401(anonymous: httpx2.Client, name: str) -> None:
    cookie = f"authorization={BAD_TOKENS[name]}".encode()
    response = anonymous.get("/inventory/managedObjects", headers={"Cookie": cookie, "X-XSRF-TOKEN": "x"})
    assert response.status_code == 401, response.text


BAD_BODIES: list[tuple[str, str, str, bytes, int]] = [
    # (id, method, path, body, expected status); content type JSON unless the body starts with --
    ("not JSON", "POST", "/inventory/managedObjects", b"{", 422),
    ("JSON array", "POST", "/inventory/managedObjects", b"[]", 422),
    ("JSON string", "POST", "/inventory/managedObjects", b'"x"', 422),
    ("NaN", "POST", "/inventory/managedObjects", b'{"a":NaN}', 422),
    ("1e999", "POST", "/inventory/managedObjects", b'{"a":1e999}', 422),
    ("deep nesting", "POST", "/inventory/managedObjects", b'{"a":' * 5000 + b"1" + b"}" * 5000, 422),
    ("invalid UTF-8", "POST", "/inventory/managedObjects", b'{"name":"\xff"}', 422),
    ("empty body", "POST", "/inventory/managedObjects", b"", 422),
    (
        "measurement without source",
        "POST",
        "/measurement/measurements",
        b'{"type":"t","time":"2024-01-01T00:00:00Z"}',
        422,
    ),
    (
        "measurement bad time",
        "POST",
        "/measurement/measurements",
        b'{"type":"t","time":"soon","source":{"id":"1"}}',
        422,
    ),
    (
        "event without text",
        "POST",
        "/event/events",
        b'{"type":"t","time":"2024-01-01T00:00:00Z","source":{"id":"1"}}',
        422,
    ),
    (
        "alarm bad severity",
        "POST",
        "/alarm/alarms",
        b'{"type":"t","text":"x","severity":"HUGE","time":"2024-01-01T00:00:00Z","source":{"id":"1"}}',
        422,
    ),
    (
        "identity on unknown object",
        "POST",
        "/identity/globalIds/999999999/externalIds",
        b'{"type":"c8y_Serial","externalId":"x"}',
        404,
    ),
    ("unknown managed object", "GET", "/inventory/managedObjects/999999999", b"", 404),
    ("id not a number", "GET", "/inventory/managedObjects/abc", b"", 404),
    ("path traversal", "GET", "/inventory/binaries/..%2f..%2fetc%2fpasswd", b"", 404),
    (
        "operation status bogus",
        "POST",
        "/devicecontrol/operations",
        b'{"deviceId":"1","status":"BOGUS"}',
        422,
    ),
    ("registration without id", "POST", "/devicecontrol/newDeviceRequests", b"{}", 422),
    ("user without name", "POST", "/user/t100/users", b'{"password":"Longpassword1!"}', 422),
    ("pageSize not a number", "GET", "/inventory/managedObjects?pageSize=abc", b"", 422),
    ("pageSize negative", "GET", "/inventory/managedObjects?pageSize=-1", b"", 422),
    ("dateFrom garbage", "GET", "/measurement/measurements?dateFrom=yesterday", b"", 422),
    (
        "broken multipart",
        "POST",
        "/devicecontrol/bulkNewDeviceRequests",
        b'--XX\r\nContent-Disposition: form-data; name="file"\r\n\r\nID;',
        400,
    ),
    ("multipart without boundary end", "POST", "/devicecontrol/bulkNewDeviceRequests", b"--XX\r\n\r\n", 400),
    ("multipart garbage", "POST", "/devicecontrol/bulkNewDeviceRequests", b"\x00\x01\x02", 400),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"), [c[1:] for c in BAD_BODIES], ids=[c[0] for c in BAD_BODIES]
)
def test_a_bad_request_gets_a_json_error_not_500(
    admin: httpx2.Client, method: str, path: str, body: bytes, status: int
) -> None:
    multipart = "bulkNewDeviceRequests" in path
    content_type = "multipart/form-data; boundary=XX" if multipart else "application/json"
    response = admin.request(method, path, content=body or None, headers={"Content-Type": content_type})
    assert response.status_code < 500, response.text
    assert response.status_code // 100 == 4, response.text
    if response.content:
        document = response.json()
        assert isinstance(document, dict) and ("error" in document or "message" in document)
    assert admin.get("/inventory/managedObjects?pageSize=1").status_code == 200  # still serving


REDIRECTS = [
    "http://localhost%2F@evil.example/",
    "http://localhost/@evil.example/",
    "http://evil.example\\@localhost/",
    "http://127.0.0.1:5001@evil.example/",
    "https://evil.example/callback",
    "http://localhost.evil.example/",
    "javascript:alert(1)",
    "http://[::1]@evil.example/",
    "//evil.example/",
    "http://localhost:5001/cb#frag",
]


@pytest.mark.parametrize("redirect", REDIRECTS)
def test_a_foreign_sso_redirect_uri_is_refused(anonymous: httpx2.Client, redirect: str) -> None:
    params = {"response_type": "code", "client_id": "c8ylink-cli", "redirect_uri": redirect, "state": "s"}
    response = anonymous.get("/sso/authorize", params=params, follow_redirects=False)
    assert response.status_code == 400 and "location" not in response.headers


def test_repeated_wrong_passwords_lock_the_login(tenant: BackgroundTenant, admin: httpx2.Client) -> None:
    def add_user() -> None:
        state = tenant.service.state
        state.users.add(
            state.tenant_id, "locky", roles=["user"], password="Locky-Password-1", now=state.now()
        )
        tenant.service.commit()

    tenant.call(add_user)
    right = (f"{tenant.info.tenant}/locky", "Locky-Password-1")
    with _client(tenant, right) as client:
        assert client.get("/user/currentUser").status_code == 200
    for attempt in range(LOCKOUT.max_failures):
        with _client(tenant, (right[0], f"wrong-{attempt}")) as client:
            assert client.get("/user/currentUser").status_code == 401
    with _client(tenant, right) as client:  # a fresh connection: no cached credentials
        locked = client.get("/user/currentUser")
    assert locked.status_code == 401 and "too many failed attempts" in locked.json()["message"]
    form = {"grant_type": "PASSWORD", "username": right[0], "password": right[1]}
    with _client(tenant) as client:
        assert client.post("/tenant/oauth", data=form).status_code == 401


def test_an_unknown_user_is_locked_like_a_known_one(tenant: BackgroundTenant) -> None:
    for attempt in range(LOCKOUT.max_failures + 1):
        with _client(tenant, (f"{tenant.info.tenant}/nobody-here", f"guess-{attempt}")) as client:
            answer = client.get("/user/currentUser")
    assert answer.status_code == 401 and "too many failed attempts" in answer.json()["message"]


def test_an_unknown_user_costs_the_same_password_work(
    tenant: BackgroundTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing oracle: an unknown user and a wrong password both run scrypt once."""
    from c8ylink.tenant.state import users

    calls: list[str] = []
    original = users.hash_password
    monkeypatch.setattr(
        users, "hash_password", lambda password, salt: calls.append(password) or original(password, salt)
    )
    for name in ("admin", "no-such-user"):
        with _client(tenant, (f"{tenant.info.tenant}/{name}", "Wrong-Password-9")) as client:
            assert client.get("/user/currentUser").status_code == 401
    assert calls == ["Wrong-Password-9", "Wrong-Password-9"]


def test_data_dir_files_are_private_and_hold_no_password_in_clear(
    tenant: BackgroundTenant, admin: httpx2.Client
) -> None:
    assert admin.get("/inventory/managedObjects?pageSize=1").status_code == 200
    data_dir = tenant.info.data_dir
    assert data_dir.stat().st_mode & 0o777 == 0o700
    for name in (
        "tenant.db",
        "tenant.db-wal",
        "tenant.db-shm",
        "tenant.json",
        "credentials.json",
        "tenant.lock",
    ):
        path = data_dir / name
        if path.exists():
            assert path.stat().st_mode & 0o077 == 0, f"{name} is {path.stat().st_mode & 0o777:o}"
    password = tenant.info.admin.password.encode()
    for name in ("tenant.db", "tenant.db-wal"):
        path = data_dir / name
        if path.exists():
            assert password not in path.read_bytes(), f"the admin password is in clear in {name}"
    info = json.loads((data_dir / "tenant.json").read_text())
    assert info["admin"]["password"] == tenant.info.admin.password  # the one place, 0600, for the demo


def _closed_by_peer(sock: socket.socket, deadline: float = 20.0) -> bool:
    sock.settimeout(deadline)
    try:
        while sock.recv(1024):
            pass
    except (ConnectionResetError, ssl.SSLError):
        return True
    except TimeoutError:
        return False
    return True


def test_a_client_that_never_says_hello_is_dropped(tenant: BackgroundTenant) -> None:
    port = int(tenant.info.https_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert _closed_by_peer(sock)


def test_a_client_that_never_sends_its_request_head_is_dropped(tenant: BackgroundTenant) -> None:
    port = int(tenant.info.https_url.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
    raw = socket.create_connection(("127.0.0.1", port))
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        sock.sendall(b"GET /inventory/managedObjects HTTP/1.1\r\nHost: x\r\n")  # never finished
        assert _closed_by_peer(sock)


def test_the_tenant_serves_after_all_of_this(admin: httpx2.Client) -> None:
    assert admin.get("/inventory/managedObjects?pageSize=1").status_code == 200
