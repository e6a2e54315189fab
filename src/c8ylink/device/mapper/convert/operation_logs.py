"""``c8y.operations.auto_log_upload``: the agent's log of a finished command, uploaded to the cloud.

The agent names the log of each command in its states (``logPath``, a file under ``logs.path``). When a
command ends, ``always`` uploads that log, ``on-failure`` (the default) only when it failed, ``never``
never. The upload is an event of the entity, type ``<operation>_op_log``, text ``<operation> operation
log``, with the log as its binary (thin-edge.io 1.x). It goes before the status: the command's final
messages (its SmartREST status, the clearing of its topic, ...) ride in the transfer (``then``) and are
published once the upload is done or has failed (a failed upload is logged; the operation's status is
not changed by it).
"""

from __future__ import annotations

from typing import Any

from c8ylink.device.mapper.config import AutoLogUpload
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.file_operations import transfer_topic
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.message import Message

TRANSFER_KIND = "operation_log"


def wants_log_upload(policy: AutoLogUpload, status: str) -> bool:
    return policy is AutoLogUpload.ALWAYS or (policy is AutoLogUpload.ON_FAILURE and status == "failed")


def with_operation_log(
    entity: Entity, operation: str, data: dict[str, Any], messages: list[Message], ctx: Context
) -> list[Message]:
    """``messages`` (the end of a command), preceded by the upload of its log when one is wanted."""
    path, status = data.get("logPath"), data.get("status")
    if not isinstance(path, str) or not path or not isinstance(status, str):
        return messages
    if not wants_log_upload(ctx.config.auto_log_upload, status):
        return messages
    transfer = {
        "kind": TRANSFER_KIND,
        "path": path,
        "externalId": entity.external_id,
        "eventType": f"{operation}_op_log",
        "text": f"{operation} operation log",
        "time": ctx.now.isoformat(timespec="milliseconds"),
        "then": [encode_message(message) for message in messages],
    }
    return [Message.json(transfer_topic(ctx.config), transfer)]


def encode_message(message: Message) -> dict[str, Any]:
    return {"topic": message.topic, "payload": message.text, "qos": message.qos, "retain": message.retain}


def finish_log_upload(transfer: dict[str, Any]) -> list[Message]:
    """What follows the upload of a command's log, done or failed: the command's final messages."""
    values = transfer.get("then")
    if not isinstance(values, list):
        return []
    return [
        Message.of(
            str(value["topic"]), str(value["payload"]), qos=int(value["qos"]), retain=bool(value["retain"])
        )
        for value in values
        if isinstance(value, dict)
    ]
