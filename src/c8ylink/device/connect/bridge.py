"""The mosquitto files ``tedge connect c8y`` writes, rendered exactly as upstream does (pure; tedge.md §4).

    render_bridge_conf(spec)             # mosquitto-conf/c8y-bridge.conf (c8y@P-bridge.conf for a profile)
    render_tedge_mosquitto_conf(spec)    # mosquitto-conf/tedge-mosquitto.conf (the local listeners)

``BridgeSpec`` and ``ListenerSpec`` hold the values the files need; ``device.connect.config`` builds
them from the settings. The golden files under ``tests/fixtures/mosquitto`` hold the exact text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from c8ylink.core.c8y_topics import (
    BRIDGED_TOPICS,
    SMARTREST1_TOPICS,
    TOKEN_TOPICS,
    custom_template_topics,
    smartrest1_template_topics,
)

MOSQUITTO_CONF_DIR = "mosquitto-conf"
TEDGE_MOSQUITTO_CONF = "tedge-mosquitto.conf"
LEGACY_MQTT_SERVICE_BRIDGE = "c8y-mqtt-svc-bridge.conf"
MQTT_SERVICE_PORT = 9883
MESSAGE_SIZE_LIMIT = 256 * 1024 * 1024 - 1
LOG_TYPES = ("error", "warning", "notice", "information", "subscribe", "unsubscribe")
# keep what the broker acknowledged: the in-memory database is saved after every change (a queued
# message, a subscription), so a broker killed with SIGKILL restarts with every message it acknowledged
# and had not yet passed on over the bridge. Where the file goes (persistence_location) is the broker's
# main configuration's business (Debian's mosquitto.conf, the supervisord setup's): it may appear once
PERSISTENCE = (("persistence", "true"), ("autosave_on_changes", "true"), ("autosave_interval", "1"))


def bridge_file_name(profile: str | None) -> str:
    """``c8y-bridge.conf``, or ``c8y@<profile>-bridge.conf``: also the "connected" marker."""
    return "c8y-bridge.conf" if profile is None else f"c8y@{profile}-bridge.conf"


def bridge_service_name(topic_prefix: str) -> str:
    """The service whose health mosquitto publishes for the bridge: ``mosquitto-<prefix>-bridge``."""
    return f"mosquitto-{topic_prefix}-bridge"


@dataclass(frozen=True, slots=True)
class BasicAuth:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class BridgeSpec:
    """Everything ``c8y-bridge.conf`` says. ``basic`` set: username/password instead of the certificate."""

    profile: str | None
    address: str  # host:port of the cloud's MQTT endpoint
    root_cert_path: str
    root_cert_is_dir: bool
    remote_clientid: str
    cert_path: str
    key_path: str
    topic_prefix: str
    notification_topic: str
    keepalive_seconds: int = 60
    restart_seconds: int | None = None  # None: mosquitto's own reconnection back-off
    local_cleansession: bool = False  # emit `local_cleansession false` (mosquitto >= 2 under auto)
    # `cleansession false`: a persistent session in the cloud too, so that a broker that forgets a clean
    # bridge's saved queue when it restarts (mosquitto < 2.0.15) keeps it (connect.config decides)
    persistent_session: bool = False
    basic: BasicAuth | None = None
    smartrest_templates: tuple[str, ...] = ()
    smartrest1_templates: tuple[str, ...] = ()
    mqtt_service_topics: tuple[str, ...] | None = None  # None: the MQTT service is not enabled

    @property
    def file_name(self) -> str:
        return bridge_file_name(self.profile)

    @property
    def connection(self) -> str:
        return "edge_to_c8y" if self.profile is None else f"edge_to_c8y@{self.profile}"

    @property
    def local_clientid(self) -> str:
        return "Cumulocity" if self.profile is None else f"Cumulocity@{self.profile}"


def render_bridge_conf(spec: BridgeSpec) -> str:
    lines = [
        "### Bridge",
        f"connection {spec.connection}",
        f"address {spec.address}",
        f"{'bridge_capath' if spec.root_cert_is_dir else 'bridge_cafile'} {spec.root_cert_path}",
        f"remote_clientid {spec.remote_clientid}",
        f"local_clientid {spec.local_clientid}",
    ]
    if spec.basic is None:
        lines += [f"bridge_certfile {spec.cert_path}", f"bridge_keyfile {spec.key_path}"]
    else:
        lines += [f"remote_username {spec.basic.username}", f"remote_password {spec.basic.password}"]
    lines += ["try_private false", "start_type automatic"]
    lines.append("cleansession false" if spec.persistent_session else "cleansession true")
    if spec.local_cleansession:
        lines.append("local_cleansession false")
    lines += [
        "notifications true",
        "notifications_local_only true",
        f"notification_topic {spec.notification_topic}",
        "bridge_attempt_unsubscribe false",
        f"keepalive_interval {spec.keepalive_seconds}",
    ]
    if spec.restart_seconds is not None:
        lines.append(f"restart_timeout {spec.restart_seconds}")
    lines += [
        "",
        "### Topics",
    ]
    lines += [_topic(spec, *topic) for topic in _bridge_topics(spec)]
    lines += [_topic_line(*line) for line in _mqtt_service_lines(spec)]
    return "\n".join(lines) + "\n"


def _bridge_topics(spec: BridgeSpec) -> list[tuple[str, str, int]]:
    """The bridged topics declared in ``core.c8y_topics``, as mosquitto's (pattern, out|in, qos)."""
    topics = list(BRIDGED_TOPICS)
    if spec.basic is None:
        topics += TOKEN_TOPICS
    for template in spec.smartrest_templates:
        topics += custom_template_topics(template)
    if spec.smartrest1_templates:
        topics += SMARTREST1_TOPICS
        for template in spec.smartrest1_templates:
            topics += smartrest1_template_topics(template)
    return [(topic.pattern, "out" if topic.upstream else "in", topic.qos) for topic in topics]


def _mqtt_service_lines(spec: BridgeSpec) -> list[tuple[str, str, int, str]]:
    if spec.mqtt_service_topics is None:
        return []
    lines = [("#", "out", 1, f"{spec.topic_prefix}/mqtt/out/")]
    lines += [(topic, "in", 1, f"{spec.topic_prefix}/mqtt/in/") for topic in spec.mqtt_service_topics]
    return lines


def _topic(spec: BridgeSpec, pattern: str, direction: str, qos: int) -> str:
    return _topic_line(pattern, direction, qos, f"{spec.topic_prefix}/")


def _topic_line(pattern: str, direction: str, qos: int, local_prefix: str) -> str:
    return f'topic {pattern} {direction} {qos} {local_prefix} ""'


@dataclass(frozen=True, slots=True)
class ListenerSpec:
    """One listener of ``tedge-mosquitto.conf``; ``port=None``: none (the external one when unset)."""

    port: int | None
    address: str | None = None
    allow_anonymous: bool = True
    require_certificate: bool = False
    bind_interface: str | None = None
    capath: str | None = None
    certfile: str | None = None
    keyfile: str | None = None


def external_listener(
    port: int | None,
    *,
    address: str | None = None,
    interface: str | None = None,
    capath: str | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
) -> ListenerSpec:
    """The optional external listener: client certificates are required once a CA path is given."""
    return ListenerSpec(
        port=port,
        address=address,
        allow_anonymous=capath is None,
        require_certificate=capath is not None,
        bind_interface=interface,
        capath=capath,
        certfile=certfile,
        keyfile=keyfile,
    )


def render_tedge_mosquitto_conf(internal: ListenerSpec, external: ListenerSpec | None = None) -> str:
    lines = ["per_listener_settings true", "connection_messages true"]
    lines += [f"log_type {log_type}" for log_type in LOG_TYPES]
    lines.append(f"message_size_limit {MESSAGE_SIZE_LIMIT}")
    lines += [f"{option} {value}" for option, value in PERSISTENCE]
    for listener in (internal, external):
        if listener is not None and listener.port is not None:
            lines += _listener_lines(listener)
    return "\n".join(lines) + "\n"


def _listener_lines(listener: ListenerSpec) -> list[str]:
    lines = [
        f"listener {listener.port} {listener.address or ''}",
        f"allow_anonymous {str(listener.allow_anonymous).lower()}",
        f"require_certificate {str(listener.require_certificate).lower()}",
    ]
    for name in ("bind_interface", "capath", "certfile", "keyfile"):
        value = getattr(listener, name)
        if value is not None:
            lines.append(f"{name} {value}")
    return lines
