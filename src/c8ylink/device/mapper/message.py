"""The one value the mapper consumes and produces: an MQTT message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes = b""
    qos: int = 1
    retain: bool = False

    @classmethod
    def of(cls, topic: str, payload: str | bytes = b"", *, qos: int = 1, retain: bool = False) -> Message:
        """A message from text (UTF-8) or bytes."""
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        return cls(topic, data, qos, retain)

    @classmethod
    def json(cls, topic: str, value: Any, *, qos: int = 1, retain: bool = False) -> Message:
        """A compact JSON message (UTF-8, no NaN/Infinity)."""
        return cls.of(topic, encode_json(value), qos=qos, retain=retain)

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", errors="replace")


def encode_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
