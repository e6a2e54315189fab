"""`tedge connect c8y` against the local tenant: a device certificate from `tedge cert download c8y`, a
real mosquitto bridge under supervisord, traffic both ways, `--test`, disconnect, reconnect."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import (
    DEADLINE,
    HAS_AGENT,
    HAS_MAPPER,
    SUPERVISORCTL,
    TEDGE,
    Device,
    Forwarder,
    TenantApi,
    listening,
    onboard,
    services_lines,
    start_tenant,
    summary,
    tenant_ports,
    wait_for,
)

HEALTH = "te/device/main/service/mosquitto-c8y-bridge/status/health"


def connected_output(device: Device, device_id: str, *, tenant_check: bool = True) -> str:
    mapper, agent = services_lines()
    return (
        summary(
            device, device_id=device_id, cloud_host=device.run("config", "get", "c8y.mqtt").stdout.strip()
        )
        + "Creating device in Cumulocity cloud... ✓\n"
        "Restarting mosquitto... ✓\n"
        "Waiting for mosquitto to be listening for connections... ✓\n"
        "Verifying device is connected to cloud... ✓\n"
        + mapper
        + ("Checking Cumulocity is connected to intended tenant... ✓\n" if tenant_check else "")
        + agent
    )


@pytest.fixture
def online(device: Device, tenant: BackgroundTenant, tenant_api: TenantApi) -> tuple[Device, str]:
    device_id = onboard(device, tenant, tenant_api)
    device.write_services()
    device.start_services()
    wait_for(lambda: listening(device.port), "mosquitto to listen")
    return device, device_id


class Lines:
    """The stdout of a process, line by line as it comes (``tedge mqtt sub``)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.queue.put(line.rstrip("\n"))
        self.queue.put("")

    def wait_for(self, text: str) -> str:
        while True:
            line = self.queue.get(timeout=DEADLINE)
            assert line, f"the process ended before printing {text!r}"
            if text in line:
                return line

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=DEADLINE)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def subscribe(device: Device, topic: str) -> Lines:
    return Lines(device.start_sub(topic))


def test_connect_bridges_both_ways_then_test_disconnect_reconnect(
    online: tuple[Device, str], tenant_api: TenantApi
) -> None:
    device, device_id = online
    result = device.run("connect", "c8y")
    assert result.returncode == 0, result.stderr
    assert result.stderr == connected_output(device, device_id)
    assert result.stdout == ("" if HAS_AGENT else "Info: Software management is not installed. So, skipping "
                             "enabling related components.\n\n")  # fmt: skip
    managed = tenant_api.managed_object(device_id)
    assert managed is not None  # registered before (bulk registration), so `100` leaves it as it is

    # up: c8y/s/us -> the tenant's s/us; down: the tenant's s/ds -> c8y/s/ds
    downstream = subscribe(device, "c8y/s/ds")
    assert device.run("mqtt", "pub", "c8y/s/us", "211,21.5", "-q", "1").returncode == 0
    wait_for(
        lambda: any(m.get("c8y_TemperatureMeasurement") for m in tenant_api.measurements(managed["id"])),
        "the measurement on the tenant",
    )
    assert device.run("mqtt", "pub", "c8y/s/us", "123").returncode == 0
    assert downstream.wait_for("[c8y/s/ds] 124,") == f"[c8y/s/ds] 124,{managed['id']}"
    downstream.stop()

    test = device.run("connect", "c8y", "--test")
    assert (test.returncode, test.stdout) == (0, ""), test.stderr
    assert test.stderr.endswith(
        "Verifying device is connected to cloud... ✓\n"
        "Checking Cumulocity is connected to intended tenant... ✓\n"
        "Connection check to c8y cloud is successful.\n"
    )

    gone = device.run("disconnect", "c8y")
    assert gone.returncode == 0, gone.stderr
    assert gone.stderr == (
        "Removing bridge config file... ✓\nRestarting mosquitto to apply configuration... ✓\n"
        + ("Disabling tedge-mapper-c8y... ✓\n" if HAS_MAPPER else "")
    )
    assert not device.bridge_file.exists()
    if HAS_MAPPER:
        assert "STOPPED" in device.ctl("status", "tedge-mapper-c8y").stdout
    untested = device.run("connect", "c8y", "--test")
    assert untested.returncode == 1
    assert untested.stderr.endswith("error: Device is not connected to Cumulocity cloud\n")

    again = device.run("reconnect", "c8y")
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith("Disconnecting from Cumulocity:\nRemoving bridge config file... ✓\n")
    assert "Verifying device is connected to cloud... ✓\n" in again.stderr
    assert device.run("connect", "c8y", "--test").returncode == 0


def test_basic_auth_checks_with_123_and_124(
    device: Device, tenant: BackgroundTenant, tenant_api: TenantApi
) -> None:
    from .conftest import point_at

    point_at(device, tenant)
    tenant_api.add_user("basic-device", "basic-Password-1", "user")
    device.config("device.id", "basic-device-1")
    device.config("c8y.auth_method", "basic")
    credentials = device.config_dir / "credentials.toml"
    credentials.write_text(
        f'[c8y]\nusername = "{tenant.info.tenant}/basic-device"\npassword = "basic-Password-1"\n'
    )
    device.write_services()
    device.start_services()
    result = device.run("connect", "c8y")
    assert result.returncode == 0, result.stderr
    assert f"\tauth type: Basic\n\tcredentials path: {credentials}\n\tbridge: mosquitto\n" in result.stderr
    assert "Verifying device is connected to cloud... ✓\n" in result.stderr
    assert "Checking Cumulocity" not in result.stderr  # only with certificates
    bridge = device.bridge_file.read_text()
    assert f"remote_username {tenant.info.tenant}/basic-device\n" in bridge
    assert device.bridge_file.stat().st_mode & 0o777 == 0o600  # it holds remote_password; mosquitto read it
    assert "bridge_certfile" not in bridge and "s/uat" not in bridge
    assert "basic-Password-1" not in result.stderr + result.stdout
    created = tenant_api.managed_object("basic-device-1")  # new: `100,basic-device-1,thin-edge.io` made it
    assert created is not None and (created["name"], created.get("type")) == (
        "basic-device-1",
        "thin-edge.io",
    )
    test = device.run("connect", "c8y", "--test")
    assert test.returncode == 0, test.stderr
    assert test.stderr.endswith(
        "Verifying device is connected to cloud... ✓\nConnection check to c8y cloud is successful.\n"
    )


def test_wrong_basic_credentials_are_refused(device: Device, tenant: BackgroundTenant) -> None:
    from .conftest import point_at

    point_at(device, tenant)
    device.config("device.id", "basic-device-2")
    device.config("c8y.auth_method", "basic")
    credentials = device.config_dir / "credentials.toml"
    credentials.write_text('[c8y]\nusername = "t100/nobody"\npassword = "wrong"\n')
    device.write_system_toml()
    result = device.run("connect", "c8y")
    assert result.returncode == 1
    assert result.stderr.endswith(
        "Creating device in Cumulocity cloud... ✗\n"
        f"error: The MQTT broker at {device.run('config', 'get', 'c8y.mqtt').stdout.strip()} refused the "
        "connection: bad user name or password\n"
        f"Check the username and password in {credentials} (the username is <tenant id>/<user>)\n"
    )


def test_mosquitto_missing_as_the_user_docs_show(
    device: Device, tenant: BackgroundTenant, tenant_api: TenantApi
) -> None:
    device_id = onboard(device, tenant, tenant_api)
    device.env["PATH"] = os.pathsep.join(
        p for p in device.environment()["PATH"].split(os.pathsep) if not (Path(p) / "mosquitto").exists()
    )
    device.write_services()  # no mosquitto: supervisord does not know the program
    device.start_services()
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    cloud_host = device.run("config", "get", "c8y.mqtt").stdout.strip()
    assert result.stderr == (
        "Failed to detect mosquitto version: assuming mosquitto version < 2.0.0\n"
        + summary(device, version=False, device_id=device_id, cloud_host=cloud_host)
        + "Creating device in Cumulocity cloud... ✓\n"
        "Restarting mosquitto... ✗\n"
        f'error: Service command <"{SUPERVISORCTL} -c {device.supervisord_conf} stop mosquitto"> failed with '
        "code: 1.\n"
        f"Cleaning up {device.bridge_file} due to failure... ✓\n"
    )
    assert not device.bridge_file.exists()


def test_tenant_stopped_after_the_device_was_created(device: Device, request: pytest.FixtureRequest) -> None:
    own = start_tenant(device.base / "own-tenant")
    api = TenantApi(own)
    stopped = False
    try:
        device_id = onboard(device, own, api)
        host, _, port = own.info.extra["mqtt_tls"].rpartition(":")
        forwarder = Forwarder((host, int(port)))
        request.addfinalizer(forwarder.close)
        device.config("c8y.mqtt", f"127.0.0.1:{forwarder.port}")
        device.config("c8y.connection_check.timeout", "2s")  # each check fails: no need to wait 10 s
        device.config("c8y.connection_check.retry_interval", "200ms")
        device.write_services()
        device.start_services()
        process = subprocess.Popen(
            [str(TEDGE), "connect", "c8y"], env=device.environment(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert forwarder.first_done.wait(DEADLINE)  # the device is created: now the tenant goes away
        own.__exit__(None, None, None)
        stopped = True
        started = time.monotonic()
        _, stderr = process.communicate(timeout=DEADLINE * 2)
        print(f"connect ended {time.monotonic() - started:.1f} s after the tenant stopped:\n{stderr}")
    finally:
        api.client.close()
        if not stopped:
            own.__exit__(None, None, None)
    assert process.returncode == 1, stderr
    log = (device.services_dir / "log" / "mosquitto.log").read_text()
    failed = (
        "Verifying device is connected to cloud... ✗\n"
        "error: Failed to verify device is connected to Cumulocity: Local MQTT publish has timed out\n"
    )
    mapper, agent = services_lines()
    assert stderr.endswith(
        failed
        + "Connection test failed, attempt 1 of 3\n\n"
        + failed
        + "Connection test failed, attempt 2 of 3\n\n"
        + failed
        + "warning: Bridge has been configured, but Cumulocity connection check failed.\n"
        + mapper
        + agent
        + "error: Connection check failed\n"
    ), stderr + log[-6000:]
    assert "Creating device in Cumulocity cloud... ✓\n" in stderr
    assert device.bridge_file.exists()  # configured: `tedge reconnect c8y` retries once the tenant is back
    assert device_id


def test_tenant_restarted_while_connected(device: Device) -> None:
    own = start_tenant(device.base / "own-tenant")
    ports = tenant_ports(own)
    api = TenantApi(own)
    onboard(device, own, api)
    api.client.close()
    device.config("c8y.bridge.restart_timeout", "1s")  # not mosquitto's 5 s to 15 s before the first retry
    device.write_services()
    device.start_services()
    try:
        assert device.run("connect", "c8y").returncode == 0
        mosquitto = device.pid_of("mosquitto")
        health = subscribe(device, HEALTH)
        health.wait_for(f"[{HEALTH}] 1")
        own.__exit__(None, None, None)
        health.wait_for(f"[{HEALTH}] 0")
        own = start_tenant(device.base / "own-tenant", **ports)
        health.wait_for(f"[{HEALTH}] 1")
        health.stop()
        test = device.run("connect", "c8y", "--test")
        assert test.returncode == 0, test.stderr
        assert device.pid_of("mosquitto") == mosquitto  # the bridge reconnected by itself
        if HAS_MAPPER:
            assert "RUNNING" in device.ctl("status", "tedge-mapper-c8y").stdout
    finally:
        own.__exit__(None, None, None)


def test_missing_certificate(online: tuple[Device, str]) -> None:
    device, device_id = online
    device.config("device.id", device_id)
    device.cert_path.unlink()
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "Creating device in Cumulocity cloud... ✗\n"
        "error: Failed to create TLS client config: No certificate has been attached to that device.\n"
        f'        Missing file: "{device.cert_path}"\n'
        "        Run `tedge cert create` to generate a new certificate.\n"
    )


def test_expired_certificate_says_to_renew(device: Device, tenant: BackgroundTenant) -> None:
    from .conftest import point_at

    point_at(device, tenant)
    device.config("certificate.validity.requested_duration", "1s")  # not after = not before (-1 day) + 1 s
    assert device.run("cert", "create", "--device-id", "expired-device").returncode == 0
    device.write_system_toml()
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[-3] == "Creating device in Cumulocity cloud... ✗"
    assert lines[-2].startswith("error: 127.0.0.1:")  # refused in the handshake (alert or hang-up)
    assert lines[-1] == (
        f"The device certificate {device.cert_path} has expired: renew it (`tedge cert renew`, then upload "
        "it if it is self-signed), or register the device again and run `tedge cert download c8y`"
    )


def test_key_that_does_not_belong_to_the_certificate(online: tuple[Device, str]) -> None:
    device, _ = online
    other = device.base / "other"
    made = subprocess.run(
        [str(TEDGE), "--config-dir", str(other), "cert", "create", "--device-id", "other"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    device.key_path.chmod(0o600)
    shutil.copy(other / "device-certs" / "tedge-private-key.pem", device.key_path)
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "Creating device in Cumulocity cloud... ✗\n"
        f"error: Failed to create TLS client config: The private key {device.key_path} does not match the "
        f"certificate {device.cert_path}\n"
    )


def test_tenant_ca_not_trusted(online: tuple[Device, str]) -> None:
    device, _ = online
    other = device.base / "other"
    made = subprocess.run(
        [str(TEDGE), "--config-dir", str(other), "cert", "create", "--device-id", "other-ca"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    wrong_ca = other / "device-certs" / "tedge-certificate.pem"
    device.config("c8y.root_cert_path", str(wrong_ca))
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[-3] == "Creating device in Cumulocity cloud... ✗"
    assert lines[-2].startswith("error: the certificate of 127.0.0.1:") and "is not trusted" in lines[-2]
    assert lines[-1] == (
        f"Check that c8y.root_cert_path ({wrong_ca}) holds the certificate of the CA that signed the "
        "tenant's server certificate (a PEM file, or a directory of them): "
        "`tedge config set c8y.root_cert_path <path>`"
    )
    assert not device.bridge_file.exists()


def test_a_root_cert_directory_must_be_one_mosquitto_can_search(online: tuple[Device, str]) -> None:
    """mosquitto's bridge_capath finds CAs by their hash links only: a directory without them is refused
    before anything is done (not a device created, then a bridge failing every check), and works once
    `openssl rehash` has run on it."""
    device, device_id = online
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to rehash the directory")
    cas = device.base / "trusted"
    cas.mkdir(mode=0o755)
    shutil.copy(device.base / "tenant-ca.pem", cas / "local-tenant.pem")
    (cas / "local-tenant.pem").chmod(0o644)
    device.config("c8y.root_cert_path", str(cas))
    refused = device.run("connect", "c8y")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.endswith(
        "Error: failed to connect to Cumulocity cloud.\n\nCaused by:\n"
        f"    c8y.root_cert_path ({cas}) is a directory without OpenSSL hash links, so mosquitto's bridge "
        f"cannot find the tenant's CA in it: run `openssl rehash {cas}`, or set the CA file itself with "
        "`tedge config set c8y.root_cert_path <file>`\n"
    )
    assert "Creating device" not in refused.stderr
    assert not device.bridge_file.exists()
    subprocess.run([openssl, "rehash", str(cas)], check=True, capture_output=True)
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stderr) == (0, connected_output(device, device_id))
    assert f"bridge_capath {cas}\n" in device.bridge_file.read_text()


def test_missing_url_from_a_process(device: Device) -> None:
    device.run("config", "unset", "c8y.url")
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: failed to execute `tedge connect`.\n\nCaused by:\n"
        "    Required configuration item is not provided 'c8y.url', "
        "run 'tedge config set c8y.url <value>' to add it to config.\n"
    )


def test_reconnect_adopts_a_renewed_certificate(online: tuple[Device, str]) -> None:
    device, _ = online
    assert device.run("connect", "c8y").returncode == 0
    renewed = device.run("cert", "renew", "--ca", "c8y")
    assert renewed.returncode == 0, renewed.stderr
    new_path = Path(f"{device.cert_path}.new")
    new_pem = new_path.read_bytes()
    result = device.run("reconnect", "c8y")
    assert result.returncode == 0, result.stderr
    assert (
        f"\tproxy: Not configured\nValidating new certificate: {new_path}... ✓\n"
        f"The new certificate is now the active certificate {device.cert_path}\n"
        "Creating device in Cumulocity cloud... ✓\n"
    ) in result.stderr
    assert device.cert_path.read_bytes() == new_pem and not new_path.exists()
    assert device.run("connect", "c8y", "--test").returncode == 0


def test_a_refused_new_certificate_keeps_the_active_one_and_exits_3(online: tuple[Device, str]) -> None:
    from datetime import UTC, datetime

    from c8ylink.infra.tls.certs import build_self_signed_certificate, encode_certificate_pem
    from c8ylink.infra.tls.keys import decode_private_key_pem
    from c8ylink.infra.tls.names import build_name

    device, device_id = online
    key = decode_private_key_pem(device.key_path.read_bytes())
    untrusted = build_self_signed_certificate(key, build_name(device_id), now=datetime.now(UTC))
    new_path = Path(f"{device.cert_path}.new")
    new_path.write_bytes(encode_certificate_pem(untrusted))
    active = device.cert_path.read_bytes()
    result = device.run("connect", "c8y")
    assert result.returncode == 3, result.stderr
    lines = result.stderr.splitlines()
    start = lines.index(f"Validating new certificate: {new_path}... ✗")
    reason = lines[start + 1].removeprefix("error: ")
    advice = f"The tenant did not accept the device certificate {new_path}: upload it"
    assert lines[start + 2].startswith(advice)
    assert lines[start + 3 : start + 7] == [
        f"Error validating the new certificate: {reason}",
        lines[start + 2],
        f"  => keep using the current certificate unchanged {device.cert_path}",
        "Creating device in Cumulocity cloud... ✓",
    ]
    assert lines[-1] == "warning: Successfully connected, however not using the new certificate"
    assert device.cert_path.read_bytes() == active


def test_tenant_unreachable_when_creating_the_device(online: tuple[Device, str]) -> None:
    from .conftest import free_port

    device, _ = online
    closed = f"127.0.0.1:{free_port()}"
    device.config("c8y.mqtt", closed)
    result = device.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "Creating device in Cumulocity cloud... ✗\n"
        f"error: Failed to connect to the MQTT broker at {closed}: Connection refused\n"
        f"Check the network connection and c8y.mqtt ({closed})\n"
    )
    assert not device.bridge_file.exists()
