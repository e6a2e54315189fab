"""MQTT topic names and topic filters as values (MQTT 3.1.1 §4.7), and which names a filter matches.

    Topic("c8y/s/us")                         # a name: no wildcards; TopicError otherwise
    TopicFilter("c8y/s/dc/#").matches("c8y/s/dc/mytemplate")   # True
    TopicFilter("#").matches("$SYS/broker/uptime")            # False: wildcards first never match $...

A name is 1 to 65,535 UTF-8 bytes without NUL, ``+`` or ``#``, and without the code points MQTT 3.1.1
§1.5.3 says a string should not hold: control characters (U+0001-U+001F, U+007F-U+009F) and Unicode
non-characters. mosquitto enforces that "should": a PUBLISH to such a topic is a malformed packet and
the client is disconnected. A filter is the same but ``+`` may stand as a whole level and ``#`` as the
whole last level. ``topic_name_problem`` and ``topic_filter_problem`` say what is wrong (or ``None``)
for callers that word their own errors; ``topic_level_problem`` does the same for one level built from
an identifier (no ``/`` either). The device side (``tedge mqtt``, the mapper's settings and the cloud
topics it builds), the tenant's endpoint and the services' client all use these rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from c8ylink.core.errors import ProtocolError

MAX_TOPIC_BYTES = 65_535
WILDCARDS = ("+", "#")
# control characters (C0 but NUL, DEL, C1) and the Unicode non-characters, which mosquitto refuses
_REFUSED_CODE_POINTS = re.compile(
    "[\x01-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)


class TopicError(ProtocolError):
    """A topic or identifier that does not fit its grammar."""


def _text_problem(text: str) -> str | None:
    if not text:
        return "it is empty"
    if "\0" in text:
        return "it contains NUL"
    if not text.isascii() or len(text) > MAX_TOPIC_BYTES:
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            return "it is not valid UTF-8"
        if size > MAX_TOPIC_BYTES:
            return f"it is longer than {MAX_TOPIC_BYTES} bytes in UTF-8"
    if text.isascii() and text.isprintable():
        return None  # the common case, without the regular expression
    refused = _REFUSED_CODE_POINTS.search(text)
    if refused is not None:
        char = refused.group()
        kind = "a control character" if ord(char) <= 0x9F else "a Unicode non-character"
        return f"it contains {kind} (U+{ord(char):04X})"
    return None


def topic_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be published to, or ``None`` when it can."""
    problem = _text_problem(name)
    if problem is None and ("+" in name or "#" in name):
        problem = "it contains a wildcard (+ or #)"
    return problem


def topic_level_problem(level: str) -> str | None:
    """Why ``level`` (an identifier put into a topic, e.g. an external id) cannot be one level of a
    topic name, or ``None`` when it can: a non-empty name without ``/``."""
    problem = topic_name_problem(level)
    if problem is None and "/" in level:
        problem = "it contains '/'"
    return problem


def topic_filter_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a topic filter a broker accepts, or ``None`` when it is one."""
    problem = _text_problem(pattern)
    if problem is not None or ("+" not in pattern and "#" not in pattern):
        return problem
    levels = pattern.split("/")
    last = len(levels) - 1
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != last):
            return "'#' must be a whole level, the last one"
        if "+" in level and level != "+":
            return "'+' must be a whole level"
    return None


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic name: what a message is published to."""

    name: str

    def __post_init__(self) -> None:
        problem = topic_name_problem(self.name)
        if problem is not None:
            raise TopicError(f"'{self.name}' is not a topic name: {problem}")

    def __str__(self) -> str:
        return self.name

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(self.name.split("/"))


@dataclass(frozen=True, slots=True)
class TopicFilter:
    """A topic filter: what a client subscribes to."""

    pattern: str
    _levels: tuple[str, ...] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        problem = topic_filter_problem(self.pattern)
        if problem is not None:
            raise TopicError(f"'{self.pattern}' is not a topic filter: {problem}")
        if "+" in self.pattern or "#" in self.pattern:
            object.__setattr__(self, "_levels", tuple(self.pattern.split("/")))

    def __str__(self) -> str:
        return self.pattern

    @property
    def has_wildcards(self) -> bool:
        return self._levels is not None

    def matches(self, topic: Topic | str) -> bool:
        """Whether a message published to ``topic`` (a valid name) is delivered to this filter."""
        name = topic if isinstance(topic, str) else topic.name
        wanted = self._levels
        if wanted is None:
            return name == self.pattern
        if name.startswith("$") and wanted[0] in WILDCARDS:
            return False  # MQTT 3.1.1 §4.7.2: $-topics are matched only by filters that name them
        parts = name.split("/")
        for index, level in enumerate(wanted):
            if level == "#":
                return True  # also the parent level itself: "a/#" matches "a"
            if index >= len(parts) or (level != "+" and level != parts[index]):
                return False
        return len(wanted) == len(parts)
