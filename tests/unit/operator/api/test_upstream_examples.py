"""Every usage example go-c8y-cli ships for its REST commands runs as ``c8y ... --dry --dryFormat json``
(the click CLI, in-process, no session, no server) and builds requests with the method and path its
command declares. Names are not looked up here (``resolve`` answers one made-up id per name: the lookups
have their own tests); a stage that reads a pipe gets the first stage's ``echo`` text, or one JSON object
as another ``c8y`` command prints it.

Examples that need something not built are skipped, each with its reason (``SKIPS``). The files an
example uploads (``--file``) are made in a temporary directory; a file uploaded for its URL adds the
request to ``/inventory/binaries`` before the command's own.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from c8ylink.operator.api import execute
from c8ylink.operator.api.index import GROUPS, load_group
from c8ylink.operator.api.spec import CommandSpec
from c8ylink.operator.cli.root import c8y

# (a flag or the start of a word the example uses, why it is skipped)
SKIPS: tuple[tuple[str, str], ...] = (
    ('{\\"', "upstream's JSON is escaped inside single quotes: not valid as written"),
    ("--session", "names a session of the example's author, not one made here"),
)
PIPED_OBJECT = {
    "id": "12345", "name": "sensor01", "type": "c8y_Linux", "deviceId": "12345",
    "source": {"id": "12345"}, "managedObject": {"id": "12345"}, "key": "option1",
    "category": "c8y_cli_tests", "externalId": "sn-01", "userName": "myuser", "self": "https://{host}/user/t1/users/myuser",
}  # fmt: skip


def _examples() -> list[tuple[str, CommandSpec, str]]:
    found = []
    for group in sorted(GROUPS):
        for command in load_group(group).commands:
            found += [(group, command, example) for example in command.upstream_examples]
    return found


EXAMPLES = _examples()


def stages(example: str) -> list[list[str]]:
    lexer = shlex.shlex(example, posix=True, punctuation_chars="|")
    lexer.whitespace_split = True
    parts: list[list[str]] = [[]]
    redirect = False
    for token in lexer:
        if token == "|":
            parts.append([])
        elif token in (">", ">>", "2>"):  # the shell's redirection and its file are not arguments
            redirect = True
        elif redirect:
            redirect = False
        else:
            parts[-1].append(token)
    return parts


def piped_text(first: list[str]) -> str:
    if first and first[0] == "echo":
        words = [word for word in first[1:] if word not in ("-e", "-n")]
        text = " ".join(words)
        return text.replace("\\n", "\n") + "\n"
    return json.dumps(PIPED_OBJECT) + "\n"


def path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"({\w+})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$")


def skip_reason(stage: list[str]) -> str:
    """Why a stage cannot run here: a flag (``--file``, ``--file=x``) or a word's start (``{\\"``)."""
    for marker, reason in SKIPS:
        flag = marker.startswith("--")
        if any(word == marker or word.startswith(marker + "=" if flag else marker) for word in stage):
            return reason
    return ""


@pytest.fixture(autouse=True)
def no_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(
        kind: str, references: list[str], send: Any, *, flag: str, tenant: str = "", scope: str = ""
    ) -> list[str]:
        return [reference if reference.isdigit() else "4242" for reference in references]

    monkeypatch.setattr(execute, "resolve", resolve)

    def get_json(self: Any, plan: Any) -> Any:  # the repository entries installs.py reads
        entry = {"id": "4242", "name": "entry", "url": "https://example.com/x", "configurationType": "apt"}
        versions = {
            "c8y_Firmware": {"url": "https://example.com/fw"},
            "c8y_Software": {"url": "https://x/sw"},
        }
        return {**entry, "managedObjects": [{**entry, **versions}]}

    monkeypatch.setattr(execute.Executor, "get_json", get_json)


@pytest.mark.parametrize(
    ("group", "command", "example"), EXAMPLES, ids=[f"{c.name}: {e}"[:120] for _, c, e in EXAMPLES]
)
def test_upstream_example_builds_the_declared_request(
    group: str, command: CommandSpec, example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = ["c8y", group, *command.name.split(" ")]
    parts = stages(example)
    index = next(i for i, stage in enumerate(parts) if stage[: len(words)] == words)
    stage = parts[index]
    reason = skip_reason(stage)
    if reason:
        pytest.skip(reason)
    stdin = piped_text(parts[0]) if index > 0 else ""
    monkeypatch.chdir(tmp_path)
    for flag, value in itertools.pairwise(stage):
        if flag == "--file":
            (tmp_path / value).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / value).write_bytes(b"PK upload")
        elif flag == "--template" and value.endswith(".jsonnet"):
            (tmp_path / value).write_text("{c8y_Winding: {temperature: {value: 25, unit: 'C'}}}")
        elif flag == "--outputFileRaw":
            (tmp_path / value).parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(c8y, [*stage[1:], "--dry", "--dryFormat", "json"], input=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    requests = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert requests, result.output
    pattern = path_pattern(command.path)
    if command.path != "/inventory/binaries":  # a file uploaded first, for its URL (once per job)
        requests = [request for request in requests if request["path"] != "/inventory/binaries"]
    for number, request in enumerate(requests):
        if number and command.handler and not pattern.match(request["path"]):
            continue  # a handler's later steps (an upload, a subscription): checked in its e2e test
        assert request["method"] == command.method
        assert pattern.match(request["path"]), (request["path"], command.path)


def test_the_skipped_examples_are_few() -> None:
    skipped = [example for _, _, example in EXAMPLES if any(map(skip_reason, stages(example)))]
    assert len(EXAMPLES) >= 459
    assert len(skipped) <= 30, skipped
