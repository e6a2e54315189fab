"""``tedge-mapper c8y`` as a process: settings -> ``MapperService`` (+ the local HTTP proxy) -> run.

Errors in the settings stop it before anything starts (``C8yLinkError``, printed by the CLI, exit 1);
an unreachable broker does not: the service keeps retrying, as a supervised service should.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from c8ylink import __version__
from c8ylink.device.c8y.proxy import proxy_binding
from c8ylink.device.config.store import load_tedge_settings
from c8ylink.device.local_http import local_files, local_http
from c8ylink.device.mapper.config import OperationSource
from c8ylink.device.mapper.proxy import ProxyService, build_upstream
from c8ylink.device.mapper.service import MapperRuntime, MapperService
from c8ylink.device.mapper.settings import build_mapper_config
from c8ylink.device.mqtt.local_broker import local_broker_options, reconnect_policy
from c8ylink.infra.service_runner import configure_logging, run_service


def run_c8y_mapper(
    config_dir: Path,
    env: Mapping[str, str],
    *,
    profile: str | None,
    log_level: str,
    operation_source: str = "json",
) -> None:
    settings = load_tedge_settings(config_dir, env)
    config = build_mapper_config(settings, profile, agent_version=__version__)
    config = replace(config, operation_source=OperationSource(operation_source))
    broker = local_broker_options(settings, config.mapper_service_name)
    operations = config_dir / "operations" / ("c8y" if profile is None else f"c8y.{profile}")
    runtime = MapperRuntime(
        broker=broker, operations_dir=operations, reconnect=reconnect_policy(settings),
        file_transfer_ssl=local_http(settings).client_context(), file_transfer_files=local_files(settings),
    )  # fmt: skip
    upstream = build_upstream(settings, profile)
    binding = proxy_binding(settings, profile)
    configure_logging(log_level)
    service = MapperService(config, runtime)

    async def main(stop: asyncio.Event) -> None:
        proxy = ProxyService(binding, upstream, service)
        service.cloud = proxy  # transfers talk to the tenant through it, without the local HTTP hop
        await proxy.start()
        try:
            await service.run(stop)
        finally:
            await proxy.stop()

    run_service(main)
