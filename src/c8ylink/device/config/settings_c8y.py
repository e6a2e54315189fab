"""The ``c8y.*`` keys of ``tedge.toml`` (each also exists per profile as ``c8y.profiles.<name>.*``).

Part of the TEDGE schema in ``device.config.settings``; kept apart only for size. Docs are our own words.
"""

from __future__ import annotations

from c8ylink.core.settings.durations import DurationType
from c8ylink.core.settings.hosts import ConnectUrlType, HostPortType
from c8ylink.core.settings.schema import Derived, FromKey, InConfigDir, Key, Literal
from c8ylink.core.settings.types import (
    BoolType,
    EnumType,
    IntType,
    IpAddrType,
    PathType,
    StrListType,
    StrType,
    TopicPrefixType,
)

STR, BOOL, PATH, LIST, DURATION, IP = (
    StrType(),
    BoolType(),
    PathType(),
    StrListType(),
    DurationType(),
    IpAddrType(),
)
PORT = IntType(minimum=0, maximum=65535)

TRUE, FALSE = Literal("true"), Literal("false")

AUTH_METHOD = EnumType(
    ("certificate", "basic", "auto"),
    "Failed to parse flag: {value}. Supported values are: 'certificate', 'basic' or 'auto'",
    aliases=(("password", "basic"),),
)
LOCAL_CLEANSESSION = EnumType(
    ("auto", "true", "false"), "Failed to parse flag: {value}. Supported values are: true, false, auto"
)
SOFTWARE_MANAGEMENT_API = EnumType(
    ("legacy", "advanced"),
    "Failed to parse flag: {value}. Supported values are: legacy, advanced",
    aliases=(("Legacy", "legacy"), ("Advanced", "advanced")),
)
AUTO_LOG_UPLOAD = EnumType(
    ("always", "never", "on-failure"),
    "Failed to parse flag: {value}. Supported values are: 'never', 'always' or 'on-failure'",
)

DEVICE_ID_MISSING = (
    "The device id is read from the device certificate.\n"
    "To set 'device.id' to some <id>, you can use `tedge cert create --device-id <id>`."
)
DEVICE_ID_CONFLICT = (
    "'{key}' is read from the Common Name of the device certificate {source} ('{value}'): "
    "a different value set here would be ignored.\n"
    "To use another device id, create a new certificate: `tedge cert create --device-id <id>`."
)
DEVICE_ID_EXAMPLE = "Raspberrypi-4d18303a-6d3a-11eb-b1a6-175f6bb72665"

C8Y_TOPICS = (
    "te/+/+/+/+,te/+/+/+/+/twin/+,te/+/+/+/+/m/+,te/+/+/+/+/m/+/meta,te/+/+/+/+/e/+,te/+/+/+/+/a/+,"
    "te/+/+/+/+/status/health"
)


def _feature(name: str, what: str, deprecated: tuple[str, ...] = ()) -> Key:
    return Key(
        f"c8y.enable.{name}",
        BOOL,
        f"Whether the Cumulocity mapper supports {what}",
        ("true",),
        default=TRUE,
        deprecated=deprecated,
    )


C8Y_KEYS: tuple[Key, ...] = (
    Key("c8y.url", ConnectUrlType(), "The domain name of the Cumulocity tenant, without scheme, port or path",
        ("your-tenant.cumulocity.com",)),
    Key("c8y.root_cert_path", PathType(what="file or directory"),
        "Where the certificates that Cumulocity's server certificate is checked against are stored",
        ("/etc/tedge/c8y-trusted-root-certificates.pem",),
        note="The value can be a directory path as well as the path of the certificate file.",
        default=Literal("/etc/ssl/certs")),
    Key("c8y.auth_method", AUTH_METHOD,
        "How the device authenticates to Cumulocity: with its certificate or with a username and password",
        ("certificate", "basic", "auto"),
        note="In the auto mode, basic auth is used if c8y.credentials_path is set",
        default=Literal("certificate")),
    Key("c8y.credentials_path", PATH, "The file holding the username and password for basic authentication",
        ("/etc/tedge/credentials.toml",), note="The value must be the path of the credentials file.",
        default=InConfigDir("credentials.toml")),
    Key("c8y.http", HostPortType(default_port=443),
        "The HTTP endpoint of the Cumulocity tenant, with an optional port (443 when left out)",
        ("http.your-tenant.cumulocity.com:1234",), default=FromKey("c8y.url")),
    Key("c8y.mqtt", HostPortType(default_port=8883),
        "The MQTT endpoint of the Cumulocity tenant, with an optional port (8883 when left out)",
        ("mqtt.your-tenant.cumulocity.com:1234",), default=FromKey("c8y.url")),
    Key("c8y.mtls", HostPortType(default_port=8443),
        "The mutual-TLS HTTPS endpoint of the Cumulocity tenant, where the device gets a token with its "
        "certificate, with an optional port (8443 when left out)",
        ("your-tenant.cumulocity.com:8443",),
        note="Not a thin-edge.io setting: c8ylink uses it for `tedge cert renew --ca c8y`",
        default=FromKey("c8y.http", host_only=True)),
    Key("c8y.topics", LIST, "The local MQTT topics the Cumulocity mapper subscribes to",
        ("te/+/+/+/+/a/+,te/+/+/+/+/m/+,te/+/+/+/+/e/+",), default=Literal(C8Y_TOPICS)),
    Key("c8y.device.id", STR,
        "The device id used for this Cumulocity connection; read from the certificate at "
        "c8y.device.cert_path when there is one",
        (DEVICE_ID_EXAMPLE,), default=FromKey("device.id"),
        derived=Derived("certificate_cn", "c8y.device.cert_path", DEVICE_ID_MISSING, DEVICE_ID_CONFLICT)),
    Key("c8y.device.key_path", PATH, "The private key of the device for this Cumulocity connection",
        ("/etc/tedge/device-certs/tedge-private-key.pem",), default=FromKey("device.key_path")),
    Key("c8y.device.cert_path", PATH, "The certificate of the device for this Cumulocity connection",
        ("/etc/tedge/device-certs/tedge-certificate.pem",), default=FromKey("device.cert_path")),
    Key("c8y.device.csr_path", PATH,
        "The certificate signing request of the device for this Cumulocity connection",
        ("/etc/tedge/device-certs/tedge.csr",), default=FromKey("device.csr_path")),
    Key("c8y.device.key_uri", STR,
        "A PKCS#11 URI (RFC 7512) of the private key for this Cumulocity connection",
        ("pkcs11:token=my-pkcs11-token;object=my-key",)),
    Key("c8y.device.key_pin", STR, "The PIN that unlocks c8y.device.key_uri on the PKCS#11 token",
        ("123456", "my-pin"), secret=True),
    Key("c8y.smartrest.templates", LIST, "The custom SmartREST 2.0 template ids the device subscribes to",
        ("templateId1,templateId2",), default=Literal("")),
    Key("c8y.smartrest.use_operation_id", BOOL,
        "Report operation status with the operation id (SmartREST 504-506) instead of the name (501-503)",
        ("true",), default=TRUE),
    Key("c8y.smartrest.child_device.create_with_device_marker", BOOL,
        "Give child devices the c8y_IsDevice fragment when they are created", ("false",), default=FALSE),
    Key("c8y.smartrest1.templates", LIST, "The SmartREST 1.0 template ids the device subscribes to",
        ("templateId1,templateId2",), default=Literal("")),
    _feature("log_upload", "log file uploads", deprecated=("c8y.enable.log_management",)),
    _feature("config_snapshot", "configuration snapshots"),
    _feature("config_update", "configuration updates"),
    _feature("firmware_update", "firmware updates"),
    _feature("device_profile", "device profiles"),
    _feature("device_restart", "device restarts"),
    _feature("software_update", "software updates"),
    Key("c8y.mapper.mqtt.max_payload_size",
        IntType(minimum=1, maximum=268435455,
                error="Invalid MQTT payload size limit: {value}. Provide a value between 0 and 268435455 "
                "bytes"),
        "The largest MQTT payload (bytes) the mapper sends to Cumulocity", ("16184",),
        default=Literal("16184")),
    Key("c8y.proxy.cert_path", PATH,
        "The server certificate of the local Cumulocity HTTP proxy (enables HTTPS)",
        ("/etc/tedge/device-certs/c8y_proxy_certificate.pem",)),
    Key("c8y.proxy.key_path", PATH, "The server private key of the local Cumulocity HTTP proxy",
        ("/etc/tedge/device-certs/c8y_proxy_key.pem",)),
    Key("c8y.proxy.ca_path", PATH,
        "The CA certificates the local Cumulocity HTTP proxy checks client certificates against",
        ("/etc/ssl/certs",)),
    Key("c8y.proxy.bind.address", IP, "The address the local Cumulocity HTTP proxy listens on",
        ("127.0.0.1",), default=Literal("127.0.0.1")),
    Key("c8y.proxy.bind.port", PORT, "The port the local Cumulocity HTTP proxy listens on",
        ("8001",), default=Literal("8001")),
    Key("c8y.proxy.client.host", STR, "The host clients reach the local Cumulocity HTTP proxy on",
        ("127.0.0.1", "192.168.1.2", "tedge-hostname"), default=Literal("127.0.0.1")),
    Key("c8y.proxy.client.port", PORT, "The port clients reach the local Cumulocity HTTP proxy on",
        ("8001",), default=FromKey("c8y.proxy.bind.port")),
    Key("c8y.bridge.topic_prefix", TopicPrefixType(),
        "The local topic prefix of bridged messages: with 'c8y', a message published on c8y/s/us goes to "
        "Cumulocity's s/us", ("c8y",), default=Literal("c8y")),
    Key("c8y.bridge.keepalive_interval", DURATION,
        "How long the bridge stays silent before it pings Cumulocity", ("60s",), default=Literal("60s")),
    Key("c8y.bridge.include.local_cleansession",
        LOCAL_CLEANSESSION,
        "The local clean-session flag of the bridge (needs mosquitto 2.0 or later)", ("auto",),
        note="With 'auto' the flag follows the version of mosquitto that is detected.",
        default=Literal("auto")),
    Key("c8y.bridge.restart_timeout", DURATION,
        "How long the mosquitto bridge waits before it reconnects to Cumulocity after losing the connection",
        ("5s",), note="A c8ylink key. Unset, mosquitto's own back-off applies (5s to 30s, with jitter); "
        "set, the bridge always waits this long (whole seconds)."),
    Key("c8y.connection_check.attempts", IntType(minimum=1, maximum=100),
        "How often `tedge connect` checks that Cumulocity answers through the bridge before it gives up",
        ("3",), note="A c8ylink key (thin-edge.io 1.x checks 3 times).", default=Literal("3")),
    Key("c8y.connection_check.timeout", DURATION,
        "How long one connection check waits for a message through the bridge before it fails",
        ("10s",), note="A c8ylink key (thin-edge.io has no key for it).", default=Literal("10s")),
    Key("c8y.connection_check.retry_interval", DURATION,
        "The wait before the second connection check; it doubles before each further one (at most 30s)",
        ("2s",), note="A c8ylink key (thin-edge.io has no key for it).", default=Literal("2s")),
    Key("c8y.software_management.api",
        SOFTWARE_MANAGEMENT_API,
        "Which Cumulocity software management API is used: legacy or advanced", ("advanced",),
        default=Literal("legacy")),
    Key("c8y.software_management.with_types", BOOL,
        "Publish the c8y_SupportedSoftwareTypes fragment to the inventory", ("true",), default=FALSE),
    Key("c8y.operations.auto_log_upload",
        AUTO_LOG_UPLOAD,
        "When the log of a finished operation is uploaded", ("always", "never", "on-failure"),
        default=Literal("on-failure")),
    Key("c8y.availability.enable", BOOL,
        "Send c8y_RequiredAvailability so Cumulocity tracks whether the device is alive", ("true",),
        default=TRUE),
    Key("c8y.availability.interval", DURATION,
        "The heartbeat interval sent as c8y_RequiredAvailability; below one minute (or 0) the device "
        "counts as "
        "in maintenance", ("60m",), default=Literal("60m")),
    Key("c8y.mqtt_service.enabled", BOOL, "Also connect to the Cumulocity MQTT service endpoint",
        ("true",), default=FALSE),
    Key("c8y.mqtt_service.topics", LIST, "The topics bridged from the Cumulocity MQTT service endpoint",
        ("incoming/topic,another/topic,test/topic",), default=Literal("")),
)  # fmt: skip
