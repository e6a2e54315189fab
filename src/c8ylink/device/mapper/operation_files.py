"""The operation files of ``<config-dir>/operations/c8y`` (tedge.md §6.8): the mapper's I/O for capabilities.

- For every thin-edge operation an entity announces (``te/<entity>/cmd/<op>``), the mapper keeps an
  empty file named after the Cumulocity operation: ``operations/c8y/c8y_Restart`` for the main
  device, ``operations/c8y/<child xid>/c8y_Restart`` for the others; a withdrawn capability removes
  it. Other tools read these files to learn what the device supports.
- Files there that are not thin-edge operations (``c8y_Command``, ...; custom operations installed
  by the user) are supported operations of the main device, those in ``<child xid>/`` of that child:
  they go into its ``114`` list. The service reads the directory again every few seconds and on a
  ``signal/sync`` request, so that added and removed files are announced.

File problems are logged, never fatal: the cloud side works without the files.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.mapper.convert.capabilities import OPERATIONS
from c8ylink.device.mapper.entities import Entity, EntityKind
from c8ylink.device.mapper.state import MapperState
from c8ylink.infra.files import write_atomic

log = logging.getLogger("c8ylink.mapper")

_KNOWN = frozenset(spec.fragment for spec in OPERATIONS)


def load_operation_files(directory: Path, main_device_id: str) -> dict[str, frozenset[str]]:
    """The user's own operation files, by external id: those in ``directory`` are the main device's,
    those in ``directory/<child xid>/`` the child's (thin-edge's own operations excluded)."""
    found: dict[str, frozenset[str]] = {}
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return found
    except OSError as exc:
        log.warning("Cannot read the operations directory %s: %s", directory, exc)
        return found
    main = _custom([entry.name for entry in entries if entry.is_file()])
    if main:
        found[main_device_id] = main
    for entry in entries:
        if entry.is_dir() and not entry.name.startswith("."):
            try:
                child = _custom([item.name for item in os.scandir(entry.path) if item.is_file()])
            except OSError as exc:
                log.warning("Cannot read the operations directory %s: %s", entry.path, exc)
                continue
            if child:
                found[entry.name] = child
    return found


def _custom(names: list[str]) -> frozenset[str]:
    return frozenset(
        name
        for name in names
        if name not in _KNOWN and not name.startswith(".") and not name.endswith(".template")
    )


def sync_operation_files(directory: Path, entity: Entity, state: MapperState) -> None:
    """Make the files of ``entity`` match the operations it currently announces."""
    target = directory if entity.kind is EntityKind.MAIN_DEVICE else directory / entity.external_id
    announced = state.capabilities.get(entity.topic_id, {})
    try:
        for spec in OPERATIONS:
            path = target / spec.fragment
            if spec.command in announced:
                if not path.exists():
                    target.mkdir(parents=True, exist_ok=True)
                    write_atomic(path, b"", mode=0o644)
            elif path.exists():
                path.unlink()
    except (OSError, C8yLinkError) as exc:
        log.warning("Cannot update the operation files in %s: %s", target, exc)
