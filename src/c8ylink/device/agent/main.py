"""``tedge-agent`` as a process: settings -> ``AgentService`` -> run (foreground, logs on stderr)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from c8ylink.core.errors import ConfigError
from c8ylink.core.mqtt.topic import TopicError
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.topics import EntityTopicId, validate_topic_root
from c8ylink.device.agent.file_operations import CONFIG_PLUGIN, LOG_PLUGIN, DeviceOperations
from c8ylink.device.agent.firmware import PLUGIN_DIR as FIRMWARE_PLUGIN_DIR
from c8ylink.device.agent.firmware import FirmwareConfig
from c8ylink.device.agent.operation_log import OperationLogs
from c8ylink.device.agent.plugin_dirs import ConfigPlugins, LogPlugins
from c8ylink.device.agent.plugins import PLUGIN_DIR, choose_sudo
from c8ylink.device.agent.restart import RestartFiles
from c8ylink.device.agent.service import AgentConfig, AgentService, FileTransferConfig
from c8ylink.device.agent.software import SoftwareOptions
from c8ylink.device.agent.system_config import load_system_commands
from c8ylink.device.agent.workflow_files import WorkflowFiles
from c8ylink.device.config.store import load_tedge_settings
from c8ylink.device.local_http import FILE_TRANSFER_DIR, local_files, local_http
from c8ylink.device.mqtt.local_broker import local_broker_options, optional_setting, reconnect_policy
from c8ylink.infra.service_runner import configure_logging, run_service

STATE_DIR = ".agent"
OPERATIONS_DIR = "operations"  # the user's workflow files (operations/c8y is the mapper's)
AGENT_OPERATIONS = ("config_update", "config_snapshot", "log_upload")  # agent.enable.<operation>


def state_directory(configured: Path, config_dir: Path) -> Path:
    """``agent.state.path`` when that directory exists, ``<config-dir>/.agent`` otherwise (as upstream)."""
    return configured if configured.is_dir() else config_dir / STATE_DIR


def software_options(settings: Settings) -> SoftwareOptions:
    """``software.plugin.*`` and ``tmp.path``; a filter that is no regular expression is a ConfigError."""
    patterns = {
        name: optional_setting(settings, f"software.plugin.{name}") or "" for name in ("include", "exclude")
    }
    for name, pattern in patterns.items():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"Invalid software.plugin.{name}: {pattern!r} is not a regular expression: {exc}"
            ) from exc
    return SoftwareOptions(
        default_plugin=optional_setting(settings, "software.plugin.default") or "",
        max_packages=int(str(settings.value("software.plugin.max_packages"))),
        include=patterns["include"],
        exclude=patterns["exclude"],
        tmp_dir=Path(str(settings.value("tmp.path"))),
    )


def run_agent(
    config_dir: Path,
    env: Mapping[str, str],
    *,
    log_level: str,
    topic_root: str | None = None,
    device_topic_id: str | None = None,
) -> None:
    settings = load_tedge_settings(config_dir, env)
    root = topic_root or str(settings.value("mqtt.topic_root"))
    try:
        validate_topic_root(root)
    except TopicError as exc:
        raise ConfigError(
            f"Invalid {'--mqtt-topic-root' if topic_root else 'mqtt.topic_root'}: {exc}"
        ) from exc
    try:
        device = EntityTopicId(device_topic_id or str(settings.value("mqtt.device_topic_id")))
    except TopicError as exc:
        raise ConfigError(f"Invalid device topic id: {exc}") from exc
    http = local_http(settings)
    config = AgentConfig(
        topic_root=root,
        device_topic_id=device,
        plugins_dir=config_dir / PLUGIN_DIR,
        restart=RestartFiles(
            state_directory(Path(str(settings.value("agent.state.path"))), config_dir),
            Path(str(settings.value("run.path"))),
        ),
        system=load_system_commands(config_dir),
        reconnect=reconnect_policy(settings),
        file_transfer=FileTransferConfig(
            address=str(settings.value("http.bind.address")),
            port=int(str(settings.value("http.bind.port"))),
            root=Path(str(settings.value("data.path"))) / FILE_TRANSFER_DIR,
            ssl=http.server_context(),
        ),
        operations=DeviceOperations(
            config_dir / CONFIG_PLUGIN,
            config_dir / LOG_PLUGIN,
            tmp_dir=Path(str(settings.value("tmp.path"))),
            ssl_context=http.client_context(),
            local_files=local_files(settings) if device == EntityTopicId.main_device() else None,
            log_plugins=LogPlugins(tuple(Path(str(d)) for d in settings.value("log.plugin_paths"))),
            config_plugins=ConfigPlugins(
                tuple(Path(str(d)) for d in settings.value("configuration.plugin_paths"))
            ),
        ),
        software=software_options(settings),
        sudo=choose_sudo(bool(settings.value("sudo.enable")), shutil.which("sudo"), os.geteuid()),
        disabled=frozenset(
            operation for operation in AGENT_OPERATIONS if not settings.value(f"agent.enable.{operation}")
        ),
        timestamp_format=str(settings.value("service.timestamp_format")),
        operation_logs=OperationLogs(Path(str(settings.value("logs.path")))),
        workflows=WorkflowFiles(config_dir / OPERATIONS_DIR),
        firmware=FirmwareConfig(
            config_dir / FIRMWARE_PLUGIN_DIR, Path(str(settings.value("data.path"))) / "firmware"
        ),
    )
    broker = local_broker_options(settings, "tedge-agent")
    configure_logging(log_level)
    run_service(AgentService(config, broker).run)
