"""``make fuzz``: run each fuzz target of this directory for ``--seconds`` (one at a time) and print one
line per target: executions, crashes, where the crash inputs are. Exit 1 when any target crashed.

Corpora and crash inputs live in ``.fuzz/<target>/`` (not versioned); a crash input becomes a case in
``tests/robustness/test_fuzz_findings.py`` once fixed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".fuzz"
TARGETS = sorted(path.stem.removeprefix("fuzz_") for path in HERE.glob("fuzz_*.py"))
_EXECUTED = re.compile(rb"stat::number_of_executed_units:\s*(\d+)")
_PROGRESS = re.compile(rb"#(\d+)\s")


def run(target: str, seconds: int) -> tuple[int, list[Path]]:
    """Fuzz one target; returns (executions, crash inputs written by this run)."""
    work = WORK / target
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    before = set(work.glob("crash-*"))
    command = [
        sys.executable, str(HERE / f"fuzz_{target}.py"), str(corpus),
        f"-max_total_time={seconds}", "-print_final_stats=1", "-max_len=4096", "-timeout=10",
        "-rss_limit_mb=1024", f"-artifact_prefix={work}/",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, cwd=HERE, check=False)
    output = result.stdout + result.stderr
    (work / "last-run.log").write_bytes(output)
    executed = _EXECUTED.findall(output) or _PROGRESS.findall(output) or [b"0"]
    return int(executed[-1]), sorted(set(work.glob("crash-*")) - before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="time per target (default 60)")
    parser.add_argument(
        "targets", nargs="*", choices=[*TARGETS, []], help=f"default: all ({', '.join(TARGETS)})"
    )
    args = parser.parse_args()
    crashed = False
    for target in args.targets or TARGETS:
        executions, crashes = run(target, args.seconds)
        crashed = crashed or bool(crashes)
        where = f" -> {', '.join(str(path) for path in crashes)}" if crashes else ""
        print(f"fuzz {target}: {executions:,} executions in {args.seconds} s, {len(crashes)} crashes{where}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
