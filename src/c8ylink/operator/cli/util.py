"""``c8y util show | repeat | repeatfile | repeatcsv`` (go-c8y-cli's pipeline helpers), ``c8y version``.

``show`` prints JSON read from stdin (or ``--input FILE``: one object per line, pretty-printed or
concatenated) through the output of every command: ``--select``, ``--output``, ``--filter``, ``--view``.
The repeat commands print lines (``repeatcsv``: JSON objects) for the next command of a pipeline.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import click

from c8ylink.core.errors import UsageError
from c8ylink.operator.cli.options import operator_context, rest_options
from c8ylink.operator.cli.surroundings import isatty
from c8ylink.operator.flags import parse_duration_ms
from c8ylink.operator.repeat import RepeatOptions, csv_rows, repeat_files, repeat_lines

CONTEXT = {"help_option_names": ["-h", "--help"]}
USER_ERROR = 101


@click.group(name="util", context_settings=CONTEXT)
def util_cmd() -> None:
    """Pipeline helpers: show JSON, repeat lines, CSV to JSON."""


def read_json_documents(stream: TextIO, err: TextIO) -> Iterator[Any]:
    """JSON documents one after another (one a line, pretty-printed or concatenated); text that is
    not JSON is skipped with a warning, as upstream."""
    decoder = json.JSONDecoder()
    text = stream.read()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        try:
            document, position = decoder.raw_decode(text, position)
        except ValueError:
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            err.write(f"warning: could not process line (only JSON is accepted): {text[position:end][:60]}\n")
            position = end + 1
            continue
        yield document


@util_cmd.command(name="show", context_settings=CONTEXT)
@click.option("--input", "input_file", default=None, help="A file of JSON lines (default: stdin)")
@rest_options
def show_cmd(input_file: str | None) -> None:
    """Show JSON input (stdin or --input) with --select, --output, --filter.

    \b
    Examples:
      c8y devices list --dry --dryFormat json | c8y util show --select query
      c8y util show --input devices.json --select id,name --output csv
    """
    from c8ylink.operator.api.output import Printer
    from c8ylink.operator.api.runner import Streams, output_options
    from c8ylink.operator.cli.extensions import extensions_root

    ops = operator_context(click.get_current_context(), prompts="none")
    flags = ops.flags
    streams = Streams(
        sys.stdin, sys.stdout, sys.stderr, isatty(sys.stdin), isatty(sys.stdout), isatty(sys.stderr)
    )
    options = output_options(flags, streams, extensions_dir=str(extensions_root(ops)))
    printer = Printer(options, sys.stdout, sys.stderr)
    if input_file is None and streams.stdin_tty:
        raise UsageError(
            "missing input: pipe JSON into c8y util show or give --input FILE", exit_code=USER_ERROR
        )
    source: TextIO
    try:
        source = open(input_file, encoding="utf-8") if input_file else sys.stdin  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read --input {input_file}: {exc.strerror}", exit_code=USER_ERROR) from None
    try:
        for document in read_json_documents(source, sys.stderr):
            if isinstance(document, dict):
                printer.items([document])
            elif isinstance(document, list):
                printer.items([item if isinstance(item, dict) else {"value": item} for item in document])
            else:
                printer.document(document)
    finally:
        printer.close()
        if input_file:
            source.close()


def _repeat_options(
    times: int | None, fmt: str, first: int, infinite: bool, random_skip: float, **extra: Any
) -> RepeatOptions:
    if times is not None and times < 0:
        raise UsageError("--times must be 0 or more", exit_code=USER_ERROR)
    return RepeatOptions(times=1 if times is None else times, format=fmt, first=first, infinite=infinite,
                         random_skip=random_skip, **extra)  # fmt: skip


def _delays(minimum: str, maximum: str) -> tuple[float, float]:
    try:
        low, high = parse_duration_ms(minimum), parse_duration_ms(maximum)
    except ValueError as exc:
        raise UsageError(f"invalid --randomDelayMin/--randomDelayMax: {exc}", exit_code=USER_ERROR) from None
    if high and low > high:
        raise UsageError("--randomDelayMin must not be larger than --randomDelayMax", exit_code=USER_ERROR)
    return low, high


def _emit(lines: Iterable[str], delays: tuple[float, float]) -> None:
    low, high = delays
    for line in lines:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        wait = random.uniform(low, high) if high else low
        if wait > 0:
            time.sleep(wait)


def repeat_flags(function: Any) -> Any:
    for option in reversed(
        (
            click.option("--times", type=int, default=None, help="How often to repeat the input (default 1)"),
            click.option("--format", "fmt", default="%s",
                         help="Format of each line: %s the input, a second %s the index"),
            click.option("--first", type=int, default=0, help="Only the first N input lines (0 = all)"),
            click.option("--infinite", is_flag=True, help="Repeat until stopped (ctrl-c)"),
            click.option("--randomSkip", "random_skip", type=float, default=-1.0,
                         help="Skip a line with this probability (0 to 1; -1 = never)"),
            click.option("--randomDelayMin", "delay_min", default="0ms", help="Smallest pause after a line"),
            click.option("--randomDelayMax", "delay_max", default="0ms", help="Largest pause after a line"),
        )
    ):  # fmt: skip
        function = option(function)
    return function


@util_cmd.command(name="repeat", context_settings=CONTEXT)
@click.argument("count", required=False, type=int)
@click.option("--input", "input_value", default=None, help="The value to repeat (or piped lines)")
@click.option("--skip", type=int, default=0, help="Skip the first N input lines")
@click.option("--offset", type=int, default=0, help="Added to the index")
@click.option("--useLineCount", "use_line_count", is_flag=True, help="The index counts every output line")
@repeat_flags
def repeat_cmd(  # noqa: PLR0917 (click passes the options as arguments)
    count: int | None, input_value: str | None, skip: int, offset: int, use_line_count: bool,
    times: int | None,
    fmt: str, first: int, infinite: bool, random_skip: float, delay_min: str, delay_max: str,
) -> None:  # fmt: skip
    """Repeat input values (piped lines, or --input) N times.

    \b
    Examples:
      c8y util repeat 5 --input "my name"
      echo device | c8y util repeat 2 --offset 100 --format "%s %05s"
    """
    options = _repeat_options(count if count is not None else times, fmt, first, infinite, random_skip,
                              skip=skip, offset=offset, use_line_count=use_line_count)  # fmt: skip
    if input_value is not None:
        lines: Iterable[str] = [input_value]
    elif isatty(sys.stdin):
        lines = [""]
    else:
        lines = (line.rstrip("\r\n") for line in sys.stdin if line.strip())
    _emit(repeat_lines(lines, options, random.random), _delays(delay_min, delay_max))


def _read_files(files: tuple[str, ...]) -> list[str]:
    contents = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as handle:
                contents.append(handle.read())
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}", exit_code=USER_ERROR) from None
    return contents


@util_cmd.command(name="repeatfile", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True)
@repeat_flags
def repeatfile_cmd(  # noqa: PLR0917
    files: tuple[str, ...], times: int | None, fmt: str, first: int, infinite: bool, random_skip: float,
    delay_min: str, delay_max: str,
) -> None:  # fmt: skip
    """Print every line of the files, the whole set --times times.

    \b
    Examples:
      c8y util repeatfile devices.txt --times 2
    """
    options = _repeat_options(times, fmt, first, infinite, random_skip)
    _emit(repeat_files(_read_files(files), options, random.random), _delays(delay_min, delay_max))


@util_cmd.command(name="repeatcsv", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True)
@click.option("--delimiter", default="", help="Field delimiter (default: detected)")
@click.option("--noHeader", "no_header", is_flag=True, help="The first row is data, not the column names")
@click.option("--columns", default="", help="Column names, comma-separated")
@repeat_flags
def repeatcsv_cmd(  # noqa: PLR0917
    files: tuple[str, ...], delimiter: str, no_header: bool, columns: str, times: int | None, fmt: str,
    first: int, infinite: bool, random_skip: float, delay_min: str, delay_max: str,
) -> None:  # fmt: skip
    """Convert CSV files to JSON lines (one object per row), --times times.

    \b
    Examples:
      c8y util repeatcsv devices.csv | c8y devices create
      c8y util repeatcsv no-header.csv --noHeader --columns name,type
    """
    del fmt
    names = [name.strip() for name in columns.split(",") if name.strip()]
    rows = [
        row
        for text in _read_files(files)
        for row in csv_rows(text, delimiter=delimiter, header=not no_header, columns=names)
    ]
    options = _repeat_options(times, "%s", first, infinite, random_skip)
    lines = repeat_files([json.dumps(row, separators=(",", ":")) for row in rows], options, random.random)
    _emit(lines, _delays(delay_min, delay_max))


@click.command(name="version", context_settings=CONTEXT)
@click.option("--select", default=None, help="One property: version, branch")
@click.option("--output", "-o", default=None, help="json (default when piped) or table")
def version_cmd(select: str | None, output: str | None) -> None:
    """Show the version of c8y (as JSON when piped)."""
    from importlib.metadata import version

    info = {"version": version("c8ylink"), "branch": "c8ylink", "python": sys.version.split()[0]}
    if select:
        sys.stdout.write(f"{info.get(select, '')}\n")
    elif output == "json" or (output is None and not isatty(sys.stdout)):
        sys.stdout.write(json.dumps(info, separators=(",", ":")) + "\n")
    else:
        sys.stdout.write(f"c8y {info['version']} (c8ylink, Python {info['python']})\n")
