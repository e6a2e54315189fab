"""Operation capabilities: ``te/<entity>/cmd/<operation>`` (retained metadata) -> ``114`` (tedge.md §6.8).

``OPERATIONS`` maps thin-edge operations to Cumulocity operation fragments and to the
``c8y.enable.*`` flag that gates them. When an entity announces (or withdraws, with an empty
payload) an operation, the mapper publishes the entity's full list as ``114,<fragments...>`` on its
SmartREST topic, plus ``118,<log types>`` for log_upload and ``119,<config types>`` for
config_snapshot/config_update (``{"types": [...]}`` in the metadata). When software_update
appears, a software_list command is started to report the installed software. With
``c8y.software_management.with_types``, ``cmd/software_list`` types become ``c8y_SupportedSoftwareTypes``.

Writing the operation files under ``/etc/tedge/operations/c8y`` is the service's job; so is reading
the user's own ones there (the main device's) and in ``<child xid>/`` (a child's): the service hands
what it finds to ``apply_operation_files``, which re-announces (``114``) every device whose list
changed. ``resend_capabilities`` answers a ``signal/sync`` request: every device's lists again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from c8ylink.core.smartrest.messages import (
    set_supported_configurations,
    set_supported_logs,
    set_supported_operations,
)
from c8ylink.core.topics import Command, topic_for
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    parse_json_object,
    smartrest_message,
)
from c8ylink.device.mapper.convert.twin import update_fragments
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState


@dataclass(frozen=True, slots=True)
class OperationSpec:
    command: str  # thin-edge operation (te/<entity>/cmd/<command>)
    fragment: str  # Cumulocity operation fragment
    flag: str  # EnabledOperations attribute (c8y.enable.<flag>)
    types_template: int | None = None  # 118 (logs) or 119 (configurations)


OPERATIONS: tuple[OperationSpec, ...] = (
    OperationSpec("restart", "c8y_Restart", "device_restart"),
    OperationSpec("software_update", "c8y_SoftwareUpdate", "software_update"),
    OperationSpec("log_upload", "c8y_LogfileRequest", "log_upload", 118),
    OperationSpec("config_snapshot", "c8y_UploadConfigFile", "config_snapshot", 119),
    OperationSpec("config_update", "c8y_DownloadConfigFile", "config_update", 119),
    OperationSpec("firmware_update", "c8y_Firmware", "firmware_update"),
    OperationSpec("device_profile", "c8y_DeviceProfile", "device_profile"),
)
_BY_COMMAND = {spec.command: spec for spec in OPERATIONS}
_BY_FRAGMENT = {spec.fragment: spec for spec in OPERATIONS}


def operation_for_command(command: str) -> OperationSpec | None:
    return _BY_COMMAND.get(command)


def operation_for_fragment(fragment: str) -> OperationSpec | None:
    return _BY_FRAGMENT.get(fragment)


def is_enabled(spec: OperationSpec, config: MapperConfig) -> bool:
    return not spec.flag or bool(getattr(config.enable, spec.flag))


def template_operation(command: str, state: MapperState) -> OperationSpec | None:
    """The operation of a template whose workflow runs ``command`` (``c8y_X.template``)."""
    for template in state.templates.values():
        if template.workflow_operation == command:
            return OperationSpec(command, template.name, "")
    return None


def supported_operations(entity: Entity, state: MapperState) -> list[str]:
    """Every Cumulocity operation of an entity: announced capabilities and the service's extra ones."""
    announced: set[str] = set()
    for command in state.capabilities.get(entity.topic_id, {}):
        spec = _BY_COMMAND.get(command) or template_operation(command, state)
        if spec is not None:
            announced.add(spec.fragment)
    return sorted(announced | state.extra_operations.get(entity.topic_id, frozenset()))


def convert_capability(entity: Entity, command: str, payload: bytes, ctx: Context) -> list[Message]:
    state, config = ctx.state, ctx.config
    if command == "software_list":
        return _software_types(entity, payload, ctx)
    spec = operation_for_command(command) or template_operation(command, state)
    if spec is None or not is_enabled(spec, config):
        return []
    capabilities = state.capabilities.setdefault(entity.topic_id, {})
    previous = capabilities.get(command)
    metadata = parse_json_object(payload, "operation metadata") if payload else None
    if metadata == previous:
        return []
    if metadata is None:
        del capabilities[command]
    else:
        capabilities[command] = metadata
    topic = entity_smartrest_topic(config, entity)
    records = [set_supported_operations(supported_operations(entity, state))]
    if spec.types_template == 118:
        records.append(set_supported_logs(_types(capabilities, ("log_upload",))))
    elif spec.types_template == 119:
        records.append(set_supported_configurations(_types(capabilities, _CONFIG_COMMANDS)))
    messages = [smartrest_message(topic, [record]) for record in records]
    if command == "software_update" and previous is None and metadata is not None:
        messages.append(request_software_list(entity, ctx))
    return messages


_CONFIG_COMMANDS = ("config_snapshot", "config_update")


def announce_operations(entity: Entity, state: MapperState, config: MapperConfig) -> Message:
    """``114`` with every Cumulocity operation of ``entity`` on its SmartREST topic."""
    record = set_supported_operations(supported_operations(entity, state))
    return smartrest_message(entity_smartrest_topic(config, entity), [record])


def apply_operation_files(
    found: Mapping[str, frozenset[str]], state: MapperState, config: MapperConfig
) -> list[Message]:
    """Take the custom operation files the service found (external id -> names); a ``114`` for each
    known device whose list changed. A device registered later picks its files up then."""
    state.operation_files = dict(found)
    messages: list[Message] = []
    for entity in state.entities:
        if entity.is_device and take_operation_files(entity, state):
            messages.append(announce_operations(entity, state, config))
    return messages


def take_operation_files(entity: Entity, state: MapperState) -> bool:
    """Make the entity's extra operations its operation files; True if they changed."""
    files = state.operation_files.get(entity.external_id, frozenset())
    if files == state.extra_operations.get(entity.topic_id, frozenset()):
        return False
    if files:
        state.extra_operations[entity.topic_id] = files
    else:
        state.extra_operations.pop(entity.topic_id, None)
    return True


def resend_capabilities(state: MapperState, config: MapperConfig) -> list[Message]:
    """Every device's ``114`` (and ``118``/``119`` where it has log or configuration types) again."""
    messages: list[Message] = []
    for entity in state.entities:
        capabilities = state.capabilities.get(entity.topic_id, {})
        if not entity.is_device or (
            entity != state.entities.main and not supported_operations(entity, state)
        ):
            continue
        messages.append(announce_operations(entity, state, config))
        topic = entity_smartrest_topic(config, entity)
        if "log_upload" in capabilities:
            messages.append(
                smartrest_message(topic, [set_supported_logs(_types(capabilities, ("log_upload",)))])
            )
        if any(command in capabilities for command in _CONFIG_COMMANDS):
            record = set_supported_configurations(_types(capabilities, _CONFIG_COMMANDS))
            messages.append(smartrest_message(topic, [record]))
    return messages


def _types(capabilities: dict[str, dict[str, Any]], commands: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for command in commands:
        types = capabilities.get(command, {}).get("types", [])
        if not isinstance(types, list) or not all(isinstance(item, str) for item in types):
            raise ConversionError(
                ErrorKind.INVALID_PAYLOAD, f"Invalid JSON: '{command}' types must be strings"
            )
        found.extend(item for item in types if item not in found)
    return found


def _software_types(entity: Entity, payload: bytes, ctx: Context) -> list[Message]:
    if not ctx.config.software_with_types or not payload:
        return []
    metadata = parse_json_object(payload, "operation metadata")
    types = _types({"software_list": metadata}, ("software_list",))
    return update_fragments(entity, {"c8y_SupportedSoftwareTypes": types}, ctx.state, ctx.config)


def request_software_list(entity: Entity, ctx: Context) -> Message:
    """A new software_list command, so that the agent reports what is installed."""
    command = Command("software_list", ctx.state.next_command_id(ctx.config, ctx.now))
    return Message.json(
        topic_for(ctx.config.topic_root, entity.topic_id, command), {"status": "init"}, retain=True
    )
