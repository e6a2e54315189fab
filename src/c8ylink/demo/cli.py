"""`c8ylink demo [--work-dir DIR] [--keep]`: run the onboarding flow of both user docs on a local tenant."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path

import click

from c8ylink.demo.flow import DEVICE_ID, SESSION, STEPS, DemoRun, Layout
from c8ylink.demo.shell import Shell, StepError
from c8ylink.demo.transcript import Transcript

# the caller's own sessions, device settings and CI markers must not leak into the demo
_FOREIGN_PREFIXES = ("C8Y_", "TEDGE_", "DEVICE_", "SSL_CERT_")
_FOREIGN_NAMES = {
    "CI", "BUILD_ID", "BUILD_NUMBER", "RUN_ID", "CI_APP_ID", "CI_BUILD_ID", "CI_BUILD_NUMBER", "CI_NAME",
    "CONTINUOUS_INTEGRATION", "C8YPASS",
}  # fmt: skip


@click.command("demo", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where every file of the demo goes [default: a new temporary directory, removed at the end]",
)
@click.option("--keep", is_flag=True, help="Leave the tenant and the device running and say how to use them")
@click.option("--device-id", default=DEVICE_ID, show_default=True, help="The id of the demo device")
@click.option("--timings", type=click.Path(dir_okay=False, path_type=Path), hidden=True)
def demo_cmd(work_dir: Path | None, keep: bool, device_id: str, timings: Path | None) -> None:
    """Run the documented onboarding end to end on a local Cumulocity tenant.

    Starts a local tenant, creates and activates an operator session (c8y), registers a device with a
    one-time password, lets the device download its certificate and connect (tedge, with mosquitto,
    tedge-mapper and tedge-agent under supervisord), publishes telemetry, checks it as the operator,
    restarts the device through an operation and disconnects. Every command is shown as typed.
    """
    transcript = Transcript()
    created = work_dir is None
    root = _prepare_work_dir(work_dir)
    layout = Layout(root)
    run = DemoRun(
        Shell(transcript, env=_demo_env(layout)), layout, transcript, device_id=device_id, keep=keep
    )
    transcript.note(f"every file of this demo is under {root}")
    started = time.monotonic()
    durations: dict[str, float] = {}
    failed = True
    try:
        failed = not _run_steps(run, durations)
    except KeyboardInterrupt:
        transcript.failed("interrupted")
    finally:
        total = time.monotonic() - started
        if timings is not None:
            timings.write_text(json.dumps({"steps": durations, "total": total}, indent=2) + "\n")
        if keep and not failed:
            _print_how_to_use(transcript, run)
        else:
            run.stop_services()
            if created:
                shutil.rmtree(root, ignore_errors=True)
    if failed:
        where = "were removed with the work dir" if created else f"are in {layout.logs}"
        transcript.write(f"\nThe demo failed after {total:.1f} s; the logs of the services {where}\n")
        raise SystemExit(1)
    steps = ", ".join(f"{duration:.1f} s" for duration in durations.values())
    transcript.write(f"\nDone in {total:.1f} s (steps: {steps})\n")


def _run_steps(run: DemoRun, durations: dict[str, float]) -> bool:
    """Each step in turn until one fails (``False``); ``durations`` gets the time of each that passed."""
    for number, (title, step) in enumerate(STEPS, start=1):
        run.transcript.step(number, title)
        begin = time.monotonic()
        try:
            outcome = step(run)
        except StepError as exc:
            run.transcript.failed(str(exc))
            return False
        durations[title] = time.monotonic() - begin
        run.transcript.ok(outcome)
    return True


def _prepare_work_dir(work_dir: Path | None) -> Path:
    """The work dir (a new temporary one by default), open to mosquitto's own user."""
    root = Path(tempfile.mkdtemp(prefix="c8ylink-demo-")) if work_dir is None else work_dir.absolute()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)  # mosquitto drops to its own user and must reach the device's files
    blocked = unreachable_for_mosquitto(root)
    if blocked is not None:
        if work_dir is None:
            shutil.rmtree(root, ignore_errors=True)
        raise click.UsageError(
            f"mosquitto runs as the user 'mosquitto' and cannot enter {blocked} (mode "
            f"{blocked.stat().st_mode & 0o777:o}): choose a --work-dir it can reach, e.g. under /tmp"
        )
    (root / "home").mkdir(exist_ok=True)
    return root


def _demo_env(layout: Layout) -> dict[str, str]:
    """The caller's environment without their own sessions and device settings; HOME in the work dir."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith(_FOREIGN_PREFIXES) and name.upper() not in _FOREIGN_NAMES
    }
    env.update(HOME=str(layout.home), NO_COLOR="1")
    return env


def unreachable_for_mosquitto(path: Path) -> Path | None:
    """As root, the first directory on the way to ``path`` that mosquitto's own user cannot enter."""
    if os.geteuid() != 0:
        return None  # mosquitto keeps our user
    try:
        import pwd

        mosquitto = pwd.getpwnam("mosquitto")
    except (ImportError, KeyError):
        return None  # no such user: mosquitto stays root
    for directory in [*reversed(path.parents), path]:
        mode = directory.stat()
        if mode.st_uid == mosquitto.pw_uid:
            continue
        others_may_enter = mode.st_mode & 0o001
        group_may_enter = mode.st_mode & 0o010 and mode.st_gid == mosquitto.pw_gid
        if not (others_may_enter or group_may_enter):
            return directory
    return None


def _print_how_to_use(transcript: Transcript, run: DemoRun) -> None:
    layout, tenant = run.layout, run.tenant
    conf = layout.services / "supervisord.conf"
    quoted = shlex.quote
    transcript.write(
        "\nThe tenant and the device keep running. To use them from another shell:\n\n"
        f"  # the operator\n"
        f"  export C8Y_SESSION_HOME={quoted(str(layout.sessions))}\n"
        f"  export SSL_CERT_FILE={quoted(tenant['ca_file'])}\n"
        f'  export C8Y_PASSPHRASE="$(cat {quoted(str(layout.passphrase))})"\n'
        f'  eval "$(c8y sessions login --session {SESSION})"\n'
        "  c8y devices list\n\n"
        f"  # the device\n"
        f"  export TEDGE_CONFIG_DIR={quoted(str(layout.tedge))}\n"
        "  tedge mqtt pub te/device/main///m/environment '{\"temperature\": 22}'\n\n"
        f"  # the tenant: {tenant['https_url']} (tenant {tenant['tenant']},\n"
        f"  #   user {tenant['admin']['username']}, password in {layout.tenant / 'tenant.json'})\n\n"
        f"  # to stop everything\n"
        f"  supervisorctl -c {quoted(str(conf))} shutdown; kill {tenant.get('pid', '<tenant pid>')}\n"
    )
