"""Click commands made from the REST specs (``operator.api.specs``), when their group is invoked.

``build_group(name)`` imports that group's spec module only, and turns each ``CommandSpec`` into a
click command: one option per parameter (switches, repeatable lists, values), the global flags, the
examples as the epilog. The callback hands the collected values to ``operator.api.runner``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from c8ylink.operator.api.argv import short_names
from c8ylink.operator.api.index import GROUPS, REALTIME_COMMANDS, load_group
from c8ylink.operator.api.spec import CommandSpec, ParamSpec, render_examples
from c8ylink.operator.cli.group_pages import subgroup_help
from c8ylink.operator.cli.options import add_rest_options, operator_context
from c8ylink.operator.cli.surroundings import isatty

CONTEXT = {"help_option_names": ["-h", "--help"]}


class RestCommand(click.Command):
    """Help in two sections: the command's own options, then the global flags."""

    own: int = 0  # how many of ``params`` are the command's own

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        params = self.get_params(ctx)
        own = [
            param
            for param in params
            if param.name and param.name.startswith("p") and param.name[1:].isdigit()
        ]
        rows = [(param, param.get_help_record(ctx)) for param in params]
        sections = (
            ("Options", [record for param, record in rows if param in own and record]),
            ("Global options", [record for param, record in rows if param not in own and record]),
        )
        for title, records in sections:
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


def param_help(param: ParamSpec) -> str:
    notes: list[str] = []
    if param.required:
        notes.append("required")
    if param.pipeline:
        notes.append("accepts pipeline")
    if param.choices:
        notes.append("one of " + ", ".join(param.choices))
    if param.default is not None:
        notes.append(f"default {param.default}")
    return param.description + (f" ({'; '.join(notes)})" if notes else "")


def _option(index: int, param: ParamSpec) -> click.Option:
    names = [f"--{param.name}", *(f"-{short}" for short in short_names(param)), f"p{index}"]
    if param.is_switch:  # --flag, or --flag=false as upstream's boolean flags take
        return click.Option(
            names, is_flag=False, flag_value="true", default=None, help=param_help(param),
            type=click.Choice(["true", "false"], case_sensitive=False),
        )  # fmt: skip
    if param.is_list or param.type == "json":  # --data repeated: merged
        return click.Option(names, multiple=True, help=param_help(param), metavar="TEXT")
    return click.Option(names, default=None, help=param_help(param))


def _raw(param: ParamSpec, value: Any) -> Any:
    """What the click-free reading collects too: a given switch is ``True``, ``--flag=false`` "false"."""
    if param.is_switch and isinstance(value, str):
        return True if value.lower() == "true" else "false"
    return value


def examples_epilog(spec: CommandSpec) -> str:
    lines = [f"  {line}" for line in render_examples(spec)]
    return "\n".join(["\b", "Examples:", *lines]) if lines else ""


def build_command(group: str, spec: CommandSpec, *, name: str | None = None) -> click.Command:
    params = list(spec.params)

    def callback(**kwargs: Any) -> None:
        raw = {param.name: _raw(param, kwargs[f"p{index}"]) for index, param in enumerate(params)}
        run_invocation(group, spec, raw)

    command = RestCommand(
        name or spec.name.split(" ")[-1],
        context_settings=CONTEXT,
        callback=callback,
        params=[_option(index, param) for index, param in enumerate(params)],
        help=spec.long or spec.description,
        short_help=spec.description,
        epilog=examples_epilog(spec),
        hidden=spec.hidden,
    )
    return add_rest_options(command)


def run_invocation(group: str, spec: CommandSpec, raw: dict[str, Any]) -> None:
    from c8ylink.operator.api.runner import Invocation, Streams, run_rest

    ops = operator_context(click.get_current_context())
    streams = Streams(
        sys.stdin, sys.stdout, sys.stderr, isatty(sys.stdin), isatty(sys.stdout), isatty(sys.stderr)
    )
    code = run_rest(Invocation(group, spec, raw, ops.flags), ops.where, streams)
    if code:
        raise click.exceptions.Exit(code)


def build_group(name: str) -> click.Group:
    """The click group of one REST group (nested groups for commands named ``certificates list``)."""
    spec = load_group(name)
    group = click.Group(name, help=GROUPS.get(name, spec.description), context_settings=CONTEXT)
    for command in spec.commands:
        *parents, leaf = command.name.split(" ")
        target = group
        for depth, parent in enumerate(parents, 1):
            child = target.commands.get(parent)
            if not isinstance(child, click.Group):
                text = subgroup_help(name, parents[:depth])
                child = click.Group(parent, help=text, short_help=text, context_settings=CONTEXT)
                target.add_command(child)
            target = child
        target.add_command(build_command(name, command, name=leaf))
    if name in REALTIME_COMMANDS:
        from c8ylink.operator.cli.realtime import group_subscribe_command

        group.add_command(group_subscribe_command(name))
    return group
