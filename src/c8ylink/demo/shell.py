"""Running the products' commands as a user would: shown, run as processes, output streamed.

    shell = Shell(transcript, env={...})
    shell.export("TEDGE_CONFIG_DIR", "/tmp/demo/etc-tedge")       # printed as `$ export ...`
    result = shell.run("tedge", "config", "set", "c8y.url", "localhost")
    shell.run("c8y", "deviceregistration", "register-ca", "--one-time-password", Secret(otp, '"$OTP"'))

Programs of this package (``tedge``, ``c8y``, ``c8ylink``, ...) are taken from the directory of the
running interpreter (the virtualenv), others from ``PATH``. A ``Secret`` argument is passed as its
value and shown as its placeholder, so the transcript never prints it. A command that exits with
another code than expected raises ``StepError`` with its last output line as the reason.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from c8ylink.core.errors import C8yLinkError
from c8ylink.demo.transcript import Transcript

DEFAULT_TIMEOUT = 120.0


class StepError(C8yLinkError):
    """A step of the demo did not end as it should; the message says why."""


@dataclass(frozen=True)
class Secret:
    """An argument passed as ``value`` and shown as ``shown`` (e.g. ``"$ADMIN_PASSWORD"``)."""

    value: str = field(repr=False)
    shown: str


Arg = str | os.PathLike[str] | Secret


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def _value(arg: Arg) -> str:
    return arg.value if isinstance(arg, Secret) else os.fspath(arg)


def _shown(arg: Arg) -> str:
    return arg.shown if isinstance(arg, Secret) else shlex.quote(os.fspath(arg))


class Shell:
    def __init__(
        self, transcript: Transcript, *, env: Mapping[str, str], bin_dir: Path | None = None
    ) -> None:
        self.transcript = transcript
        self.env = dict(env)
        self.bin_dir = bin_dir or Path(sys.executable).parent
        self._background: list[Background] = []

    def program(self, name: str) -> str:
        """The executable for ``name``: this package's scripts from the virtualenv, others from PATH."""
        candidate = self.bin_dir / name
        if candidate.exists():
            return str(candidate)
        found = shutil.which(name, path=self.env.get("PATH"))
        if found is None:
            raise StepError(f"{name} is not installed (looked in {self.bin_dir} and on PATH)")
        return found

    def export(self, name: str, value: str, shown: str | None = None) -> None:
        self.env[name] = value
        self.transcript.command(f"export {name}={shown if shown is not None else shlex.quote(value)}")

    def run(
        self,
        *args: Arg,
        expect: int | None = 0,
        input: str | None = None,
        show_output: bool = True,
        quiet: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Result:
        """Show the command, run it, stream its output (stdout and stderr, as they come), check the code.

        ``show_output=False`` keeps stdout out of the transcript (stderr is always shown unless
        ``quiet``, which also leaves out the command line: for polling).
        """
        if not quiet:
            self.transcript.command(" ".join(_shown(arg) for arg in args))
        argv = [self.program(_value(args[0])), *(_value(arg) for arg in args[1:])]
        shown = " ".join(_shown(a) for a in args)
        return self._execute(
            argv, shown, expect=expect, input=input, show=(show_output, not quiet), timeout=timeout
        )

    def run_script(
        self, script: str, *, shown: str, show_output: bool = True, expect: int | None = 0
    ) -> Result:
        """A line of shell (``eval "$(c8y sessions login)"``) run by bash with this shell's environment."""
        self.transcript.command(shown)
        return self._execute(
            ["bash", "-c", script], shown, expect=expect, input=None, show=(show_output, True),
            timeout=DEFAULT_TIMEOUT,
        )  # fmt: skip

    def _execute(
        self,
        argv: list[str],
        shown: str,
        *,
        expect: int | None,
        input: str | None,
        show: tuple[bool, bool],
        timeout: float,
    ) -> Result:
        env = {**self.env, "PATH": f"{self.bin_dir}{os.pathsep}{self.env.get('PATH', os.defpath)}"}
        try:
            process = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise StepError(f"could not run {shown}: {exc.strerror}") from None
        out: list[str] = []
        err: list[str] = []
        pumps = [
            threading.Thread(target=self._pump, args=(process.stdout, out, show[0]), daemon=True),
            threading.Thread(target=self._pump, args=(process.stderr, err, show[1]), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        if input is not None and process.stdin is not None:
            with process.stdin:
                process.stdin.write(input)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise StepError(f"{shown} did not finish within {timeout:.0f} s") from None
        for pump in pumps:
            pump.join(timeout=5)
        result = Result(code, "".join(out), "".join(err))
        if expect is not None and code != expect:
            last = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
            raise StepError(f"{shown} exited with {code} (expected {expect}): {last}")
        return result

    def _pump(self, stream: IO[str] | None, sink: list[str], show: bool) -> None:
        if stream is None:
            return
        with stream:
            for line in stream:
                sink.append(line)
                if show:
                    self.transcript.output(line)

    def start(self, *args: Arg, log: Path) -> Background:
        """Start a long-running command in the background, its output going to ``log``."""
        self.transcript.command(" ".join(_shown(arg) for arg in args) + f" > {shlex.quote(str(log))} 2>&1 &")
        argv = [self.program(_value(args[0])), *(_value(arg) for arg in args[1:])]
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as sink:
            process = subprocess.Popen(
                argv, env=self.env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        background = Background(process, log)
        self._background.append(background)
        return background

    def stop_all(self) -> None:
        for background in reversed(self._background):
            background.stop()
        self._background.clear()


@dataclass
class Background:
    process: subprocess.Popen[bytes]
    log: Path

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(self.process)

    def tail(self, lines: int = 5) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _kill_group(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def parse_env_dump(dump: str) -> dict[str, str]:
    """The environment printed by ``env -0``."""
    pairs = (entry.partition("=") for entry in dump.split("\0") if "=" in entry)
    return {name: value for name, _, value in pairs}
