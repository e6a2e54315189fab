"""The block ``tedge connect c8y`` prints before it does anything (pure; tedge.md §3.2, the user docs).

    connect to Cumulocity cloud.:
        device id: my-device
        cloud profile: <none>
        cloud host: mytenant.cumulocity.com:8883
        auth type: Certificate
        certificate file: /etc/tedge/device-certs/tedge-certificate.pem
        cryptoki: false
        bridge: mosquitto
        service manager: systemd
        mosquitto version: 2.0.11
        proxy: Not configured

The titles are thin-edge.io 1.x's (the command's description followed by ``:``), as the user docs show.
"""

from __future__ import annotations

from c8ylink.device.connect.config import ConnectConfig

CONNECT_TITLE = "connect to Cumulocity cloud."
TEST_TITLE = "test connection to Cumulocity cloud."
RECONNECT_TITLE = "reconnect to Cumulocity cloud."
DISCONNECT_TITLE = "Disconnecting from Cumulocity:"


def render_summary(title: str, config: ConnectConfig, service_manager: str) -> str:
    connection = config.connection
    entries = [
        ("device id", connection.device_id),
        ("cloud profile", connection.profile_label),
        ("cloud host", str(connection.mqtt)),
        ("auth type", "Basic" if config.basic_auth else "Certificate"),
    ]
    if config.basic_auth:
        entries.append(("credentials path", connection.credentials_path))
    else:
        entries.append(("certificate file", connection.cert_path))
        entries.append(("cryptoki", _cryptoki(config)))
    entries.append(("bridge", "built-in" if connection.built_in_bridge else "mosquitto"))
    entries.append(("service manager", service_manager))
    if config.mosquitto_version is not None:
        entries.append(("mosquitto version", config.mosquitto_version.text))
    if config.proxy is None:
        entries.append(("proxy", "Not configured"))
    else:
        entries.append(("proxy_url", config.proxy))
    return f"{title}:" + "".join(f"\n\t{name}: {value}" for name, value in entries)


def _cryptoki(config: ConnectConfig) -> str:
    if config.cryptoki_mode == "off":
        return "false"
    if config.key_uri:
        return f"{config.cryptoki_mode} (key: {config.key_uri})"
    return config.cryptoki_mode
