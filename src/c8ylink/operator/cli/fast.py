"""REST commands without click: when ``operator.api.argv`` can read the command line (the plain success
case), the command runs straight away; anything else (help, a mistake) goes to the click CLI, which
explains it. Every pipeline stage is a new ``c8y`` process, so this is the path that start-up time
matters on (``bench/rest_client.py``)."""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def run_fast(argv: Sequence[str]) -> None:
    """Run ``argv`` (``devices list ...``, global flags behind the command) and exit, or return when
    click has to read it."""
    from c8ylink.operator.api.argv import parse_invocation
    from c8ylink.operator.api.index import load_group

    parsed = parse_invocation(load_group(argv[0]), list(argv[1:]))
    if parsed is None:
        return
    command, raw, flags = parsed

    def main() -> int:
        from c8ylink.operator.api.runner import Invocation, Streams, run_rest
        from c8ylink.operator.cli.surroundings import current_surroundings, isatty

        streams = Streams(
            sys.stdin, sys.stdout, sys.stderr, isatty(sys.stdin), isatty(sys.stdout), isatty(sys.stderr)
        )
        return run_rest(Invocation(argv[0], command, raw, flags), current_surroundings(), streams)

    from c8ylink.infra.cli.run import run_plain
    from c8ylink.operator.error_output import render_c8y_error

    run_plain(main, render_c8y_error)
