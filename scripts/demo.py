"""`make demo` until the real onboarding demo exists: the most complete flow that works today.

Runs the `tedge` commands a user would type, in a throw-away configuration directory, printing each
command before its output, then lists what is still missing. Exits non-zero only when a command does not
behave as expected (so the demo doubles as a smoke test).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent

# (command, expected exit code, what it shows)
STEPS: list[tuple[list[str], int, str]] = [
    (
        ["tedge", "connect", "c8y"],
        1,
        "connecting without configuration says what is missing (as in the user docs)",
    ),
    (
        ["tedge", "config", "set", "c8y.url", "https://mytenant.cumulocity.com"],
        1,
        "a URL is refused, with a hint",
    ),
    (["tedge", "config", "set", "c8y.url", "mytenant.cumulocity.com"], 0, "set the Cumulocity tenant"),
    (["tedge", "config", "get", "c8y.url"], 0, "read it back"),
    (["tedge", "config", "get", "c8y.mqtt"], 0, "derived: the MQTT endpoint with its default port"),
    (["tedge", "config", "list", "c8y.bridge"], 0, "list keys matching a filter"),
    (["tedge", "config", "list", "--doc", "c8y.url"], 0, "every key is documented"),
    (["tedge", "config", "add", "c8y.smartrest.templates", "tmplB,tmplA"], 0, "lists are sets"),
    (["tedge", "config", "get", "c8y.smartrest.templates"], 0, "sorted and de-duplicated"),
    (
        ["tedge", "config", "set", "c8y.url", "second.cumulocity.com", "--profile", "second"],
        0,
        "a cloud profile",
    ),
    (
        ["tedge", "config", "set", "c8y.bridge.topic_prefix", "c8y-second", "--profile", "second"],
        0,
        "profiles need their own topic prefix ...",
    ),
    (
        ["tedge", "config", "set", "c8y.proxy.bind.port", "8002", "--profile", "second"],
        0,
        "... and proxy port",
    ),
    (["tedge", "config", "get", "c8y.url", "--profile", "second"], 0, "read the profile's value"),
    (["tedge", "connect", "c8y"], 1, "still missing: the device id (normally from `tedge cert create`)"),
    (["tedge", "config", "set", "device.id", "demo-device-001"], 0, "set the device id by hand for now"),
    (["tedge", "connect", "c8y"], 1, "the configuration is complete, but there is no device certificate yet"),
]

MISSING = """\
Still missing (later issues):
  - the local Cumulocity tenant (`c8ylink tenant serve`): HTTPS REST + MQTT with mutual TLS, CA, registration
  - device certificates (`tedge cert create | upload | download c8y | renew`)
  - the operator CLI (`c8y sessions`, login flows, REST commands)
  - the Cumulocity mapper (`tedge-mapper c8y`)
  - the end-to-end onboarding demo (`c8ylink demo`)
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="c8ylink-demo-") as config_dir:
        env = {**os.environ, "TEDGE_CONFIG_DIR": config_dir}
        print(
            f"$ export TEDGE_CONFIG_DIR={shlex.quote(config_dir)}   # a throw-away config dir\n", flush=True
        )
        surprises = 0
        for argv, expected, what in STEPS:
            print(f"# {what}\n$ {shlex.join(argv)}", flush=True)
            # errors go to stderr; merged here so the transcript keeps its order when piped
            command = [str(BIN / argv[0]), *argv[1:]]
            code = subprocess.run(command, env=env, stderr=subprocess.STDOUT, check=False).returncode
            if code != expected:
                surprises += 1
                print(f"!! exit code {code}, expected {expected}", flush=True)
            print(flush=True)
        print(f"$ cat {config_dir}/tedge.toml", flush=True)
        print(Path(config_dir, "tedge.toml").read_text(), flush=True)
    print(MISSING, end="")
    if surprises:
        print(f"\n{surprises} command(s) did not behave as expected", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
