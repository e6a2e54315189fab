"""The command line of a REST command, read without click (the fast path of ``operator.cli.main``).

``parse_invocation(group, argv)`` returns what the click command built from the same spec would
collect — the command, its raw values and the global flags — or ``None`` for anything else (help,
an unknown flag, a bad value, a missing value, extra arguments): click then runs and says what is wrong
in its words. ``tests/unit/operator/api/test_argv.py`` holds the two readings equal for every example.
Pure.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from c8ylink.operator.api.spec import CommandSpec, GroupSpec, ParamSpec
    from c8ylink.operator.flags import FlagSpec, GlobalFlags

HELP = ("-h", "--help")


def find_command(group: GroupSpec, argv: list[str]) -> tuple[CommandSpec, list[str]] | None:
    best: tuple[CommandSpec, list[str]] | None = None
    for command in group.commands:
        words = command.name.split(" ")
        if argv[: len(words)] == words and (best is None or len(words) > len(best[0].name.split(" "))):
            best = (command, argv[len(words) :])
    return best


def parse_invocation(
    group: GroupSpec, argv: list[str]
) -> tuple[CommandSpec, dict[str, Any], GlobalFlags] | None:
    from c8ylink.operator.flags import BY_NAME, GlobalFlags, parse_switch_value

    found = find_command(group, argv)
    if found is None:
        return None
    command, rest = found
    options: dict[str, ParamSpec] = {}
    for spec in command.params:
        options["--" + spec.name] = spec
        for short in short_names(spec):
            options["-" + short] = spec
    raw: dict[str, Any] = {}
    flags = GlobalFlags()
    items = list(rest)
    while items:
        item = items.pop(0)
        if item in HELP or not item.startswith("-") or item == "--":
            return None
        name, equals, inline = item.partition("=") if item.startswith("--") else (item, "", "")
        param: ParamSpec | None = options.get(name)
        flag = BY_NAME.get(name) if param is None else None
        if param is None and flag is None:
            return None
        takes_value = (param is not None and not param.is_switch) or (
            flag is not None and flag.kind != "switch"
        )
        if not takes_value:
            if equals:  # a global switch given --dry=false (a command's own: click reads it)
                on = parse_switch_value(inline) if flag is not None else None
                if flag is None or on is None:
                    return None
                if on:  # false: as if not given (what click collects too)
                    setattr(flags, flag.attr, True)
                continue
            value: str | None = None
        elif equals:
            value = inline
        elif items:
            value = items.pop(0)
        else:
            return None
        if param is not None:
            _set_param(raw, param, value)
        elif flag is not None and not _set_flag(flags, flag, value):
            return None
    return command, raw, flags


def short_names(param: ParamSpec) -> tuple[str, ...]:
    """The one-letter names of a parameter: its own, and ``-d`` for ``--data`` as upstream."""
    if param.short:
        return (param.short,)
    return ("d",) if param.name == "data" else ()


def _set_param(raw: dict[str, Any], param: ParamSpec, value: str | None) -> None:
    if value is None:
        raw[param.name] = True
    elif param.is_list or param.type == "json":
        raw[param.name] = (*raw.get(param.name, ()), value)
    else:
        raw[param.name] = value


def _set_flag(flags: GlobalFlags, spec: FlagSpec, value: str | None) -> bool:
    from c8ylink.operator.flags import parse_flag_value

    if value is None:
        setattr(flags, spec.attr, True)
        return True
    try:
        parsed = parse_flag_value(spec, value)
    except ValueError:
        return False
    if spec.kind == "multiple":
        parsed = (*getattr(flags, spec.attr), parsed)
    setattr(flags, spec.attr, parsed)
    return True
