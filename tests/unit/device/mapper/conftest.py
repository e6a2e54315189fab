"""A pure mapper under test: feed it messages, look at what it would publish."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.converter import convert
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
NOW_TEXT = "2026-01-01T12:00:00.000Z"
Payload = str | bytes | dict[str, Any] | list[Any]


@dataclass
class Mapper:
    config: MapperConfig
    state: MapperState
    now: datetime = NOW
    published: list[Message] = field(default_factory=list)

    def send(self, topic: str, payload: Payload = b"", retain: bool = False) -> list[Message]:
        """What the mapper publishes for one message (a dict or list payload is sent as JSON)."""
        data = json.dumps(payload) if isinstance(payload, dict | list) else payload
        out = convert(Message.of(topic, data, retain=retain), self.state, self.now, self.config)
        self.published.extend(out)
        return out

    def texts(self, topic: str, payload: Payload = b"") -> list[tuple[str, str]]:
        """``send`` and return (topic, payload text) pairs."""
        return [(m.topic, m.text) for m in self.send(topic, payload)]


MapperFactory = Callable[..., Mapper]


@pytest.fixture
def make_mapper() -> MapperFactory:
    def make(**config: Any) -> Mapper:
        settings = MapperConfig(**{"device_id": "dev1", **config})
        return Mapper(settings, MapperState.create(settings))

    return make


@pytest.fixture
def mapper(make_mapper: MapperFactory) -> Mapper:
    return make_mapper()
