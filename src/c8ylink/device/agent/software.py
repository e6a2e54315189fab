"""``software_list`` and ``software_update`` commands run through the sm-plugins.

software_list: ``list`` on every plugin -> ``currentSoftwareList: [{"type", "modules": [{"name",
"version"}]}]``; a plugin whose ``list`` fails is reported as failed (the others are still listed).
``SoftwareOptions`` (``software.plugin.*``) keep only the modules whose name matches ``include`` or
does not match ``exclude``, at most ``max_packages`` per type.

software_update: for each ``updateList`` entry (one software type), with the plugin of that type
(``default``: ``software.plugin.default``, or the only plugin there is): ``prepare``, then
``update-list`` with every module (exit 1: not supported, so ``install``/``remove`` one module at a
time), then ``finalize``. A module with a ``url`` is downloaded first (into ``tmp.path``) and
installed with ``--file``. Every failure is collected; the command fails when there is one, with
``reason`` naming the first and ``failures`` listing them all.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.agent.plugins import USAGE_EXIT, Plugin, PluginError, describe_failure

DEFAULT_TYPE = "default"
Downloader = Callable[[str, Path], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SoftwareOptions:
    """``software.plugin.*`` and ``tmp.path``."""

    default_plugin: str = ""
    max_packages: int = 1000
    include: str = ""  # regular expressions on module names ("" = no filter)
    exclude: str = ""
    tmp_dir: Path | None = None

    def keeps(self, name: str) -> bool:
        """thin-edge's rule: kept when ``include`` matches, or else when ``exclude`` is set and does not
        match; with neither set, every module is kept."""
        if self.include and re.search(self.include, name):
            return True
        if self.exclude:
            return not re.search(self.exclude, name)
        return not self.include


@dataclass
class UpdateOutcome:
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(str(failure["reason"]) for failure in self.failures[:3])


async def list_software(
    plugins: Mapping[str, Plugin], options: SoftwareOptions = SoftwareOptions()
) -> tuple[list[dict[str, Any]], list[str]]:
    """The software list per type, and the errors of plugins that could not list."""
    groups: list[dict[str, Any]] = []
    errors: list[str] = []
    for name, plugin in plugins.items():
        try:
            modules = await plugin.list_modules()
        except PluginError as exc:
            errors.append(str(exc))
            continue
        kept = [m for m in modules if options.keeps(m.name)][: options.max_packages]
        entries = [{"name": m.name, "version": m.version} if m.version else {"name": m.name} for m in kept]
        groups.append({"type": name, "modules": entries})
    return groups, errors


def select_plugin(plugins: Mapping[str, Plugin], software_type: str, default_plugin: str = "") -> Plugin:
    plugin = plugins.get(software_type)
    if plugin is not None:
        return plugin
    if software_type in ("", DEFAULT_TYPE) and default_plugin in plugins:
        return plugins[default_plugin]
    if software_type in ("", DEFAULT_TYPE) and len(plugins) == 1:
        return next(iter(plugins.values()))
    known = ", ".join(plugins) or "none"
    raise PluginError(f"No sm-plugin for software type '{software_type or DEFAULT_TYPE}' (plugins: {known})")


async def update_software(
    plugins: Mapping[str, Plugin],
    update_list: Any,
    download: Downloader,
    options: SoftwareOptions = SoftwareOptions(),
) -> UpdateOutcome:
    outcome = UpdateOutcome()
    if not isinstance(update_list, list):
        outcome.failures.append({"reason": "Invalid software_update command: 'updateList' must be a list"})
        return outcome
    for group in update_list:
        software_type = group.get("type", "") if isinstance(group, dict) else ""
        modules = group.get("modules", []) if isinstance(group, dict) else None
        if not isinstance(software_type, str) or not isinstance(modules, list):
            outcome.failures.append(
                {"reason": "Invalid software_update command: each entry needs type and modules"}
            )
            continue
        try:
            plugin = select_plugin(plugins, software_type, options.default_plugin)
        except PluginError as exc:
            outcome.failures.append({"type": software_type, "reason": str(exc)})
            continue
        await _update_group(plugin, software_type, modules, download, outcome, tmp_dir=options.tmp_dir)
    return outcome


async def _update_group(
    plugin: Plugin,
    software_type: str,
    modules: list[Any],
    download: Downloader,
    outcome: UpdateOutcome,
    *,
    tmp_dir: Path | None = None,
) -> None:
    try:
        await plugin.check(["prepare"])
    except PluginError as exc:
        outcome.failures.append({"type": software_type, "reason": str(exc)})
        return
    with tempfile.TemporaryDirectory(prefix="tedge-agent-", dir=tmp_dir) as workdir:
        actions = await _prepare_actions(modules, Path(workdir), download, software_type, outcome)
        if actions:
            await _apply(plugin, software_type, actions, outcome)
    try:
        await plugin.check(["finalize"])
    except PluginError as exc:
        outcome.failures.append({"type": software_type, "reason": str(exc)})


@dataclass(frozen=True, slots=True)
class _Action:
    action: str  # install | remove
    name: str
    version: str
    file: str

    def arguments(self) -> list[str]:
        args = [self.action, self.name]
        if self.version:
            args += ["--module-version", self.version]
        if self.file and self.action == "install":
            args += ["--file", self.file]
        return args

    def line(self) -> str:
        fields = [self.action, self.name, self.version] + ([self.file] if self.action == "install" else [])
        return "\t".join(fields)


async def _prepare_actions(
    modules: list[Any], workdir: Path, download: Downloader, software_type: str, outcome: UpdateOutcome
) -> list[_Action]:
    actions: list[_Action] = []
    for index, module in enumerate(modules):
        if not isinstance(module, dict) or not isinstance(module.get("name"), str) or not module["name"]:
            outcome.failures.append({"type": software_type, "reason": "a software module without a name"})
            continue
        name, action = module["name"], module.get("action")
        version = module.get("version") if isinstance(module.get("version"), str) else ""
        if action not in ("install", "remove"):
            outcome.failures.append(_failure(software_type, module, f"unknown action {action!r} for {name}"))
            continue
        file = ""
        url = module.get("url")
        if action == "install" and isinstance(url, str) and url:
            file = str(workdir / f"module-{index}")
            try:
                await download(url, Path(file))
            except C8yLinkError as exc:
                outcome.failures.append(_failure(software_type, module, f"Download of {name} failed: {exc}"))
                continue
        actions.append(_Action(action, name, version or "", file))
    return actions


async def _apply(plugin: Plugin, software_type: str, actions: list[_Action], outcome: UpdateOutcome) -> None:
    stdin = "".join(action.line() + "\n" for action in actions).encode()
    try:
        result = await plugin.call(["update-list"], stdin)
    except PluginError as exc:
        outcome.failures.append({"type": software_type, "reason": str(exc)})
        return
    if result.exit_code == 0:
        return
    if result.exit_code != USAGE_EXIT:
        outcome.failures.append(
            {"type": software_type, "reason": describe_failure(plugin.name, ["update-list"], result)}
        )
        return
    for action in actions:  # update-list not supported: one module at a time
        try:
            await plugin.check(action.arguments())
        except PluginError as exc:
            module = {"name": action.name, "version": action.version, "action": action.action}
            outcome.failures.append(_failure(software_type, module, str(exc)))


def _failure(software_type: str, module: dict[str, Any], reason: str) -> dict[str, Any]:
    shown = {key: module[key] for key in ("name", "version", "action") if module.get(key)}
    return {"type": software_type, "module": shown, "reason": reason}
