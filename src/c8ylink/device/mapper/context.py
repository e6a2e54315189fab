"""The inputs every converter shares besides the message: state, current time and configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.state import MapperState


@dataclass(frozen=True, slots=True)
class Context:
    state: MapperState
    now: datetime
    config: MapperConfig
