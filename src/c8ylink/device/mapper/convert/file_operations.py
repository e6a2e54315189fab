"""Configuration and log operations between Cumulocity and thin-edge commands (thin-edge.io 1.x).

Cloud -> thin-edge (``c8y-mapper-<op id>`` commands on ``te/<entity>/cmd/<op>/<cmd id>``, retained):

    c8y_UploadConfigFile   {"type"}        -> config_snapshot {"status":"init","type","tedgeUrl"}
    c8y_DownloadConfigFile {"type","url"}  -> config_update {"status":"init","type","tedgeUrl","remoteUrl"}
    c8y_LogfileRequest {"logFile","dateFrom","dateTo","searchText","maximumLines"}
        -> log_upload {"status":"init","type","tedgeUrl","dateFrom","dateTo","searchText","lines"}

``tedgeUrl`` is ``<file transfer service>/te/v1/files/<entity>/<op>/<type>-<cmd id>``. Some steps need HTTP,
which converters do not do: they return a *transfer* (a message on ``<prefix>-internal/transfer``) that the
service carries out and then finishes with ``finish_transfer``:

- ``download`` (config_update, before the command): the new content from ``remoteUrl`` (a tenant URL
  through the local proxy) to ``tedgeUrl``; then the command is published, or the operation failed;
- ``upload`` (config_snapshot/log_upload ``successful``): ``tedgeUrl`` to the tenant as the binary of a
  new event of the entity (type = the config/log type); then ``506,<op id>,<binary URL>`` (or ``503``)
  and the command is cleared; a failed upload fails the operation;
- ``delete`` (config_update finished): the file transfer service's copy removed.
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.file_transfer import file_transfer_url
from c8ylink.core.smartrest.messages import (
    set_failed,
    set_failed_fragment,
    set_successful,
    set_successful_fragment,
)
from c8ylink.core.topics import Command, topic_for
from c8ylink.device.mapper.config import MapperConfig, OperationSource
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.capabilities import OperationSpec
from c8ylink.device.mapper.convert.payloads import entity_smartrest_topic, smartrest_message
from c8ylink.device.mapper.convert.software import rewrite_url
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message

FILE_COMMANDS = ("config_snapshot", "config_update", "log_upload")
UPLOADED = ("config_snapshot", "log_upload")
DEFAULT_LOG_LINES = 1000


def transfer_topic(config: MapperConfig) -> str:
    return f"{config.topic_prefix}-internal/transfer"


def start_file_command(
    entity: Entity, spec: OperationSpec, value: Any, operation_id: str, ctx: Context
) -> list[Message]:
    """The command (or, for config_update, the download that precedes it) of a file operation."""
    fields = value if isinstance(value, dict) else {}
    command = Command(spec.command, f"{ctx.config.command_id_prefix}{operation_id}")
    topic = topic_for(ctx.config.topic_root, entity.topic_id, command)
    kind = _text(fields, "logFile" if spec.command == "log_upload" else "type", spec.fragment)
    url = file_transfer_url(
        ctx.config.file_transfer_url, entity.topic_id, spec.command, f"{kind}-{command.command_id}"
    )
    payload: dict[str, Any] = {"status": "init", "type": kind, "tedgeUrl": url}
    if spec.command == "log_upload":
        lines = fields.get("maximumLines", DEFAULT_LOG_LINES)
        payload |= {
            "dateFrom": fields.get("dateFrom"),
            "dateTo": fields.get("dateTo"),
            "searchText": fields.get("searchText") or "",
            "lines": lines if isinstance(lines, int) and not isinstance(lines, bool) else DEFAULT_LOG_LINES,
        }
        payload = {key: item for key, item in payload.items() if item is not None}
    if spec.command != "config_update":
        return [Message.json(topic, payload, retain=True)]
    remote = _text(fields, "url", spec.fragment)
    payload["remoteUrl"] = remote
    transfer = {
        "kind": "download",
        "source": rewrite_url(remote, ctx.config),
        "tedgeUrl": url,
        "command": {"topic": topic, "payload": payload},
        **_reply_fields(entity, spec, operation_id, ctx),
    }
    return [Message.json(transfer_topic(ctx.config), transfer)]


def upload_snapshot(
    entity: Entity,
    spec: OperationSpec,
    operation_id: str,
    *,
    command_topic: str,
    data: dict[str, Any],
    ctx: Context,
) -> Message:
    """The upload that a successful config_snapshot/log_upload needs before it is reported."""
    kind = data.get("type") if isinstance(data.get("type"), str) and data.get("type") else spec.command
    url = data.get("tedgeUrl")
    if not isinstance(url, str) or not url:
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid {spec.command} command: no 'tedgeUrl'")
    what = "Configuration snapshot" if spec.command == "config_snapshot" else "Log file"
    transfer = {
        "kind": "upload",
        "tedgeUrl": url,
        "externalId": entity.external_id,
        "eventType": kind,
        "text": f"{what} of type {kind}",
        "time": ctx.now.isoformat(timespec="milliseconds"),
        "clearTopic": command_topic,
        **_reply_fields(entity, spec, operation_id, ctx),
    }
    return Message.json(transfer_topic(ctx.config), transfer)


def delete_after_update(data: dict[str, Any], ctx: Context) -> list[Message]:
    """The file transfer service's copy of a finished config_update, removed by the service."""
    url = data.get("tedgeUrl")
    if not isinstance(url, str) or not url:
        return []
    return [Message.json(transfer_topic(ctx.config), {"kind": "delete", "tedgeUrl": url})]


def finish_transfer(
    transfer: dict[str, Any], result: str | None, error: str | None, ctx: Context
) -> list[Message]:
    """What the mapper publishes once the service carried out a transfer: ``result`` is the uploaded
    binary's URL (for an upload), ``error`` why it failed."""
    if transfer["kind"] == "delete":
        return []
    operation_id, topic = str(transfer["operationId"]), str(transfer["smartrestTopic"])
    fragment, by_id = str(transfer["fragment"]), bool(transfer["byId"])
    if transfer["kind"] == "download" and error is None:
        command = transfer["command"]
        return [Message.json(str(command["topic"]), command["payload"], retain=True)]
    if error is not None:
        record = set_failed(operation_id, error) if by_id else set_failed_fragment(fragment, error)
    else:
        parameters = (result,) if result else ()
        record = (
            set_successful(operation_id, *parameters)
            if by_id
            else set_successful_fragment(fragment, *parameters)
        )
    messages = [smartrest_message(topic, [record])]
    if transfer["kind"] == "upload":
        messages.append(Message(str(transfer["clearTopic"]), b"", retain=True))
    ctx.state.operations.finish(operation_id, ctx.now)
    return messages


def _reply_fields(entity: Entity, spec: OperationSpec, operation_id: str, ctx: Context) -> dict[str, Any]:
    by_id = ctx.config.use_operation_id and ctx.config.operation_source is OperationSource.JSON
    return {
        "operationId": operation_id,
        "fragment": spec.fragment,
        "byId": by_id,
        "smartrestTopic": entity_smartrest_topic(ctx.config, entity),
    }


def _text(fields: dict[str, Any], key: str, fragment: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str) or not value:
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid {fragment}: no '{key}'")
    return value
