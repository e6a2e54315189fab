"""``c8y assert text``: pass through the input lines that match, fail (exit 112) on one that does not
(with ``--strict``; without it a line that does not match is dropped, as upstream)."""

from __future__ import annotations

import sys

import click

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.operator.cli.options import global_options
from c8ylink.operator.cli.surroundings import isatty

CONTEXT = {"help_option_names": ["-h", "--help"]}


class AssertionFailed(C8yLinkError):
    exit_code = int(C8yExit.ASSERTION)


@click.group(name="assert", context_settings=CONTEXT)
def assert_cmd() -> None:
    """Assertions on the output of other commands (for scripts and tests)."""


@assert_cmd.command(name="text", context_settings=CONTEXT)
@click.option("--input", "input_value", default=None, help="The text to check (default: each piped line)")
@click.option("--exact", default=None, help="Match this text exactly (case sensitive)")
@click.option("--regex", default=None, help="Match this regular expression (case sensitive)")
@click.option("--schema", default=None, help="Match this JSON schema (inline JSON or a file)")
@click.option("--strict", is_flag=True, help="Fail (exit 112) when a line does not match")
@global_options
def text_cmd(
    input_value: str | None, exact: str | None, regex: str | None, schema: str | None, strict: bool
) -> None:
    """Assert text input: print the lines that match, fail with --strict on one that does not.

    \b
    Examples:
      echo '{"name": "device01"}' | c8y assert text --schema myschema.json
          Assert that the input matches a given schema
      echo "myname" | c8y assert text --exact "myname"
          Assert that the input text matches a given string exactly (case sensitive)
      echo "myname" | c8y assert text --regex '.*name$'
          Assert that the input text matches a given regular expression (case sensitive)
    """
    from c8ylink.operator.assertions import build_assertion, check_line

    assertion = build_assertion(exact, regex, schema)
    if input_value is not None:
        lines = [input_value]
    elif isatty(sys.stdin):
        lines = [""]
    else:
        lines = [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    failures: list[str] = []
    for line in lines:
        failure = check_line(line, assertion)
        if failure is None:
            sys.stdout.write(line + "\n")
        elif strict:
            failures.append(failure)
            sys.stderr.write(f"assertionError: {failure}\n")
    sys.stdout.flush()
    if failures:
        raise AssertionFailed(f"{len(failures)} of {len(lines)} input line(s) failed the assertion")
