"""The settings reader (``tedge.toml``): any file content parses (``infra.files.parse_toml_text``, the
reader of ``load_toml_data``) and resolves against the tedge schema (``core.settings.build_settings``)
to settings or a ``C8yLinkError`` (``ConfigError``, ``FileAccessError`` for non-UTF-8 text)."""

from __future__ import annotations

import harness

with harness.instrumented():
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.core.settings.resolve import build_settings
    from c8ylink.device.config.settings import TEDGE
    from c8ylink.infra.files import parse_toml_text

SEEDS = [
    b'[c8y]\nurl = "example.cumulocity.com"\n[mqtt]\nbind.port = 1883\n',
    b'device.id = "dev1"\n[c8y.bridge]\ninclude.local_cleansession = "auto"\n',
    b'[mqtt.client]\nhost = "127.0.0.1"\nport = 8883\nauth.ca_file = "/etc/ssl/ca.pem"\n',
    b'[c8y]\nsmartrest.templates = ["a", "b"]\nproxy.bind.port = 8001\n[http]\nbind.address = "::1"\n',
    b"[profiles.c8y.second]\nurl = 'x'\n[c8y]\nenable.log_upload = true\n",
    b"a = [[[[1]]]]\n[x.y.z]\nq = 1979-05-27T07:32:00Z\n",
]


def one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # read_text refuses it with FileAccessError before parsing
    with harness.expected(C8yLinkError):
        document = parse_toml_text(text, "/etc/tedge/tedge.toml")
        build_settings(
            TEDGE, file_data=document, file_name="/etc/tedge/tedge.toml", env={}, config_dir="/etc/tedge",
            cwd="/",
        )  # fmt: skip


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
