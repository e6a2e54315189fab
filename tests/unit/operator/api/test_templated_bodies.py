"""A ``--template`` completes the body before what the body needs is checked (as upstream), and with the
pipeline flag on the command line each piped line is the template's ``input.value``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from c8ylink.operator.cli.root import c8y


def dry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""
) -> tuple[int, str, list[dict[str, Any]]]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(c8y, [*args, "--dry", "--dryFormat", "json"], input=stdin)
    requests = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, result.output, requests


def test_a_required_body_flag_can_come_from_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output, requests = dry(
        tmp_path, monkeypatch, "identity", "create", "--device", "12345", "--type", "c8y_Serial",
        "--template", "{externalId: 'sn-01'}",
    )  # fmt: skip
    assert code == 0, output
    assert [request["body"] for request in requests] == [{"type": "c8y_Serial", "externalId": "sn-01"}]


def test_what_neither_the_flags_nor_the_template_give_is_still_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output, requests = dry(
        tmp_path, monkeypatch, "identity", "create", "--device", "12345", "--type", "c8y_Serial",
        "--template", "{other: 1}",
    )  # fmt: skip
    assert (code, requests) == (101, [])
    assert "missing --name (external id)" in output
    code, output, _ = dry(tmp_path, monkeypatch, "identity", "create", "--device", "12345", "--type", "x")
    assert code == 101 and "missing --name (external id)" in output


def test_a_required_body_key_can_come_from_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output, requests = dry(
        tmp_path, monkeypatch, "users", "create", "--template", "{email: 'a@b.c', userName: $.email}"
    )
    assert code == 0, output
    assert requests[0]["body"]["userName"] == "a@b.c"
    code, output, _ = dry(tmp_path, monkeypatch, "users", "create", "--template", "{email: 'a@b.c'}")
    assert code == 101 and "missing userName in the body" in output


def test_with_the_pipeline_flag_given_each_piped_line_is_the_templates_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = [
        {"id": "1", "type": "t1", "time": "2026-01-01T00:00:00Z", "c8y_T": {"T": {"value": 1}}},
        {"id": "2", "type": "t2", "time": "2026-01-02T00:00:00Z", "c8y_T": {"T": {"value": 2}}},
    ]
    code, output, requests = dry(
        tmp_path, monkeypatch, "measurements", "create", "--device", "22222", "--template", "input.value",
        stdin="".join(json.dumps(item) + "\n" for item in piped),
    )  # fmt: skip
    assert code == 0, output
    bodies = [request["body"] for request in requests]
    assert [(body["source"]["id"], body["type"], body["c8y_T"]["T"]["value"]) for body in bodies] == [
        ("22222", "t1", 1),
        ("22222", "t2", 2),
    ]


def test_with_the_pipeline_flag_and_nothing_piped_there_is_one_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output, requests = dry(
        tmp_path, monkeypatch, "measurements", "create", "--device", "22222", "--type", "t",
        "--template", "{c8y_T: {T: {value: 3}}}",
    )  # fmt: skip
    assert code == 0, output
    assert len(requests) == 1 and requests[0]["body"]["source"]["id"] == "22222"
