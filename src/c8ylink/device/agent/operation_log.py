"""The log of each command the agent runs: ``<logs.path>/agent/workflow-<operation>-<command id>.log``
(thin-edge's place for it), one line per status (``<RFC 3339 time> <status>[: <reason>]``).

Users read these files, and a ``tedge-log-plugin.toml`` entry can offer them for upload
(``/var/log/tedge/agent/workflow-*``). Writing them is best effort: a directory the agent cannot
write is logged once and the commands run as usual. Each state the agent publishes names its log
(``logPath``), so that the mapper can upload it when the command ends (``c8y.operations.auto_log_upload``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from c8ylink.core.timestamps import format_timestamp

log = logging.getLogger("c8ylink.agent")

LOG_SUBDIR = "agent"


def operation_log_name(operation: str, command_id: str) -> str:
    """The file name of a command's log; path separators in the id are replaced."""
    safe = "".join("_" if char in "/\\\0" else char for char in command_id)
    return f"workflow-{operation}-{safe}.log"


@dataclass
class OperationLogs:
    logs_dir: Path  # logs.path
    _failed: bool = field(default=False, repr=False)

    def path(self, operation: str, command_id: str) -> Path:
        return self.logs_dir / LOG_SUBDIR / operation_log_name(operation, command_id)

    def append(self, operation: str, command_id: str, status: str, reason: str, now: datetime) -> Path | None:
        """Add a line to the command's log; its path, or None when it cannot be written."""
        line = f"{format_timestamp(now)} {status}" + (f": {reason}" if reason else "") + "\n"
        path = self.path(operation, command_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as out:
                out.write(line)
        except OSError as exc:
            if not self._failed:
                log.warning("Cannot write the operation logs in %s: %s", path.parent, exc.strerror or exc)
            self._failed = True
            return None
        self._failed = False
        return path
