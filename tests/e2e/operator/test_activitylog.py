"""The activity log as upstream writes it (one JSON line per command and per request, in
``<session home>/activitylog/c8y.activitylog.<date>.json``) and ``c8y activitylog list`` reading it
back: ``--logMessage``, ``--noLog``, ``settings.activityLog.enabled|path|methodFilter``, and the
``--type``/``--dateFrom``/``--dateTo``/``--filter`` of ``list``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def entries(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(folder.glob("c8y.activitylog.*.json"))
            for line in path.read_text().splitlines()]  # fmt: skip


def test_commands_and_their_requests_are_logged_and_listed(rest: C8y, sessions: Path) -> None:
    folder = sessions / "activitylog"
    name = unique("act-")
    created = rest("devices", "create", "--name", name, "--force", "--logMessage", "nightly check")
    assert created.code == 0, created.stderr
    written = entries(folder)
    command, request = written[-2:]
    assert command["type"] == "command" and command["arguments"][:2] == ["devices", "create"]
    assert command["message"] == "nightly check"
    assert request["type"] == "request" and request["ctx"] == command["ctx"]
    assert (request["method"], request["path"], request["statusCode"]) == (
        "POST",
        "/inventory/managedObjects",
        201,
    )
    assert request["responseSelf"].endswith(f"/inventory/managedObjects/{json.loads(created.stdout)['id']}")
    assert isinstance(request["responseTimeMS"], int)
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in folder.iterdir())
    text = "".join(path.read_text() for path in folder.iterdir())
    assert "Authorization" not in text and "Basic" not in text  # nothing secret

    listed = rest(
        "activitylog",
        "list",
        "--dateFrom",
        "-1h",
        "--filter",
        "method eq POST",
        "--select",
        "path,statusCode",
    )
    assert listed.code == 0, listed.stderr
    assert {"path": "/inventory/managedObjects", "statusCode": 201} in [
        json.loads(line) for line in listed.stdout.splitlines()
    ]
    commands = [
        json.loads(line) for line in rest("activitylog", "list", "--type", "command").stdout.splitlines()
    ]
    assert any(entry.get("message") == "nightly check" for entry in commands)
    assert rest("activitylog", "list", "--dateTo", "-1h").stdout == ""  # nothing older than an hour


def test_no_log_settings_and_method_filter(rest: C8y, sessions: Path, home: Path) -> None:
    folder = sessions / "activitylog"
    before = len(entries(folder))
    assert rest("devices", "list", "--noLog", "--pageSize", "1").code == 0
    assert rest("devices", "list", env={"C8Y_SETTINGS_ACTIVITYLOG_ENABLED": "false"}).code == 0
    assert len(entries(folder)) == before
    elsewhere = home / "logs"
    env = {"C8Y_SETTINGS_ACTIVITYLOG_PATH": str(elsewhere), "C8Y_SETTINGS_ACTIVITYLOG_METHODFILTER": "POST"}
    assert rest("devices", "list", env=env).code == 0
    assert [entry["type"] for entry in entries(elsewhere)] == ["command"]  # the GET is filtered out
    assert len(entries(folder)) == before
    listed = rest("activitylog", "list", "--type", "all", env=env)
    assert [json.loads(line)["type"] for line in listed.stdout.splitlines()] == ["command"]


def test_bad_dates_are_refused(rest: C8y) -> None:
    run = rest("activitylog", "list", "--dateFrom", "yesterday-ish")
    assert run.code == 101 and "dateFrom" in run.stderr and len(run.stderr.splitlines()) == 1
