"""``firmware_update`` as the agent runs it (its builtin workflow steps).

The command (thin-edge.io 1.x) carries ``name``, ``version``, ``remoteUrl`` and, from our mapper,
``tedgeUrl`` (the image through the mapper's proxy) and ``sha256`` when the operation has one.

- ``download`` (state ``scheduled``): ``tedgeUrl`` (else ``remoteUrl``) streamed to
  ``<data.path>/firmware/<name>-<version>``; with ``sha256``, a mismatch fails the command and removes
  the file. Adds ``file`` to the command;
- ``install`` (state ``executing``): the firmware plugin, the first executable of
  ``<config-dir>/firmware-plugins`` by name, as ``<plugin> install <name> --version <v> --file <file>``
  (exit code 0: installed); the file is removed afterwards.

Each raises ``OperationFailed`` with the reason the command's ``failed`` status carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.agent.file_operations import OperationFailed
from c8ylink.device.agent.plugins import DEFAULT_TIMEOUT, PluginError, describe_failure, discover_plugins

PLUGIN_DIR = "firmware-plugins"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class FirmwareConfig:
    plugins_dir: Path  # <config-dir>/firmware-plugins
    download_dir: Path  # <data.path>/firmware
    timeout: float = DEFAULT_TIMEOUT

    def available(self) -> bool:
        return bool(discover_plugins(self.plugins_dir))

    async def download(self, request: dict[str, Any]) -> dict[str, Any]:
        name, version = _field(request, "name"), _field(request, "version")
        url = request.get("tedgeUrl") or request.get("remoteUrl")
        if not isinstance(url, str) or not url:
            raise OperationFailed("The firmware command has no 'remoteUrl'")
        expected = request.get("sha256")
        if expected is not None and (
            not isinstance(expected, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", expected)
        ):
            raise OperationFailed(f"Invalid 'sha256': {expected!r} is not a SHA-256 digest")
        target = self.download_dir / _UNSAFE.sub("_", f"{name}-{version}")
        await asyncio.to_thread(self._fetch, url, target)
        if expected is not None:
            actual = await asyncio.to_thread(_sha256, target)
            if actual != expected.lower():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
                raise OperationFailed(
                    f"Checksum mismatch of firmware {name} {version}: expected sha256 {expected.lower()}, "
                    f"the file has {actual}"
                )
        return {"file": str(target)}

    async def install(self, request: dict[str, Any]) -> dict[str, Any]:
        name, version, file = _field(request, "name"), _field(request, "version"), _field(request, "file")
        plugins = discover_plugins(self.plugins_dir, timeout=self.timeout)
        if not plugins:
            raise OperationFailed(f"No firmware plugin in {self.plugins_dir}")
        plugin = next(iter(plugins.values()))
        args = ["install", name, "--version", version, "--file", file]
        try:
            result = await plugin.call(args)
        except PluginError as exc:
            raise OperationFailed(str(exc)) from exc
        finally:
            with contextlib.suppress(OSError):
                os.unlink(file)
        if result.exit_code:
            raise OperationFailed(describe_failure(f"firmware {plugin.name}", args, result))
        return {}

    def _fetch(self, url: str, target: Path) -> None:
        from c8ylink.infra.net.http import HttpClient

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with HttpClient(timeout=self.timeout, follow_redirects=True, proxy="") as client:
                client.download(url, str(target))
        except OSError as exc:
            raise OperationFailed(
                f"Cannot store the firmware in {target.parent}: {exc.strerror or exc}"
            ) from exc
        except C8yLinkError as exc:
            raise OperationFailed(f"Cannot download the firmware from {url}: {exc}") from exc


def _field(request: dict[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise OperationFailed(f"The firmware command has no '{key}'")
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
