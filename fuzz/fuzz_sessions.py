"""The go-c8y-cli session-file reader (``operator.sessions.store.parse_session_text`` and
``operator.sessions.model.parse_session_document``, what ``load_session`` runs): any file content, as
JSON or as TOML, is a session or a ``C8yLinkError`` (``SessionError``)."""

from __future__ import annotations

from pathlib import Path

import harness

with harness.instrumented():
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.operator.sessions.model import parse_session_document
    from c8ylink.operator.sessions.store import parse_session_text

JSON_FILE, TOML_FILE = Path("/home/u/.cumulocity/s.json"), Path("/home/u/.cumulocity/s.toml")
SEEDS = [
    b'{"host": "https://t1.example.com", "tenant": "t1", "username": "admin", "password": "p"}',
    b'{"host": "example.com", "username": "u", "password": "{encrypted}abcd", "loginType": "BASIC"}',
    b'{"host": "https://h", "settings": {"defaults": {"pageSize": 5}, "mode": {"enableCreate": true}}}',
    b'{"host": "https://h:8443/", "token": "a.b.c", "loginType": "OAUTH2_INTERNAL"}',
    b'Thost = "https://h"\nusername = "u"\n[settings.defaults]\npageSize = 3\n',
]


def one_input(data: bytes) -> None:
    path = TOML_FILE if data[:1] == b"T" else JSON_FILE
    try:
        text = data[1:].decode("utf-8") if path is TOML_FILE else data.decode("utf-8")
    except UnicodeDecodeError:
        return  # read_text refuses it with FileAccessError before parsing
    with harness.expected(C8yLinkError):
        parse_session_document(parse_session_text(text, path), path=str(path))


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
