"""The optional dependencies (pip extras) and the one line a command prints when its extra is missing.

A device install (``pip install c8ylink``) carries only what ``tedge``, ``tedge-mapper`` and
``tedge-agent`` import; ``c8y`` needs ``c8ylink[operator]`` and ``c8ylink tenant`` ``c8ylink[tenant]``.
Those libraries are imported lazily, inside the commands that use them, so the ``ModuleNotFoundError``
of a missing one surfaces while a command runs. ``infra.cli.run`` hands it here:

    missing_extra_error(exc, "c8ylink tenant serve")
    # MissingExtraError("c8ylink tenant serve needs the tenant extra: pip install 'c8ylink[tenant]'")

A library that two extras carry (pyotp) is named with the extra of the product whose code imported it
(the innermost ``c8ylink.<product>`` frame of the traceback).
"""

from __future__ import annotations

import traceback

from c8ylink.core.errors import C8yLinkError

# extra -> the top-level modules it installs (pyproject.toml [project.optional-dependencies]; a unit
# test holds the two equal)
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "operator": ("questionary", "prompt_toolkit", "pyotp", "segno", "_jsonnet", "jsonschema", "yaml"),
    "tenant": ("aiohttp", "pyotp", "orjson"),
    "services": ("supervisor",),
}


class MissingExtraError(C8yLinkError):
    """A library of an extra that is not installed."""


def extra_for(module: str, importers: list[str]) -> str | None:
    """The extra that installs ``module``; ``importers`` (innermost first) decide between several."""
    candidates = [extra for extra, modules in EXTRA_MODULES.items() if module in modules]
    for importer in importers:
        parts = importer.split(".")
        if len(parts) > 1 and parts[0] == "c8ylink" and parts[1] in candidates:
            return parts[1]
    return candidates[0] if candidates else None


def missing_extra_error(exc: ModuleNotFoundError, command: str) -> MissingExtraError | None:
    """The error naming the extra to install, or None when ``exc`` is not about an extra's library."""
    module = (exc.name or "").partition(".")[0]
    frames = traceback.walk_tb(exc.__traceback__)
    importers = [str(frame.f_globals.get("__name__", "")) for frame, _ in frames][::-1]
    extra = extra_for(module, importers)
    if extra is None:
        return None
    return MissingExtraError(f"{command} needs the {extra} extra: pip install 'c8ylink[{extra}]'")
