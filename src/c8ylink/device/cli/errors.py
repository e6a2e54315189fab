"""How `tedge` prints errors: clap's usage-error layout for command-line mistakes (exit 2), and
``Error: failed to ... / Caused by:`` for everything else (``infra.cli.run.render_caused_by``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from c8ylink.core.errors import C8yLinkError, StepFailed, UsageError
from c8ylink.infra.cli.run import render_caused_by


def render_tedge_error(exc: C8yLinkError) -> str:
    if isinstance(exc, UsageError):
        return f"error: {exc}\n\nFor more information, try '--help'."
    return render_caused_by(exc)


def invalid_value(argument: str, name: str, reason: str) -> UsageError:
    """clap's ``invalid value '<arg>' for '<NAME>': <reason>`` (exit 2)."""
    return UsageError(f"invalid value '{argument}' for '{name}': {reason}")


@contextmanager
def failing_to(description: str) -> Iterator[None]:
    """Report errors raised inside as ``Error: failed to <description>`` caused by them (tedge style)."""
    try:
        yield
    except (UsageError, StepFailed):
        raise
    except C8yLinkError as exc:
        raise C8yLinkError(f"failed to {description}", exit_code=exc.exit_code) from exc
