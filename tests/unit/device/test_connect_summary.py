"""The block `tedge connect c8y` prints first, exactly as the user docs show it."""

from __future__ import annotations

from collections.abc import Callable

from c8ylink.core.settings.resolve import Settings
from c8ylink.device.connect.bridge import BasicAuth
from c8ylink.device.connect.config import ConnectConfig
from c8ylink.device.connect.mosquitto import MosquittoVersion
from c8ylink.device.connect.summary import CONNECT_TITLE, RECONNECT_TITLE, TEST_TITLE, render_summary

SettingsOf = Callable[..., Settings]
ConfigOf = Callable[..., ConnectConfig]
DEFAULT = """
[device]
id = "my-device"
[c8y]
url = "mytenant.cumulocity.com"
"""
SECOND = """
[device]
id = "main-device"
[c8y]
url = "mytenant.cumulocity.com"
[c8y.profiles.second]
url = "second.example.com"
auth_method = "basic"
device = { id = "second-device" }
bridge = { topic_prefix = "c8y-second" }
proxy = { bind = { port = 8002 } }
"""
USER_DOC = """connect to Cumulocity cloud.:
\tdevice id: my-device
\tcloud profile: <none>
\tcloud host: mytenant.cumulocity.com:8883
\tauth type: Certificate
\tcertificate file: /etc/tedge/device-certs/tedge-certificate.pem
\tcryptoki: false
\tbridge: mosquitto
\tservice manager: systemd
\tmosquitto version: 2.0.11
\tproxy: Not configured"""


def test_the_user_docs_block(settings_of: SettingsOf, connect_config: ConfigOf) -> None:
    config = connect_config(settings_of(DEFAULT), version=MosquittoVersion("2.0.11"))
    assert render_summary(CONNECT_TITLE, config, "systemd") == USER_DOC


def test_without_a_mosquitto_version_the_line_is_left_out(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    config = connect_config(settings_of(DEFAULT), version=None)
    assert render_summary(CONNECT_TITLE, config, "systemd") == USER_DOC.replace(
        "\tmosquitto version: 2.0.11\n", ""
    )


def test_titles_of_test_and_reconnect(settings_of: SettingsOf, connect_config: ConfigOf) -> None:
    config = connect_config(settings_of(DEFAULT))
    assert render_summary(TEST_TITLE, config, "x").startswith("test connection to Cumulocity cloud.:\n")
    assert render_summary(RECONNECT_TITLE, config, "x").startswith("reconnect to Cumulocity cloud.:\n")


def test_basic_auth_shows_the_credentials_path_instead_of_the_certificate(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    config = connect_config(settings_of(SECOND), "second", credentials=BasicAuth("t/u", "p"), version=None)
    assert render_summary(CONNECT_TITLE, config, "supervisord") == (
        "connect to Cumulocity cloud.:\n"
        "\tdevice id: second-device\n"
        "\tcloud profile: second\n"
        "\tcloud host: second.example.com:8883\n"
        "\tauth type: Basic\n"
        "\tcredentials path: /etc/tedge/credentials.toml\n"
        "\tbridge: mosquitto\n"
        "\tservice manager: supervisord\n"
        "\tproxy: Not configured"
    )


def test_a_proxy_is_shown_with_its_password_masked(settings_of: SettingsOf, connect_config: ConfigOf) -> None:
    settings = settings_of(
        DEFAULT + '[proxy]\naddress = "http://proxy.example.com:8080"\nusername = "bob"\npassword = "pw"\n'
    )
    text = render_summary(CONNECT_TITLE, connect_config(settings), "systemd")
    assert text.endswith("\tproxy_url: http://bob:******@proxy.example.com:8080/")
    assert "pw" not in text.replace("proxy", "")


def test_an_hsm_key_shows_the_cryptoki_mode_and_key(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    settings = settings_of(
        DEFAULT.replace('id = "my-device"', 'id = "my-device"\nkey_uri = "pkcs11:object=k"')
        + '[device.cryptoki]\nmode = "socket"\n'
    )
    text = render_summary(CONNECT_TITLE, connect_config(settings), "systemd")
    assert "\tcryptoki: socket (key: pkcs11:object=k)\n" in text


def test_mosquitto_version_of_the_help_text() -> None:
    from c8ylink.device.connect.mosquitto import parse_mosquitto_help

    assert parse_mosquitto_help("mosquitto version 2.0.11") == MosquittoVersion("2.0.11")
    assert parse_mosquitto_help("mosquitto version 1.6.9").at_least_2 is False  # type: ignore[union-attr]
    assert parse_mosquitto_help("Error: unknown option") is None
