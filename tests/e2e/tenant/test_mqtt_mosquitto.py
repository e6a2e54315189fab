"""The MQTT endpoint with clients we did not write: mosquitto_pub/mosquitto_sub with device
certificates, and a real mosquitto bridge with thin-edge's topic lines (tedge.md §4.1)."""

from __future__ import annotations

import queue
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import paho.mqtt.client as mqtt
import pytest

from c8ylink.infra.tls.ca import issue_certificate
from c8ylink.infra.tls.certs import encode_certificate_pem
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

pytestmark = pytest.mark.e2e
DEADLINE = 30

# tedge.md §4.1: the upstream bridge topic lines, in order (certificate auth adds s/uat, s/dat)
BRIDGE_TOPICS = """\
topic s/dt in 1 c8y/ ""
topic s/ut/# out 1 c8y/ ""
topic s/us/# out 1 c8y/ ""
topic t/us/# out 1 c8y/ ""
topic q/us/# out 1 c8y/ ""
topic c/us/# out 1 c8y/ ""
topic s/ds in 1 c8y/ ""
topic s/e in 0 c8y/ ""
topic s/uc/# out 1 c8y/ ""
topic t/uc/# out 1 c8y/ ""
topic q/uc/# out 1 c8y/ ""
topic c/uc/# out 1 c8y/ ""
topic s/dc/# in 1 c8y/ ""
topic inventory/managedObjects/update/# out 1 c8y/ ""
topic measurement/measurements/create out 1 c8y/ ""
topic measurement/measurements/createBulk out 1 c8y/ ""
topic event/events/create out 1 c8y/ ""
topic event/events/createBulk out 1 c8y/ ""
topic alarm/alarms/create out 1 c8y/ ""
topic alarm/alarms/createBulk out 1 c8y/ ""
topic devicecontrol/notifications in 1 c8y/ ""
topic error in 1 c8y/ ""
topic s/uat out 0 c8y/ ""
topic s/dat in 0 c8y/ ""
"""
HEALTH = "te/device/main/service/mosquitto-c8y-bridge/status/health"


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"))
    with BackgroundTenant(config) as running:
        yield running


@pytest.fixture(scope="module")
def api(tenant: BackgroundTenant) -> Iterator[httpx2.Client]:
    with httpx2.Client(
        base_url=tenant.info.https_url,
        verify=ssl.create_default_context(cafile=str(tenant.info.ca_file)),
        auth=(f"{tenant.info.tenant}/admin", tenant.info.admin.password),
        headers={"Accept": "application/json"},
        timeout=DEADLINE,
    ) as client:
        yield client


def _address(tenant: BackgroundTenant, key: str) -> tuple[str, str]:
    host, _, port = tenant.info.extra[key].rpartition(":")
    return host, port


def _device_cert(tenant: BackgroundTenant, directory: Path, serial: str) -> tuple[Path, Path]:
    authority = tenant.call(lambda: tenant.service.state.trust.authority)
    assert authority is not None
    key = generate_private_key()
    leaf = issue_certificate(
        authority, build_csr(key, build_name(serial)), now=tenant.call(tenant.service.state.now)
    )
    cert_file, key_file = directory / f"{serial}.pem", directory / f"{serial}.key"
    cert_file.write_bytes(encode_certificate_pem(leaf))
    key_file.write_bytes(encode_private_key_pem(key))
    return cert_file, key_file


def _tls_options(tenant: BackgroundTenant, cert: tuple[Path, Path] | None) -> list[str]:
    host, port = _address(tenant, "mqtt_tls")
    options = ["-h", host, "-p", port, "--cafile", str(tenant.info.ca_file)]
    if cert is not None:
        options += ["--cert", str(cert[0]), "--key", str(cert[1])]
    return options


def _moid(api: httpx2.Client, serial: str) -> str:
    return str(api.get(f"/identity/externalIds/c8y_Serial/{serial}").json()["managedObject"]["id"])


def test_mosquitto_clients_with_certificates(
    tenant: BackgroundTenant, api: httpx2.Client, tmp_path: Path
) -> None:
    serial = "mosquitto-client-device"
    cert = _device_cert(tenant, tmp_path, serial)
    created = subprocess.run(
        ["mosquitto_pub", *_tls_options(tenant, cert), "-i", serial, "-q", "1", "-t", "s/us",
         "-m", "100,Mosquitto"],
        capture_output=True, text=True, timeout=DEADLINE, check=False,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert api.get(f"/inventory/managedObjects/{_moid(api, serial)}").json()["name"] == "Mosquitto"
    sub = subprocess.Popen(
        ["stdbuf", "-oL", "mosquitto_sub", *_tls_options(tenant, cert), "-i", serial, "-q", "1",
         "-t", "s/ds", "-C", "1", "-d"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert sub.stdout is not None
        for line in sub.stdout:  # line-buffered (stdbuf): SUBACK shows the subscription is in place
            if "SUBACK" in line:
                break
        api.post("/devicecontrol/operations", json={"deviceId": _moid(api, serial), "c8y_Restart": {}})
        output = sub.stdout.read()
        assert sub.wait(DEADLINE) == 0
        assert f"510,{serial}" in output
    finally:
        sub.kill()
        sub.wait()
        sub.stdout.close()
    # an operation created while the device is away arrives as JSON when it subscribes again
    op_id = api.post(
        "/devicecontrol/operations", json={"deviceId": _moid(api, serial), "c8y_Custom": {}}
    ).json()["id"]
    notes = subprocess.run(
        ["mosquitto_sub", *_tls_options(tenant, cert), "-i", serial, "-t", "devicecontrol/notifications",
         "-C", "1", "-W", str(DEADLINE)],
        capture_output=True, text=True, timeout=DEADLINE + 5, check=False,
    )  # fmt: skip
    assert f'"id":"{op_id}"' in notes.stdout, notes.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("no-certificate", "not authorised"),
        ("wrong-password", "bad user name or password"),
        ("mqtt5", "Unsupported protocol version"),
    ],
)
def test_mosquitto_pub_refusals(tenant: BackgroundTenant, tmp_path: Path, options: str, message: str) -> None:
    serial = f"refused-{options}"
    if options == "no-certificate":
        args = _tls_options(tenant, None)
    elif options == "wrong-password":
        host, port = _address(tenant, "mqtt")
        args = ["-h", host, "-p", port, "-u", "t100/admin", "-P", "not-the-password"]
    else:
        args = [*_tls_options(tenant, _device_cert(tenant, tmp_path, serial)), "-V", "5"]
    answer = subprocess.run(
        ["mosquitto_pub", *args, "-i", serial, "-t", "s/us", "-m", "100"],
        capture_output=True, text=True, timeout=DEADLINE, check=False,
    )  # fmt: skip
    assert answer.returncode != 0
    assert message.lower() in (answer.stderr + answer.stdout).lower()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def bridge(tenant: BackgroundTenant, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A local mosquitto bridged to the tenant as thin-edge configures it (certificate auth).

    ``user root``: started as root, mosquitto would drop to its own user, which cannot read the
    tenant's data directory (mode 0700) where the CA file lives."""
    serial = "bridged-device"
    cert, key = _device_cert(tenant, tmp_path, serial)
    host, port = _address(tenant, "mqtt_tls")
    local_port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"user root\nlistener {local_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        f"log_dest stderr\n\n### Bridge\nconnection edge_to_c8y\naddress {host}:{port}\n"
        f"bridge_cafile {tenant.info.ca_file}\nremote_clientid {serial}\nlocal_clientid Cumulocity\n"
        f"bridge_certfile {cert}\nbridge_keyfile {key}\ntry_private false\nstart_type automatic\n"
        f"cleansession true\nnotifications true\nnotifications_local_only true\n"
        f"notification_topic {HEALTH}\nbridge_attempt_unsubscribe false\nkeepalive_interval 60\n\n"
        f"### Topics\n{BRIDGE_TOPICS}"
    )
    process = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        yield serial, local_port
    finally:
        process.terminate()
        process.wait(DEADLINE)


def test_mosquitto_bridge_forwards_both_ways(
    tenant: BackgroundTenant, api: httpx2.Client, bridge: tuple[str, int]
) -> None:
    serial, local_port = bridge
    messages: queue.Queue[tuple[str, str]] = queue.Queue()
    ready = threading.Event()
    local = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="local-check", protocol=mqtt.MQTTv311)
    local.on_message = lambda client, userdata, message: messages.put(
        (message.topic, message.payload.decode())
    )
    local.on_subscribe = lambda *args: ready.set()
    for _ in range(100):
        try:
            local.connect("127.0.0.1", local_port)
            break
        except ConnectionRefusedError:
            ready.wait(0.1)  # mosquitto is still starting
    local.loop_start()
    try:
        local.subscribe(
            [(HEALTH, 1), ("c8y/s/ds", 1), ("c8y/s/dat", 0), ("c8y/devicecontrol/notifications", 1)]
        )
        assert ready.wait(DEADLINE)

        def expect(topic: str, contains: str) -> str:
            while True:
                got_topic, payload = messages.get(timeout=DEADLINE)
                if got_topic == topic and contains in payload:
                    return payload

        expect(HEALTH, "1")
        local.publish("c8y/s/us", "100,Bridged,thin-edge.io", qos=1)
        local.publish("c8y/s/us", "123", qos=1)
        moid = expect("c8y/s/ds", "124,").split(",")[1]
        assert api.get(f"/inventory/managedObjects/{moid}").json()["name"] == "Bridged"
        local.publish("c8y/s/uat", "", qos=0)
        assert expect("c8y/s/dat", "71,").startswith("71,ey")
        local.publish("c8y/measurement/measurements/create",
                      '{"type":"t","time":"2024-01-01T00:00:00Z","t":{"s":{"value":3}}}', qos=1)  # fmt: skip
        api.post("/devicecontrol/operations", json={"deviceId": moid, "c8y_Command": {"text": "ls"}})
        assert expect("c8y/s/ds", "511,") == f"511,{serial},ls"
        assert '"c8y_Command"' in expect("c8y/devicecontrol/notifications", moid)
        # the bridge forwards the measurement on its own schedule: wait for it to be stored
        deadline = time.monotonic() + DEADLINE
        while not (
            stored := api.get("/measurement/measurements", params={"source": moid, "type": "t"}).json()
        )["measurements"]:
            assert time.monotonic() < deadline, "the bridged measurement was not stored"
            time.sleep(0.05)  # poll the REST API
        assert stored["measurements"][0]["t"]["s"]["value"] == 3
    finally:
        local.loop_stop()
        local.disconnect()
