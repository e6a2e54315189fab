"""The MQTT client against a real mosquitto: its synchronous face of the CLIs (``infra.net.mqtt_client``) and
the asyncio session of the services (``infra.net.mqtt_session``), plain and over TLS with client
certificates; connection failures become one readable ``BrokerError``/``TlsError``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import trustme

from c8ylink.core.errors import BrokerError, TlsError
from c8ylink.core.mqtt.packets import Will
from c8ylink.infra.net.mqtt_client import MqttClient
from c8ylink.infra.net.mqtt_options import MqttMessage
from c8ylink.infra.net.mqtt_session import MqttSession

pytestmark = pytest.mark.integration


# ------------------------------------------------------------------------------------------------ sync client


def test_sync_client_publishes_and_receives_with_qos_1(mosquitto: Any) -> None:
    with MqttClient(mosquitto.options("sub")) as sub, MqttClient(mosquitto.options("pub")) as pub:
        assert sub.subscribe([("test/+", 1)]) == (1,)
        pub.publish("test/a", b"hello", qos=1)
        pub.publish("test/b", "world", qos=0, retain=True)
        received = [sub.next_message(timeout=10), sub.next_message(timeout=10)]
    assert received == [MqttMessage("test/a", b"hello", 1, False), MqttMessage("test/b", b"world", 0, False)]


def test_sync_client_qos_2_both_ways_delivers_once(mosquitto: Any) -> None:
    with MqttClient(mosquitto.options("sub2")) as sub, MqttClient(mosquitto.options("pub2")) as pub:
        assert sub.subscribe([("exactly/once", 2)]) == (2,)
        pub.publish("exactly/once", b"1", qos=2)  # returns after PUBREC, PUBREL, PUBCOMP
        pub.publish("exactly/once", b"2", qos=2)
        received = [sub.next_message(timeout=10), sub.next_message(timeout=10)]
        assert sub.next_message(timeout=0.2) is None
    assert received == [MqttMessage("exactly/once", b"1", 2), MqttMessage("exactly/once", b"2", 2)]


def test_sync_client_works_from_inside_a_running_event_loop(mosquitto: Any) -> None:
    async def main() -> MqttMessage | None:
        with MqttClient(mosquitto.options("in-loop")) as client:
            client.subscribe([("loop", 1)])
            client.publish("loop", b"x", qos=1)
            return client.next_message(timeout=10)

    assert asyncio.run(main()) == MqttMessage("loop", b"x", 1)


def test_sync_client_sees_retained_messages_and_times_out_quietly(mosquitto: Any) -> None:
    with MqttClient(mosquitto.options("pub")) as pub:
        pub.publish("state/x", b"1", qos=1, retain=True)
    with MqttClient(mosquitto.options("sub")) as sub:
        sub.subscribe([("state/#", 1)])
        message = sub.next_message(timeout=10)
        assert message is not None and message.retain and message.payload == b"1"
        assert sub.next_message(timeout=0.2) is None


def test_sync_client_reports_a_refused_connection(mosquitto: Any) -> None:
    mosquitto.stop()
    with pytest.raises(BrokerError, match=r"Failed to connect to the MQTT broker at 127\.0\.0\.1:\d+: "):
        MqttClient(mosquitto.options("x")).connect()


def test_sync_client_reports_the_broker_going_away(mosquitto: Any) -> None:
    with MqttClient(mosquitto.options("sub")) as sub:
        sub.subscribe([("t", 1)])
        mosquitto.stop()
        with pytest.raises(BrokerError, match="disconnected from the MQTT broker"):
            sub.next_message(timeout=10)


def test_sync_client_refused_credentials(mosquitto_factory: Any, tmp_path: Path) -> None:
    broker = mosquitto_factory(listener="listener {port} 127.0.0.1\nallow_anonymous false\n")
    with pytest.raises(BrokerError, match="refused the connection: not authorized"):
        MqttClient(broker.options("x", username="u", password="p")).connect()


# ------------------------------------------------------------------------------------------------ TLS


@pytest.fixture
def tls_broker(mosquitto_factory: Any, tmp_path: Path) -> tuple[Any, dict[str, str]]:
    """A broker requiring a client certificate; returns it and the client's certificate files."""
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    client = ca.issue_cert("tedge-client")
    files = {
        "ca": tmp_path / "ca.pem",
        "server": tmp_path / "server.pem",
        "server_key": tmp_path / "server.key",
        "cert": tmp_path / "client.pem",
        "key": tmp_path / "client.key",
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    server.cert_chain_pems[0].write_to_path(str(files["server"]))
    server.private_key_pem.write_to_path(str(files["server_key"]))
    client.cert_chain_pems[0].write_to_path(str(files["cert"]))
    client.private_key_pem.write_to_path(str(files["key"]))
    listener = (
        "listener {port} 127.0.0.1\nallow_anonymous true\n"
        f"cafile {files['ca']}\ncertfile {files['server']}\nkeyfile {files['server_key']}\n"
        "require_certificate true\n"
    )
    return mosquitto_factory(listener=listener), {k: str(v) for k, v in files.items()}


def test_sync_client_over_tls_with_a_client_certificate(tls_broker: Any) -> None:
    broker, files = tls_broker
    options = broker.options("tls", ca_file=files["ca"], cert_file=files["cert"], key_file=files["key"])
    with MqttClient(options) as client:
        client.subscribe([("secure", 1)])
        client.publish("secure", b"x", qos=1)
        assert client.next_message(timeout=10) == MqttMessage("secure", b"x", 1, False)


def test_tls_failures_are_tls_errors(tls_broker: Any, tmp_path: Path) -> None:
    broker, _ = tls_broker
    other_ca = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with pytest.raises(TlsError, match="not trusted") as caught:
        MqttClient(broker.options("x", ca_file=str(other_ca))).connect()
    assert caught.value.kind == "unknown-ca"


async def test_session_over_tls_with_a_client_certificate(tls_broker: Any) -> None:
    broker, files = tls_broker
    received: list[tuple[str, bytes]] = []
    got = asyncio.Event()

    def on_message(topic: str, payload: bytes, qos: int, retain: bool) -> None:
        received.append((topic, payload))
        got.set()

    options = broker.options("tls", ca_file=files["ca"], cert_file=files["cert"], key_file=files["key"])
    session = MqttSession(options, on_message)
    await session.connect()
    await session.subscribe([("secure", 1)])
    await session.publish_wait("secure", b"y")
    await asyncio.wait_for(got.wait(), 10)
    await session.disconnect()
    assert received == [("secure", b"y")]


# ------------------------------------------------------------------------------------------------ session


class Inbox:
    def __init__(self) -> None:
        self.messages: asyncio.Queue[tuple[str, bytes, int, bool]] = asyncio.Queue()

    def __call__(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        self.messages.put_nowait((topic, payload, qos, retain))

    async def next(self) -> tuple[str, bytes, int, bool]:
        return await asyncio.wait_for(self.messages.get(), 10)


async def test_session_round_trip_of_many_messages_in_order(mosquitto: Any) -> None:
    inbox = Inbox()
    session = MqttSession(mosquitto.options("s1"), inbox)
    assert await session.connect() is False
    assert await session.subscribe([("bulk/#", 1), ("other", 0)]) == (1, 0)
    for index in range(500):  # mosquitto queues at most 1000 messages per client by default
        session.publish(f"bulk/{index % 7}", str(index).encode(), qos=1)
    big = bytes(range(256)) * 1000  # spans many socket reads
    session.publish("bulk/big", big, qos=1)
    received = [await inbox.next() for _ in range(501)]
    assert [int(payload) for _, payload, _, _ in received[:500]] == list(range(500))
    assert received[-1] == ("bulk/big", big, 1, False)
    await session.disconnect()
    assert session.unacknowledged() == []


async def test_session_handler_errors_do_not_stop_the_connection(mosquitto: Any) -> None:
    inbox = Inbox()

    def handler(topic: str, payload: bytes, qos: int, retain: bool) -> None:
        if payload == b"boom":
            raise ValueError("handler bug")
        inbox(topic, payload, qos, retain)

    session = MqttSession(mosquitto.options("s2"), handler)
    await session.connect()
    await session.subscribe([("t", 1)])
    await session.publish_wait("t", b"boom")
    await session.publish_wait("t", b"fine")
    assert (await inbox.next())[1] == b"fine"
    await session.disconnect()


async def test_session_last_will_and_lost_connection(mosquitto: Any) -> None:
    with MqttClient(mosquitto.options("watcher")) as watcher:
        watcher.subscribe([("health", 1)])
        will = Will("health", b"down", qos=1, retain=False)
        session = MqttSession(mosquitto.options("dying", will=will), lambda *args: None)
        await session.connect()
        session.abort()  # a crash: no DISCONNECT, so the broker sends the will
        with pytest.raises(BrokerError, match="was lost"):
            await asyncio.wait_for(session.wait_closed(), 10)
        message = await asyncio.to_thread(watcher.next_message, 10)
    assert message is not None and message.payload == b"down"


async def test_session_keeps_unacknowledged_messages_when_the_broker_goes(mosquitto: Any) -> None:
    session = MqttSession(mosquitto.options("s3"), lambda *args: None)
    await session.connect()
    mosquitto.stop()
    with pytest.raises(BrokerError):
        await asyncio.wait_for(session.wait_closed(), 10)
    session.publish("late", b"1", qos=1)
    assert [m.topic for m in session.unacknowledged()] == ["late"]


async def test_session_connect_errors(mosquitto: Any) -> None:
    mosquitto.stop()
    with pytest.raises(BrokerError, match=r"Failed to connect to the MQTT broker at 127\.0\.0\.1:"):
        await MqttSession(mosquitto.options("x"), lambda *args: None).connect()


async def test_session_persistent_session_receives_what_it_missed(mosquitto: Any) -> None:
    inbox = Inbox()
    first = MqttSession(mosquitto.options("persistent", clean_session=False), inbox)
    await first.connect()
    await first.subscribe([("queued", 1)])
    await first.disconnect()
    with MqttClient(mosquitto.options("pub")) as pub:
        pub.publish("queued", b"while away", qos=1)
    second = MqttSession(mosquitto.options("persistent", clean_session=False), inbox)
    assert await second.connect() is True
    assert (await inbox.next())[:2] == ("queued", b"while away")
    await second.disconnect()
