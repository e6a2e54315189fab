"""Global flags as click options (declared once in ``operator.flags``), and the context a command works
with (``OperatorContext``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from c8ylink.operator.cli.surroundings import current_surroundings
from c8ylink.operator.environment import Surroundings
from c8ylink.operator.flags import (
    CHOICE,
    COMMON,
    DURATION,
    FLAGS,
    INTEGER,
    MULTIPLE,
    SWITCH,
    FlagSpec,
    GlobalFlags,
)
from c8ylink.operator.flags import parse_duration_ms as _parse_duration_ms

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "GlobalFlags",
    "OperatorContext",
    "add_rest_options",
    "global_options",
    "operator_context",
    "rest_options",
]


class DurationType(click.ParamType):  # type: ignore[type-arg]
    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        try:
            return _parse_duration_ms(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _store(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        flags = ctx.find_root().meta.setdefault("c8y.flags", GlobalFlags())
        if value is not None and value is not False and value != ():  # 0 is a value (--abortOnErrors 0)
            setattr(flags, attribute, value)

    return callback


def click_option(spec: FlagSpec) -> Callable[[F], F]:
    settings: dict[str, Any] = {"help": spec.help, "expose_value": False, "callback": _store(spec.attr)}
    if spec.kind == SWITCH:
        settings["is_flag"] = True
    elif spec.kind == MULTIPLE:
        settings["multiple"] = True
    if spec.value == INTEGER:
        settings["type"] = click.IntRange(spec.minimum, spec.maximum)
    elif spec.value == CHOICE:
        settings["type"] = click.Choice(spec.choices, case_sensitive=False)
    elif spec.value == DURATION:
        settings["type"] = DurationType()
    if spec.attr == "examples":  # answered before anything else is read, as --help is
        settings.update(is_eager=True, callback=_show_examples)
    return click.option(*spec.names, **settings)


def _show_examples(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """``--examples``: the Examples section of the command's help (its epilog or docstring)."""
    if not value or ctx.resilient_parsing:
        return
    command = ctx.command
    for text in (command.epilog or "", command.help or ""):
        _, found, examples = text.partition("Examples:")
        if found:
            import textwrap

            lines = [line for line in examples.splitlines() if line.strip() != "\b"]
            click.echo(textwrap.dedent("\n".join(lines)).strip("\n"))
            ctx.exit(0)
    click.echo(f"{ctx.command_path} has no examples", err=True)
    ctx.exit(0)


def _apply(function: F, specs: tuple[FlagSpec, ...]) -> F:
    for spec in reversed(specs):
        function = click_option(spec)(function)
    return function


def global_options(function: F) -> F:
    """The common global flags (session commands); they land in ``OperatorContext.flags``."""
    return _apply(function, COMMON)


def rest_options(function: F) -> F:
    """Every global flag (REST commands)."""
    return _apply(function, FLAGS)


def add_rest_options(command: click.Command) -> click.Command:
    """Every global flag, added to a command object (after its own options)."""
    for spec in FLAGS:
        click_option(spec)(command)
    return command


@dataclass
class OperatorContext:
    flags: GlobalFlags
    where: Surroundings


def operator_context(ctx: click.Context, *, prompts: str = "terminal") -> OperatorContext:
    """The flags and surroundings of this run. ``prompts``: ``terminal`` (stdin or /dev/tty with a
    terminal on stderr), ``stdin`` (only when stdin itself is a terminal) or ``none``."""
    flags = ctx.find_root().meta.setdefault("c8y.flags", GlobalFlags())
    return OperatorContext(flags, current_surroundings(prompts))
