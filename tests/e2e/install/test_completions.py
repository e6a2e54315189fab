"""`tedge completions bash|zsh|fish` and `c8ylink completions ...`: the scripts load in their shells and
complete subcommands (bash through COMP_WORDS/COMP_CWORD, fish through ``complete -C``)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from .conftest import BIN, run

pytestmark = pytest.mark.e2e

SHELL_ENV = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def shell(program: str, script: str) -> subprocess.CompletedProcess[str]:
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} is not installed (scripts/bootstrap.sh shells installs it)")
    return subprocess.run(
        [found, "-c", script],
        env={**os.environ, **SHELL_ENV},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


BASH_COMPLETE = """
source <({prog} completions bash) || exit 3
COMP_WORDS=({words}); COMP_CWORD={cword}
_{prog}_completion {prog}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""


@pytest.mark.parametrize(
    ("prog", "words", "expected"),
    [
        ("tedge", "tedge con", ["config", "connect"]),
        ("tedge", "tedge i", ["init"]),
        ("tedge", "tedge cert c", ["create", "create-csr"]),
        ("c8ylink", "c8ylink ser", ["services"]),
        ("c8ylink", "c8ylink services s", ["supervisord", "systemd"]),
    ],
)
def test_bash_sources_the_script_and_completes_subcommands(
    prog: str, words: str, expected: list[str]
) -> None:
    script = BASH_COMPLETE.format(prog=prog, words=words, cword=len(words.split()) - 1)
    result = shell("bash", script)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(result.stdout.split()) == expected


@pytest.mark.parametrize("prog", ["tedge", "c8ylink"])
def test_zsh_loads_the_script(prog: str) -> None:
    result = shell("zsh", f"autoload -U compinit && compinit -u && source <({prog} completions zsh)")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("prog", "line", "expected"), [("tedge", "tedge con", "connect"), ("c8ylink", "c8ylink ten", "tenant")]
)
def test_fish_completes_a_subcommand(prog: str, line: str, expected: str) -> None:
    result = shell("fish", f"{prog} completions fish | source; and complete -C '{line}'")
    assert result.returncode == 0, result.stderr
    assert expected in [row.split("\t")[0] for row in result.stdout.splitlines()]


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = run("tedge", "completions", "tcsh")
    assert result.returncode == 2
    assert "tcsh" in result.stderr
    assert result.stdout == ""
