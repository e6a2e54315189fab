"""The Debian package (scripts/build-deb.sh) on this machine: built, installed with ``dpkg -i``, `tedge`
run from PATH, removed with ``dpkg -r`` and purged with ``dpkg -P``, leaving no file behind.

It installs into the real /etc, /opt and /usr, so it runs only as root, with dpkg, on a machine where
neither the package nor /etc/tedge exists; it restores mosquitto's configuration if a step fails."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
MOSQUITTO_CONF = Path("/etc/mosquitto/mosquitto.conf")
PURGED = ["/etc/tedge", "/var/tedge", "/var/log/tedge", "/opt/c8ylink", "/var/lib/c8ylink"]


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # dpkg runs the maintainer scripts with PATH; /usr/bin/tedge is the package's, not this venv's
    env = {**os.environ, "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    env["PIP_CACHE_DIR"] = PIP_CACHE
    result = subprocess.run(list(args), env=env, capture_output=True, text=True, check=False, timeout=900)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result


def package_installed() -> bool:
    result = sh("dpkg-query", "-W", "-f=${Status}", "c8ylink", check=False)
    return result.returncode == 0 and "installed" in result.stdout and "not-installed" not in result.stdout


@pytest.fixture
def clean_machine() -> Iterator[None]:
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root")
    for tool in ("dpkg", "dpkg-deb", "dpkg-query"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: not a Debian machine")
    if not Path("/usr/bin/python3").exists():
        pytest.skip("Debian's python3 is not installed")
    if package_installed() or any(Path(path).exists() for path in [*PURGED, "/usr/bin/tedge"]):
        pytest.skip("c8ylink or thin-edge.io is already installed here: the test would change it")
    conf = MOSQUITTO_CONF.read_bytes() if MOSQUITTO_CONF.exists() else None
    try:
        yield
    finally:
        if package_installed():
            sh("dpkg", "--purge", "c8ylink", check=False)
        if conf is not None and MOSQUITTO_CONF.read_bytes() != conf:
            MOSQUITTO_CONF.write_bytes(conf)


def test_install_run_remove_and_purge(clean_machine: None, tmp_path: Path) -> None:
    conf_before = MOSQUITTO_CONF.read_bytes() if MOSQUITTO_CONF.exists() else None
    had_user = user_exists("tedge")
    deb = sh(str(ROOT / "scripts/build-deb.sh"), str(tmp_path / "dist")).stdout.strip()
    assert Path(deb).is_file()

    sh("dpkg", "-i", deb)
    files = [line for line in sh("dpkg", "-L", "c8ylink").stdout.splitlines() if line.strip()]
    version = sh("tedge", "--version")
    assert version.stdout == "tedge 0.1.0\n"
    assert shutil.which("tedge", path="/usr/bin") == "/usr/bin/tedge"
    help_text = sh("tedge-mapper", "--help").stdout
    assert "c8y" in help_text
    tedge_uid = pwd.getpwnam("tedge").pw_uid
    for directory in ("/etc/tedge", "/etc/tedge/mosquitto-conf", "/var/log/tedge", "/var/tedge"):
        info = os.stat(directory)
        assert (info.st_uid, info.st_mode & 0o777) == (tedge_uid, 0o775), directory
    if conf_before is not None:
        assert MOSQUITTO_CONF.read_text().count("include_dir /etc/tedge/mosquitto-conf\n") == 1
    assert (
        "ExecStart=/usr/bin/tedge-mapper c8y\n"
        in Path("/lib/systemd/system/tedge-mapper-c8y.service").read_text()
    )
    # the apt sm-plugin linked by `tedge init` (apt-get is there: dpkg is), the diagnostic plugins shipped
    assert os.readlink("/etc/tedge/sm-plugins/apt") == "/opt/c8ylink/bin/tedge-apt-plugin"
    assert "/usr/share/tedge/diag-plugins/01_tedge.sh" in files
    # the package works as the device uses it
    sh("tedge", "config", "set", "c8y.url", "example.cumulocity.com")
    assert sh("tedge", "config", "get", "c8y.url").stdout == "example.cumulocity.com\n"

    sh("dpkg", "-r", "c8ylink")
    assert not Path("/opt/c8ylink").exists()
    assert not Path("/usr/bin/tedge").exists() and not os.path.islink("/usr/bin/tedge")
    assert Path("/etc/tedge/tedge.toml").is_file()  # configuration stays until purge
    assert not os.path.lexists("/etc/tedge/sm-plugins/apt")  # the link to the removed program goes with it

    sh("dpkg", "-P", "c8ylink")
    assert not package_installed()
    left = [path for path in [*files, *PURGED] if os.path.lexists(path) and not os.path.isdir(path)]
    assert left == []
    assert [path for path in PURGED if os.path.lexists(path)] == []
    for path in files:  # directories of the package that only it used are gone too
        if path.startswith(("/opt/", "/usr/share/zsh/vendor-completions/")):
            assert not os.path.lexists(path), path
    if conf_before is not None:
        assert MOSQUITTO_CONF.read_bytes() == conf_before
    assert user_exists("tedge") == had_user


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
