"""How many of go-c8y-cli's commands ``c8y`` has: the 281 its specs declare (the facts in
``../shared/reference/go-c8y-cli-commands.json``) and the ones it writes by hand (``MANUAL``: its
``pkg/cmd/**/*.manual.go`` commands, ``alias`` and ``extensions``, as of v2). docs/differences.md lists
the ones still missing; ``python tests/unit/operator/test_command_count.py`` prints that list."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import click

from c8ylink.operator.api.index import GROUPS
from c8ylink.operator.cli.rest import build_group
from c8ylink.operator.cli.spec import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT / "src" / "c8ylink" / "operator" / "api" / "specs" / "upstream"
DOC = ROOT / "docs" / "differences.md"
BEGIN, END = "<!-- missing-commands:begin -->", "<!-- missing-commands:end -->"

MANUAL = (
    "activitylog list", "alarms assert count", "alarms subscribe", "alias delete", "alias list",
    "alias set", "api", "applications createHostedApplication", "applications open", "assert text",
    "cache delete", "cache renew", "cli install", "cli profile", "completion", "devices assert exists",
    "devices assert fragments", "deviceregistration register-basic", "deviceregistration register-ca",
    "events assert count", "events subscribe", "extensions create", "extensions delete",
    "extensions install", "extensions list", "extensions update", "firmware patches create",
    "firmware versions create", "inventory assert exists", "inventory assert fragments",
    "inventory subscribe", "inventory wait", "measurements assert count", "measurements subscribe",
    "microservices create", "microservices serviceuser create", "microservices serviceuser get",
    "notification2 subscriptions subscribe", "operations assert count", "operations subscribe",
    "operations wait", "realtime subscribe", "realtime subscribeAll", "sessions clear", "sessions clone",
    "sessions create", "sessions decryptText", "sessions encryptText", "sessions get", "sessions list",
    "sessions login", "sessions rotatePassphrase", "sessions set", "settings list", "settings update",
    "software versions create", "template execute", "ui plugins create", "util repeat", "util repeatcsv",
    "util repeatfile", "util show", "version",
)  # fmt: skip


def declared() -> list[str]:
    """Upstream's declared commands, from the copy in the package (``scripts/gen_specs.py`` writes it
    from the facts; ``tests/unit/operator/api/test_upstream.py`` checks it against them)."""
    found: list[str] = []
    for path in sorted(UPSTREAM.glob("*.json")):
        group = json.loads(path.read_text(encoding="utf-8"))
        found += [f"{group['group']} {command['name']}" for command in group["commands"]]
    return found


def _leaves(prefix: str, command: click.Command) -> list[str]:
    if not isinstance(command, click.Group):
        return [prefix]
    context = click.Context(command)
    found: list[str] = []
    for name in command.list_commands(context):  # lazy groups load their commands here
        sub = command.get_command(context, name)
        found += _leaves(f"{prefix} {name}", sub) if sub is not None else []
    return found


def ours() -> set[str]:
    found: set[str] = set()
    for name in GROUPS:  # the click tree as users get it (incl. the hand-written `subscribe`)
        found.update(_leaves(name, build_group(name)))
    for name, (target, _) in SUBCOMMANDS.items():
        module, _, attribute = target.partition(":")
        found.update(_leaves(name, getattr(importlib.import_module(module), attribute)))
    return {command.lower() for command in found}


def missing() -> list[str]:
    have = ours()
    return [command for command in [*declared(), *MANUAL] if command.lower() not in have]


def render_missing() -> str:
    return "\n" + "\n".join(f"- `c8y {command}`" for command in missing()) + "\n"


def test_every_declared_command_exists() -> None:
    assert len(declared()) == 281
    have = ours()
    assert [command for command in declared() if command.lower() not in have] == []


def test_the_count_and_the_missing_list_in_the_docs() -> None:
    total = len(declared()) + len(MANUAL)
    assert total - len(missing()) >= 330, missing()
    text = DOC.read_text(encoding="utf-8")
    assert text[text.index(BEGIN) + len(BEGIN) : text.index(END)] == render_missing()
    assert f"{total - len(missing())} of these {total}" in text


if __name__ == "__main__":
    print(
        render_missing(),
        f"{len(declared()) + len(MANUAL) - len(missing())} of {len(declared()) + len(MANUAL)}",
    )
