"""Local tenant MQTT: (a) 1,000 devices connected at once with mutual TLS, (b) SmartREST ingest rate.

(a) 1,000 device certificates (an own CA uploaded as a trusted certificate with auto-registration)
    connect to the tenant's MQTT/TLS port from 8 threads of paho clients and stay connected: the time
    until every CONNACK 0 arrived, and the tenant's resident memory with all of them connected.
(b) 10 paho clients publish ``200,c8y_Temperature,T,<v>,C`` at QoS 1 as fast as they can (100 in
    flight each) to the tenant's plain MQTT port (device users, username/password), then the same
    clients publish the same payloads to a plain local mosquitto; the ratio is tenant / mosquitto.
    Alternating rounds, medians reported. Every measurement is checked to be stored (REST count).

    python bench/tenant_mqtt.py [--devices 1000] [--messages 2000] [--rounds 3]

Targets (docs/performance.md): 1,000 devices in < 30 s; >= 5,000 measurements/s stored.
"""

from __future__ import annotations

import argparse
import base64
import json
import selectors
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

DEADLINE = 120.0
THREADS = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_file(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the tenant did not start")
        time.sleep(0.05)


class Rest:
    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.context = ssl.create_default_context(cafile=info["ca_file"])
        credentials = f"{info['tenant']}/{info['admin']['username']}:{info['admin']['password']}"
        self.auth = "Basic " + base64.b64encode(credentials.encode()).decode()

    def call(
        self, method: str, path: str, body: bytes | None = None, content_type: str = "application/json"
    ) -> Any:
        request = urllib.request.Request(f"{self.info['https_url']}{path}", data=body, method=method)
        request.add_header("Authorization", self.auth)
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, context=self.context, timeout=DEADLINE) as answer:
            text = answer.read()
        return json.loads(text) if text else None


def _address(info: dict[str, Any], key: str) -> tuple[str, int]:
    host, _, port = info[key].rpartition(":")
    return host, int(port)


# -- (a) many mutual-TLS devices ------------------------------------------------------------------------
def _device_contexts(rest: Rest, directory: Path, count: int) -> list[tuple[str, ssl.SSLContext]]:
    from datetime import UTC, datetime

    from c8ylink.infra.tls.ca import create_certificate_authority, issue_certificate
    from c8ylink.infra.tls.certs import encode_certificate_pem
    from c8ylink.infra.tls.csr import build_csr
    from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
    from c8ylink.infra.tls.names import build_name

    now = datetime.now(UTC)
    ca = create_certificate_authority(build_name("bench fleet CA"), now=now)
    body = {"name": "bench", "certInPemFormat": encode_certificate_pem(ca.certificate).decode(),
            "status": "ENABLED", "autoRegistrationEnabled": True}  # fmt: skip
    rest.call(
        "POST", f"/tenant/tenants/{rest.info['tenant']}/trusted-certificates", json.dumps(body).encode()
    )
    contexts = []
    for index in range(count):
        serial = f"bench-device-{index:04d}"
        key = generate_private_key()
        leaf = issue_certificate(ca, build_csr(key, build_name(serial)), now=now)
        cert_file, key_file = directory / f"{serial}.pem", directory / f"{serial}.key"
        cert_file.write_bytes(encode_certificate_pem(leaf))
        key_file.write_bytes(encode_private_key_pem(key))
        context = ssl.create_default_context(cafile=rest.info["ca_file"])
        context.load_cert_chain(str(cert_file), str(key_file))
        contexts.append((serial, context))
    return contexts


def _connect_batch(address: tuple[str, int], batch: list[tuple[str, ssl.SSLContext]], out: list[Any]) -> None:
    """Connect every client of the batch and wait for its CONNACK (epoll: paho's own loop uses
    select(), which cannot watch descriptors above 1,024; each paho client holds three)."""
    clients = []
    accepted: list[int] = []
    poller = selectors.DefaultSelector()
    for serial, context in batch:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=serial, protocol=mqtt.MQTTv311)
        client.tls_set_context(context)
        client.on_connect = lambda c, u, f, reason, p: accepted.append(0 if str(reason) == "Success" else 1)
        client.connect(*address, keepalive=300)
        client.loop_write()
        poller.register(client.socket(), selectors.EVENT_READ, client)
        clients.append(client)
    deadline = time.monotonic() + DEADLINE
    while len(accepted) < len(batch) and time.monotonic() < deadline:
        for key, _ in poller.select(timeout=1.0):
            key.data.loop_read()
    poller.close()
    out.append((clients, accepted))


def connect_fleet(
    info: dict[str, Any], contexts: list[tuple[str, ssl.SSLContext]]
) -> tuple[float, list[Any]]:
    address = _address(info, "mqtt_tls")
    results: list[Any] = []
    threads = [threading.Thread(target=_connect_batch, args=(address, contexts[i::THREADS], results))
               for i in range(THREADS)]  # fmt: skip
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    accepted = sum(accepted.count(0) for _, accepted in results)
    if accepted != len(contexts):
        answered = sum(len(accepted) for _, accepted in results)
        raise RuntimeError(f"only {accepted} of {len(contexts)} devices were accepted ({answered} answered)")
    return elapsed, [client for clients, _ in results for client in clients]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- (b) ingest rate -------------------------------------------------------------------------------------
def _publisher(address: tuple[str, int], client_id: str, auth: tuple[str, str] | None, count: int) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(100)
    if auth is not None:
        client.username_pw_set(*auth)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect(*address, keepalive=60)
    client.loop_start()
    if not connected.wait(DEADLINE):
        raise RuntimeError(f"{client_id} did not connect")
    infos = [
        client.publish("s/us", f"200,c8y_Temperature,T,{index % 50}.5,C", qos=1) for index in range(count)
    ]
    for info in infos:
        info.wait_for_publish(DEADLINE)
    client.disconnect()
    client.loop_stop()


def publish_round(
    address: tuple[str, int], devices: list[tuple[str, tuple[str, str] | None]], count: int
) -> float:
    threads = [
        threading.Thread(target=_publisher, args=(address, name, auth, count)) for name, auth in devices
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(devices) * count / (time.perf_counter() - started)


def _register_publishers(rest: Rest, count: int) -> list[tuple[str, tuple[str, str] | None]]:
    rows = "\n".join(f"bench-publisher-{i},bench-secret-{i:04d}" for i in range(count))
    boundary = "benchboundary"
    disposition = 'Content-Disposition: form-data; name="file"; filename="d.csv"'
    body = (f"--{boundary}\r\n{disposition}\r\nContent-Type: text/csv\r\n\r\n"
            f"ID,CREDENTIALS\n{rows}\n\r\n--{boundary}--\r\n").encode()  # fmt: skip
    rest.call(
        "POST", "/devicecontrol/bulkNewDeviceRequests", body, f"multipart/form-data; boundary={boundary}"
    )
    tenant = rest.info["tenant"]
    return [(f"bench-publisher-{i}", (f"{tenant}/device_bench-publisher-{i}", f"bench-secret-{i:04d}"))
            for i in range(count)]  # fmt: skip


def _stored(rest: Rest, serial: str) -> int:
    moid = rest.call("GET", f"/identity/externalIds/c8y_Serial/{serial}")["managedObject"]["id"]
    page = rest.call("GET", f"/measurement/measurements?source={moid}&pageSize=1&withTotalElements=true")
    return int(page["statistics"]["totalElements"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=2000, help="per publisher and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tenant-mqtt-") as tmp:
        data_dir = Path(tmp) / "tenant"
        tenant = subprocess.Popen(
            [sys.executable, "-c", "from c8ylink.cli.root import main; main()", "tenant", "serve",
             "--data-dir", str(data_dir), "--https-port", "0", "--mtls-port", "0",
             "--mqtt-tls-port", "0", "--mqtt-port", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        mosquitto_port = _free_port()
        (Path(tmp) / "mosquitto.conf").write_text(
            f"listener {mosquitto_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        )
        mosquitto = subprocess.Popen(["mosquitto", "-c", str(Path(tmp) / "mosquitto.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            _wait_for_file(data_dir / "tenant.json", tenant)
            info = json.loads((data_dir / "tenant.json").read_text())
            rest = Rest(info)
            certs = Path(tmp) / "certs"
            certs.mkdir()
            contexts = _device_contexts(rest, certs, args.devices)
            connect_time, fleet = connect_fleet(info, contexts)
            memory = rss_mib(tenant.pid)
            for client in fleet:
                client.disconnect()
            publishers = _register_publishers(rest, 10)
            anonymous = [(f"raw-{name}", None) for name, _ in publishers]
            tenant_rates, raw_rates = [], []
            for _ in range(args.rounds):
                tenant_rates.append(publish_round(_address(info, "mqtt"), publishers, args.messages))
                raw_rates.append(publish_round(("127.0.0.1", mosquitto_port), anonymous, args.messages))
            stored = sum(_stored(rest, name) for name, _ in publishers)
            expected = args.rounds * args.messages * len(publishers)
            if stored != expected:
                raise RuntimeError(f"{stored} measurements stored, {expected} published")
        finally:
            for process in (tenant, mosquitto):
                process.terminate()
                process.wait(DEADLINE)
    rate, raw = statistics.median(tenant_rates), statistics.median(raw_rates)
    print(
        f"tenant-mqtt: {args.devices:,} mTLS devices connected in {connect_time:.1f} s (target < 30 s), "
        f"tenant RSS {memory:.0f} MiB; {rate:,.0f} measurements/s stored vs {raw:,.0f}/s raw publish to "
        f"mosquitto: {rate / raw:.2f}x [SmartREST 200, QoS 1, 10 devices, median of {args.rounds} "
        f"alternating rounds of {args.messages:,} each, target >= 5,000/s]"
    )


if __name__ == "__main__":
    main()
