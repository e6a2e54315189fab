"""Cumulocity's Notifications 2.0 consumer protocol, the parts the tenant and ``c8y`` share.

A consumer opens a WebSocket to ``/notification2/consumer/?token=<jwt>[&consumer=<name>]``; the token
(``POST /notification2/token``) names the subscription and the subscriber. Each notification is one text
frame: header lines, an empty line, then the JSON body::

    <ack id>
    /<tenant>/<api>/<source id>
    <CREATE|UPDATE|DELETE>

    {"id": "42", ...}

The consumer acknowledges a notification by sending its ack id back as a text frame; what it has not
acknowledged is delivered again when it reconnects. Sending ``unsubscribe_subscriber`` removes the
subscriber (and what was queued for it).
"""

from __future__ import annotations

from dataclasses import dataclass

CONSUMER_PATH = "/notification2/consumer/"
UNSUBSCRIBE_SUBSCRIBER = "unsubscribe_subscriber"
ACTIONS = ("CREATE", "UPDATE", "DELETE")


class MessageFormatError(ValueError):
    """A frame that is not a Notifications 2.0 message."""


@dataclass(frozen=True, slots=True)
class Notification:
    ack_id: str
    source: str  # /<tenant>/<api>/<source id>
    action: str
    body: str  # the JSON text as sent
    headers: tuple[str, ...] = ()  # further header lines, if a server sends any

    @property
    def api(self) -> str:
        """``measurements`` of ``/t1/measurements/12``; "" when the source says none."""
        parts = self.source.split("/")
        return parts[2] if len(parts) > 2 else ""


def encode_message(ack_id: str, source: str, action: str, body: str) -> str:
    for name, value in (("ack id", ack_id), ("source", source), ("action", action)):
        if not value or "\n" in value:
            raise MessageFormatError(f"the {name} must be one non-empty line")
    return f"{ack_id}\n{source}\n{action}\n\n{body}"


def parse_message(text: str) -> Notification:
    """The header lines and body of one frame; ``MessageFormatError`` when it has no ack id, source and
    action before the empty line."""
    head, separator, body = text.partition("\n\n")
    lines = [line.rstrip("\r") for line in head.split("\n")]
    if not separator or len(lines) < 3 or not all(lines[:3]):
        raise MessageFormatError(f"not a notification: {text[:60]!r}")
    return Notification(lines[0], lines[1], lines[2].strip(), body, tuple(lines[3:]))


def build_source(tenant: str, api: str, source_id: str) -> str:
    return f"/{tenant}/{api}/{source_id}"


def subscription_of_topic(topic: str) -> str:
    """``my`` of a token's ``topic`` claim ``<tenant>/relnotif/my``; "" for anything else."""
    parts = topic.split("/")
    return parts[2] if len(parts) == 3 and parts[1] == "relnotif" else ""
