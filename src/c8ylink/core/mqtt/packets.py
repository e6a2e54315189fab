"""The MQTT 3.1.1 packets as values, the same on both sides of a connection.

``Publish`` is a plain (not frozen) slotted dataclass on purpose: one is made for every message
on the hot paths of the mapper and the tenant, and a frozen dataclass takes about four times as
long to construct. A ``packet_id`` of 0 means "none" (QoS 0); 0 is never a valid packet id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConnackCode(enum.IntEnum):
    ACCEPTED = 0
    UNACCEPTABLE_PROTOCOL = 1
    IDENTIFIER_REJECTED = 2
    SERVER_UNAVAILABLE = 3
    BAD_USERNAME_OR_PASSWORD = 4
    NOT_AUTHORIZED = 5


CONNACK_REASONS: dict[int, str] = {
    ConnackCode.UNACCEPTABLE_PROTOCOL: "unacceptable protocol version",
    ConnackCode.IDENTIFIER_REJECTED: "client identifier rejected",
    ConnackCode.SERVER_UNAVAILABLE: "server unavailable",
    ConnackCode.BAD_USERNAME_OR_PASSWORD: "bad user name or password",
    ConnackCode.NOT_AUTHORIZED: "not authorized",
}

SUBACK_FAILURE = 0x80


@dataclass(frozen=True, slots=True)
class Will:
    """The message the broker publishes when the client goes away without DISCONNECT."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(frozen=True, slots=True)
class Connect:
    level: int  # 4: MQTT 3.1.1, 3: MQTT 3.1
    client_id: str
    clean_session: bool
    keep_alive: int
    username: str | None = None
    password: bytes | None = None
    will: Will | None = None

    def __repr__(self) -> str:  # never show the password
        return f"Connect(client_id={self.client_id!r}, username={self.username!r}, password=***)"


@dataclass(slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False
    packet_id: int = 0
    dup: bool = False


@dataclass(frozen=True, slots=True)
class ConnAck:
    session_present: bool
    return_code: int


@dataclass(frozen=True, slots=True)
class PubAck:
    packet_id: int


@dataclass(frozen=True, slots=True)
class PubRec:
    """QoS 2, step 2: the receiver has the message (the sender answers PUBREL)."""

    packet_id: int


@dataclass(frozen=True, slots=True)
class PubRel:
    """QoS 2, step 3: the sender releases the packet id (the receiver answers PUBCOMP)."""

    packet_id: int


@dataclass(frozen=True, slots=True)
class PubComp:
    """QoS 2, step 4: the exchange is complete."""

    packet_id: int


@dataclass(frozen=True, slots=True)
class Subscribe:
    packet_id: int
    filters: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class SubAck:
    packet_id: int
    return_codes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    packet_id: int
    filters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnsubAck:
    packet_id: int


@dataclass(frozen=True, slots=True)
class PingResp:
    pass


ClientBound = Publish | ConnAck | PubAck | PubRec | PubRel | PubComp | SubAck | UnsubAck | PingResp
"""What ``client_decoder.PacketDecoder`` returns."""
