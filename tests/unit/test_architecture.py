"""Imports flow one way: cli -> device | operator | tenant -> infra -> core (docs/development.md).

Walks every module of the package with ``ast`` (imports inside functions count too) and checks:
- each layer imports only the layers it may;
- the three products never import each other;
- ``<product>.cli`` packages are leaves (only the same cli package imports them);
- ``core`` uses only the standard library;
- each third-party library is confined to the modules named in THIRD_PARTY_HOMES;
- what each product reaches (its modules and everything they import, lazily too) needs only the base
  dependencies of pyproject.toml plus the product's own extra;
- lazy ``"c8ylink.module:attribute"`` strings (``infra.cli.lazy.LazyGroup`` subcommands, API handlers,
  the console scripts of pyproject.toml) name a module and attribute that exist, and count as imports
  of the module that holds them (an umbrella ``c8ylink.cli`` module may name a product's cli package).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
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
    "httpx2": (),  # tests and benches only: both HTTP clients (sync, and the proxy's async one) are our own
    "paho": (),  # one MQTT client (infra.net.mqtt_session); paho is only the tests' independent peer
    "tomlkit": ("c8ylink.infra.files",),
    "questionary": ("c8ylink.infra.prompts",),
    "prompt_toolkit": ("c8ylink.infra.prompts",),
    "aiohttp": ("c8ylink.tenant",),
    "orjson": ("c8ylink.tenant.json_text",),  # the tenant's JSON text, for speed (bench/tenant_rest.py)
    "click": ("c8ylink.infra.cli", "c8ylink.cli", "c8ylink.device.cli", "c8ylink.operator.cli",
              "c8ylink.tenant.cli", "c8ylink.demo"),
    "pyotp": ("c8ylink.tenant", "c8ylink.operator"),
    "segno": ("c8ylink.operator",),
    "_jsonnet": ("c8ylink.operator.templates",),  # the jsonnet package: --template, only when used
    "jsonschema": ("c8ylink.operator.assertions",),  # c8y assert text --schema, only then
    "yaml": ("c8ylink.operator.sessions.yaml_files",),  # YAML session files, only when one is read
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


LAZY_TARGET = re.compile(r"c8ylink(?:\.\w+)+:\w+(?:\.\w+)*")


def lazy_targets_of(path: Path) -> Iterator[str]:
    """Every string constant of the module that is a ``"c8ylink.module:attribute"`` target."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and LAZY_TARGET.fullmatch(node.value)
        ):
            yield node.value


def references_of(name: str, path: Path) -> Iterator[str]:
    """What the module imports, directly or through a lazy target."""
    yield from imports_of(name, path)
    for target in lazy_targets_of(path):
        yield target.partition(":")[0]


def source_of(module: str) -> Path | None:
    base = SRC.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def top_level_names(path: Path) -> set[str]:
    """The names a module binds at its top level (also inside top-level ``if`` and ``try`` blocks)."""
    names: set[str] = set()
    statements = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while statements:
        node = statements.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.If, ast.Try)):
            statements.extend([*node.body, *node.orelse])
            if isinstance(node, ast.Try):
                statements.extend([*node.finalbody, *(s for h in node.handlers for s in h.body)])
    return names


def lazy_target_problem(target: str) -> str | None:
    """Why ``"module:attribute"`` cannot be loaded, or None."""
    module, _, attribute = target.partition(":")
    path = source_of(module)
    if path is None:
        return f"{target}: no module {module}"
    if attribute.split(".")[0] not in top_level_names(path):
        return f"{target}: {module} has no {attribute.split('.')[0]}"
    return None


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def console_scripts() -> dict[str, str]:
    return dict(pyproject()["project"]["scripts"])


def layer_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def cli_package_of(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) > 2 and parts[2] == "cli" and parts[1] in {"device", "operator", "tenant"}:
        return ".".join(parts[:3])
    return None


MODULES = all_modules()


def layer_problems(name: str, path: Path) -> list[str]:
    layer = layer_of(name)
    problems = []
    for imported in references_of(name, path):
        top = imported.split(".")[0]
        if top == PACKAGE:
            target_layer = layer_of(imported)
            if target_layer and target_layer not in ALLOWED_LAYERS.get(layer, set()):
                problems.append(f"{name} ({layer}) imports {imported} ({target_layer})")
            target_cli = cli_package_of(imported)
            if target_cli and cli_package_of(name) != target_cli and layer != "cli":
                problems.append(f"{name} imports {imported}: cli packages are leaves")
        elif top in sys.stdlib_module_names or top == "__future__":
            continue
        elif layer == "core":
            problems.append(f"{name} (core) imports third-party {imported}")
        elif top in THIRD_PARTY_HOMES and not name.startswith(THIRD_PARTY_HOMES[top]):
            problems.append(f"{name} imports {top}, which lives only in {THIRD_PARTY_HOMES[top]}")
    return problems


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_module_respects_the_layers(name: str, path: Path) -> None:
    problems = layer_problems(name, path)
    assert not problems, "\n".join(problems)


def test_the_walk_sees_the_whole_package() -> None:
    names = {name for name, _ in MODULES}
    assert "c8ylink.core.errors" in names
    assert "c8ylink.device.cli.root" in names


LAZY_TARGETS = sorted({(name, target) for name, path in MODULES for target in lazy_targets_of(path)})


@pytest.mark.parametrize(("name", "target"), LAZY_TARGETS, ids=[t for _, t in LAZY_TARGETS])
def test_lazy_targets_exist(name: str, target: str) -> None:
    assert lazy_target_problem(target) is None, f"{name}: {lazy_target_problem(target)}"


@pytest.mark.parametrize(("script", "target"), sorted(console_scripts().items()))
def test_console_scripts_exist(script: str, target: str) -> None:
    assert lazy_target_problem(target) is None, f"[project.scripts] {script}: {lazy_target_problem(target)}"


def test_the_lazy_targets_are_found() -> None:
    targets = {target for _, target in LAZY_TARGETS}
    assert "c8ylink.tenant.cli.root:tenant_cmd" in targets  # c8ylink.cli.root
    assert "c8ylink.device.cli.cert:cert_cmd" in targets  # c8ylink.device.cli.spec


def test_a_broken_lazy_target_is_named() -> None:
    assert lazy_target_problem("c8ylink.device.cli.gone:cert_cmd") == (
        "c8ylink.device.cli.gone:cert_cmd: no module c8ylink.device.cli.gone"
    )
    assert lazy_target_problem("c8ylink.device.cli.cert:gone_cmd") == (
        "c8ylink.device.cli.cert:gone_cmd: c8ylink.device.cli.cert has no gone_cmd"
    )


def test_a_lazy_target_across_the_layers_counts_as_an_import(tmp_path: Path) -> None:
    module = tmp_path / "spec.py"
    module.write_text('COMMANDS = {"login": ("c8ylink.operator.cli.login:login_cmd", "Log in")}\n')
    assert layer_problems("c8ylink.device.cli.spec", module) == [
        "c8ylink.device.cli.spec (device) imports c8ylink.operator.cli.login (operator)",
        "c8ylink.device.cli.spec imports c8ylink.operator.cli.login: cli packages are leaves",
    ]


# the pip extra of each product (the device side has none: it runs on the base dependencies)
PRODUCT_EXTRA: dict[str, str | None] = {"device": None, "operator": "operator", "tenant": "tenant"}
DISTRIBUTION_MODULE = {
    "paho-mqtt": "paho",
    "questionary": "questionary prompt_toolkit",
    "jsonnet": "_jsonnet",
    "pyyaml": "yaml",
}


def modules_of(requirements: list[str]) -> set[str]:
    names = (re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0] for requirement in requirements)
    return {module for name in names for module in DISTRIBUTION_MODULE.get(name, name).split()}


def third_party_reached_from(product: str) -> dict[str, str]:
    """Third-party top-level module -> one module of the product's reach that imports it."""
    paths = dict(MODULES)
    todo = [name for name in paths if layer_of(name) == product]
    seen: set[str] = set()
    found: dict[str, str] = {}
    while todo:
        name = todo.pop()
        if name in seen or name not in paths:
            continue
        seen.add(name)
        for imported in references_of(name, paths[name]):
            top = imported.split(".")[0]
            if top == PACKAGE:
                parts = imported.split(".")
                todo += [".".join(parts[:n]) for n in range(2, len(parts) + 1)]
            elif top not in sys.stdlib_module_names and top != "__future__":
                found.setdefault(top, name)
    return found


@pytest.mark.parametrize("product", sorted(PRODUCT_EXTRA))
def test_a_product_needs_only_the_base_and_its_extra(product: str) -> None:
    project = pyproject()["project"]
    extra = PRODUCT_EXTRA[product]
    allowed = modules_of(project["dependencies"])
    if extra is not None:
        allowed |= modules_of(project["optional-dependencies"][extra])
    reached = third_party_reached_from(product)
    problems = [f"{module} ({importer})" for module, importer in reached.items() if module not in allowed]
    assert not problems, f"{product} reaches beyond c8ylink[{extra or ''}]: " + ", ".join(problems)


def test_the_extras_table_matches_pyproject() -> None:
    from c8ylink.infra.extras import EXTRA_MODULES

    extras = pyproject()["project"]["optional-dependencies"]
    # dev and fuzz (make fuzz) are the developers' extras: no command of the products needs them
    declared = {name: modules_of(extras[name]) for name in extras if name not in ("dev", "fuzz")}
    assert {name: set(modules) for name, modules in EXTRA_MODULES.items()} == declared
