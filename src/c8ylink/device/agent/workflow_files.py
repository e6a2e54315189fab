"""The user's workflow files, ``<config-dir>/operations/*.toml``: one operation each, replacing the
agent's own workflow of that operation (read at start and again when they change). A file that cannot
be used is logged and skipped; the agent keeps serving every other operation."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from c8ylink.core.workflows.builtin import BUILTIN_WORKFLOWS, builtin_workflow
from c8ylink.core.workflows.spec import Workflow, WorkflowError, parse_workflow

log = logging.getLogger("c8ylink.agent")


@dataclass(frozen=True, slots=True)
class WorkflowFiles:
    directory: Path | None = None

    def _paths(self) -> list[Path]:
        if self.directory is None:
            return []
        try:
            names = sorted(entry.name for entry in os.scandir(self.directory) if entry.is_file())
        except OSError:
            return []
        return [
            self.directory / name for name in names if name.endswith(".toml") and not name.startswith(".")
        ]

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        found: list[tuple[str, int, int]] = []
        for path in self._paths():
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def load(self) -> dict[str, Workflow]:
        """The agent's own workflows, then the user's valid files over them (by operation)."""
        workflows: dict[str, Workflow] = {}
        for operation in BUILTIN_WORKFLOWS:
            builtin = builtin_workflow(operation)
            assert builtin is not None
            workflows[operation] = builtin
        for path in self._paths():
            try:
                workflow = parse_workflow(path.read_text(encoding="utf-8"), source=str(path))
            except (OSError, UnicodeDecodeError) as exc:
                log.error("Ignoring the workflow file %s: cannot read it (%s)", path, exc)
                continue
            except WorkflowError as exc:
                log.error("Ignoring the workflow file: %s", exc)
                continue
            log.info("Workflow for %s: %s", workflow.operation, path)
            workflows[workflow.operation] = workflow
        return workflows
