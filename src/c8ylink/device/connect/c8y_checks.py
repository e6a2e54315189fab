"""The connect steps that talk to Cumulocity over MQTT (tedge.md §3.4 step 5, §3.5).

    checks = MqttCloudChecks(local=local_broker_options(settings, ""), trust=[...], now=clock.now)
    checks.create_device(config, cert_path)   # direct MQTT/TLS to c8y.mqtt: 100,<id>,<type> on s/us, PUBACK
    checks.check_connection(config)           # through the local bridge: s/uat -> 71 (basic: 123 -> 124)
    checks.connected_tenant(config)           # the iss claim of a token obtained through the bridge

Before anything goes on the wire, ``load_tls_identity`` reads the device certificate and key (the
"Failed to create TLS client config: ..." errors of the user docs). The checks wait for events, never
for fixed times: the bridge's retained health message, then the answer; they give up after a keep-alive
period without any message (upstream's rule), and ask again every second meanwhile in case the bridge
forwarded the first request before Cumulocity's subscription was in place.
"""

from __future__ import annotations

import contextlib
import secrets
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from c8ylink.core.c8y_topics import SMARTREST_DOWNSTREAM, SMARTREST_UPSTREAM, TOKEN_DOWNSTREAM, TOKEN_REQUEST
from c8ylink.core.errors import BrokerError, C8yLinkError, NetworkError, TlsError
from c8ylink.core.jwt import JwtError, decode_jwt_claims
from c8ylink.device.c8y.tls_advice import TlsContext, explain_tls_error
from c8ylink.device.certs.files import check_key_matches, load_device_certificate, load_device_key
from c8ylink.device.connect.config import ConnectConfig

if TYPE_CHECKING:
    from c8ylink.infra.net.mqtt_client import MqttClient
    from c8ylink.infra.net.mqtt_options import MqttMessage, MqttOptions

DEVICE_KEEPALIVE = 5  # seconds; also how long the creation waits for its PUBACK
CONNECT_TIMEOUT = 60.0
RESEND_EVERY = 1.0
JWT_TEMPLATE, MANAGED_OBJECT_ID_TEMPLATE = "71", "124"


@dataclass(frozen=True, slots=True)
class TlsIdentity:
    """The certificate (file) and key (file) the device presents, and when the certificate expires."""

    cert_path: str
    key_path: str
    not_after: datetime


def load_tls_identity(config: ConnectConfig, cert_path: str) -> TlsIdentity:
    """Check that the certificate and its key can be read and belong together."""
    key_path = config.connection.key_path
    try:
        if config.cryptoki_mode != "off":
            raise C8yLinkError(
                f"device.cryptoki.mode is '{config.cryptoki_mode}': keys in a hardware security module are "
                "not supported by c8ylink; set it to 'off' and use a key file"
            )
        certificate = load_device_certificate(cert_path)
        key = load_device_key(key_path)
        check_key_matches(key, certificate, key_path=key_path, cert_path=cert_path)
    except C8yLinkError as exc:
        raise C8yLinkError("Failed to create TLS client config") from exc
    return TlsIdentity(cert_path, key_path, certificate.not_valid_after_utc)


def random_suffix(size: int = 10) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(size))


class MqttCloudChecks:
    def __init__(
        self,
        *,
        local: MqttOptions,
        trust: Sequence[str],
        root_cert_key: str,
        now: Callable[[], datetime],
    ) -> None:
        self.local = local
        self.trust = tuple(trust)
        self.root_cert_key = root_cert_key
        self.now = now

    # -- device creation ------------------------------------------------------------------------------------
    def create_device(self, config: ConnectConfig, cert_path: str) -> None:
        identity = None if config.basic_auth else load_tls_identity(config, cert_path)
        options = self.cloud_options(config, identity)
        try:
            client = _connect(options)
        except TlsError as exc:
            raise self._explained(exc, config, identity) from None
        except BrokerError as exc:
            raise self._refusal(exc, config, identity) from None
        with _closing(client):
            record = f"100,{config.connection.device_id},{config.device_type}"
            try:
                client.publish(SMARTREST_UPSTREAM, record, qos=1, timeout=DEVICE_KEEPALIVE)
            except BrokerError as exc:
                if "Timed out" in str(exc):
                    raise C8yLinkError(
                        "Timed-out waiting for device creation acknowledgment from Cumulocity"
                    ) from None
                raise C8yLinkError(
                    "Unexpectedly disconnected from Cumulocity while attempting to create device"
                ) from None

    def cloud_options(self, config: ConnectConfig, identity: TlsIdentity | None) -> MqttOptions:
        """A direct connection to the cloud's MQTT endpoint, as the bridge will make it."""
        from c8ylink.infra.net.mqtt_options import MqttOptions

        host, _, port = config.bridge.address.rpartition(":")
        credentials = config.credentials
        return MqttOptions(
            host=host,
            port=int(port),
            client_id=config.connection.device_id,
            keepalive=DEVICE_KEEPALIVE,
            username=credentials.username if credentials is not None else None,
            password=credentials.password if credentials is not None else None,
            cert_file=identity.cert_path if identity is not None else None,
            key_file=identity.key_path if identity is not None else None,
            trust_paths=self.trust,
            client_auth_in_handshake=identity is not None,
            connect_timeout=CONNECT_TIMEOUT,
        )

    def _explained(self, exc: TlsError, config: ConnectConfig, identity: TlsIdentity | None) -> TlsError:
        context = TlsContext(
            root_cert_key=self.root_cert_key,
            root_cert_path=config.connection.root_cert_path,
            cert_path=identity.cert_path if identity is not None else None,
            cert_not_after=identity.not_after if identity is not None else None,
            now=self.now(),
        )
        return explain_tls_error(exc, context)

    def _refusal(self, exc: BrokerError, config: ConnectConfig, identity: TlsIdentity | None) -> C8yLinkError:
        """What to do about a connection Cumulocity refused (CONNACK) or that could not be made."""
        text = str(exc)
        if "refused the connection" not in text:
            key = "c8y.mqtt" if config.profile is None else f"c8y.profiles.{config.profile}.mqtt"
            hint = f"Check the network connection and {key} ({config.bridge.address})"
            return NetworkError(f"{text}\n{hint}")
        if identity is not None:
            return self._explained(TlsError(text, kind="peer-rejected-certificate"), config, identity)
        return C8yLinkError(
            f"{text}\nCheck the username and password in {config.connection.credentials_path} "
            "(the username is <tenant id>/<user>)"
        )

    # -- through the bridge ---------------------------------------------------------------------------------
    def check_connection(self, config: ConnectConfig) -> None:
        try:
            self._check(config)
        except C8yLinkError as exc:
            raise C8yLinkError("Failed to verify device is connected to Cumulocity") from exc

    def _check(self, config: ConnectConfig) -> None:
        prefix = config.connection.topic_prefix
        if config.basic_auth:
            request, payload, response, template = SMARTREST_UPSTREAM, "123", SMARTREST_DOWNSTREAM, "124"
        else:
            request, payload, response, template = TOKEN_REQUEST, "", TOKEN_DOWNSTREAM, "71"
        request, response = f"{prefix}/{request}", f"{prefix}/{response}"
        health = config.bridge_health_topic
        client = self._local_client("check_connection_c8y", config.check.timeout)
        with _closing(client):
            client.subscribe([(health, 1), (response, 1)])
            requested = False
            last_sent = 0.0
            quiet_since = time.monotonic()
            while True:
                if requested and time.monotonic() - last_sent >= RESEND_EVERY:
                    client.publish(request, payload, qos=0)
                    last_sent = time.monotonic()
                wait = config.check.timeout - (time.monotonic() - quiet_since)
                if wait <= 0:
                    if requested:
                        raise C8yLinkError("Didn't receive response from Cumulocity")
                    raise C8yLinkError("Local MQTT publish has timed out")
                message = _next(client, min(wait, RESEND_EVERY) if requested else wait)
                if message is None or (message.topic == health and "1" not in message.text):
                    continue  # a bridge that reports itself down is no progress
                quiet_since = time.monotonic()
                if message.topic == health and not requested:
                    client.publish(request, payload, qos=0)
                    requested, last_sent = True, time.monotonic()
                elif message.topic == response and message.text.split(",", 1)[0] == template:
                    return

    def connected_tenant(self, config: ConnectConfig) -> str:
        """The host named by the ``iss`` claim of a token Cumulocity sends through the bridge."""
        prefix = config.connection.topic_prefix
        client = self._local_client("get_jwt_token_c8y", config.check.timeout)
        with _closing(client):
            client.subscribe([(f"{prefix}/{TOKEN_DOWNSTREAM}", 1)])
            client.publish(f"{prefix}/{TOKEN_REQUEST}", "", qos=0)
            deadline = time.monotonic() + config.check.timeout
            while (remaining := deadline - time.monotonic()) > 0:
                message = _next(client, remaining)
                if message is not None and message.text.startswith(f"{JWT_TEMPLATE},"):
                    return _issuer(message.text.split(",", 1)[1])
        raise C8yLinkError(
            "Timed out obtaining Cumulocity URL. Make sure mosquitto is running. The request has been sent, "
            "however, no response was received"
        )

    def _local_client(self, prefix: str, timeout: float) -> MqttClient:
        """A connected client of the local broker (``Failed to connect to mosquitto ...`` otherwise)."""
        options = replace(
            self.local,
            client_id=f"{prefix}-{random_suffix()}",
            clean_session=True,
            keepalive=max(1, round(timeout)),
            connect_timeout=CONNECT_TIMEOUT,
        )
        try:
            return _connect(options)
        except C8yLinkError as exc:
            raise C8yLinkError("Failed to connect to mosquitto for connection check") from exc


def _issuer(token: str) -> str:
    try:
        issuer = decode_jwt_claims(token).get("iss")
    except JwtError as exc:
        raise C8yLinkError(
            f"The JWT token received from Cumulocity is invalid.\nToken: {token}\nReason: {exc}"
        ) from None
    if not isinstance(issuer, str) or not issuer:
        raise C8yLinkError(
            f"The JWT token received from Cumulocity is invalid.\nToken: {token}\nReason: no iss claim"
        )
    return issuer.removeprefix("https://").removeprefix("http://").split("/")[0]


def _connect(options: MqttOptions) -> MqttClient:
    from c8ylink.infra.net.mqtt_client import MqttClient

    client = MqttClient(options)
    client.connect()
    return client


def _next(client: MqttClient, timeout: float) -> MqttMessage | None:
    try:
        return client.next_message(timeout=timeout)
    except BrokerError:
        raise C8yLinkError("Client was disconnected from mosquitto during connection check") from None


class _closing:
    def __init__(self, client: MqttClient) -> None:
        self.client = client

    def __enter__(self) -> MqttClient:
        return self.client

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(C8yLinkError):
            self.client.disconnect()
