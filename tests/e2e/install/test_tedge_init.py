"""`tedge init` into a temporary root (the hidden ``--root``): directories with owners and modes,
mosquitto's include line once, the systemd units (checked by ``systemd-analyze verify``), run twice;
and its bad inputs: a user that does not exist, a read-only /etc, /etc/tedge a file, an unwritable
unit directory."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import BIN, read_only, run

pytestmark = pytest.mark.e2e

DEBIAN_MOSQUITTO_CONF = (
    "# Place your local configuration in /etc/mosquitto/conf.d/\n"
    "pid_file /run/mosquitto/mosquitto.pid\n"
    "persistence true\n"
    "include_dir /etc/mosquitto/conf.d\n"
)
DIRECTORIES = [
    "etc/tedge",
    "etc/tedge/mosquitto-conf",
    "etc/tedge/device-certs",
    "etc/tedge/operations",
    "etc/tedge/operations/c8y",
    "etc/tedge/plugins",
    "etc/tedge/sm-plugins",
    "etc/tedge/.agent",
    "etc/tedge/.tedge-mapper-c8y",
    "var/log/tedge",
    "var/tedge",
]
UNITS = ["tedge-mapper-c8y.service", "tedge-mapper-c8y@.service", "tedge-agent.service"]


def unprivileged() -> tuple[str, str]:
    """A user and a group other than ours that exist on every Debian (to see that owners are set)."""
    for user, group in (("nobody", "nogroup"), ("daemon", "daemon")):
        try:
            pwd.getpwnam(user)
            grp.getgrnam(group)
        except KeyError:
            continue
        return user, group
    pytest.skip("neither nobody:nogroup nor daemon:daemon exists")


def device_root(tmp_path: Path, *, systemd: bool = True) -> Path:
    """A root with Debian's mosquitto.conf and, with ``systemd``, the mark of a running systemd."""
    root = tmp_path / "root"
    (root / "etc/mosquitto").mkdir(parents=True)
    (root / "etc/mosquitto/mosquitto.conf").write_text(DEBIAN_MOSQUITTO_CONF)
    if systemd:
        (root / "run/systemd/system").mkdir(parents=True)
    return root


def tedge_init(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("tedge", "init", *args, env={"C8YLINK_ROOT": str(root)})


def snapshot(root: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every path below ``root`` with its mode, owner, group and modification time."""
    found = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        found[str(path.relative_to(root))] = (info.st_mode, info.st_uid, info.st_gid, info.st_mtime_ns)
    return found


def test_init_twice_creates_the_layout_once(tmp_path: Path) -> None:
    user, group = unprivileged()
    root = device_root(tmp_path)
    first = tedge_init(root, "--user", user, "--group", group)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    for relative in DIRECTORIES:
        info = (root / relative).stat()
        assert stat.S_ISDIR(info.st_mode), relative
        assert stat.S_IMODE(info.st_mode) == 0o775, relative
        assert (info.st_uid, info.st_gid) == (uid, gid), relative
    conf = (root / "etc/mosquitto/mosquitto.conf").read_text()
    assert conf == DEBIAN_MOSQUITTO_CONF + "include_dir /etc/tedge/mosquitto-conf\n"
    units = root / "etc/systemd/system"
    assert sorted(path.name for path in units.iterdir()) == sorted(UNITS)
    agent = (units / "tedge-agent.service").read_text()
    assert f"ExecStart={BIN / 'tedge-agent'}\n" in agent
    assert f"User={user}\n" in agent

    before = snapshot(root)
    second = tedge_init(root, "--user", user, "--group", group)
    assert second.returncode == 0, second.stderr
    assert snapshot(root) == before  # nothing rewritten, nothing added


def test_a_rerun_corrects_modes_and_owners(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    (root / "etc/tedge/plugins").chmod(0o700)
    (root / "var/tedge").rmdir()
    user, group = unprivileged()
    result = tedge_init(root, "--user", user, "--group", group, "--relative-links")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((root / "etc/tedge/plugins").stat().st_mode) == 0o775
    assert (root / "var/tedge").stat().st_uid == pwd.getpwnam(user).pw_uid
    assert (root / "etc/tedge").stat().st_uid == pwd.getpwnam(user).pw_uid
    assert (root / "etc/mosquitto/mosquitto.conf").read_text().count("include_dir /etc/tedge/") == 1


def test_a_rerun_after_an_upgrade_rewrites_a_unit_whose_executable_moved(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    unit = root / "etc/systemd/system/tedge-agent.service"
    current = unit.read_text()
    unit.write_text(current.replace(str(BIN / "tedge-agent"), "/old/venv/bin/tedge-agent"))
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    assert unit.read_text() == current


def test_no_units_without_a_running_systemd_nor_with_another_service_manager(tmp_path: Path) -> None:
    root = device_root(tmp_path, systemd=False)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    assert not (root / "etc/systemd").exists()

    other = device_root(tmp_path / "other")
    (other / "etc/tedge").mkdir(parents=True)
    (other / "etc/tedge/system.toml").write_text(
        '[init]\nname = "supervisord"\nis_available = ["/bin/true"]\nrestart = ["/bin/true", "{}"]\n'
        'stop = ["/bin/true", "{}"]\nenable = ["/bin/true", "{}"]\ndisable = ["/bin/true", "{}"]\n'
        'is_active = ["/bin/true", "{}"]\n'
    )
    assert tedge_init(other, "--user", "root", "--group", "root").returncode == 0
    assert not (other / "etc/systemd").exists()


def test_units_a_package_ships_are_left_to_it(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    (root / "lib/systemd/system").mkdir(parents=True)
    (root / "lib/systemd/system/tedge-agent.service").write_text(
        "[Service]\nExecStart=/usr/bin/tedge-agent\n"
    )
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    written = sorted(path.name for path in (root / "etc/systemd/system").iterdir())
    assert written == ["tedge-mapper-c8y.service", "tedge-mapper-c8y@.service"]


def test_without_mosquitto_a_note_names_the_line_to_add(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    root.mkdir()
    result = tedge_init(root, "--user", "root", "--group", "root")
    assert result.returncode == 0, result.stderr
    assert "include_dir /etc/tedge/mosquitto-conf" in result.stderr
    assert not (root / "etc/mosquitto").exists()


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip(
            "systemd-analyze is not installed (scripts/bootstrap.sh system installs Debian's systemd)"
        )
    return found


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = systemd_analyze()
    root = device_root(tmp_path)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    units = root / "etc/systemd/system"
    # a template is verified through an instance of it
    instance = tmp_path / "tedge-mapper-c8y@second.service"
    instance.write_text((units / "tedge-mapper-c8y@.service").read_text())
    paths = [str(units / "tedge-mapper-c8y.service"), str(units / "tedge-agent.service"), str(instance)]
    result = subprocess.run(
        [analyze, "verify", "--man=no", *paths], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "tedge" not in result.stderr, result.stderr


def test_services_systemd_writes_the_same_units(tmp_path: Path) -> None:
    systemd_analyze()
    result = run("c8ylink", "services", "systemd", "--unit-dir", str(tmp_path / "units"), "--user", "root")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "units" / name) for name in UNITS]
    root = device_root(tmp_path)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    for name in UNITS:
        assert (tmp_path / "units" / name).read_text() == (root / "etc/systemd/system" / name).read_text()


# -- bad input -----------------------------------------------------------------------------------------------


def test_a_user_that_does_not_exist_changes_nothing(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    before = snapshot(root)
    result = tedge_init(root, "--user", "no-such-user-c8ylink")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Failed to initialize tedge.")
    assert "The user 'no-such-user-c8ylink' does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_a_group_that_does_not_exist(tmp_path: Path) -> None:
    result = tedge_init(device_root(tmp_path), "--user", "root", "--group", "no-such-group-c8ylink")
    assert result.returncode == 1
    assert "The group 'no-such-group-c8ylink' does not exist" in result.stderr


def test_etc_tedge_is_a_file(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    (root / "etc/tedge").write_text("not a directory\n")
    result = tedge_init(root, "--user", "root", "--group", "root")
    assert result.returncode == 1
    assert f"Could not create {root}/etc/tedge: it exists and is not a directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "etc/tedge").read_text() == "not a directory\n"


def test_a_read_only_etc(tmp_path: Path) -> None:
    root = tmp_path / "root"
    with read_only(root / "etc") as how:
        result = tedge_init(root, "--user", "root", "--group", "root")
    assert result.returncode == 1, how
    assert result.stderr.startswith("Error: Failed to initialize tedge. You have to run tedge with sudo."), (
        how
    )
    assert f"Could not create {root}/etc/tedge: " in result.stderr
    assert "Traceback" not in result.stderr


def test_a_unit_directory_that_is_not_writable(tmp_path: Path) -> None:
    units = tmp_path / "units"
    with read_only(units):
        result = run("c8ylink", "services", "systemd", "--unit-dir", str(units), "--user", "root")
    assert result.returncode == 1
    assert f"Could not write to {units}: " in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_init_with_an_unwritable_unit_directory(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    with read_only(root / "etc/systemd/system"):
        result = tedge_init(root, "--user", "root", "--group", "root")
    assert result.returncode == 1
    assert f"Could not write to {root}/etc/systemd/system: " in result.stderr
    assert os.path.isdir(root / "etc/tedge")  # the directories came first


def test_missing_components_are_linked_to_tedge_which_answers_to_their_names(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    bin_dir = root / str(BIN).lstrip("/")  # this install's bin directory, below the root
    bin_dir.mkdir(parents=True)
    (bin_dir / "tedge").symlink_to(BIN / "tedge")
    (bin_dir / "tedge-mapper").write_text("#!/bin/sh\n")  # a program of its own: left alone
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    agent = bin_dir / "tedge-agent"
    assert os.readlink(agent) == str(BIN / "tedge")
    assert (bin_dir / "tedge-mapper").read_text() == "#!/bin/sh\n"

    result = subprocess.run([str(agent), "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: tedge-agent")

    assert tedge_init(root, "--user", "root", "--group", "root", "--relative-links").returncode == 0
    assert os.readlink(agent) == "tedge"
    before = snapshot(root)
    assert tedge_init(root, "--user", "root", "--group", "root", "--relative-links").returncode == 0
    assert snapshot(root) == before
    result = subprocess.run([str(agent), "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert result.stdout.startswith("Usage: tedge-agent"), result.stderr


def test_a_link_to_another_program_is_left_alone(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    bin_dir = root / str(BIN).lstrip("/")
    bin_dir.mkdir(parents=True)
    (bin_dir / "tedge-agent").symlink_to("/bin/true")
    assert tedge_init(root, "--user", "root", "--group", "root", "--relative-links").returncode == 0
    assert os.readlink(bin_dir / "tedge-agent") == "/bin/true"
    assert os.readlink(bin_dir / "tedge-mapper") == "tedge"


# -- the apt sm-plugin ---------------------------------------------------------------------------------------


def with_apt_get(root: Path) -> Path:
    """``root`` with an executable ``/usr/bin/apt-get`` (PATH is searched below the root)."""
    apt_get = root / "usr/bin/apt-get"
    apt_get.parent.mkdir(parents=True, exist_ok=True)
    apt_get.write_text("#!/bin/sh\n")
    apt_get.chmod(0o755)
    return root


def test_the_apt_plugin_is_linked_where_apt_get_exists(tmp_path: Path) -> None:
    root = with_apt_get(device_root(tmp_path))
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    link = root / "etc/tedge/sm-plugins/apt"
    assert os.readlink(link) == str(BIN / "tedge-apt-plugin")
    result = subprocess.run([str(link), "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Thin-edge.io plugin for software management using apt" in result.stdout

    before = snapshot(root)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    assert snapshot(root) == before

    assert tedge_init(root, "--user", "root", "--group", "root", "--relative-links").returncode == 0
    assert os.readlink(link) == os.path.relpath(BIN / "tedge-apt-plugin", "/etc/tedge/sm-plugins")


def test_no_apt_plugin_without_apt_get(tmp_path: Path) -> None:
    root = device_root(tmp_path)
    result = run("tedge", "init", "--user", "root", "--group", "root",
                 env={"C8YLINK_ROOT": str(root), "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (root / "etc/tedge/sm-plugins").is_dir()
    assert list((root / "etc/tedge/sm-plugins").iterdir()) == []


def test_an_apt_plugin_of_the_user_is_left_alone(tmp_path: Path) -> None:
    root = with_apt_get(device_root(tmp_path))
    plugins = root / "etc/tedge/sm-plugins"
    plugins.mkdir(parents=True)
    (plugins / "apt").write_text("#!/bin/sh\n# my own\n")
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    assert (plugins / "apt").read_text() == "#!/bin/sh\n# my own\n"

    (plugins / "apt").unlink()
    (plugins / "apt").symlink_to("/usr/local/bin/my-apt-plugin")
    assert tedge_init(root, "--user", "root", "--group", "root", "--relative-links").returncode == 0
    assert os.readlink(plugins / "apt") == "/usr/local/bin/my-apt-plugin"


def test_init_installs_the_diag_plugins_and_rewrites_only_what_differs(tmp_path: Path) -> None:
    from c8ylink.device.diag.plugins import SHIPPED

    root = device_root(tmp_path)
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    plugins = root / "usr/share/tedge/diag-plugins"
    assert sorted(os.listdir(plugins)) == sorted(SHIPPED)
    for name in SHIPPED:
        info = (plugins / name).stat()
        assert (stat.S_IMODE(info.st_mode), info.st_uid) == (0o755, os.geteuid()), name
    shipped = (plugins / "01_tedge.sh").read_text()
    (plugins / "01_tedge.sh").write_text("#!/bin/sh\necho changed\n")
    (plugins / "02_os.sh").chmod(0o777)
    (plugins / "50_mine.sh").write_text("#!/bin/sh\necho mine\n")
    assert tedge_init(root, "--user", "root", "--group", "root").returncode == 0
    assert (plugins / "01_tedge.sh").read_text() == shipped
    assert stat.S_IMODE((plugins / "02_os.sh").stat().st_mode) == 0o755
    assert (plugins / "50_mine.sh").read_text() == "#!/bin/sh\necho mine\n"
