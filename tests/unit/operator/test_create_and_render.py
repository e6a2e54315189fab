"""`sessions create` answers -> file (§1.5); global flags before the command; output rendering; the
c8y error line."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import ApiError, SessionError, UsageError
from c8ylink.infra.output.render import render_document, render_rows, select_document, select_paths
from c8ylink.operator.cli.errors import render_c8y_error
from c8ylink.operator.cli.root import hoist_global_options
from c8ylink.operator.sessions.create import NewSession, build_session
from c8ylink.operator.sessions.model import format_session_document


def test_create_writes_upstream_settings_for_each_flag() -> None:
    name, session = build_session(
        NewSession(
            host="t1.example.com",
            username="alice",
            password="s3cret",
            mode="qual",
            login_type="browser",
            browser_callback="localhost:8008/mycb",
            no_tenant_prefix=True,
            encrypt=True,
            allow_insecure=True,
        )
    )
    assert name == "t1.example.com-alice.json"
    document = format_session_document(session)
    assert document["host"] == "https://t1.example.com" and document["useTenantPrefix"] is False
    assert document["settings"] == {
        "activityLog": {"enabled": True},
        "session": {"mode": "qual", "confirmation": "PUT POST DELETE"},
        "login": {"type": "BROWSER"},
        "sso": {"browserCallbackUrl": "localhost:8008/mycb"},
        "encryption": {"enabled": True, "cachePassphrase": True},
        "defaults": {"insecure": True},
    }


def test_create_no_storage_and_required_username() -> None:
    _, session = build_session(NewSession(host="h", username="u", password="p", no_storage=True))
    assert session.password == "" and session.setting("storage.storePassword") is False
    with pytest.raises(SessionError, match="a username is required"):
        build_session(NewSession(host="h", login_type="OAUTH2_INTERNAL"))
    assert build_session(NewSession(host="h", login_type="DEVICE"))[0] == "h.json"
    with pytest.raises(SessionError, match="invalid login type"):
        build_session(NewSession(host="h", login_type="SAML"))
    with pytest.raises(UsageError, match="invalid mode"):
        build_session(NewSession(host="h", username="u", mode="staging"))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--session", "x", "sessions", "get"], ["sessions", "get", "--session", "x"]),
        (["-k", "--sessionMode=dev", "sessions", "get"], ["sessions", "get", "-k", "--sessionMode=dev"]),
        (["sessions", "get", "--session", "x"], ["sessions", "get", "--session", "x"]),
        (["--help"], ["--help"]),
    ],
)
def test_global_flags_before_the_command_move_behind_it(argv: list[str], expected: list[str]) -> None:
    assert hoist_global_options(argv) == expected


def test_select_and_render() -> None:
    document = {"session": {"home": "/h", "mode": "dev"}, "host": "https://h", "Tenant": "t1"}
    assert select_paths(document, ["session.home"]) == {"session.home": "/h"}
    assert select_paths(document, ["tenant,host"]) == {"Tenant": "t1", "host": "https://h"}
    assert select_paths(document, ["name:host"]) == {"name": "https://h"}
    assert select_paths(document, ["session.*"]) == {"session.home": "/h", "session.mode": "dev"}
    assert select_document(document, ["session.home"], "json") == {"session": {"home": "/h"}}
    assert select_document(document, ["session.home"], "csv") == {"session.home": "/h"}
    assert render_document({"session.home": "/h"}, "csv") == "/h\n"
    assert render_document({"a": 1, "b": True}, "csvheader") == "a,b\n1,true\n"
    assert (
        render_document({"session.home": "/h"}, "table")
        == "| session.home |\n|--------------|\n| /h           |\n"
    )
    assert render_rows([{"a": 1}, {"a": 2}], "json", compact=True) == '{"a":1}\n{"a":2}\n'
    with pytest.raises(UsageError, match="invalid --output 'xml'"):
        render_document({}, "xml")


def test_error_lines() -> None:
    api = ApiError(
        404, "https://h/inventory/managedObjects/1", {"error": "inventory/Not Found", "message": "gone"}
    )
    assert (
        render_c8y_error(api)
        == "serverError: gone GET https://h/inventory/managedObjects/1: 404 inventory/Not Found"
    )
    assert render_c8y_error(SessionError("bad file")) == "userError: bad file"
