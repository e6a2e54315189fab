"""``firmware.child.update.timeout``: a child device's firmware update that has not ended in time fails.

When the mapper gives a child device a ``firmware_update`` command it also asks the service for a
*deadline* (a message on ``<prefix>-internal/deadline``): once that many seconds have passed, the
service calls ``expire_command``. If the operation is still running then, it fails in the cloud
(``505``/``502`` with the reason below) and the command is cleared; a status the child sends later for it
is ignored. A deadline does not survive a mapper restart.

    Timeout due to lack of response from child device: <external id> for firmware: <name>
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.smartrest.messages import set_failed, set_failed_fragment
from c8ylink.device.mapper.config import MapperConfig, OperationSource
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import entity_smartrest_topic, smartrest_message
from c8ylink.device.mapper.entities import Entity, EntityKind
from c8ylink.device.mapper.message import Message


def deadline_topic(config: MapperConfig) -> str:
    return f"{config.topic_prefix}-internal/deadline"


def child_firmware_deadline(
    entity: Entity, operation_id: str, command_topic: str, name: str, ctx: Context
) -> list[Message]:
    """The deadline of a firmware update (only a child device's)."""
    if entity.kind is not EntityKind.CHILD_DEVICE:
        return []
    deadline = {
        "seconds": ctx.config.firmware_child_timeout,
        "operationId": operation_id,
        "commandTopic": command_topic,
        "fragment": "c8y_Firmware",
        "byId": ctx.config.use_operation_id and ctx.config.operation_source is OperationSource.JSON,
        "smartrestTopic": entity_smartrest_topic(ctx.config, entity),
        "reason": f"Timeout due to lack of response from child device: {entity.external_id} "
        f"for firmware: {name}",
    }
    return [Message.json(deadline_topic(ctx.config), deadline)]


def expire_command(deadline: dict[str, Any], ctx: Context) -> list[Message]:
    """The failure of an operation whose deadline passed; nothing when it ended in time."""
    operation_id = str(deadline["operationId"])
    operations = ctx.state.operations
    if operation_id not in operations.active:
        return []
    operations.finish(operation_id, ctx.now)
    operations.expired.add(operation_id)
    reason = str(deadline["reason"])
    record = set_failed(operation_id, reason) if deadline["byId"] else (
        set_failed_fragment(str(deadline["fragment"]), reason)
    )  # fmt: skip
    return [
        smartrest_message(str(deadline["smartrestTopic"]), [record]),
        Message(str(deadline["commandTopic"]), b"", retain=True),
    ]
