"""Start-up cost is a feature: ``--help`` of every console script imports no heavy library.

Each script declared in pyproject.toml runs ``--help`` in a fresh interpreter; afterwards none of
the network, crypto, table, prompt or broker libraries may be in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["httpx2", "httpx", "cryptography", "rich", "paho", "aiohttp", "amqtt", "questionary", "tomlkit",
         "segno", "pyotp", "ssl", "asyncio"]  # fmt: skip

SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]

PROBE = """
import contextlib, io, sys, importlib
module, attr = sys.argv[1].split(":")
main = getattr(importlib.import_module(module), attr)
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code
loaded = {m.split(".")[0] for m in sys.modules}
import json
heavy = sorted(loaded & set(json.loads(sys.argv[-1])))
print(json.dumps({"code": code, "heavy": heavy, "help": out.getvalue()}))
"""


@pytest.mark.parametrize(("script", "target"), sorted(SCRIPTS.items()))
@pytest.mark.parametrize("args", [["--help"]], ids=["help"])
def test_help_imports_nothing_heavy(script: str, target: str, args: list[str]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.replace("sys.argv[2:]", "sys.argv[2:-1]"),
            target,
            *args,
            json.dumps(HEAVY),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] in (0, None)
    assert "Usage:" in report["help"]
    assert report["heavy"] == [], f"{script} --help imported {report['heavy']}"


# the quick answers of `tedge` (device.cli.main) import not even click, typing, re or tomllib
# (--help wraps its text with textwrap, which needs re)
QUICK_FORBIDDEN = [*HEAVY, "click", "typing", "re", "tomllib", "pathlib"]
HELP_FORBIDDEN = [name for name in QUICK_FORBIDDEN if name != "re"]


def test_tedge_help_is_answered_without_click() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[2:]", "sys.argv[2:-1]"), SCRIPTS["tedge"], "--help",
         json.dumps(HELP_FORBIDDEN)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] == 0
    assert "Usage: tedge" in report["help"]
    assert report["heavy"] == [], f"tedge --help imported {report['heavy']}"


def test_tedge_config_get_imports_nothing_heavy(tmp_path: Path) -> None:
    """`tedge config get` is what scripts call in loops: not even click, typing, re or a TOML library."""
    (tmp_path / "tedge.toml").write_text('[c8y]\nurl = "mytenant.cumulocity.com"\n')
    args = ["--config-dir", str(tmp_path), "config", "get", "c8y.url"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[2:]", "sys.argv[2:-1]"), SCRIPTS["tedge"], *args,
         json.dumps(QUICK_FORBIDDEN)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] in (0, None)
    assert report["help"] == "mytenant.cumulocity.com\n"
    assert report["heavy"] == [], f"tedge config get imported {report['heavy']}"


def _probe(
    target: str, args: list[str], forbidden: list[str], env: dict[str, str] | None = None
) -> dict[str, object]:
    probe = PROBE.replace("sys.argv[2:]", "sys.argv[2:-1]")
    argv = [sys.executable, "-c", probe, target, *args, json.dumps(forbidden)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_c8y_help_is_answered_without_click() -> None:
    report = _probe(SCRIPTS["c8y"], ["--help"], HELP_FORBIDDEN)
    assert report["code"] == 0 and "Usage: c8y" in str(report["help"])
    assert report["heavy"] == [], f"c8y --help imported {report['heavy']}"


def test_c8y_piped_sessions_list_imports_nothing_heavy(tmp_path: Path) -> None:
    """What scripts and pickers call: json and os only (json needs re), no click, no network, no crypto."""
    import os

    sessions = tmp_path / ".cumulocity"
    sessions.mkdir()
    (sessions / "a.json").write_text('{"host": "https://a.example.com", "username": "u"}')
    forbidden = [name for name in QUICK_FORBIDDEN if name != "re"]
    report = _probe(
        SCRIPTS["c8y"], ["sessions", "list"], forbidden, env={**os.environ, "HOME": str(tmp_path)}
    )
    assert report["code"] == 0
    assert '"host":"https://a.example.com"' in str(report["help"])
    assert report["heavy"] == [], f"c8y sessions list imported {report['heavy']}"


@pytest.mark.parametrize(
    "command", [["sessions", "--help"], ["sessions", "login", "--help"], ["settings", "--help"]]
)
def test_c8y_subcommand_help_imports_nothing_heavy(command: list[str]) -> None:
    report = _probe(SCRIPTS["c8y"], command, HEAVY)
    assert report["code"] in (0, None) and "Usage: c8y" in str(report["help"])
    assert report["heavy"] == [], f"c8y {' '.join(command)} imported {report['heavy']}"


@pytest.mark.parametrize(
    "args",
    [["cert", "--help"], ["cert", "create", "--help"], ["cert", "download", "c8y", "--help"],
     ["cert", "upload", "c8y", "--help"], ["cert", "renew", "c8y", "--help"]],
    ids=lambda args: " ".join(args[:-1]),
)  # fmt: skip
def test_tedge_cert_help_imports_nothing_heavy(args: list[str]) -> None:
    """`tedge cert ... --help` loads neither cryptography nor the HTTP client."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[2:]", "sys.argv[2:-1]"), SCRIPTS["tedge"], *args,
         json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] in (0, None)
    assert "Usage:" in report["help"]
    assert report["heavy"] == [], f"tedge {' '.join(args)} imported {report['heavy']}"


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("tedge", ["connect", "c8y", "--help"]),
        ("tedge", ["disconnect", "c8y", "--help"]),
        ("tedge", ["reconnect", "c8y", "--help"]),
        ("tedge", ["mqtt", "pub", "--help"]),
        ("tedge", ["mqtt", "sub", "--help"]),
        ("c8ylink", ["services", "supervisord", "--help"]),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_subcommand_help_imports_nothing_heavy(script: str, args: list[str]) -> None:
    report = _probe(SCRIPTS[script], args, HEAVY)
    assert report["code"] in (0, None) and "Usage:" in str(report["help"])
    assert report["heavy"] == [], f"{script} {' '.join(args)} imported {report['heavy']}"


REST_PROBE = """
import contextlib, io, json, sys
from c8ylink.operator.cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
loaded = {m.split(".")[0] for m in sys.modules}
specs = sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("c8ylink.operator.api.specs."))
runner = "c8ylink.operator.api.runner" in sys.modules
print(json.dumps({"help": out.getvalue(), "specs": specs, "runner": runner, "heavy": sorted(loaded & HEAVY)}))
"""


@pytest.mark.parametrize(
    "command",
    [["devices", "--help"], ["devices", "list", "--help"], ["deviceregistration", "--help"],
     ["devicemanagement", "certificates", "--help"], ["api", "--help"]],
    ids=" ".join,
)  # fmt: skip
def test_c8y_rest_help_imports_only_its_own_spec(command: list[str]) -> None:
    """`c8y <group> --help` loads that group's spec module and no other, and nothing heavy."""
    probe = REST_PROBE.replace("HEAVY", repr(set(HEAVY)))
    argv = [sys.executable, "-c", probe, *command]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "Usage: c8y" in report["help"]
    assert report["heavy"] == [], f"c8y {' '.join(command)} imported {report['heavy']}"
    assert report["specs"] == ([] if command[0] == "api" else [command[0]])
    assert not report["runner"]


def test_c8y_devices_list_runs_without_click_or_heavy_modules(tmp_path: Path) -> None:
    """Every pipeline stage is a new `c8y`: a plain REST command imports no click, no httpx2, no
    http.client/email, no dataclasses and no typing (see docs/operator.md, bench/rest_client.py)."""
    import os

    sessions = tmp_path / ".cumulocity"
    sessions.mkdir()
    (sessions / "s.json").write_text('{"host": "https://t1.example.com", "tenant": "t1", "username": "u"}')
    forbidden = [*HEAVY, "click", "http", "email", "dataclasses", "typing", "inspect"]
    forbidden.remove("ssl")  # the request needs it (here: --dry, but the module graph is the same)
    report = _probe(
        SCRIPTS["c8y"], ["devices", "list", "--session", "s", "--dry", "--dryFormat", "json", "--nullInput"],
        forbidden,
        env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert report["code"] in (0, None)
    assert '"path":"/inventory/managedObjects"' in str(report["help"])
    assert report["heavy"] == [], f"c8y devices list imported {report['heavy']}"


# the hot path: the modules the hottest invocations load, listed once in docs/development.md
def hot_path_modules() -> frozenset[str]:
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    block = text.split("```hot-path\n", 1)[1].split("```", 1)[0]
    modules: set[str] = set()
    for line in block.splitlines():
        package, _, leaves = line.partition(":")
        for leaf in leaves.split():
            if leaf == "*":
                directory = ROOT / "src" / package.replace(".", "/")
                modules.update(
                    f"{package}.{path.stem}" for path in directory.glob("*.py") if path.stem != "__init__"
                )
            else:
                modules.add(f"{package}.{leaf}")
    parents = {".".join(name.split(".")[:n]) for name in modules for n in range(1, name.count(".") + 1)}
    return frozenset(modules | parents)


HOT_PATH = hot_path_modules()


def source_module(path: Path) -> str:
    parts = list(path.relative_to(ROOT / "src").with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_hot_path_modules_exist() -> None:
    src = ROOT / "src"
    missing = [
        name for name in sorted(HOT_PATH)
        if not (src.joinpath(*name.split(".")).with_suffix(".py").is_file()
                or (src.joinpath(*name.split(".")) / "__init__.py").is_file())
    ]  # fmt: skip
    assert not missing, f"docs/development.md lists modules that do not exist: {missing}"


def test_the_start_up_idioms_are_used_only_on_the_hot_path() -> None:
    """`TYPE_CHECKING = False` and `core.records.NamedTuple` where start-up needs them; plain typing
    elsewhere."""
    users = [
        source_module(path)
        for path in sorted((ROOT / "src" / "c8ylink").rglob("*.py"))
        if "TYPE_CHECKING = False" in (text := path.read_text(encoding="utf-8"))
        or "c8ylink.core.records" in text
    ]
    assert users, "the idioms are found"
    off_path = [name for name in users if name not in HOT_PATH]
    assert not off_path, f"not on the hot path of docs/development.md, use plain typing: {off_path}"


LOADED_PROBE = """
import contextlib, io, json, sys, importlib
module, attr = sys.argv[1].split(":")
main = getattr(importlib.import_module(module), attr)
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.startswith("c8ylink"))}))
"""


@pytest.mark.parametrize(
    ("script", "args"),
    [("tedge", ["--help"]), ("tedge", ["--config-dir", "{dir}", "config", "get", "c8y.url"]),
     ("c8y", ["--help"]), ("c8y", ["devices", "--help"]), ("c8y", ["users", "--help"]),
     ("c8y", ["sessions", "list"]),
     ("c8y", ["devices", "list", "--session", "s", "--dry", "--dryFormat", "json", "--nullInput"])],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)  # fmt: skip
def test_the_hot_invocations_load_only_the_hot_path(script: str, args: list[str], tmp_path: Path) -> None:
    import os

    (tmp_path / "tedge.toml").write_text('[c8y]\nurl = "mytenant.cumulocity.com"\n')
    (tmp_path / ".cumulocity").mkdir()
    (tmp_path / ".cumulocity" / "s.json").write_text('{"host": "https://t1.example.com", "username": "u"}')
    argv = [sys.executable, "-c", LOADED_PROBE, SCRIPTS[script], *(a.format(dir=tmp_path) for a in args)]
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] in (0, None)
    off_path = [name for name in report["loaded"] if name not in HOT_PATH]
    assert not off_path, (
        f"{script} {' '.join(args)} loads modules missing from docs/development.md: {off_path}"
    )
