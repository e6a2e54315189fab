"""How the agent knows, after it started again, whether the device restart it launched happened.

Before running the reboot command the agent writes

- ``<config-dir>/.agent/restart-current-operation``: the command topic and payload and the current
  boot id (``/proc/sys/kernel/random/boot_id``), atomically, on persistent storage;
- ``<run.path>/tedge_agent_restart``: a marker on the runtime directory, which is emptied when the
  system boots (``/run`` is a tmpfs).

On start, with a state file present, the device rebooted when the marker is gone or the boot id
changed: the command is then ``successful``; otherwise only the agent restarted and the command is
``failed``. Either way both files are removed, so the decision is made once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.infra.files import read_text, write_atomic

log = logging.getLogger("c8ylink.agent")

STATE_FILE = "restart-current-operation"
MARKER_FILE = "tedge_agent_restart"
BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id"
NOT_REBOOTED = "The agent has been restarted but not the device"


@dataclass(frozen=True, slots=True)
class PendingRestart:
    topic: str
    payload: dict[str, Any]
    boot_id: str | None


@dataclass(frozen=True, slots=True)
class RestartFiles:
    state_dir: Path  # <config-dir>/.agent
    run_dir: Path  # run.path
    boot_id_file: str = BOOT_ID_FILE

    @property
    def state_file(self) -> Path:
        return self.state_dir / STATE_FILE

    @property
    def marker(self) -> Path:
        return self.run_dir / MARKER_FILE

    def boot_id(self) -> str | None:
        try:
            text = read_text(self.boot_id_file)
        except C8yLinkError:
            return None
        if text is None:
            return None
        return text.strip() or None

    def begin(self, topic: str, payload: dict[str, Any]) -> None:
        """Persist the restart about to happen; ``C8yLinkError`` when the state cannot be written."""
        boot_id = self.boot_id()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        record = {"topic": topic, "payload": payload, "boot_id": boot_id}
        write_atomic(self.state_file, json.dumps(record), mode=0o644)
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(self.marker, boot_id or "", mode=0o644)
        except (OSError, C8yLinkError) as exc:  # the boot id alone then tells
            log.warning("Cannot write the restart marker %s: %s", self.marker, exc)

    def pending(self) -> PendingRestart | None:
        try:
            text = read_text(self.state_file)
        except C8yLinkError as exc:
            log.error("Cannot read the restart state %s: %s", self.state_file, exc)
            return None
        if text is None:
            return None
        try:
            record = json.loads(text)
            return PendingRestart(str(record["topic"]), dict(record["payload"]), record.get("boot_id"))
        except (ValueError, KeyError, TypeError):
            log.error("Ignoring the corrupt restart state %s", self.state_file)
            self.clear()
            return None

    def has_rebooted(self, pending: PendingRestart) -> bool:
        if not self.marker.exists():
            return True
        current = self.boot_id()
        return pending.boot_id is not None and current is not None and current != pending.boot_id

    def clear(self) -> None:
        for path in (self.state_file, self.marker):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
