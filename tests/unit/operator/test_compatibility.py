"""go-c8y-cli can read our session files and we read theirs (go-c8y-cli.md §1.2; ARCHITECTURE.md)."""

from __future__ import annotations

import json
from pathlib import Path

from c8ylink.operator.modes import resolve_mode
from c8ylink.operator.sessions.model import SCHEMA_URL, format_session_document, normalize_host
from c8ylink.operator.sessions.store import load_session, save_session

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sessions"


def test_an_old_go_c8y_cli_file_reads_and_round_trips(tmp_path: Path) -> None:
    session = load_session(FIXTURES / "go-c8y-cli-old.json")
    assert (session.host, session.tenant, session.version) == (
        "https://t12345.eu-latest.cumulocity.com",
        "t12345",
        "1018.0.240",
    )
    assert session.use_tenant_prefix is False and session.password.startswith("{encrypted}")
    assert resolve_mode(flag=None, env={}, session_settings=session.settings) == "qual"  # legacy booleans
    copy = save_session(session, tmp_path / "copy.json")
    written = json.loads(copy.read_text())
    assert written["$schema"] == SCHEMA_URL and written["useTenantPrefix"] is False
    assert written["microserviceAliases"] == {"mymicro": "/service/mymicro"}
    assert written["settings"]["includeall"] == {"pagesize": 1000}
    assert "token" not in written and "totp" not in written  # empty strings are left out, as [new] writes
    assert load_session(copy) == load_session(copy)
    assert format_session_document(load_session(copy))["password"] == session.password


def test_the_user_docs_hand_written_file_with_a_trailing_comma() -> None:
    session = load_session(FIXTURES / "session1.json")
    assert normalize_host(session.host) == "https://example01.cumulocity.eu-latest.com"
    assert (session.username, session.password) == ("hello.user@example.com", "mys3cureP4assw!rd")


def test_an_old_files_confirmation_list_is_used(tmp_path: Path) -> None:
    """[old] files keep the confirmation next to the legacy switches: settings.mode.confirmation."""
    from c8ylink.operator.active import write_gate
    from c8ylink.operator.environment import Surroundings

    document = json.loads((FIXTURES / "go-c8y-cli-old.json").read_text())
    document["settings"]["mode"]["confirmation"] = "DELETE"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    where = Surroundings(env={}, cwd=tmp_path, user_home=tmp_path)
    assert write_gate(load_session(path), where).options.confirmation == {"DELETE"}
    overridden = where._replace(env={"C8Y_SETTINGS_SESSION_CONFIRMATION": "POST"})
    assert write_gate(load_session(path), overridden).options.confirmation == {"POST"}
