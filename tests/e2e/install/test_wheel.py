"""A wheel built from the repository, installed into a fresh venv without extras (a device install):
every `tedge` command's ``--help`` and the everyday commands work, and the operator's and the
tenant's commands name the extra they need in one line (no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
# the real pip cache (the isolation fixture gives each test a HOME of its own, computed later)
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
EXTRA_LIBRARIES = ("questionary", "pyotp", "segno", "aiohttp", "supervisor")
LIST_COMMANDS = """
import json, click
from c8ylink.device.cli.root import tedge
def walk(command, path):
    yield path
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            yield from walk(command.get_command(context, name), [*path, name])
print(json.dumps(list(walk(tedge, []))))
"""


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    def run(self, program: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / program), *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


def pip(*args: str) -> None:
    result = subprocess.run(
        [*args, "--quiet", "--disable-pip-version-check"],
        env={**os.environ, "PIP_CACHE_DIR": PIP_CACHE},
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def device_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    work = tmp_path_factory.mktemp("wheel")
    pip(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(ROOT))
    (wheel,) = (work / "dist").glob("c8ylink-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    venv = Venv(work / "venv")
    pip(str(venv.bin / "python"), "-m", "pip", "install", str(wheel))
    yield venv


def test_no_library_of_an_extra_is_installed(device_venv: Venv) -> None:
    result = device_venv.run(
        "python",
        "-c",
        f"import importlib.util as u; print([m for m in {EXTRA_LIBRARIES!r} if u.find_spec(m)])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_tedge_command_has_help(device_venv: Venv) -> None:
    listed = device_venv.run("python", "-c", LIST_COMMANDS)
    assert listed.returncode == 0, listed.stderr
    paths = json.loads(listed.stdout)
    assert ["init"] in paths and ["cert", "create", "c8y"] in paths
    for path in paths:
        result = device_venv.run("tedge", *path, "--help")
        assert result.returncode == 0, (path, result.stderr)
        assert result.stdout.startswith("Usage: tedge"), path
        assert result.stderr == "", path
    for program in ("tedge-mapper", "tedge-agent", "c8ylink"):
        result = device_venv.run(program, "--help")
        assert result.returncode == 0, (program, result.stderr)


def test_config_and_certificate_commands(device_venv: Venv, tmp_path: Path) -> None:
    config = {"TEDGE_CONFIG_DIR": str(tmp_path / "tedge")}
    assert device_venv.run("tedge", "--version").stdout == "tedge 0.1.0\n"
    result = device_venv.run("tedge", "config", "set", "c8y.url", "example.cumulocity.com", **config)
    assert result.returncode == 0, result.stderr
    result = device_venv.run("tedge", "config", "get", "c8y.url", **config)
    assert (result.returncode, result.stdout) == (0, "example.cumulocity.com\n")
    result = device_venv.run("tedge", "cert", "create", "--device-id", "wheel-device", **config)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tedge/device-certs/tedge-certificate.pem").is_file()
    result = device_venv.run("tedge", "cert", "show", **config)
    assert result.returncode == 0, result.stderr
    assert "CN=wheel-device" in result.stdout


def test_tedge_init_from_the_wheel(device_venv: Venv, tmp_path: Path) -> None:
    (tmp_path / "run/systemd/system").mkdir(parents=True)
    result = device_venv.run("tedge", "init", "--user", "root", "--group", "root", C8YLINK_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    unit = (tmp_path / "etc/systemd/system/tedge-mapper-c8y.service").read_text()
    assert f"ExecStart={device_venv.bin / 'tedge-mapper'} c8y\n" in unit
    # the diagnostic plugins are package data of the wheel
    from c8ylink.device.diag.plugins import SHIPPED

    plugins = tmp_path / "usr/share/tedge/diag-plugins"
    assert sorted(path.name for path in plugins.iterdir()) == sorted(SHIPPED)
    assert (plugins / "01_tedge.sh").read_bytes().startswith(b"#!/bin/sh\n")


def test_the_tenant_names_its_extra(device_venv: Venv, tmp_path: Path) -> None:
    result = device_venv.run("c8ylink", "tenant", "serve", "--data-dir", str(tmp_path / "tenant"))
    assert result.returncode != 0
    assert (
        result.stderr == "Error: c8ylink tenant serve needs the tenant extra: pip install 'c8ylink[tenant]'\n"
    )
    assert result.stdout == ""


def test_an_operator_prompt_names_its_extra(device_venv: Venv) -> None:
    # the session mode is chosen from a list (questionary) when c8y runs in a terminal
    child = pexpect.spawn(
        str(device_venv.bin / "c8y"),
        [
            "sessions",
            "create",
            "--host",
            "https://127.0.0.1:9",
            "--loginType",
            "BASIC",
            "--username",
            "u",
            "--password",
            "p",
            "--tenant",
            "t1",
        ],
        env={**os.environ, "TERM": "dumb"},
        encoding="utf-8",
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus != 0
    assert "c8y sessions create needs the operator extra: pip install 'c8ylink[operator]'" in output
    assert "Traceback" not in output
