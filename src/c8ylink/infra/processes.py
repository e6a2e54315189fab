"""Processes the agent's workflows and the mapper's custom operations start: scripts waited for (with a
timeout, their process group killed past it) and background scripts that are not waited for."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence

from c8ylink.core.workflows.steps import ScriptResult

MAX_OUTPUT = 1 << 20  # what a script may print that is kept


async def run_script(argv: Sequence[str], timeout: float | None) -> ScriptResult:
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        return ScriptResult(error=exc.strerror or str(exc))
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        return ScriptResult(killed=True)
    if process.returncode is not None and process.returncode < 0:
        return ScriptResult(killed=True)
    return ScriptResult(
        exit_code=process.returncode,
        stdout=stdout[:MAX_OUTPUT].decode(errors="replace"),
        stderr=stderr[:MAX_OUTPUT].decode(errors="replace"),
    )


def launch_background(argv: Sequence[str]) -> str | None:
    """Start a detached process; why it could not be started, or None."""
    try:
        subprocess.Popen(  # the workflow file names the program
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
