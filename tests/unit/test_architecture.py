"""Imports flow one way: cli -> device | operator | tenant -> infra -> core (docs/development.md).

Walks every module of the package with ``ast`` (imports inside functions count too) and checks:
- each layer imports only the layers it may;
- the three products never import each other;
- ``<product>.cli`` packages are leaves (only the same cli package imports them);
- ``core`` uses only the standard library;
- each third-party library is confined to the modules named in THIRD_PARTY_HOMES.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "c8ylink"

ALLOWED_LAYERS: dict[str, set[str]] = {
    "core": {"core"},
    "infra": {"core", "infra"},
    "device": {"core", "infra", "device"},
    "operator": {"core", "infra", "operator"},
    "tenant": {"core", "infra", "tenant"},
    "cli": {"core", "infra", "device", "operator", "tenant", "cli", "demo"},
    "demo": {"core", "infra", "device", "operator", "tenant", "cli", "demo"},
    "": {"core"},  # c8ylink/__init__.py
}

# third-party top-level module -> module prefixes allowed to import it
THIRD_PARTY_HOMES: dict[str, tuple[str, ...]] = {
    "cryptography": ("c8ylink.infra.tls", "c8ylink.infra.cert_subject"),
    "httpx2": ("c8ylink.infra.net",),
    "httpx": ("c8ylink.infra.net",),
    "paho": (),  # one MQTT client (infra.net.mqtt_session); paho is only the tests' independent peer
    "aiomqtt": (),
    "rich": ("c8ylink.infra.output",),
    "tomlkit": ("c8ylink.infra.files",),
    "questionary": ("c8ylink.infra.prompts",),
    "prompt_toolkit": ("c8ylink.infra.prompts",),
    "aiohttp": ("c8ylink.tenant",),
    "click": ("c8ylink.infra.cli", "c8ylink.cli", "c8ylink.device.cli", "c8ylink.operator.cli",
              "c8ylink.tenant.cli", "c8ylink.demo"),
    "pyotp": ("c8ylink.tenant", "c8ylink.operator", "c8ylink.infra"),
    "segno": ("c8ylink.infra.output", "c8ylink.operator"),
    "supervisor": ("c8ylink.demo",),
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> list[tuple[str, Path]]:
    return sorted((module_name(p), p) for p in (SRC / PACKAGE).rglob("*.py"))


def imports_of(name: str, path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                drop = node.level - 1 if is_package else node.level
                base = base[: len(base) - drop] if drop else base
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def layer_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def cli_package_of(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) > 2 and parts[2] == "cli" and parts[1] in {"device", "operator", "tenant"}:
        return ".".join(parts[:3])
    return None


MODULES = all_modules()


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_module_respects_the_layers(name: str, path: Path) -> None:
    layer = layer_of(name)
    problems = []
    for imported in imports_of(name, path):
        top = imported.split(".")[0]
        if top == PACKAGE:
            target_layer = layer_of(imported)
            if target_layer and target_layer not in ALLOWED_LAYERS.get(layer, set()):
                problems.append(f"{name} ({layer}) imports {imported} ({target_layer})")
            target_cli = cli_package_of(imported)
            if target_cli and cli_package_of(name) != target_cli:
                problems.append(f"{name} imports {imported}: cli packages are leaves")
        elif top in sys.stdlib_module_names or top == "__future__":
            continue
        elif layer == "core":
            problems.append(f"{name} (core) imports third-party {imported}")
        elif top in THIRD_PARTY_HOMES and not name.startswith(THIRD_PARTY_HOMES[top]):
            problems.append(f"{name} imports {top}, which lives only in {THIRD_PARTY_HOMES[top]}")
    assert not problems, "\n".join(problems)


def test_the_walk_sees_the_whole_package() -> None:
    names = {name for name, _ in MODULES}
    assert "c8ylink.core.errors" in names
    assert "c8ylink.device.cli.root" in names
