"""Bad input becomes a message on ``te/errors``, never an exception out of the mapper.

Every converter raises ``ConversionError(kind, message)``; the dispatcher turns it into one message
on ``<topic root>/errors`` (QoS 1, not retained) with this JSON shape:

    {"error": "invalid-json", "message": "Invalid JSON: ...", "topic": "te/device/main///m/env",
     "time": "2026-01-01T00:00:00.000Z"}

``error`` is one of the ``ErrorKind`` values (stable, for scripts); ``message`` is for people;
``topic`` is the offending input topic. (thin-edge publishes bare text there; a JSON object names
the topic without parsing prose.)
"""

from __future__ import annotations

import enum
from datetime import datetime

from c8ylink.core.errors import ProtocolError
from c8ylink.core.timestamps import format_timestamp
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.message import Message

MAX_ERROR_TEXT = 1000


class ErrorKind(enum.Enum):
    INVALID_TOPIC = "invalid-topic"  # not a te/ topic of the scheme
    INVALID_JSON = "invalid-json"  # not JSON, or not UTF-8
    INVALID_PAYLOAD = "invalid-payload"  # JSON of the wrong shape
    INVALID_TIMESTAMP = "invalid-timestamp"
    PAYLOAD_TOO_LARGE = "payload-too-large"  # input or converted output over max_payload_size
    INVALID_REGISTRATION = "invalid-registration"
    UNKNOWN_ENTITY = "unknown-entity"  # e.g. an operation for a child the mapper does not know
    UNSUPPORTED_OPERATION = "unsupported-operation"
    MESSAGE_DROPPED = "message-dropped"  # early-message buffer full: the oldest was dropped


class ConversionError(ProtocolError):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def build_error_message(config: MapperConfig, topic: str, error: ConversionError, now: datetime) -> Message:
    text = error.message if len(error.message) <= MAX_ERROR_TEXT else error.message[:MAX_ERROR_TEXT] + "..."
    body = {"error": error.kind.value, "message": text, "topic": topic, "time": format_timestamp(now)}
    return Message.json(config.errors_topic, body)
