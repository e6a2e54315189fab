"""`c8y cli profile | install`: the set-session shell helpers (go-c8y-cli.md §1.6) for bash, zsh, fish and
PowerShell. ``profile`` prints them; ``install`` writes them into the shell's start-up file between
markers (run again to update; nothing else in the file changes)."""

from __future__ import annotations

from pathlib import Path

import click

from c8ylink.core.errors import UsageError

SHELLS = ("bash", "zsh", "fish", "powershell")
BEGIN, END = "# >>> c8y session helpers >>>", "# <<< c8y session helpers <<<"

_POSIX = """\
# c8y session helpers (c8y cli profile --shell {shell})
set-session() {{
    local c8yenv
    c8yenv=$(c8y sessions login --shell {shell} "$@") || {{ echo "Set session failed" >&2; return 1; }}
    eval "$c8yenv"
}}
set_session() {{ set-session "$@"; }}
clear-session() {{ eval "$(c8y sessions clear --shell {shell})"; }}
clear_session() {{ clear-session "$@"; }}
session() {{ c8y sessions get "$@"; }}
clear-c8ypassphrase() {{ unset C8Y_PASSPHRASE C8Y_PASSPHRASE_TEXT; }}
set-c8ymode() {{
    local c8yenv
    c8yenv=$(c8y settings update --shell {shell} mode "$1") || return 1
    eval "$c8yenv" && echo "Enabled $1 mode (temporarily)" >&2
}}
set-c8ymode-dev() {{ set-c8ymode dev; }}
set-c8ymode-qual() {{ set-c8ymode qual; }}
set-c8ymode-prod() {{ set-c8ymode prod; }}
"""

_FISH = """\
# c8y session helpers (c8y cli profile --shell fish)
function set-session --description 'Activate a Cumulocity session'
    set -l c8yenv (c8y sessions login --shell fish $argv)
    if test $status -ne 0
        echo "Set session failed" >&2
        return 1
    end
    printf '%s\\n' $c8yenv | source
    return 0  # `set -e` of a variable that is not set leaves status 4 behind
end
function clear-session --description 'Forget the active Cumulocity session'
    c8y sessions clear --shell fish | source
    return 0
end
function session --description 'Show the active Cumulocity session'
    c8y sessions get $argv
end
function clear-c8ypassphrase
    set -e C8Y_PASSPHRASE
    set -e C8Y_PASSPHRASE_TEXT
end
function set-c8ymode --argument-names mode
    set -l c8yenv (c8y settings update --shell fish mode $mode); or return 1
    printf '%s\\n' $c8yenv | source
    echo "Enabled $mode mode (temporarily)" >&2
end
function set-c8ymode-dev; set-c8ymode dev; end
function set-c8ymode-qual; set-c8ymode qual; end
function set-c8ymode-prod; set-c8ymode prod; end
"""

_POWERSHELL = """\
# c8y session helpers (c8y cli profile --shell powershell)
function set-session {
    $c8yenv = c8y sessions login --shell powershell @args
    if ($LASTEXITCODE -ne 0) { Write-Warning "Set session failed"; return }
    $c8yenv | Out-String | Invoke-Expression
}
function clear-session { c8y sessions clear --shell powershell | Out-String | Invoke-Expression }
function session { c8y sessions get @args }
function clear-c8ypassphrase { $env:C8Y_PASSPHRASE = $null; $env:C8Y_PASSPHRASE_TEXT = $null }
function set-c8ymode {
    param([string]$mode)
    $c8yenv = c8y settings update --shell powershell mode $mode
    if ($LASTEXITCODE -ne 0) { return }
    $c8yenv | Out-String | Invoke-Expression
    Write-Host "Enabled $mode mode (temporarily)" -ForegroundColor Green
}
function set-c8ymode-dev { set-c8ymode dev }
function set-c8ymode-qual { set-c8ymode qual }
function set-c8ymode-prod { set-c8ymode prod }
"""


def render_profile(shell: str) -> str:
    if shell == "fish":
        return _FISH
    if shell == "powershell":
        return _POWERSHELL
    return _POSIX.format(shell=shell)


def profile_file(shell: str, home: Path) -> Path:
    return {
        "bash": home / ".bashrc",
        "zsh": home / ".zshrc",
        "fish": home / ".config" / "fish" / "conf.d" / "c8y.fish",
        "powershell": home / ".config" / "powershell" / "Microsoft.PowerShell_profile.ps1",
    }[shell]


def install_block(existing: str, script: str) -> str:
    """``existing`` with the helper block replaced (or appended)."""
    block = f"{BEGIN}\n{script}{END}\n"
    if BEGIN in existing and END in existing:
        head, _, rest = existing.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + block + tail.lstrip("\n")
    separator = "" if not existing or existing.endswith("\n") else "\n"
    return existing + separator + block


def _shell(name: str) -> str:
    chosen = name.lower()
    if chosen == "pwsh":
        chosen = "powershell"
    if chosen not in SHELLS:
        raise UsageError(f"invalid --shell {name!r}: use bash, zsh, fish or powershell")
    return chosen


@click.group(name="cli", context_settings={"help_option_names": ["-h", "--help"]})
def cli_cmd() -> None:
    """The shell helpers: set-session, clear-session, session, set-c8ymode."""


@cli_cmd.command(name="profile")
@click.option("--shell", required=True, help="bash, zsh, fish or powershell")
def profile_cmd(shell: str) -> None:
    """Print the helpers for a shell (e.g. eval "$(c8y cli profile --shell bash)")."""
    click.echo(render_profile(_shell(shell)), nl=False)


@cli_cmd.command(name="install")
@click.option("--shell", required=True, help="bash, zsh, fish or powershell")
@click.option(
    "--file",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Start-up file to write [default: the shell's own, e.g. ~/.bashrc]",
)
def install_cmd(shell: str, target: Path | None) -> None:
    """Install the helpers into the shell's start-up file (open a new shell, then: set-session)."""
    import os

    from c8ylink.infra.files import read_text, write_atomic

    chosen = _shell(shell)
    path = target or profile_file(chosen, Path(os.environ.get("HOME") or os.path.expanduser("~")))
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = read_text(path) or ""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    write_atomic(path, install_block(existing, render_profile(chosen)), mode=mode)
    click.echo(
        f"✓ Installed the c8y session helpers into {path} (open a new shell to use set-session)", err=True
    )
