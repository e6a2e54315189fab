"""`c8ylink demo`: wall time of the whole onboarding flow, broken down per step, against its target.

Runs the demo ROUNDS times as a user runs it (a process, a fresh work dir and tenant each time); the
demo writes the time of each step to a JSON file (its hidden ``--timings`` option). Prints the medians
per step on stderr and one result line::

    demo: 4.6 s (0.15x the 30 s target) [median of 3 runs; steps: tenant 0.4 s, ...]

Target (issue 10): <= 30 s in total on 2 cores.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROUNDS = 3
TARGET = 30.0
C8YLINK = str(Path(sys.executable).parent / "c8ylink")


def run_once(scratch: Path, round_number: int) -> dict[str, object]:
    timings = scratch / f"timings-{round_number}.json"
    env = {**os.environ, "TMPDIR": str(scratch)}
    completed = subprocess.run(
        [C8YLINK, "demo", "--timings", str(timings)], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stdout.splitlines()[-15:])
        raise SystemExit(f"demo-bench: the demo failed (exit {completed.returncode}):\n{tail}")
    return dict(json.loads(timings.read_text()))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="demo-bench-", dir="/tmp") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)  # mosquitto's own user must reach the work dirs inside
        runs = [run_once(scratch, n) for n in range(ROUNDS)]
    steps: dict[str, list[float]] = {}
    for run in runs:
        for title, seconds in dict(run["steps"]).items():  # type: ignore[call-overload]
            steps.setdefault(title, []).append(float(seconds))
    total = statistics.median(float(run["total"]) for run in runs)  # type: ignore[arg-type]
    for title, samples in steps.items():
        print(f"  {statistics.median(samples):5.2f} s  {title}", file=sys.stderr)
    breakdown = ", ".join(f"{statistics.median(s):.1f} s" for s in steps.values())
    print(
        f"demo: {total:.1f} s ({total / TARGET:.2f}x the {TARGET:.0f} s target) "
        f"[median of {ROUNDS} runs of c8ylink demo; steps 1-{len(steps)}: {breakdown}]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
