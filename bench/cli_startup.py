"""CLI start-up: cold start of each command as a ratio to ``python -c pass``, side by side in one run.

Every row and the baseline are run in turn, ROUNDS times, in fresh interpreters (after one warm-up run
each, so byte code and file caches are in place, as on a device that has run the command before); the
result is the median. One line per row::

    cli-startup tedge --help: 2.1x python -c pass (median of 20: 46.2 ms vs 22.0 ms)

To measure another command, add a ``Row`` to ``ROWS`` (the console scripts are looked up next to the
interpreter running this file, i.e. in the virtualenv).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROUNDS = 20
TARGET = 2.5


def _tedge_with_url(config_dir: Path) -> None:
    (config_dir / "tedge.toml").write_text(
        '[config]\nversion = "2"\n\n[c8y]\nurl = "mytenant.cumulocity.com"\n'
    )


def _c8y_sessions(home: Path) -> None:
    """Ten session files under $HOME/.cumulocity (C8Y_SESSION_HOME), as an operator with a few tenants has."""
    import json

    sessions = home / ".cumulocity" / "customers"
    sessions.mkdir(parents=True, exist_ok=True)
    for n in range(10):
        document = {
            "host": f"https://t{n}.example.com",
            "tenant": f"t{n}",
            "username": "ops",
            "password": "{encrypted}00",
            "settings": {"session": {"mode": "prod"}},
        }
        (sessions / f"tenant-{n}.json").write_text(json.dumps(document, indent=2))


_API_SPEC = """\
group: {name: things, description: Things}
commands:
  - {name: list, description: List things, preset: {type: query-inventory, options: {value: has(x_Thing)}}}
  - name: get
    description: Get a thing
    method: GET
    path: inventory/managedObjects/{id}
    pathParameters: [{name: id, type: "id[]", pipeline: true, required: true, description: The thing}]
"""


def _c8y_extensions(home: Path) -> None:
    """Three installed extensions (with script commands and an ``api/`` spec) in their own data dir:
    ``c8y --help`` lists them without reading them."""
    for name in ("tools", "defaults", "devmgmt"):
        command = home / "extension-data" / "extensions" / f"c8y-{name}" / "commands" / "list"
        command.parent.mkdir(parents=True, exist_ok=True)
        command.write_text("#!/bin/sh\necho '{}'\n")
        command.chmod(0o755)
        (command.parent.parent / "extension.yaml").write_text('version: "v1"\n')
        (command.parent.parent / "api").mkdir(exist_ok=True)
        (command.parent.parent / "api" / "things.yaml").write_text(_API_SPEC)


@dataclass(frozen=True)
class Row:
    label: str
    argv: Sequence[str]  # argv[0] is a console script of this package
    setup: Callable[[Path], None] = field(default=lambda _: None)
    env: dict[str, str] = field(default_factory=dict)  # "{tmp}" is the run's temp dir
    target: float | None = TARGET  # None: shown for comparison (a leaf command imports click)


ROWS: list[Row] = [
    Row("tedge --help", ["tedge", "--help"]),
    Row("tedge config get c8y.url", ["tedge", "config", "get", "c8y.url"], _tedge_with_url),
    Row("c8y --help", ["c8y", "--help"]),
    Row("c8y devices --help", ["c8y", "devices", "--help"]),
    Row("c8y users --help", ["c8y", "users", "--help"]),
    Row("c8y sessions list (piped)", ["c8y", "sessions", "list"], _c8y_sessions),
    Row("c8y --help (3 extensions)", ["c8y", "--help"], _c8y_extensions,
        {"C8Y_SETTINGS_EXTENSIONS_DATADIR": "{tmp}/extension-data"}),
    Row("c8y devices list --help", ["c8y", "devices", "list", "--help"], target=None),
    Row("c8y tools things list --help (api/ spec)", ["c8y", "tools", "things", "list", "--help"],
        _c8y_extensions, {"C8Y_SETTINGS_EXTENSIONS_DATADIR": "{tmp}/extension-data"}, target=None),
]  # fmt: skip


def _run(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"cli-startup: {' '.join(argv)} failed: {completed.stderr.decode().strip()}")
    return elapsed


def main() -> int:
    bin_dir = Path(sys.executable).parent
    baseline = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(TEDGE_CONFIG_DIR=tmp, HOME=tmp, NO_COLOR="1")
        env.pop("C8Y_SESSION_HOME", None)
        commands: dict[str, list[str]] = {"python -c pass": baseline}
        targets = {row.label: row.target for row in ROWS}
        row_env: dict[str, dict[str, str]] = {"python -c pass": env}
        for row in ROWS:
            script = bin_dir / row.argv[0]
            if not script.exists():
                print(f"cli-startup {row.label}: skipped ({row.argv[0]} is not installed)")
                continue
            row.setup(Path(tmp))
            commands[row.label] = [str(script), *row.argv[1:]]
            row_env[row.label] = {**env, **{k: v.format(tmp=tmp) for k, v in row.env.items()}}
        timings: dict[str, list[float]] = {label: [] for label in commands}
        for label, argv in commands.items():
            _run(argv, row_env[label])  # warm-up: byte code and file cache
        for _ in range(ROUNDS):
            for label, argv in commands.items():
                timings[label].append(_run(argv, row_env[label]))
    base = statistics.median(timings.pop("python -c pass"))
    for label, samples in timings.items():
        median = statistics.median(samples)
        target = targets[label]
        goal = f"target <= {target}x" if target is not None else "no target: for comparison"
        print(
            f"cli-startup {label}: {median / base:.1f}x python -c pass "
            f"(median of {ROUNDS}: {median * 1000:.1f} ms vs {base * 1000:.1f} ms; {goal})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
