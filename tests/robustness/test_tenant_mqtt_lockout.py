"""Password guessing over MQTT counts with REST's: the login locks after repeated wrong passwords on
either endpoint, for unknown users too (issue 16)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import httpx2
import pytest

from c8ylink.core.mqtt.encoders import encode_connect
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig
from c8ylink.tenant.state.lockout import LockoutPolicy

pytestmark = pytest.mark.integration

LOCKOUT = LockoutPolicy(max_failures=3, lock_seconds=600)
ACCEPTED, BAD_PASSWORD, NOT_AUTHORIZED = 0, 4, 5


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"), lockout=LOCKOUT)
    with BackgroundTenant(config) as running:
        yield running


def _add_user(tenant: BackgroundTenant, name: str, password: str) -> str:
    def add() -> None:
        state = tenant.service.state
        state.users.add(state.tenant_id, name, roles=["user"], password=password, now=state.now())
        tenant.service.commit()

    tenant.call(add)
    return f"{tenant.info.tenant}/{name}"


def _connack(tenant: BackgroundTenant, username: str, password: str) -> int:
    host, _, port = tenant.info.extra["mqtt"].rpartition(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(
            encode_connect(f"probe-{username.replace('/', '-')}", username=username, password=password)
        )
        answer = b""
        while len(answer) < 4:
            chunk = sock.recv(4 - len(answer))
            assert chunk, "the tenant closed the connection without a CONNACK"
            answer += chunk
    assert answer[0] == 0x20
    return answer[3]


def _rest_status(tenant: BackgroundTenant, username: str, password: str) -> int:
    context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
    with httpx2.Client(base_url=tenant.info.https_url, verify=context, auth=(username, password)) as client:
        return client.get("/user/currentUser").status_code


def test_wrong_mqtt_passwords_lock_the_login_on_both_endpoints(tenant: BackgroundTenant) -> None:
    username = _add_user(tenant, "mqtt-locky", "Mqtt-Locky-Password-1")
    assert _connack(tenant, username, "Mqtt-Locky-Password-1") == ACCEPTED
    for attempt in range(LOCKOUT.max_failures):
        assert _connack(tenant, username, f"wrong-{attempt}") == BAD_PASSWORD
    assert _connack(tenant, username, "Mqtt-Locky-Password-1") == NOT_AUTHORIZED
    assert _rest_status(tenant, username, "Mqtt-Locky-Password-1") == 401


def test_rest_failures_count_for_mqtt_too(tenant: BackgroundTenant) -> None:
    username = _add_user(tenant, "rest-locky", "Rest-Locky-Password-1")
    for attempt in range(LOCKOUT.max_failures):
        assert _rest_status(tenant, username, f"wrong-{attempt}") == 401
    assert _connack(tenant, username, "Rest-Locky-Password-1") == NOT_AUTHORIZED


def test_an_unknown_mqtt_user_is_locked_like_a_known_one(tenant: BackgroundTenant) -> None:
    username = f"{tenant.info.tenant}/nobody-over-mqtt"
    codes = [_connack(tenant, username, f"guess-{attempt}") for attempt in range(LOCKOUT.max_failures + 1)]
    assert codes == [BAD_PASSWORD] * LOCKOUT.max_failures + [NOT_AUTHORIZED]
