"""Everything the mapper remembers between messages, as one mutable value owned by the mapper service.

The converters read and update it; it holds no I/O handles. ``MapperState.create(config)`` starts
with the main device registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from c8ylink.core.topics import EntityTopicId
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.entities import EntityStore

if TYPE_CHECKING:
    from c8ylink.device.mapper.convert.custom_operations import OperationTemplate

ACTIVE_OPERATION_TTL = timedelta(hours=12)
COMPLETED_OPERATION_TTL = timedelta(hours=1)


@dataclass
class OperationLog:
    """Cloud operation ids already turned into commands, so a re-delivered operation is ignored."""

    active: dict[str, datetime] = field(default_factory=dict)
    completed: dict[str, datetime] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)  # failed by their deadline: later statuses are ignored

    def is_known(self, operation_id: str, now: datetime) -> bool:
        for ids in (self.active, self.completed):
            for known, expiry in list(ids.items()):
                if expiry <= now:
                    del ids[known]
        self.expired &= self.completed.keys()
        return operation_id in self.active or operation_id in self.completed

    def start(self, operation_id: str, now: datetime) -> None:
        self.active[operation_id] = now + ACTIVE_OPERATION_TTL

    def finish(self, operation_id: str, now: datetime) -> None:
        self.active.pop(operation_id, None)
        self.completed[operation_id] = now + COMPLETED_OPERATION_TTL


@dataclass
class MapperState:
    entities: EntityStore
    # (entity, measurement type) -> {"Temperature": "°C", "Climate.Humidity": "%RH"}
    units: dict[tuple[EntityTopicId, str], dict[str, str]] = field(default_factory=dict)
    # (entity, fragment) -> last value sent to the cloud
    twin: dict[tuple[EntityTopicId, str], Any] = field(default_factory=dict)
    # entity -> thin-edge operation -> its metadata payload (e.g. {"types": [...]})
    capabilities: dict[EntityTopicId, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # entity -> extra Cumulocity operation names (custom operation files, given by the service)
    extra_operations: dict[EntityTopicId, frozenset[str]] = field(default_factory=dict)
    # external id -> the custom operation files found for it (operations/c8y[/<child xid>]), by the service
    operation_files: dict[str, frozenset[str]] = field(default_factory=dict)
    # last health status per service entity ("up", "down", ...)
    health: dict[EntityTopicId, str] = field(default_factory=dict)
    # alarm topic -> payload as last processed; ``alarms_live`` were seen since start (tedge.md §6.5)
    alarms: dict[str, bytes] = field(default_factory=dict)
    alarms_live: set[str] = field(default_factory=set)
    operations: OperationLog = field(default_factory=OperationLog)
    sequence: int = 0
    # Cumulocity operation -> its operation template (operations/c8y files with [exec], given by the service)
    templates: dict[str, OperationTemplate] = field(default_factory=dict)

    @classmethod
    def create(cls, config: MapperConfig) -> MapperState:
        store = EntityStore(
            config.device_topic_id,
            config.device_id,
            service_type=config.service_type,
            child_device_type=config.child_device_type,
            buffer_size=config.early_message_buffer,
        )
        return cls(entities=store)

    def next_command_id(self, config: MapperConfig, now: datetime) -> str:
        """A fresh id for a command the mapper starts on its own (software list refresh, SmartREST ops)."""
        self.sequence += 1
        return f"{config.command_id_prefix}{int(now.timestamp() * 1000)}-{self.sequence}"
