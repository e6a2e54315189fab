"""The `c8y` console script: answers its hottest invocations before click is imported.

``c8y --help`` and a piped ``c8y sessions list [--sessionFilter S]`` (what scripts and pickers call)
are answered here in the plain success case, and so are REST commands whose command line reads
plainly (``fast.run_fast``); everything else, including every usage error, goes to the click CLI
(``root.main``). Both paths print the same (``tests/unit/operator/cli/test_quick.py``,
``tests/unit/operator/api/test_argv.py``). ``C8YLINK_NO_FAST_PATH=1`` sends everything to click.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import NoReturn

    from c8ylink.operator.environment import Surroundings

HELP_FLAGS = ("-h", "--help")


def main(args: Sequence[str] | None = None) -> NoReturn:
    argv = list(sys.argv[1:] if args is None else args)
    answer = quick_answer(argv, os.environ, stdout_tty=_isatty(sys.stdout))
    if answer is not None:
        sys.stdout.write(answer)
        sys.stdout.flush()
        sys.exit(0)
    from c8ylink.operator.cli.spec import REST_GROUPS, hoist_global_options, is_command

    hoisted = hoist_global_options(argv)
    if hoisted and not is_command(hoisted[0]) and not hoisted[0].startswith("-"):
        expanded = _expand_alias(hoisted)  # a shell alias replaces this process
        if expanded is not None:
            argv = hoisted = hoist_global_options(expanded)
    if hoisted and hoisted[0] in REST_GROUPS and not os.environ.get("C8YLINK_NO_FAST_PATH"):
        from c8ylink.operator.cli.fast import run_fast

        run_fast(hoisted)  # exits, unless click has to read this command line
    from c8ylink.operator.cli.root import main as run_click_cli

    run_click_cli(argv)


def _expand_alias(args: list[str]) -> list[str] | None:
    """The command line an alias of the session or of the global settings expands ``args`` to (None:
    no such alias); a shell alias (``!...``) is run by ``sh`` in place of this process."""
    from c8ylink.infra.cli.run import run_plain
    from c8ylink.operator.error_output import render_c8y_error

    found: list[list[str] | None] = [None]

    def expand() -> int:
        from c8ylink.operator.aliases import expand_alias, merge_aliases
        from c8ylink.operator.cli.surroundings import current_surroundings

        where = current_surroundings()
        session, global_file = _session_settings(args, where), where.global_settings()
        aliases = {**_extension_aliases(where, session, global_file), **merge_aliases(session, global_file)}
        expansion = expand_alias(aliases, args)
        if expansion is not None and expansion.shell:
            sys.stdout.flush()
            command = expansion.shell_command()
            os.execvp(command[0], command)
        found[0] = expansion.args if expansion is not None else None
        return 0

    try:
        run_plain(expand, render_c8y_error)  # exits only on an error (a bad alias)
    except SystemExit as done:
        if done.code:
            raise
    return found[0]


def _extension_aliases(
    where: Surroundings, session: Mapping[str, object], global_file: Mapping[str, object]
) -> dict[str, str]:
    """The aliases of the installed extensions (the user's own aliases win on the same name); a
    malformed ``extension.yaml`` is named in a warning and skipped."""
    from c8ylink.operator.extensions.store import extension_aliases, extensions_root
    from c8ylink.operator.settings import SettingsLayers

    settings = SettingsLayers(env=where.env, session=session, global_file=global_file)

    def warn(message: str) -> None:
        sys.stderr.write(f"warning: {message}\n")

    return extension_aliases(extensions_root(settings, where.session_home), warn)


def _session_settings(args: list[str], where: object) -> Mapping[str, object]:
    """The settings of the session named by ``--session`` or activated (``{}`` without one)."""
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.operator.active import load_active_session

    flag = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--session"), None)
    try:
        return load_active_session(where, flag).settings  # type: ignore[arg-type]
    except C8yLinkError:
        return {}


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def quick_answer(argv: Sequence[str], env: Mapping[str, str], *, stdout_tty: bool) -> str | None:
    if len(argv) == 1 and argv[0] in HELP_FLAGS:
        from c8ylink.infra.cli.help import help_width

        return render_root_help(help_width(env), env)
    if len(argv) > 1 and argv[-1] in HELP_FLAGS:
        return _group_help(argv[:-1], env)
    terms = _sessions_list_filter(argv)
    if terms is None or stdout_tty:
        return None
    try:
        from c8ylink.operator.sessions.listing import filtered, home_of, render_lines, session_entries

        home = home_of(env, env.get("HOME") or os.path.expanduser("~"))
        if not os.path.isdir(home):
            return None  # the CLI creates it and says so
        return render_lines(filtered(session_entries(home), terms))
    except Exception:  # any surprise: the full CLI handles (and reports) it
        return None


def _group_help(words: Sequence[str], env: Mapping[str, str]) -> str | None:
    """``c8y <group> [<sub-group>...] --help`` of a REST group, else None (click answers)."""
    from c8ylink.operator.api.index import GROUPS

    if words[0] not in GROUPS or any(word.startswith("-") for word in words):
        return None
    from c8ylink.infra.cli.help import help_width
    from c8ylink.operator.api.index import load_group
    from c8ylink.operator.cli.group_pages import render_group_help

    return render_group_help(load_group(words[0]), GROUPS[words[0]], list(words[1:]), help_width(env))


def render_root_help(width: int, env: Mapping[str, str] | None = None) -> str:
    from c8ylink.infra.cli.help import render_help
    from c8ylink.operator.cli.spec import DOC, OPTION_ROWS, PROG, USAGE_ARGS, all_commands, extension_rows

    commands = tuple(all_commands())
    extensions = tuple(extension_rows(os.environ if env is None else env))
    sections = (("Options", OPTION_ROWS), ("Commands", commands), ("Extensions", extensions))
    return render_help(PROG, USAGE_ARGS, DOC, sections, width)


def _sessions_list_filter(argv: Sequence[str]) -> list[str] | None:
    """The filter terms of ``sessions list [--sessionFilter S] [TERMS...]``, else None."""
    if len(argv) < 2 or argv[0] not in ("sessions", "session") or argv[1] != "list":
        return None
    terms: list[str] = []
    items = list(argv[2:])
    while items:
        item = items.pop(0)
        name, eq, inline = item.partition("=")
        if name == "--sessionFilter":
            if not eq:
                if not items:
                    return None
                inline = items.pop(0)
            terms += inline.split()
        elif item.startswith("-"):
            return None
        else:
            terms.append(item)
    return terms
