"""``tedge-agent`` as a process: settings -> ``AgentService`` -> run (foreground, logs on stderr)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from c8ylink.core.errors import ConfigError
from c8ylink.core.mqtt.topic import TopicError
from c8ylink.core.topics import EntityTopicId, validate_topic_root
from c8ylink.device.agent.file_operations import CONFIG_PLUGIN, LOG_PLUGIN, DeviceOperations
from c8ylink.device.agent.firmware import PLUGIN_DIR as FIRMWARE_PLUGIN_DIR
from c8ylink.device.agent.firmware import FirmwareConfig
from c8ylink.device.agent.plugins import PLUGIN_DIR
from c8ylink.device.agent.restart import RestartFiles
from c8ylink.device.agent.service import AgentConfig, AgentService, FileTransferConfig
from c8ylink.device.agent.system_config import load_system_commands
from c8ylink.device.agent.workflow_files import WorkflowFiles
from c8ylink.device.config.store import load_tedge_settings
from c8ylink.device.mqtt.local_broker import local_broker_options, reconnect_policy
from c8ylink.infra.service_runner import configure_logging, run_service

STATE_DIR = ".agent"
OPERATIONS_DIR = "operations"  # the user's workflow files (operations/c8y is the mapper's)


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
    config = AgentConfig(
        topic_root=root,
        device_topic_id=device,
        plugins_dir=config_dir / PLUGIN_DIR,
        restart=RestartFiles(config_dir / STATE_DIR, Path(str(settings.value("run.path")))),
        system=load_system_commands(config_dir),
        reconnect=reconnect_policy(settings),
        file_transfer=FileTransferConfig(
            address=str(settings.value("http.bind.address")),
            port=int(str(settings.value("http.bind.port"))),
            root=Path(str(settings.value("data.path"))) / "file-transfer",
        ),
        operations=DeviceOperations(config_dir / CONFIG_PLUGIN, config_dir / LOG_PLUGIN),
        workflows=WorkflowFiles(config_dir / OPERATIONS_DIR),
        firmware=FirmwareConfig(
            config_dir / FIRMWARE_PLUGIN_DIR, Path(str(settings.value("data.path"))) / "firmware"
        ),
    )
    broker = local_broker_options(settings, "tedge-agent")
    configure_logging(log_level)
    run_service(AgentService(config, broker).run)
