"""The operation templates of ``<config-dir>/operations/c8y`` (the mapper's I/O for custom operations):
files holding an ``[exec]`` table. A file that cannot be used is logged and skipped."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from c8ylink.core.errors import ConfigError
from c8ylink.device.mapper.convert.custom_operations import OperationTemplate, parse_template

log = logging.getLogger("c8ylink.mapper")

MAX_TEMPLATE_SIZE = 64 * 1024


def load_templates(directory: Path) -> dict[str, OperationTemplate]:
    try:
        entries = sorted((entry for entry in os.scandir(directory) if entry.is_file()), key=lambda e: e.name)
    except OSError:
        return {}
    templates: dict[str, OperationTemplate] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.stat().st_size > MAX_TEMPLATE_SIZE:
                continue
            text = Path(entry.path).read_text(encoding="utf-8")
            template = parse_template(entry.name, text, source=entry.path)
        except (OSError, UnicodeDecodeError) as exc:
            log.error("Ignoring the operation file %s: %s", entry.path, exc)
            continue
        except ConfigError as exc:
            log.error("Ignoring the operation template %s", exc)
            continue
        if template is not None:
            log.info("Custom operation %s: %s", template.name, entry.path)
            templates[template.name] = template
    return templates
