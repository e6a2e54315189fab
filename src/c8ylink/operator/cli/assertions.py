"""``c8y assert text``: pass on the input lines that match (``operator.text_assert``)."""

from __future__ import annotations

import sys

import click

from c8ylink.core.errors import C8yLinkError, UsageError
from c8ylink.core.exit_codes import C8yExit

CONTEXT = {"help_option_names": ["-h", "--help"]}
USER_ERROR = int(C8yExit.USER)


@click.group(name="assert", context_settings=CONTEXT)
def assert_cmd() -> None:
    """Assertions on the input of a pipeline."""


@assert_cmd.command(name="text", context_settings=CONTEXT)
@click.option("--input", "given", default=None, help="The text to check (default: each line of stdin)")
@click.option("--exact", default=None, help="Match the whole text exactly (case sensitive)")
@click.option("--regex", default=None, help="Match a regular expression (case sensitive)")
@click.option("--schema", default=None, help="Match a JSON schema (not supported by c8ylink)")
@click.option("--strict", is_flag=True, help="Fail (exit 112) when an input does not match")
def text_cmd(
    given: str | None, exact: str | None, regex: str | None, schema: str | None, strict: bool
) -> None:
    """Pass the input on when it matches --exact / --regex.

    \b
    Examples:
      echo "myname" | c8y assert text --exact "myname"
      echo "myname" | c8y assert text --regex '.*name$' --strict
    """
    from c8ylink.operator.text_assert import assert_lines, compile_pattern

    if schema is not None:
        raise UsageError("--schema is not supported by c8ylink: use --exact or --regex", exit_code=USER_ERROR)
    pattern = compile_pattern(regex)
    lines = [given] if given is not None else [line.rstrip("\n") for line in sys.stdin if line.strip()]
    passed, failures = assert_lines(lines, exact=exact, pattern=pattern)
    for line in passed:
        sys.stdout.write(line + "\n")
    if failures and strict:
        raise C8yLinkError(f"assertion failed: {failures[-1]}", exit_code=int(C8yExit.ASSERTION))
