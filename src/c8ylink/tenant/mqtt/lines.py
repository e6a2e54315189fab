"""What a SmartREST template handler works with: one validated line of one publish, in context."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.c8y_topics import SMARTREST_DOWNSTREAM
from c8ylink.core.smartrest.codec import Record, encode_record
from c8ylink.core.smartrest.messages import ParsedRecord
from c8ylink.tenant.mqtt.auth import DeviceIdentity
from c8ylink.tenant.mqtt.devices import addressed_object
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import format_time

Outgoing = tuple[str, bytes]  # (topic, payload) for the publishing session
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(slots=True)
class Line:
    state: TenantState
    identity: DeviceIdentity
    child: str | None  # s/us/<child>
    parsed: ParsedRecord
    replies: list[Outgoing] = field(default_factory=list)
    _target: str | None = None

    def value(self, name: str) -> str:
        return self.parsed.values.get(name, "")

    @property
    def groups(self) -> tuple[dict[str, str], ...]:
        return tuple(dict(group) for group in self.parsed.groups)

    def target(self) -> str:
        """The managed object this line is for (created on first use, see ``devices``)."""
        if self._target is None:
            self._target = addressed_object(self.state, self.identity, self.child)
        return self._target

    def time(self, name: str = "time") -> str:
        """The line's time, or the server's time when the field is empty."""
        return self.value(name) or format_time(self.state.now())

    def reply(self, record: Record, topic: str = SMARTREST_DOWNSTREAM) -> None:
        self.replies.append((topic, encode_record(record).encode("utf-8")))

    def update(self, fragments: dict[str, Any]) -> None:
        self.state.inventory.update(self.target(), fragments, now=self.state.now())


Handler = Callable[[Line], None]


def number(text: str) -> int | float:
    """A validated SmartREST NUMBER as a JSON number (integers stay integers)."""
    return int(text) if _INTEGER.fullmatch(text) else float(text)


def present(values: dict[str, str], *names: str) -> dict[str, str]:
    """The named values that are not empty."""
    return {name: values[name] for name in names if values.get(name)}
