"""What every fuzz target shares: instrumented imports of c8ylink, a seed corpus, libFuzzer's run.

A target module defines ``one_input(data: bytes) -> None`` and ``SEEDS`` and ends with
``harness.main(one_input, SEEDS)``. ``one_input`` lets through only the errors its code documents
(``expected``), so any other exception is a crash; libFuzzer stops there and writes the input to
``<work>/crash-<sha1>`` (``fuzz/run.py`` reports it).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import atheris


def expected(*errors: type[BaseException]) -> contextlib.suppress:
    """Swallow the documented error types of the code under test, nothing else."""
    return contextlib.suppress(*errors)


def instrumented() -> contextlib.AbstractContextManager[None]:
    """Import c8ylink's modules with coverage feedback for the fuzzer."""
    return atheris.instrument_imports(include=["c8ylink"])  # type: ignore[no-any-return]


def main(one_input: Callable[[bytes], None], seeds: Iterable[bytes]) -> None:
    """Write the seeds into the corpus directory named on the command line, then fuzz."""
    corpus = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    if corpus:
        directory = Path(corpus[0])
        directory.mkdir(parents=True, exist_ok=True)
        for index, seed in enumerate(seeds):
            (directory / f"seed-{index:03d}").write_bytes(seed)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    os.environ.setdefault("TZ", "UTC")
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
