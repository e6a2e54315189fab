"""`tedge diag collect` as a process, with shell-script plugins written by each test: the archive and
what it holds, ``diag.plugin_paths`` and ``tmp.path`` as defaults, ``--keep-dir``; and the bad inputs: a
plugin directory that does not exist, a plugin that is not executable, one that fails, one that hangs
(and ignores SIGTERM), no plugin at all, an output directory that cannot be written or fills up. Then
the plugins c8ylink ships, as `tedge init` installs them, against a real mosquitto."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from importlib.resources import files
from pathlib import Path

import pytest
from tests.conftest import Mosquitto, free_port
from tests.support.small_fs import small_fs

from c8ylink.device.diag.plugins import SHIPPED

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
OK = """#!/bin/sh
echo "args: $*"
echo "to stderr" >&2
while [ $# -gt 0 ]; do [ "$1" = --output-dir ] && out=$2; shift; done
echo collected > "$out/collected.txt"
"""


def plugin(directory: Path, name: str, body: str, mode: int = 0o755) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body if body.startswith("#!") else f"#!/bin/sh\n{body}\n")
    path.chmod(mode)
    return path


def tedge(config: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "tedge"), "--config-dir", str(config), *args],
        env={**os.environ, **env}, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def collect(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return tedge(tmp_path / "config", "diag", "collect", "--output-dir", str(tmp_path / "out"), *args)


def members(tarball: Path) -> dict[str, bytes]:
    with tarfile.open(tarball) as archive:
        return {
            member.name: (archive.extractfile(member).read() if member.isfile() else b"")  # type: ignore[union-attr]
            for member in archive.getmembers()
        }


def test_plugins_run_in_name_order_into_an_archive(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugin(plugins, "02_second.sh", "echo second")
    plugin(plugins, "01_first.sh", OK)
    result = collect(tmp_path, "--plugin-dir", str(plugins), "--name", "default")
    assert result.returncode == 0, result.stderr
    tarball = tmp_path / "out/default.tar.gz"
    assert result.stdout == f"{tarball}\n"
    assert os.stat(tarball).st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path / "out")) == ["default.tar.gz"]  # the work directory is gone
    assert result.stderr.splitlines() == [
        f"Executing {plugins}/01_first.sh... ✓",
        f"Executing {plugins}/02_second.sh... ✓",
        "",
        "Total 2 executed: 2 completed, 0 failed, 0 skipped",
        f"Diagnostic information saved to {tarball}",
    ]
    files = members(tarball)
    assert {"default/01_first/collected.txt", "default/02_second/output.log", "default/summary.log"} <= set(
        files
    )
    first = files["default/01_first/output.log"].decode()
    out_dir = tmp_path / "out/default/01_first"
    assert f"args: collect --output-dir {out_dir} --config-dir {tmp_path / 'config'}\n" in first
    assert "to stderr\n" in first and "exit status: 0" in first
    assert files["default/01_first/collected.txt"] == b"collected\n"
    assert b"Total 2 executed: 2 completed, 0 failed, 0 skipped" in files["default/summary.log"]


def test_diag_plugin_paths_and_tmp_path_are_the_defaults_and_keep_dir_keeps_the_files(tmp_path: Path) -> None:
    config, first, second, tmp = (
        tmp_path / "config",
        tmp_path / "first",
        tmp_path / "second",
        tmp_path / "tmp",
    )
    plugin(first, "20_from_first.sh", "echo first")
    plugin(first, "30_both.sh", "echo first-wins")
    plugin(second, "10_from_second.sh", "echo second")
    plugin(second, "30_both.sh", "echo second-loses")
    tmp.mkdir()
    assert tedge(config, "config", "set", "diag.plugin_paths", f"{first},{second}").returncode == 0
    assert tedge(config, "config", "set", "tmp.path", str(tmp)).returncode == 0
    result = tedge(config, "diag", "collect", "--keep-dir")
    assert result.returncode == 0, result.stderr
    tarball = Path(result.stdout.strip())
    assert (
        tarball.parent == tmp and tarball.name.startswith("tedge-diag-") and tarball.name.endswith(".tar.gz")
    )
    work = tmp / tarball.name.removesuffix(".tar.gz")
    assert sorted(os.listdir(work)) == ["10_from_second", "20_from_first", "30_both", "summary.log"]
    assert "first-wins" in (work / "30_both/output.log").read_text()
    assert f"warning: Skipping {second}/30_both.sh (a plugin of the same name comes first" in result.stderr


# -- bad input -----------------------------------------------------------------------------------------------


def test_a_missing_directory_and_a_plugin_that_is_not_executable_are_skipped_and_said(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugin(plugins, "01_ok.sh", "echo ok")
    plugin(plugins, "02_not_executable.sh", "echo never", mode=0o644)
    plugin(plugins, "template.sh.ignore", "echo never")
    missing = tmp_path / "missing"
    result = collect(
        tmp_path, "--plugin-dir", f"{missing},{plugins}", "--plugin-dir", str(missing), "--keep-dir"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(f"warning: Skipping the plugin directory {missing}: it does not exist\n") == 1
    assert f"warning: Skipping {plugins}/02_not_executable.sh (not executable)\n" in result.stderr
    assert "template" not in result.stderr
    assert "Total 1 executed: 1 completed, 0 failed, 0 skipped" in result.stderr
    work = Path(result.stdout.strip()[: -len(".tar.gz")])
    assert "(not executable)" in (work / "summary.log").read_text()


def test_a_failing_plugin_is_reported_the_others_still_run_and_the_archive_is_made(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugin(plugins, "01_fails.sh", "echo broken >&2; exit 3")
    plugin(plugins, "02_not_here.sh", "exit 2")
    plugin(plugins, "03_ok.sh", "echo ok")
    result = collect(tmp_path, "--plugin-dir", str(plugins), "--name", "failed")
    assert result.returncode == 1
    assert (
        f"Executing {plugins}/01_fails.sh... ✗\nerror: {plugins}/01_fails.sh failed with exit status: 3\n"
        in (result.stderr)
    )
    assert f"info: {plugins}/02_not_here.sh is marked skipped\n" in result.stderr
    assert f"Executing {plugins}/03_ok.sh... ✓\n" in result.stderr
    assert "Total 3 executed: 1 completed, 1 failed, 1 skipped" in result.stderr
    assert "Traceback" not in result.stderr
    files = members(tmp_path / "out/failed.tar.gz")
    assert b"broken" in files["failed/01_fails/output.log"]
    assert b"exit status: 3" in files["failed/01_fails/output.log"]
    assert "failed/03_ok/output.log" in files

    # once the failing plugin says it does not apply here, the run is a success
    plugin(plugins, "01_fails.sh", "exit 2")
    assert collect(tmp_path, "--plugin-dir", str(plugins), "--name", "third").returncode == 0


def test_a_plugin_that_hangs_is_terminated_then_killed_with_what_it_started(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    pid_file = tmp_path / "child.pid"
    plugin(
        plugins, "01_hangs.sh", f"trap '' TERM\necho started\nsleep 120 &\necho $! > {pid_file}\nwait\nwait"
    )
    plugin(plugins, "02_after.sh", "echo after")
    result = collect(tmp_path, "--plugin-dir", str(plugins), "--name", "hang",
                     "--timeout", "300ms", "--forceful-timeout", "300ms")  # fmt: skip
    assert result.returncode == 1
    assert (
        f"error: {plugins}/01_hangs.sh did not finish within 0.3s: stopped with SIGTERM, then 0.3s later "
        "with SIGKILL\n"
    ) in result.stderr
    assert f"Executing {plugins}/02_after.sh... ✓" in result.stderr
    log = members(tmp_path / "out/hang.tar.gz")["hang/01_hangs/output.log"].decode()
    assert "terminated by signal 9" in log and "started" in log
    child = int(pid_file.read_text())
    state = Path(f"/proc/{child}/stat")
    assert not state.exists() or state.read_text().split(") ", 1)[1].startswith("Z")  # gone (or a zombie)


def test_no_plugin_at_all_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "out").mkdir()
    result = collect(tmp_path, "--plugin-dir", str(empty))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "error: No diagnostic plugins were found" in result.stderr
    assert os.listdir(tmp_path / "out") == []


def test_an_output_dir_that_cannot_be_written_is_one_line_and_nothing_is_left(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugin(plugins, "01_ok.sh", "echo ok")
    with small_fs(tmp_path / "out", "256k") as fs:
        fs.read_only()
        result = collect(tmp_path, "--plugin-dir", str(plugins), "--name", "x")
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.splitlines()[-1].startswith(f"Error: Could not create {tmp_path}/out/x: ")
        assert "Traceback" not in result.stderr
        fs.writable()
        assert os.listdir(tmp_path / "out") == []


def test_an_output_dir_that_fills_up_leaves_no_half_written_archive(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    # a plugin whose output (random, so it does not compress) does not fit twice
    plugin(plugins, "01_big.sh", 'head -c 150000 /dev/urandom > "$3/big.bin"')
    with small_fs(tmp_path / "out", "256k"):
        result = collect(tmp_path, "--plugin-dir", str(plugins), "--name", "big")
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1].startswith(
            f"Error: Could not write {tmp_path}/out/big.tar.gz: "
        )
        assert os.listdir(tmp_path / "out") == []


def test_a_work_dir_that_exists_already_is_refused(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugin(plugins, "01_ok.sh", "echo ok")
    (tmp_path / "out/taken").mkdir(parents=True)
    result = collect(tmp_path, "--plugin-dir", str(plugins), "--name", "taken")
    assert result.returncode == 1
    assert f"Could not create {tmp_path}/out/taken: it already exists" in result.stderr
    assert os.listdir(tmp_path / "out") == ["taken"]


def test_bad_option_values(tmp_path: Path) -> None:
    result = collect(tmp_path, "--plugin-dir", str(tmp_path), "--name", "a/b")
    assert result.returncode == 2 and "Invalid --name 'a/b'" in result.stderr
    result = collect(tmp_path, "--plugin-dir", str(tmp_path), "--timeout", "soon")
    assert result.returncode != 0 and "--timeout" in result.stderr and "Traceback" not in result.stderr


# -- the plugins c8ylink ships -------------------------------------------------------------------------------


def test_the_shipped_plugins_installed_by_tedge_init_collect_from_a_real_broker(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    root, config = tmp_path / "root", tmp_path / "config"
    init = tedge(config, "init", "--user", "root", "--group", "root", C8YLINK_ROOT=str(root))
    assert init.returncode == 0, init.stderr
    shipped = root / "usr/share/tedge/diag-plugins"
    assert sorted(os.listdir(shipped)) == sorted(SHIPPED)
    for setting in (
        f"mqtt.client.port={mosquitto.port}",
        "proxy.password=hunter2",
        f"logs.path={tmp_path}/logs",
    ):
        key, value = setting.split("=", 1)
        assert tedge(config, "config", "set", key, value).returncode == 0
    (tmp_path / "logs/agent").mkdir(parents=True)
    (tmp_path / "logs/agent/workflow-restart-1.log").write_text("restart done\n")
    registration = '{"@type":"child-device","name":"child1"}'
    published = tedge(config, "mqtt", "pub", "-r", "te/device/child1//", registration)
    assert published.returncode == 0, published.stderr

    out = str(tmp_path / "out")
    args = ("diag", "collect", "--plugin-dir", str(shipped), "--output-dir", out, "--name", "shipped")
    result = tedge(config, *args, DIAG_MQTT_DURATION="1s")
    assert result.returncode == 0, result.stderr
    assert "Total 5 executed: 4 completed, 0 failed, 1 skipped" in result.stderr  # no agent: no entity store
    assert f"info: {shipped}/04_entities.sh is marked skipped" in result.stderr
    files = members(tmp_path / "out/shipped.tar.gz")
    assert b"hunter2" not in b"".join(files.values())
    assert b"password = <redacted>" in files["shipped/01_tedge/tedge.toml"]
    assert f"mqtt.client.port={mosquitto.port}".encode() in files["shipped/01_tedge/tedge-config-list.log"]
    assert files["shipped/01_tedge/logs/agent/workflow-restart-1.log"] == b"restart done\n"
    assert b"Linux" in files["shipped/02_os/output.log"]
    retained = files["shipped/03_mqtt/tedge-mqtt-sub-retained-only.log"].decode()
    assert f"[te/device/child1//] {registration}" in retained
    assert "shipped/05_mosquitto/output.log" in files


def test_the_mqtt_plugin_fails_when_the_broker_cannot_be_reached(tmp_path: Path) -> None:
    config = tmp_path / "config"
    assert tedge(config, "config", "set", "mqtt.client.port", str(free_port())).returncode == 0
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "03_mqtt.sh").write_bytes(
        files("c8ylink.device.diag.plugins").joinpath("03_mqtt.sh").read_bytes()
    )
    (plugins / "03_mqtt.sh").chmod(0o755)
    out = str(tmp_path / "out")
    result = tedge(
        config, "diag", "collect", "--plugin-dir", str(plugins), "--output-dir", out, "--name", "nobroker"
    )
    assert result.returncode == 1
    assert f"error: {plugins}/03_mqtt.sh failed with exit status: 1" in result.stderr
    log = members(tmp_path / "out/nobroker.tar.gz")["nobroker/03_mqtt/output.log"].decode()
    assert "Connection refused" in log
