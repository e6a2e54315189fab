"""``c8y extensions create | install | list | update | delete`` as processes with the real ``git``, and
what an installed extension brings: its script commands (``c8y <name> ...``), its aliases, its
``<name>::`` templates and views. Repositories are local (``git init`` in a temp folder, installed by
``file://`` URL or by path): nothing reaches the network. Then the mistakes, each on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import GIT_ENV, git

pytestmark = pytest.mark.e2e
C8Y = str(Path(sys.executable).parent / "c8y")


class Result:
    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.code, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr


C8y = Callable[..., Result]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def installed_dir(isolation: Path) -> Path:
    return isolation / ".cumulocity" / "extensions"


@pytest.fixture
def c8y(work: Path) -> C8y:
    def run(*args: str, cwd: Path | None = None, stdin: str = "") -> Result:
        env = {**os.environ, **GIT_ENV}
        done = subprocess.run(
            [C8Y, *args],
            cwd=cwd or work,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return Result(done)

    return run


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


MANIFEST = """\
version: "v1"
aliases:
  - name: mo
    description: One managed object as JSON
    command: inventory get --id "$1" --output json --view off
    shell: false
  - name: shout
    command: echo "LOUD $1"
    shell: true
"""


def make_repo(parent: Path, name: str = "c8y-tools", greeting: str = "hello") -> Path:
    """A committed extension repository: an alias file, a command, a template and a view."""
    repo = parent / name
    write(repo / "extension.yaml", MANIFEST)
    write(repo / "commands" / "greet", f'#!/bin/sh\necho "{greeting} $*"\n', 0o755)
    write(repo / "commands" / "sub" / "status", "#!/bin/sh\necho status; exit 3\n", 0o755)
    write(repo / "templates" / "sensor.jsonnet", '{c8y_Sensor: {model: var("model", "m1")}}\n')
    view = {"definitions": [{"name": "slim", "fragments": ["c8y_IsDevice"], "columns": ["id", "name"]}]}
    write(repo / "views" / "devices.json", json.dumps(view))
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "first")
    return repo


def entries(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_created_scaffold_installs_and_its_parts_work(c8y: C8y, work: Path) -> None:
    created = c8y("extensions", "create", "hello")
    assert created.code == 0, created.stderr
    assert (work / "c8y-hello" / ".git").is_dir()
    assert os.access(work / "c8y-hello" / "commands" / "services" / "list", os.X_OK)
    staged = git(work / "c8y-hello", "ls-files", "--stage", "commands/list")
    assert staged.startswith("100755")  # executable in the repository too, as upstream stages it
    assert c8y("extensions", "install", ".", cwd=work / "c8y-hello").code == 0
    listed = c8y("hello", "list", "a", "b")
    assert listed.code == 0, listed.stderr
    assert json.loads(listed.stdout) == {"command": "hello list", "args": "a b"}
    usage = c8y("hello", "services", "list", "--help")  # --help goes to the script
    assert "Usage: c8y hello services list" in usage.stdout
    assert c8y("hello-hello", "world").stdout == "hello from c8y-hello: world\n"
    dry = c8y("hello-device", "42", "--dry", "--dryFormat", "json")
    assert json.loads(dry.stdout)["path"] == "/inventory/managedObjects/42"
    devices = c8y("hello", "devices", "list", "--model", "pi4", "--dry", "--dryFormat", "json")
    assert devices.code == 0, devices.stderr  # the api/ example: upstream's query-inventory preset
    assert "has(c8y_IsLinux) and (c8y_Hardware.model eq 'pi4')" in json.loads(devices.stdout)["query"]
    create = c8y("hello", "devices", "create", "--name", "l1", "--dry", "--dryFormat", "json")
    assert json.loads(create.stdout)["body"] == {"name": "l1", "c8y_IsDevice": {}, "c8y_IsLinux": {}}
    assert "hello  Extension c8y-hello" in c8y("--help").stdout


def test_install_from_a_git_repository_then_use_update_and_delete(
    c8y: C8y, work: Path, installed_dir: Path
) -> None:
    repo = make_repo(work)
    installed = c8y("extensions", "install", f"file://{repo}")
    assert installed.code == 0, installed.stderr
    assert "Installed extension c8y-tools" in installed.stderr
    first = git(repo, "rev-parse", "HEAD")
    rows = [json.loads(line) for line in c8y("extensions", "list").stdout.splitlines()]
    assert rows == [
        {"name": "tools", "repo": f"file://{repo}", "version": first[:8], "pinned": False,
         "path": str(installed_dir / "c8y-tools"), "isLocal": False, "isBinary": False}
    ]  # fmt: skip
    assert c8y("tools", "greet", "you").stdout == "hello you\n"
    assert c8y("tools", "sub", "status").code == 3  # the script's exit code is c8y's
    assert c8y("shout", "it").stdout == "LOUD it\n"
    alias = c8y("mo", "7", "--dry", "--dryFormat", "json")
    assert json.loads(alias.stdout)["path"] == "/inventory/managedObjects/7"
    body = c8y("devices", "create", "--name", "d", "--template", "tools::sensor", "--templateVars",
               "model=x9", "--dry", "--dryFormat", "json")  # fmt: skip
    assert json.loads(body.stdout)["body"]["c8y_Sensor"] == {"model": "x9"}
    shown = c8y("util", "show", "--view", "tools::slim", "-o", "json",
                stdin='{"id": "1", "name": "d", "c8y_IsDevice": {}, "type": "x"}\n')  # fmt: skip
    assert json.loads(shown.stdout) == {"id": "1", "name": "d"}

    write(repo / "commands" / "greet", '#!/bin/sh\necho "bonjour $*"\n', 0o755)
    git(repo, "commit", "--quiet", "-am", "second")
    updated = c8y("extensions", "update", "tools")
    assert updated.code == 0, updated.stderr
    assert c8y("tools", "greet", "you").stdout == "bonjour you\n"
    assert json.loads(c8y("extensions", "list").stdout)["version"] == git(repo, "rev-parse", "HEAD")[:8]
    again = c8y("extensions", "update", "--all")
    assert (again.code, again.stderr.strip()) == (0, "[tools]: already up to date")

    deleted = c8y("extensions", "delete", "tools")
    assert deleted.code == 0, deleted.stderr
    assert entries(installed_dir) == []
    assert repo.is_dir()
    assert c8y("tools", "greet").code == 2  # no such command any more
    assert c8y("extensions", "list").code == 100  # "no installed extensions found", as upstream


def test_a_local_folder_is_linked_and_delete_removes_only_the_link(
    c8y: C8y, work: Path, installed_dir: Path
) -> None:
    repo = make_repo(work)
    assert c8y("extensions", "install", str(repo), "--name", "c8y-mine").code == 0
    assert (installed_dir / "c8y-mine").is_symlink()
    assert json.loads(c8y("extensions", "list").stdout)["isLocal"] is True
    refused = c8y("extensions", "update", "mine")
    assert refused.code != 0 and "local extensions can not be updated" in refused.stderr
    assert (
        c8y("extensions", "list").stdout
        and c8y("extensions", "delete", stdin=c8y("extensions", "list").stdout).code == 0
    )
    assert entries(installed_dir) == [] and (repo / "extension.yaml").is_file()


def test_a_pinned_install_stays_at_its_commit(c8y: C8y, work: Path) -> None:
    repo = make_repo(work, "c8y-pinned", greeting="one")
    first = git(repo, "rev-parse", "HEAD")
    write(repo / "commands" / "greet", '#!/bin/sh\necho "two $*"\n', 0o755)
    git(repo, "commit", "--quiet", "-am", "second")
    assert c8y("extensions", "install", f"file://{repo}", "--pin", first).code == 0
    assert c8y("pinned", "greet").stdout == "one \n"
    row = json.loads(c8y("extensions", "list").stdout)
    assert (row["version"], row["pinned"]) == (first[:8], True)
    refused = c8y("extensions", "update", "pinned")
    assert refused.code == 101 and "pinned extensions can not be updated" in one_line(refused)


def test_a_local_folder_without_the_prefix_gets_it(c8y: C8y, work: Path, installed_dir: Path) -> None:
    repo = make_repo(work, "plain")
    assert c8y("extensions", "install", str(repo)).code == 0
    assert entries(installed_dir) == ["c8y-plain"]
    assert c8y("plain", "greet", "x").stdout == "hello x\n"


# -- bad input ---------------------------------------------------------------------------------------


def test_a_folder_without_extension_yaml_is_refused(c8y: C8y, work: Path, installed_dir: Path) -> None:
    (work / "c8y-empty").mkdir()
    result = c8y("extensions", "install", str(work / "c8y-empty"))
    assert result.code == 101
    assert "extension.yaml does not exist" in one_line(result)
    assert entries(installed_dir) == []


def test_a_url_that_is_not_a_repository_is_refused(c8y: C8y, work: Path, installed_dir: Path) -> None:
    result = c8y("extensions", "install", f"file://{work}/c8y-missing")
    assert result.code == 101
    assert one_line(result) == (
        f"userError: could not install file://{work}/c8y-missing: git clone failed:"
        f" '{work}/c8y-missing' does not appear to be a git repository"
    )
    assert entries(installed_dir) == []  # no half-made clone left behind


def test_a_repository_without_extension_yaml_leaves_nothing(
    c8y: C8y, work: Path, installed_dir: Path
) -> None:
    repo = make_repo(work, "c8y-bare")
    git(repo, "rm", "--quiet", "extension.yaml")
    git(repo, "commit", "--quiet", "-m", "no manifest")
    result = c8y("extensions", "install", f"file://{repo}")
    assert result.code == 101 and "extension.yaml does not exist" in one_line(result)
    assert entries(installed_dir) == []


def test_installing_a_name_that_exists_is_refused(c8y: C8y, work: Path, installed_dir: Path) -> None:
    repo = make_repo(work)
    assert c8y("extensions", "install", f"file://{repo}").code == 0
    again = c8y("extensions", "install", str(repo))
    assert again.code == 101
    assert one_line(again) == (
        "userError: there is already an installed extension that provides the 'tools' command"
    )
    builtin = c8y("extensions", "install", f"file://{repo}", "--name", "devices")
    assert "'devices' matches the name of a built-in command" in one_line(builtin)
    assert entries(installed_dir) == ["c8y-tools"]
    assert c8y("tools", "greet", "x").stdout == "hello x\n"  # the first install is untouched


def test_deleting_an_unknown_extension(c8y: C8y) -> None:
    result = c8y("extensions", "delete", "nope")
    assert (result.code, one_line(result)) == (101, "userError: no extension found: 'nope'")


def test_a_malformed_extension_yaml_is_named_and_the_rest_keeps_working(
    c8y: C8y, work: Path, installed_dir: Path
) -> None:
    broken = work / "c8y-broken"
    write(broken / "extension.yaml", "aliases:\n  - name: [unclosed\n")
    refused = c8y("extensions", "install", str(broken))
    assert refused.code == 101
    assert f"invalid extension manifest {broken / 'extension.yaml'}: invalid YAML at line" in one_line(
        refused
    )
    assert entries(installed_dir) == []

    repo, other = make_repo(work), make_repo(work, "c8y-other")
    assert c8y("extensions", "install", str(repo)).code == 0
    assert c8y("extensions", "install", str(other)).code == 0
    write(other / "extension.yaml", "aliases: {not: a list}\n")  # broken after the install
    shouted = c8y("shout", "on")  # the alias of the sound extension still expands
    assert shouted.stdout == "LOUD on\n"
    manifest = installed_dir / "c8y-other" / "extension.yaml"  # the file, as c8y reads it
    assert shouted.stderr == f"warning: invalid extension manifest {manifest}: aliases must be a list\n"
    assert c8y("other", "greet", "x").stdout == "hello x\n"
    assert len(c8y("extensions", "list").stdout.splitlines()) == 2
    assert c8y("devices", "list", "--dry", "--dryFormat", "json").code == 0
