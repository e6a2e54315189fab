"""`tedge-apt-plugin` as tedge-agent runs it (a process): `list` on this machine's real dpkg database,
filtered by apt.name / apt.maintainer from tedge.toml or by flags; install/remove through an `apt-get`
stand-in on PATH that records its arguments (nothing is installed on the test machine)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import write_tedge_toml

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs a Debian system"),
]
PLUGIN = str(Path(sys.executable).parent / "tedge-apt-plugin")
RECORDER = """#!/bin/sh
out="$(dirname "$0")/apt-get.args"
for a in "$@"; do echo "$a"; done > "$out"
for a in "$@"; do case "$a" in /*.deb) [ -e "$a" ] && echo exists >> "$out";; esac; done
exit "${APT_EXIT:-0}"
"""


def run(config: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{config / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run([PLUGIN, "--config-dir", str(config), *args], input=stdin, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "PATH": path, **env},
                          check=False)  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "bin").mkdir()
    recorder = tmp_path / "bin/apt-get"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    return tmp_path


def installed() -> list[tuple[str, str, str]]:
    out = subprocess.run(["dpkg-query", "-f", "${Package}\t${Version}\t${Maintainer}\t${Status}\n", "-W"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = [line.split("\t") for line in out.splitlines()]
    return [(row[0], row[1], row[2]) for row in rows if row[3] == "install ok installed"]


def test_apt_name_and_apt_maintainer_filter_the_list(config: Path) -> None:
    everything = run(config, "list")
    assert everything.returncode == 0, everything.stderr
    assert everything.stdout.splitlines() == [f"{name}\t{version}" for name, version, _ in installed()]
    write_tedge_toml(config, {"apt.name": "python3.*"})
    by_name = run(config, "list").stdout.splitlines()
    assert by_name and by_name == [f"{n}\t{v}" for n, v, _ in installed() if n.startswith("python3")]
    maintainer = installed()[0][2]
    write_tedge_toml(config, {"apt.maintainer": maintainer.split()[0] + ".*"})
    by_maintainer = run(config, "list").stdout.splitlines()
    assert f"{installed()[0][0]}\t{installed()[0][1]}" in by_maintainer
    assert len(by_maintainer) < len(installed()) or all(m == maintainer for _, _, m in installed())
    # a flag wins over the configuration (the other pattern still comes from it: name OR maintainer)
    write_tedge_toml(config, {"apt.name": "python3.*"})
    assert run(config, "list", "--name", "bash").stdout.splitlines() == [
        f"{n}\t{v}" for n, v, _ in installed() if n == "bash"
    ]
    bad = run(config, "list", "--name", "(")
    assert bad.returncode == 1 and "fails to list packages" in bad.stderr


def args(config: Path) -> list[str]:
    return (config / "bin/apt-get.args").read_text().splitlines()


def test_apt_dpk_options_config_reaches_apt_get(config: Path) -> None:
    done = run(config, "install", "jq", "--module-version", "1.7")
    assert done.returncode == 0, done.stderr
    assert args(config) == ["--quiet", "--yes", "-o", "DPkg::Options::=--force-confold", "install",
                            "--allow-downgrades", "--no-install-recommends", "jq=1.7"]  # fmt: skip
    write_tedge_toml(config, {"apt.dpk.options.config": "keepnew"})
    assert run(config, "update-list", stdin="install\tjq\tlatest\nremove\tvim\t\n").returncode == 0
    assert args(config)[3] == "DPkg::Options::=--force-confnew" and args(config)[-2:] == ["jq", "vim-"]
    assert run(config, "remove", "vim").returncode == 0 and args(config)[-2:] == ["remove", "vim"]
    failed = run(config, "install", "nothing", APT_EXIT="100")
    assert failed.returncode == 2


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_a_package_file_is_checked_then_installed_under_a_deb_name(config: Path, tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(
        "Package: tedge-test-pkg\nVersion: 1.2\nArchitecture: all\nMaintainer: t <t@example.com>\n"
        "Description: test\n"
    )
    subprocess.run(["dpkg-deb", "--build", str(root), str(tmp_path / "download")], check=True,
                   capture_output=True)  # fmt: skip
    done = run(
        config, "install", "tedge-test-pkg", "--module-version", "1.2", "--file", str(tmp_path / "download")
    )
    assert done.returncode == 0, done.stderr
    assert args(config)[-2].endswith("/tedge-test-pkg.deb") and args(config)[-1] == "exists"
    wrong = run(config, "install", "other", "--file", str(tmp_path / "download"))
    assert wrong.returncode == 5 and "Metadata mismatch" in wrong.stderr and "Package 'other'" in wrong.stderr
    junk = tmp_path / "junk"
    junk.write_text("not a package")
    assert run(config, "install", "x", "--file", str(junk)).returncode == 5
