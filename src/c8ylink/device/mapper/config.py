"""The mapper's configuration as one frozen value; the mapper service builds it from the tedge settings.

Defaults are thin-edge's (tedge.md §1.6). Derived names (error topic, command id prefix, bridge
service names) are properties so that they follow the topic prefix and root.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from c8ylink.core.c8y_topics import DEVICECONTROL_NOTIFICATIONS, SMARTREST_DOWNSTREAM
from c8ylink.core.topics import EntityTopicId

DEFAULT_MAX_PAYLOAD_SIZE = 16_184
# c8y.topics (tedge.md §1.6), relative to the topic root
DEFAULT_TE_TOPICS = (
    "+/+/+/+",
    "+/+/+/+/twin/+",
    "+/+/+/+/m/+",
    "+/+/+/+/m/+/meta",
    "+/+/+/+/e/+",
    "+/+/+/+/a/+",
    "+/+/+/+/status/health",
)


class SoftwareManagementApi(enum.Enum):
    LEGACY = "legacy"  # c8y_SoftwareList on the device managed object
    ADVANCED = "advanced"  # SmartREST 140/141


class OperationSource(enum.Enum):
    """Where cloud operations are read from; Cumulocity sends each on both channels when subscribed."""

    JSON = "json"  # c8y/devicecontrol/notifications (thin-edge's choice; carries the operation id)
    SMARTREST = "smartrest"  # c8y/s/ds 510/528/529 (no operation id: status goes back as 501-503)


class AutoLogUpload(enum.Enum):
    """``c8y.operations.auto_log_upload``: when the agent's log of a finished command is uploaded."""

    NEVER = "never"
    ALWAYS = "always"
    ON_FAILURE = "on-failure"


@dataclass(frozen=True, slots=True)
class EnabledOperations:
    """``c8y.enable.*``: each flag gates capability registration and handling of that operation."""

    log_upload: bool = True
    config_snapshot: bool = True
    config_update: bool = True
    firmware_update: bool = True
    device_profile: bool = True
    device_restart: bool = True
    software_update: bool = True


@dataclass(frozen=True, slots=True)
class MapperConfig:
    device_id: str
    topic_prefix: str = "c8y"  # c8y.bridge.topic_prefix
    topic_root: str = "te"  # mqtt.topic_root
    device_topic_id: EntityTopicId = field(default_factory=EntityTopicId.main_device)  # mqtt.device_topic_id
    device_type: str = "thin-edge.io"  # device.type
    agent_version: str = ""  # c8y_Agent.version announced at start (the service passes its version)
    max_payload_size: int = DEFAULT_MAX_PAYLOAD_SIZE  # c8y.mapper.mqtt.max_payload_size
    use_operation_id: bool = True  # c8y.smartrest.use_operation_id
    create_with_device_marker: bool = False  # c8y.smartrest.child_device.create_with_device_marker
    service_type: str = "service"  # service.type
    timestamp_format: str = "unix"  # service.timestamp_format: the time of the mapper's health message
    child_device_type: str = "thin-edge.io-child"
    availability_enabled: bool = True  # c8y.availability.enable
    availability_interval_minutes: int = 60  # c8y.availability.interval
    enable: EnabledOperations = field(default_factory=EnabledOperations)  # c8y.enable.*
    software_management_api: SoftwareManagementApi = SoftwareManagementApi.LEGACY
    software_with_types: bool = False  # c8y.software_management.with_types
    auto_register: bool = True  # agent.entity_store.auto_register
    auto_log_upload: AutoLogUpload = AutoLogUpload.ON_FAILURE  # c8y.operations.auto_log_upload
    firmware_child_timeout: float = 3600.0  # firmware.child.update.timeout, seconds
    logs_path: str = "/var/log/tedge"  # logs.path: the only place operation logs are uploaded from
    operation_source: OperationSource = OperationSource.JSON
    c8y_http_host: str | None = None  # c8y.http host: URLs there are fetched through the local proxy
    proxy_url: str = "http://127.0.0.1:8001"  # c8y.proxy.client.host/port
    file_transfer_url: str = "http://127.0.0.1:8000"  # http.client.host/port
    early_message_buffer: int = 100
    te_topics: tuple[str, ...] = DEFAULT_TE_TOPICS  # c8y.topics without the root

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """Every topic filter the mapper service subscribes to, for ``convert`` to see what it maps."""
        root = self.topic_root
        local = tuple(f"{root}/{topic}" for topic in self.te_topics)
        commands = (f"{root}/+/+/+/+/cmd/+", f"{root}/+/+/+/+/cmd/+/+", f"{root}/+/+/+/+/signal/sync")
        cloud = (
            self.cloud_topic(SMARTREST_DOWNSTREAM),
            self.cloud_topic(DEVICECONTROL_NOTIFICATIONS),
            f"{self.alarm_shadow_prefix}#",
        )
        return local + commands + cloud

    def cloud_topic(self, topic: str) -> str:
        """The local name of a Cumulocity topic (``core.c8y_topics``): the bridge's ``c8y/`` prefix added."""
        return f"{self.topic_prefix}/{topic}"

    @property
    def errors_topic(self) -> str:
        return f"{self.topic_root}/errors"

    @property
    def command_id_prefix(self) -> str:
        """``c8y-mapper-``: commands the mapper created carry it (tedge.md §6.8)."""
        return f"{self.topic_prefix}-mapper-"

    @property
    def alarm_shadow_prefix(self) -> str:
        """Retained copies of processed alarms, to reconcile after a restart (tedge.md §6.5)."""
        return f"{self.topic_prefix}-internal/alarms/"

    @property
    def mapper_service_name(self) -> str:
        return f"tedge-mapper-{self.topic_prefix}"

    @property
    def bridge_service_names(self) -> frozenset[str]:
        """Health of these services going up means the cloud connection is back: fetch operations."""
        return frozenset(
            {f"mosquitto-{self.topic_prefix}-bridge", f"tedge-mapper-bridge-{self.topic_prefix}"}
        )
