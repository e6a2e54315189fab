"""TEDGE: the schema of ``tedge.toml``, every key declared once as data (thin-edge.io 1.x layout).

``tedge config get|set|unset|add|remove|list``, the ``TEDGE_<KEY>`` environment overrides, profiles
(``c8y.profiles.<name>.*``) and ``tedge config list --doc`` are all derived from ``TEDGE``. The order of
the keys is the order ``tedge config list`` prints them in (a group's own keys before its sub-groups).
Docs are our own words; names, defaults, examples and value rules are upstream's.
"""

from __future__ import annotations

from c8ylink.core.settings.durations import DurationType
from c8ylink.core.settings.hosts import ProxyUrlType
from c8ylink.core.settings.schema import Derived, FromKey, InConfigDir, Key, Literal, Schema
from c8ylink.core.settings.types import (
    BoolType,
    EnumType,
    IntType,
    IpAddrType,
    PathType,
    StrListType,
    StrType,
    TopicIdType,
)
from c8ylink.device.config.settings_c8y import (
    C8Y_KEYS,
    DEVICE_ID_CONFLICT,
    DEVICE_ID_EXAMPLE,
    DEVICE_ID_MISSING,
)

CONFIG_FILE = "tedge.toml"
ENV_PREFIX = "TEDGE_"
ENV_CONFIG_DIR = "TEDGE_CONFIG_DIR"
ENV_CLOUD_PROFILE = "TEDGE_CLOUD_PROFILE"
CERTIFICATE_CN = "certificate_cn"  # the deriver the device layer supplies for device.id

STR, BOOL, PATH, DURATION, IP = StrType(), BoolType(), PathType(), DurationType(), IpAddrType()
PORT = IntType(minimum=0, maximum=65535)
NONZERO_PORT = IntType(minimum=1, maximum=65535)
TRUE, FALSE = Literal("true"), Literal("false")
LIST = StrListType()
TIME_FORMAT = EnumType(
    ("rfc-3339", "unix"), "Failed to parse flag: {value}. Supported values are: rfc-3339, unix"
)
APT_DPKG_CONFIG = EnumType(
    ("keepold", "keepnew"), "Failed to parse flag: {value}. Supported values are: keepold, keepnew"
)
CRYPTOKI_MODE = EnumType(
    ("off", "module", "socket"), "Failed to parse flag: {value}. Supported values are: {choices}"
)

DEVICE_KEYS: tuple[Key, ...] = (
    Key("device.id", STR,
        "The identifier of the device in the fleet; globally unique, read from the device certificate",
        (DEVICE_ID_EXAMPLE,),
        derived=Derived(CERTIFICATE_CN, "device.cert_path", DEVICE_ID_MISSING, DEVICE_ID_CONFLICT)),
    Key("device.key_path", PATH, "The file holding the private key of the device",
        ("/etc/tedge/device-certs/tedge-private-key.pem",),
        default=InConfigDir("device-certs/tedge-private-key.pem")),
    Key("device.cert_path", PATH, "The file holding the certificate of the device",
        ("/etc/tedge/device-certs/tedge-certificate.pem",),
        default=InConfigDir("device-certs/tedge-certificate.pem")),
    Key("device.csr_path", PATH, "The file holding the certificate signing request of the device",
        ("/etc/tedge/device-certs/tedge.csr",), default=InConfigDir("device-certs/tedge.csr")),
    Key("device.key_uri", STR, "A PKCS#11 URI (RFC 7512) of the private key, when the key lives in an HSM",
        ("pkcs11:token=my-pkcs11-token;object=my-key",)),
    Key("device.key_pin", STR, "The PIN that unlocks device.key_uri on the PKCS#11 token",
        ("123456", "my-pin"), secret=True),
    Key("device.type", STR, "The type of the device, as it appears in the cloud", ("thin-edge.io",),
        default=Literal("thin-edge.io")),
    Key("device.cryptoki.mode",
        CRYPTOKI_MODE,
        "How a Hardware Security Module is used for the cloud connection: not at all (off), through a "
        "PKCS#11 module, or through the tedge-p11-server socket", ("off", "module", "socket"),
        default=Literal("off")),
    Key("device.cryptoki.module_path", PATH,
        "The PKCS#11 module to load when device.cryptoki.mode is 'module'",
        ("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",)),
    Key("device.cryptoki.pin", STR, "The default user PIN for the PKCS#11 token", ("123456",),
        default=Literal("123456"), secret=True),
    Key("device.cryptoki.uri", STR,
        "The PKCS#11 URI of the token or key tedge-p11-server uses when a client names none",
        ("pkcs11:token=my-pkcs11-token;object=my-key",)),
    Key("device.cryptoki.socket_path", PathType(absolute=False),
        "The tedge-p11-server socket used when device.cryptoki.mode is 'socket'",
        ("/run/tedge-p11-server/tedge-p11-server.sock",),
        default=Literal("/run/tedge-p11-server/tedge-p11-server.sock")),
)  # fmt: skip

CERTIFICATE_KEYS: tuple[Key, ...] = (
    Key("certificate.organization", STR, "The organization (O) in the subject of new certificates and CSRs",
        ("ACME",), default=Literal("Thin Edge")),
    Key("certificate.organization_unit", STR,
        "The organization unit (OU) in the subject of new certificates and CSRs",
        ("IoT",), default=Literal("Device")),
    Key("certificate.validity.requested_duration", DURATION, "How long a new certificate should be valid",
        ("365d",), note="The CA might return certificates valid for period shorter than requested",
        default=Literal("365d")),
    Key("certificate.validity.minimum_duration", DURATION,
        "The remaining validity below which a certificate should be renewed", ("30d",),
        note="This is an advisory setting and the renewal has to be scheduled", default=Literal("30d")),
)  # fmt: skip

MQTT_KEYS: tuple[Key, ...] = (
    Key("mqtt.topic_root", STR, "The root of the local MQTT topics", ("te",), default=Literal("te")),
    Key("mqtt.device_topic_id", TopicIdType(), "The topic identifier of this device",
        ("device/main//", "device/child_001//"), default=Literal("device/main//")),
    Key("mqtt.bind.address", IP, "The address the local broker listens on for tedge's own clients",
        ("127.0.0.1",), default=Literal("127.0.0.1")),
    Key("mqtt.bind.port", NONZERO_PORT, "The port the local broker listens on for tedge's own clients",
        ("1883",), default=Literal("1883"), deprecated=("mqtt.port",)),
    Key("mqtt.bind.enabled", BOOL,
        "Whether `tedge connect` writes the listener configuration of the local broker",
        ("true",), default=TRUE),
    Key("mqtt.client.host", STR, "The host tedge's MQTT clients connect to", ("127.0.0.1",),
        default=Literal("127.0.0.1")),
    Key("mqtt.client.port", NONZERO_PORT, "The port tedge's MQTT clients connect to", ("1883",),
        default=FromKey("mqtt.bind.port")),
    Key("mqtt.client.auth.ca_file", PATH, "The CA certificate MQTT clients check the local broker against",
        ("/etc/mosquitto/ca_certificates/ca.crt",), deprecated=("mqtt.client.auth.cafile",)),
    Key("mqtt.client.auth.ca_dir", PathType(what="directory"),
        "The directory of CA certificates MQTT clients check the local broker against",
        ("/etc/mosquitto/ca_certificates",), deprecated=("mqtt.client.auth.cadir",)),
    Key("mqtt.client.auth.cert_file", PATH, "The certificate MQTT clients present to the local broker",
        ("/etc/mosquitto/auth_certificates/cert.pem",), deprecated=("mqtt.client.auth.certfile",)),
    Key("mqtt.client.auth.key_file", PATH, "The private key of the certificate MQTT clients present",
        ("/etc/mosquitto/auth_certificates/key.pem",), deprecated=("mqtt.client.auth.keyfile",)),
    Key("mqtt.client.auth.username", STR, "The username MQTT clients log in to the local broker with",
        ("myuser",)),
    Key("mqtt.client.auth.password_file", PATH, "The file holding the password MQTT clients log in with",
        ("/etc/tedge/.client_password",)),
    Key("mqtt.client.reconnect_policy.initial_interval", DURATION,
        "How long tedge-mapper and tedge-agent wait before their first attempt to reconnect to the local "
        "broker; the wait doubles after each failed attempt", ("1s",),
        note="A c8ylink key, named after mqtt.bridge.reconnect_policy.*.", default=Literal("1s")),
    Key("mqtt.client.reconnect_policy.maximum_interval", DURATION,
        "The longest tedge-mapper and tedge-agent wait between attempts to reconnect to the local broker",
        ("30s",), note="A c8ylink key.", default=Literal("30s")),
    Key("mqtt.client.reconnect_policy.reset_window", DURATION,
        "How long a connection to the local broker must last before the reconnection delay starts over",
        ("10s",), note="A c8ylink key.", default=Literal("10s")),
    Key("mqtt.external.ca_path", PATH,
        "The CA certificates the external listener checks client certificates against", ("/etc/ssl/certs",),
        deprecated=("mqtt.external.capath",)),
    Key("mqtt.external.cert_file", PATH, "The server certificate of the external listener",
        ("/etc/tedge/device-certs/tedge-certificate.pem",),
        note="This setting shall be used together with `mqtt.external.key_file` for external connections.",
        deprecated=("mqtt.external.certfile",)),
    Key("mqtt.external.key_file", PATH, "The server private key of the external listener",
        ("/etc/tedge/device-certs/tedge-private-key.pem",),
        note="This setting shall be used together with `mqtt.external.cert_file` for external connections.",
        deprecated=("mqtt.external.keyfile",)),
    Key("mqtt.external.bind.port", PORT,
        "The port of an optional second, external listener of the local broker",
        ("8883",), deprecated=("mqtt.external.port",)),
    Key("mqtt.external.bind.address", IP, "The address the external listener binds to", ("0.0.0.0",)),
    Key("mqtt.external.bind.interface", STR,
        "The network interface the external listener accepts connections on",
        ("wlan0",)),
    Key("mqtt.bridge.built_in", BOOL, "Run the cloud bridge inside tedge-mapper instead of mosquitto",
        ("false",), note="After changing this value, run `tedge reconnect <cloud>` to apply the changes",
        default=FALSE),
    Key("mqtt.bridge.reconnect_policy.initial_interval", DURATION,
        "How long the built-in bridge waits before its first reconnection attempt", ("30s",),
        default=Literal("5s")),
    Key("mqtt.bridge.reconnect_policy.maximum_interval", DURATION,
        "The longest the built-in bridge waits between reconnection attempts", ("10m",),
        default=Literal("10m")),
    Key("mqtt.bridge.reconnect_policy.reset_window", DURATION,
        "How long a connection must last before the reconnection delay starts over", ("5m",),
        default=Literal("5m")),
)  # fmt: skip

OTHER_KEYS: tuple[Key, ...] = (
    Key("http.bind.port", PORT, "The port the File Transfer Service listens on", ("8000",),
        default=Literal("8000"),
        deprecated=("http.port",)),
    Key("http.bind.address", IP, "The address the File Transfer Service listens on",
        ("127.0.0.1", "192.168.1.2", "0.0.0.0"), default=FromKey("mqtt.bind.address")),
    Key("http.client.port", PORT, "The port clients reach the File Transfer Service on", ("8000",),
        default=FromKey("http.bind.port")),
    Key("http.client.host", STR, "The host clients reach the File Transfer Service on",
        ("127.0.0.1", "192.168.1.2", "tedge-hostname"), default=Literal("127.0.0.1")),
    Key("http.client.auth.cert_file", PATH,
        "The certificate tedge's HTTP clients present to the File Transfer Service and the local proxy "
        "when those check client certificates", ("/etc/tedge/device-certs/local-tedge.crt",)),
    Key("http.client.auth.key_file", PATH,
        "The private key of http.client.auth.cert_file", ("/etc/tedge/device-certs/local-tedge.key",)),
    Key("http.cert_path", PATH,
        "The server certificate of the File Transfer Service (it serves HTTPS when this and "
        "http.key_path are set)", ("/etc/tedge/device-certs/file_transfer_certificate.pem",)),
    Key("http.key_path", PATH, "The server private key of the File Transfer Service",
        ("/etc/tedge/device-certs/file_transfer_key.pem",)),
    Key("http.ca_path", PATH,
        "The CA certificates the File Transfer Service checks client certificates against (set: a "
        "client certificate is required)", ("/etc/ssl/certs",)),
    Key("agent.state.path", PATH, "The directory where tedge-agent keeps its state across restarts",
        ("/data/tedge/agent",),
        note="If the given directory doesn't exist, `/etc/tedge/.agent` is used as a fallback "
        "irrespective of the current setting.",
        default=Literal("/data/tedge/agent")),
    Key("agent.enable.config_update", BOOL, "Whether tedge-agent offers the config_update operation",
        ("true",), default=TRUE),
    Key("agent.enable.config_snapshot", BOOL, "Whether tedge-agent offers the config_snapshot operation",
        ("true",), default=TRUE),
    Key("agent.enable.log_upload", BOOL, "Whether tedge-agent offers the log_upload operation",
        ("true",), default=TRUE),
    Key("agent.entity_store.auto_register", BOOL,
        "Register child devices and services when they first publish",
        ("true",), default=TRUE, deprecated=("c8y.entity_store.auto_register",)),
    Key("agent.entity_store.clean_start", BOOL,
        "On a clean start, send the whole state of the device, its services and child devices to the "
        "cloud again",
        ("true",), default=TRUE, deprecated=("c8y.entity_store.clean_start",)),
    Key("software.plugin.default", STR,
        "The software plugin used for modules whose software type is not given", ("apt",)),
    Key("software.plugin.max_packages", IntType(minimum=0, maximum=4294967295),
        "The most software modules reported for each software type", ("1000",), default=Literal("1000")),
    Key("software.plugin.include", STR,
        "A regular expression: only the software modules whose name matches it are reported",
        ("^(tedge|c8y).*",)),
    Key("software.plugin.exclude", STR,
        "A regular expression: the software modules whose name matches it are not reported",
        ("^(glibc|lib|kernel-|iptables-module).*",)),
    Key("run.path", PATH, "The directory for runtime information such as lock files", ("/run",),
        default=Literal("/run")),
    Key("run.lock_files", BOOL, "Whether tedge services create lock files", ("true",), default=TRUE),
    Key("run.log_memory_interval", DURATION,
        "How often services log their memory use (seconds when no unit is given); 0 turns it off", ("60s",),
        default=Literal("0")),
    Key("logs.path", PATH, "The directory for logs, such as the logs of the operations tedge-agent runs",
        ("/var/log/tedge",), default=Literal("/var/log/tedge")),
    Key("tmp.path", PATH, "The temporary directory files are downloaded to on the device", ("/tmp",),
        default=Literal("/tmp")),
    Key("data.path", PATH, "The directory for data such as the file transfer service's files",
        ("/var/tedge",), default=Literal("/var/tedge")),
    Key("firmware.child.update.timeout", DURATION,
        "How long a firmware update of a child device may take before it fails", ("1h",),
        default=Literal("1h")),
    Key("service.type", STR, "The type of the service managed objects that tedge creates", ("systemd",),
        default=Literal("service")),
    Key("service.timestamp_format", TIME_FORMAT,
        "The format of the time in the health messages of tedge's services", ("rfc-3339", "unix"),
        default=Literal("unix")),
    Key("apt.name", STR,
        "A regular expression: the apt plugin lists only the packages whose name matches it", ("tedge.*",)),
    Key("apt.maintainer", STR,
        "A regular expression: the apt plugin lists only the packages whose maintainer matches it",
        ("thin-edge.io team.*",)),
    Key("apt.dpk.options.config", APT_DPKG_CONFIG,
        "Which configuration files the apt plugin keeps when a package is installed (dpkg "
        "--force-confold or --force-confnew)", ("keepold", "keepnew"),
        note="If set to 'keepold', this keeps the old configuration files of the package that is being "
        "installed", default=Literal("keepold")),
    Key("sudo.enable", BOOL,
        "Whether tedge uses sudo to run plugins and to write files it may not own", ("true", "false"),
        default=TRUE),
    Key("proxy.address", ProxyUrlType(),
        "The HTTP CONNECT proxy (scheme://host:port) used to reach the cloud over HTTP and the built-in "
        "bridge",
        ("http://proxy.example.com:8080",)),
    Key("proxy.username", STR, "The username for the proxy", ("proxyuser",)),
    Key("proxy.password", STR, "The password for the proxy", ("secret",), secret=True),
    Key("proxy.no_proxy", STR, "Hosts reached without the proxy, comma-separated",
        ("127.0.0.1,example.com,192.168.1.0/24",)),
    Key("diag.plugin_paths", LIST, "The directories of diagnostic plugins",
        ("/usr/share/diag-plugins,/etc/tedge/diag-plugins",),
        default=Literal("/usr/share/tedge/diag-plugins")),
    Key("log.plugin_paths", LIST, "The directories of log plugins",
        ("/usr/share/log-plugins,/etc/tedge/log-plugins",),
        default=Literal("/usr/share/tedge/log-plugins")),
    Key("configuration.plugin_paths", LIST, "The directories of configuration plugins",
        ("/usr/share/tedge/config-plugins,/usr/local/share/tedge/config-plugins",),
        default=Literal("/usr/share/tedge/config-plugins")),
)  # fmt: skip

# tedge.toml version 1 names that version 2 moved (tedge migrates them on load)
MOVED_KEYS: dict[str, str] = {
    "mqtt.bind_address": "mqtt.bind.address",
    "mqtt.client_host": "mqtt.client.host",
    "mqtt.client_port": "mqtt.client.port",
    "mqtt.client_ca_file": "mqtt.client.auth.ca_file",
    "mqtt.client_ca_path": "mqtt.client.auth.ca_dir",
    "mqtt.client_auth.cert_file": "mqtt.client.auth.cert_file",
    "mqtt.client_auth.key_file": "mqtt.client.auth.key_file",
    "mqtt.external_port": "mqtt.external.bind.port",
    "mqtt.external_bind_address": "mqtt.external.bind.address",
    "mqtt.external_bind_interface": "mqtt.external.bind.interface",
    "mqtt.external_capath": "mqtt.external.ca_path",
    "mqtt.external_certfile": "mqtt.external.cert_file",
    "mqtt.external_keyfile": "mqtt.external.key_file",
    "http.bind_address": "http.bind.address",
    "c8y.smartrest_templates": "c8y.smartrest.templates",
}

TEDGE = Schema(
    keys=(*DEVICE_KEYS, *CERTIFICATE_KEYS, *C8Y_KEYS, *MQTT_KEYS, *OTHER_KEYS),
    multi=("c8y",),
    moved=MOVED_KEYS,
    marker=("config.version", "2"),
    unknown_key="Unknown tedge config key: '{key}'",
    env_prefix=ENV_PREFIX,
    env_ignore=frozenset({"CONFIG_DIR", "CLOUD_PROFILE"}),
)
