"""The one place that turns exceptions into messages and exit codes.

Every console script's ``main()`` is ``run_cli(group, renderer)``: the renderer decides the error
format (tedge's ``Error: failed to ... / Caused by:`` or c8y's ``serverError: ...``), this module
decides that no traceback reaches a user for anything we raised on purpose, that Ctrl-C exits 130,
that a library of a missing extra is one line naming the extra (``infra.extras``), and that unexpected
crashes print one line plus a hint (full traceback only with ``C8YLINK_DEBUG``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from c8ylink.core.errors import C8yLinkError, StepFailed, error_chain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    import click

ErrorRenderer = Callable[[C8yLinkError], str]


def render_caused_by(exc: C8yLinkError) -> str:
    """tedge style: ``Error: <message>`` then a blank line, ``Caused by:`` and each cause indented."""
    chain = error_chain(exc)
    lines = [f"Error: {chain[0]}" if chain else "Error: unknown error"]
    causes = chain[1:]
    if causes:
        lines += ["", "Caused by:"]
        if len(causes) == 1:
            lines += [_indent(causes[0])]
        else:
            lines += [_indent(f"{n}: {cause}") for n, cause in enumerate(causes)]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.splitlines())


def run_cli(
    command: click.Command,
    render: ErrorRenderer = render_caused_by,
    *,
    args: Sequence[str] | None = None,
    prog_name: str | None = None,
) -> NoReturn:
    """Run a click command as a console script and exit with the right code."""
    import click

    def main() -> int:
        try:
            rv = command.main(args=args, prog_name=prog_name, standalone_mode=False)
        except click.exceptions.Exit as exc:
            return int(exc.exit_code)
        except click.Abort:
            sys.stderr.write("Aborted!\n")
            return 130
        except click.ClickException as exc:
            exc.show()
            return exc.exit_code
        return rv if isinstance(rv, int) else 0

    run_plain(main, render, lambda: command_path(command, args, prog_name))


def command_path(command: click.Command, args: Sequence[str] | None, prog_name: str | None) -> str:
    """``prog sub sub`` as far as ``args`` name subcommands (e.g. ``c8ylink tenant serve``)."""
    import click

    words = [prog_name or os.path.basename(sys.argv[0])]
    current = command
    for arg in sys.argv[1:] if args is None else args:
        if not isinstance(current, click.Group) or arg.startswith("-"):
            break
        try:
            found = current.get_command(click.Context(current), arg)
        except Exception:  # a subcommand that cannot be loaded ends the path
            break
        if found is None:
            break
        words.append(arg)
        current = found
    return " ".join(words)


def run_plain(
    main: Callable[[], int],
    render: ErrorRenderer = render_caused_by,
    command: Callable[[], str] | None = None,
) -> NoReturn:
    """Run ``main`` and exit with its code, or with the code of what it raised (``run_cli`` runs a click
    command through it; a command answered without click, a fast path, calls it directly). ``command``
    names the command in the message about a missing extra (default: the program's name)."""
    try:
        code = main()
    except StepFailed as exc:
        sys.exit(exc.exit_code)
    except C8yLinkError as exc:
        sys.stderr.write(render(exc) + "\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except ModuleNotFoundError as exc:
        from c8ylink.infra.extras import missing_extra_error

        error = missing_extra_error(exc, command() if command else os.path.basename(sys.argv[0]))
        if error is None:
            _crash(exc)
        sys.stderr.write(render(error) + "\n")
        sys.exit(error.exit_code)
    except Exception as exc:  # the one crash handler
        _crash(exc)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(code)


def _crash(exc: Exception) -> NoReturn:
    if os.environ.get("C8YLINK_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    else:
        sys.stderr.write(
            f"Error: internal error: {type(exc).__name__}: {exc}\n"
            "(this is a bug in c8ylink; run again with C8YLINK_DEBUG=1 for the traceback)\n"
        )
    sys.exit(100)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
