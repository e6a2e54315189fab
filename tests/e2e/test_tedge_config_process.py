"""The real `tedge` console script as a process: config round trip, the documented connect error, an
unreadable configuration directory, a corrupt tedge.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TEDGE = Path(sys.executable).parent / "tedge"


def tedge(
    *args: str, config_dir: Path, env: Mapping[str, str] | None = None, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TEDGE_CONFIG_DIR": str(config_dir), **(env or {})}
    return subprocess.run(
        [*prefix, str(TEDGE), *args], env=environment, capture_output=True, text=True, check=False, timeout=60
    )


def test_set_get_list_unset_round_trip(tmp_path: Path) -> None:
    config_dir = tmp_path / "tedge"
    assert tedge("config", "set", "c8y.url", "mytenant.cumulocity.com", config_dir=config_dir).returncode == 0
    got = tedge("config", "get", "c8y.url", config_dir=config_dir)
    assert (got.returncode, got.stdout, got.stderr) == (0, "mytenant.cumulocity.com\n", "")
    listed = tedge("config", "list", "c8y.mqtt", config_dir=config_dir)
    assert listed.stdout.splitlines()[0] == "c8y.mqtt=mytenant.cumulocity.com:8883"
    assert tedge("config", "unset", "c8y.url", config_dir=config_dir).returncode == 0
    missing = tedge("config", "get", "c8y.url", config_dir=config_dir)
    assert (missing.returncode, missing.stderr) == (1, "The provided config key: 'c8y.url' is not set\n")


def test_unknown_key_exits_2(tmp_path: Path) -> None:
    result = tedge("config", "get", "no.such.key", config_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: invalid value 'no.such.key' for '<KEY>': Unknown tedge config key"
    )


def test_connect_without_url_prints_the_documented_error(tmp_path: Path) -> None:
    result = tedge("connect", "c8y", config_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: failed to execute `tedge connect`.\n"
        "\n"
        "Caused by:\n"
        "    Required configuration item is not provided 'c8y.url', "
        "run 'tedge config set c8y.url <value>' to add it to config.\n"
    )


def test_corrupt_file_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "tedge.toml"
    path.write_text('[c8y]\nurl = "a.example.com"\n[c8y]\n')
    for args in (("config", "get", "c8y.url"), ("config", "set", "c8y.url", "b.example.com")):
        result = tedge(*args, config_dir=tmp_path)
        assert result.returncode == 1
        assert f"Failed to parse {path}: TOML parse error at line 3" in result.stderr
        assert "Traceback" not in result.stderr
    assert path.read_text() == '[c8y]\nurl = "a.example.com"\n[c8y]\n'


@pytest.fixture
def unreadable_config_dir() -> Iterator[tuple[Path, Sequence[str]]]:
    """A config dir this test's `tedge` cannot read: owned by us with mode 0700, read as another user when
    we are root (root reads everything), else mode 0000."""
    base = Path(tempfile.mkdtemp(prefix="tedge-perm-"))
    base.chmod(0o755)
    config_dir = base / "etc-tedge"
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_text('[c8y]\nurl = "a.example.com"\n')
    prefix: Sequence[str] = ()
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop privileges")
        prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
        config_dir.chmod(0o700)
        probe = subprocess.run([*prefix, sys.executable, "-c", "pass"], capture_output=True, check=False)
        if probe.returncode != 0:
            pytest.skip("the unprivileged user cannot run this interpreter")
    else:
        config_dir.chmod(0)
    try:
        yield config_dir, prefix
    finally:
        config_dir.chmod(0o755)
        shutil.rmtree(base)


@pytest.mark.parametrize(
    "args", [("config", "get", "c8y.url"), ("config", "set", "c8y.url", "b.example.com"), ("connect", "c8y")]
)
def test_unreadable_config_dir_names_the_directory(
    unreadable_config_dir: tuple[Path, Sequence[str]], args: tuple[str, ...]
) -> None:
    config_dir, prefix = unreadable_config_dir
    for how in ("env", "option"):
        if how == "env":
            result = tedge(*args, config_dir=config_dir, prefix=prefix)
        else:
            result = tedge(
                "--config-dir", str(config_dir), *args, config_dir=Path("/nonexistent"), prefix=prefix
            )
        assert result.returncode == 1, result.stderr
        assert f"Could not access {config_dir}: Permission denied (os error 13)" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("script", ["tedge", "tedge-mapper", "tedge-agent"])
def test_dash_capital_v_prints_the_version_as_upstream(script: str, tmp_path: Path) -> None:
    # upstream's clap CLIs take `-V, --version`; scripts call `tedge -V`
    for flag in ("-V", "--version"):
        result = subprocess.run(
            [str(TEDGE.parent / script), flag], capture_output=True, text=True, check=False, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{script} ") and result.stderr == ""
    help_text = subprocess.run(
        [str(TEDGE.parent / script), "--help"], capture_output=True, text=True, check=True
    )
    assert "-V, --version" in help_text.stdout
