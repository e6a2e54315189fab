"""The mapper's configuration from the tedge settings: ``build_mapper_config(settings, profile)`` (pure).

Every value comes from the key named next to its ``MapperConfig`` field (tedge.md §1.6); ``c8y.topics``
filters are taken relative to ``mqtt.topic_root`` (``te/+/+/+/+/m/+`` -> ``+/+/+/+/m/+``).
"""

from __future__ import annotations

from c8ylink.core.errors import ConfigError
from c8ylink.core.mqtt.topic import TopicError, TopicFilter
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.topics import EntityTopicId, validate_topic_root
from c8ylink.device.c8y.proxy import c8y_proxy_url
from c8ylink.device.local_http import local_http
from c8ylink.device.mapper.config import (
    AutoLogUpload,
    EnabledOperations,
    MapperConfig,
    SoftwareManagementApi,
)

SECONDS_PER_MINUTE = 60


def build_mapper_config(
    settings: Settings, profile: str | None = None, *, agent_version: str = ""
) -> MapperConfig:
    def get(name: str) -> object:
        return settings.value(name, profile if name.startswith("c8y.") else None)

    root = str(get("mqtt.topic_root"))
    topics = tuple(str(topic) for topic in get("c8y.topics"))  # type: ignore[attr-defined]
    try:
        validate_topic_root(root)
    except TopicError as exc:
        raise ConfigError(f"Invalid mqtt.topic_root: {exc}") from exc
    try:
        device_topic_id = EntityTopicId(str(get("mqtt.device_topic_id")))
    except TopicError as exc:
        raise ConfigError(f"Invalid mqtt.device_topic_id: {exc}") from exc
    for topic in topics:
        try:
            TopicFilter(topic)
        except TopicError as exc:
            raise ConfigError(f"Invalid c8y.topics: {exc}") from exc
    interval = get("c8y.availability.interval")
    http = get("c8y.http")
    enable = EnabledOperations(
        **{flag: bool(get(f"c8y.enable.{flag}")) for flag in EnabledOperations.__dataclass_fields__}
    )
    proxy = c8y_proxy_url(settings, profile)
    return MapperConfig(
        device_id=str(get("c8y.device.id")),
        topic_prefix=str(get("c8y.bridge.topic_prefix")),
        topic_root=root,
        device_topic_id=device_topic_id,
        device_type=str(get("device.type")),
        agent_version=agent_version,
        max_payload_size=int(str(get("c8y.mapper.mqtt.max_payload_size"))),
        use_operation_id=bool(get("c8y.smartrest.use_operation_id")),
        create_with_device_marker=bool(get("c8y.smartrest.child_device.create_with_device_marker")),
        service_type=str(get("service.type")),
        timestamp_format=str(get("service.timestamp_format")),
        availability_enabled=bool(get("c8y.availability.enable")),
        availability_interval_minutes=int(getattr(interval, "seconds", 0) // SECONDS_PER_MINUTE),
        enable=enable,
        software_management_api=SoftwareManagementApi(str(get("c8y.software_management.api"))),
        software_with_types=bool(get("c8y.software_management.with_types")),
        auto_register=bool(get("agent.entity_store.auto_register")),
        auto_log_upload=AutoLogUpload(str(get("c8y.operations.auto_log_upload"))),
        logs_path=str(get("logs.path")),
        firmware_child_timeout=float(getattr(get("firmware.child.update.timeout"), "seconds", 3600)),
        c8y_http_host=str(getattr(http, "host", http)),
        proxy_url=proxy.removesuffix("/c8y"),
        file_transfer_url=local_http(settings).base_url,
        te_topics=relative_topics(root, topics),
    )


def relative_topics(root: str, topics: tuple[str, ...]) -> tuple[str, ...]:
    """``c8y.topics`` without the topic root (a filter outside the root is kept as given, relative)."""
    prefix = f"{root}/"
    return tuple(topic[len(prefix) :] if topic.startswith(prefix) else topic for topic in topics)
