"""``c8y util show | repeat | repeatcsv | repeatfile``, ``c8y version`` and ``c8y completion`` as
processes (no tenant needed); the completion scripts loaded by real bash, zsh and fish."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import C8Y, Run

pytestmark = pytest.mark.e2e


def c8y(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    full = {**os.environ, **(env or {})}
    done = subprocess.run([C8Y, *args], input=stdin, capture_output=True, text=True, env=full, timeout=60,
                          check=False)  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr)


def test_util_show_reads_the_dry_run_of_another_command(isolation: Path) -> None:
    dry = c8y("devices", "list", "--name", "sensor*", "--dry", "--dryFormat", "json", env={"C8Y_HOST": ""})
    assert dry.code == 0, dry.stderr
    shown = c8y("util", "show", "--select", "query", stdin=dry.stdout)
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout) == {"query": "q=$filter=(name eq 'sensor*') $orderby=name"}


def test_util_show_takes_pretty_or_concatenated_json_with_select_output_and_filter(
    isolation: Path, tmp_path: Path
) -> None:
    piped = (
        '{"id": "1", "name": "s1"}\n{\n  "id": "2",\n  "name": "x2"\n}{"id": "3", "name": "s3"}\nnot json\n'
    )
    shown = c8y("util", "show", "--filter", "name like s*", "--select", "id,name", "-o", "csv", stdin=piped)
    assert shown.code == 0
    assert shown.stdout.splitlines() == ["1,s1", "3,s3"]
    assert "only JSON is accepted" in shown.stderr
    source = tmp_path / "devices.json"
    source.write_text('{"id": "7", "name": "from-file"}\n')
    assert json.loads(c8y("util", "show", "--input", str(source), "--select", "name").stdout) == {
        "name": "from-file"
    }
    assert c8y("util", "show", "--input", str(tmp_path / "missing.json")).code == 101


def test_util_repeat_and_repeatfile_feed_a_pipeline(isolation: Path, tmp_path: Path) -> None:
    assert c8y("util", "repeat", "3", "--input", "my name").stdout == "my name\n" * 3
    piped = c8y("util", "repeat", "2", "--offset", "100", "--format", "%s %05s", stdin="device\n")
    assert piped.stdout.splitlines() == ["device 00101", "device 00102"]
    listing = tmp_path / "ids.txt"
    listing.write_text("1\n2\n")
    assert c8y("util", "repeatfile", str(listing), "--times", "2").stdout.splitlines() == ["1", "2", "1", "2"]
    missing = c8y("util", "repeatfile", str(tmp_path / "none.txt"))
    assert missing.code == 101 and "cannot read" in missing.stderr


def test_util_repeatcsv_gives_json_lines_a_create_command_reads(isolation: Path, tmp_path: Path) -> None:
    table = tmp_path / "devices.csv"
    table.write_text("name,type\nd1,c8y_Linux\nd2,c8y_Linux\n")
    rows = c8y("util", "repeatcsv", str(table))
    assert [json.loads(line) for line in rows.stdout.splitlines()] == [
        {"name": "d1", "type": "c8y_Linux"}, {"name": "d2", "type": "c8y_Linux"},
    ]  # fmt: skip
    created = c8y(
        "devices", "create", "--dry", "--dryFormat", "json", stdin=rows.stdout, env={"C8Y_HOST": ""}
    )
    assert created.code == 0, created.stderr
    assert [json.loads(line)["body"]["name"] for line in created.stdout.splitlines()] == ["d1", "d2"]


def test_version(isolation: Path) -> None:
    run = c8y("version")
    assert run.code == 0 and set(json.loads(run.stdout)) >= {"version"}
    assert c8y("version", "--select", "version").stdout.strip() == json.loads(run.stdout)["version"]


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def _run_shell(shell: str, script: str) -> str:
    env = {**os.environ, "PATH": f"{Path(C8Y).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [shell, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_completion_loaded_by_bash(isolation: Path) -> None:
    out = _run_shell(
        _shell("bash"),
        "source <(c8y completion bash)\n"
        'COMP_WORDS=(c8y util re); COMP_CWORD=2; _c8y_completion c8y; echo "${COMPREPLY[*]}"\n'
        "COMPREPLY=(); COMP_WORDS=(c8y devices list --dryF); COMP_CWORD=3\n"
        '_c8y_completion c8y; echo "${COMPREPLY[*]}"\n',
    )
    assert out.splitlines() == ["repeat repeatcsv repeatfile", "--dryFormat"]


def test_completion_loaded_by_fish(isolation: Path) -> None:
    out = _run_shell(_shell("fish"), 'c8y completion fish | source; complete -C "c8y devices li"')
    assert [line.split("\t")[0] for line in out.splitlines()] == ["list"]


def test_completion_loaded_by_zsh(isolation: Path) -> None:
    out = _run_shell(
        _shell("zsh"),
        "autoload -U compinit; compinit -u; source <(c8y completion zsh); whence -w _c8y_completion",
    )
    assert out.strip() == "_c8y_completion: function"
    answer = c8y(env={"COMP_WORDS": "c8y util sh", "COMP_CWORD": "2", "_C8Y_COMPLETE": "zsh_complete"})
    assert answer.stdout.splitlines()[:2] == ["plain", "show"]


def test_completion_for_powershell(isolation: Path) -> None:
    script = c8y("completion", "powershell").stdout
    assert script.startswith("Register-ArgumentCompleter -Native -CommandName c8y")
    answer = c8y(env={"COMP_WORDS": "c8y compl", "COMP_CWORD": "1", "_C8Y_COMPLETE": "powershell_complete"})
    assert answer.stdout.splitlines() == ["completion"]
    assert c8y("completion", "tcsh").code == 2


def test_examples_prints_the_examples_of_any_command(isolation: Path) -> None:
    listed = c8y("measurements", "list", "--examples")
    assert listed.code == 0 and listed.stderr == ""
    assert listed.stdout.splitlines()[:2] == [
        "c8y measurements list --device 12345 --type c8y_Temperature --pageSize 20",
        "    A device's temperatures",
    ]
    help_text = c8y("measurements", "list", "--help").stdout
    assert all(line.strip() in help_text for line in listed.stdout.splitlines())
    upstream = c8y("usergroups", "list", "--examples")  # a command with upstream's example lines only
    assert upstream.code == 0 and upstream.stdout.startswith("c8y usergroups list")
    manual = c8y("realtime", "subscribe", "--examples")
    assert (
        manual.stdout.splitlines()[0] == 'c8y realtime subscribe --channel "/measurements/*" --duration 90s'
    )
    required = c8y("alias", "set", "--examples")  # before its required arguments are asked for
    assert required.code == 0 and "c8y alias set createTestDevice" in required.stdout
