"""Bad SmartREST and JSON-via-MQTT publishes to the local tenant (in-process, through the same
``handle_publish`` the MQTT endpoint calls): each is answered with one line on ``s/e`` naming the
problem (or, for JSON via MQTT, an error on ``<api>/e`` or nothing stored), never an exception, and
nothing is stored for it.
"""

from __future__ import annotations

import hashlib

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.mqtt.auth import DeviceIdentity
from c8ylink.tenant.mqtt.endpoint import handle_publish
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.tenant import TenantIdentity, TenantState
from c8ylink.tenant.state.users import DEVICE


class _Secrets:
    def __init__(self) -> None:
        self.counter = 0

    def token_bytes(self, size: int) -> bytes:
        self.counter += 1
        return hashlib.sha256(str(self.counter).encode()).digest()[:size].ljust(size, b"\0")

    def password(self, length: int) -> str:
        self.counter += 1
        return f"pw{self.counter}".ljust(length, "x")


def _state() -> TenantState:
    return TenantState(TenantIdentity("t100", "localhost", b"k" * 32), clock=FixedClock(), secrets=_Secrets())


_DEVICE = DeviceIdentity(
    "dev1",
    "dev1",
    None,
    Principal("t100", "device_dev1", frozenset({DEVICE}), "certificate"),
    "certificate",
    "fp",
)

# (case id, payload after a valid "100" line, expected s/e code)
BAD_SMARTREST: list[tuple[str, bytes, str]] = [
    ("117 above 32767", b"117,32768", "45"),
    ("117 below -32768", b"117,-32769", "45"),
    ("117 huge", b"117," + b"9" * 5000, "45"),
    ("117 not a number", b"117,ten", "45"),
    ("117 decimal", b"117,1.5", "45"),
    ("117 hex", b"117,0x10", "45"),
    ("unknown template", b"999", "43"),
    ("template id not a number", b"abc,1", "43"),
    ("negative template id", b"-1", "43"),
    ("huge template id", b"9" * 400, "43"),
    ("downstream template upstream", b"510,dev1", "43"),
    ("200 without value", b"200,c8y_T,T", "45"),
    ("200 value not a number", b"200,c8y_T,T,abc", "45"),
    ("200 value NaN", b"200,c8y_T,T,NaN", "45"),
    ("200 value Infinity", b"200,c8y_T,T,Infinity", "45"),
    ("200 value 1e999", b"200,c8y_T,T,1e999", "45"),
    ("200 bad time", b"200,c8y_T,T,1,,yesterday", "45"),
    ("200 time out of range", b"200,c8y_T,T,1,,99999-01-01T00:00:00Z", "45"),
    ("201 without groups", b"201,KPI", "45"),
    ("301 without type", b"301", "45"),
    ("301 bad time", b"301,c8y_A,text,notatime", "45"),
    ("306 without type", b"306", "45"),
    ("400 without type", b"400", "45"),
    ("400 bad time", b"400,c8y_E,text,13/13/13", "45"),
    ("401 bad latitude", b"401,north,1", "45"),
    ("112 bad number", b"112,1,2,three", "45"),
    ("unterminated quote", b'200,"c8y_T,T,1', "42"),
    ("text after closing quote", b'200,"c8y_T"x,T,1', "42"),
    ("quote inside unquoted field", b'200,c8y"T,T,1', "42"),
    ("invalid UTF-8", b"200,c8y_T,T,\xff", "42"),
    ("lone continuation byte", b"301,\x80", "42"),
    ("empty line between", b"125\n\n125", "42"),
    ("fields of only commas", b",,,,", "43"),
    ("NUL in template id", b"1\x0000", "43"),
    ("114 quote mess", b'114,"a""', "42"),
    ("503 without operation", b"503", "45"),
    ("505 without reason", b"505", "45"),
    ("110 boolean where a value is expected", b"121,maybe", "45"),
]


@pytest.mark.parametrize(
    ("payload", "code"), [c[1:] for c in BAD_SMARTREST], ids=[c[0] for c in BAD_SMARTREST]
)
def test_a_bad_smartrest_line_gets_one_error_on_s_e(payload: bytes, code: str) -> None:
    state = _state()
    handle_publish(state, _DEVICE, "s/us", b"100")
    replies = handle_publish(state, _DEVICE, "s/us", payload)
    errors = [reply for topic, reply in replies if topic == "s/e"]
    assert errors, replies
    first = errors[0].decode("utf-8")
    assert first.split(",", 1)[0] == code, first
    assert "\n" not in first and "Traceback" not in first


def test_an_out_of_range_required_interval_is_not_stored() -> None:
    state = _state()
    handle_publish(state, _DEVICE, "s/us", b"100\n117,40000\n117,-40000")
    device = state.identity.find("c8y_Serial", "dev1")
    assert device is not None
    assert "c8y_RequiredAvailability" not in state.inventory.get(device.object_id)
    handle_publish(state, _DEVICE, "s/us", b"117,32767")
    assert state.inventory.get(device.object_id)["c8y_RequiredAvailability"] == {"responseInterval": 32767}


BAD_TOPICS = ["s/xx", "s/us/", "s/us/+", "s/us/#", "c8y/unknown", "s/ds", "s/e", "", "/", "s/us/a/b/c/d"]


@pytest.mark.parametrize("topic", BAD_TOPICS)
def test_a_publish_to_a_topic_the_tenant_does_not_take_is_answered_not_stored(topic: str) -> None:
    state = _state()
    replies = handle_publish(state, _DEVICE, topic, b"200,c8y_T,T,1")
    assert state.measurements.select(Criteria()) == []
    assert all(reply_topic == "s/e" for reply_topic, _ in replies)


BAD_JSON = {
    "not JSON": b"{",
    "NaN": b'{"type":"t","time":"2024-01-01T00:00:00Z","c8y_T":{"T":{"value":NaN}}}',
    "Infinity": b'{"type":"t","time":"2024-01-01T00:00:00Z","c8y_T":{"T":{"value":Infinity}}}',
    "1e999": b'{"type":"t","time":"2024-01-01T00:00:00Z","c8y_T":{"T":{"value":1e999}}}',
    "deep nesting": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "array": b"[]",
    "string": b'"x"',
    "number": b"1",
    "invalid UTF-8": b'{"type":"\xff"}',
    "empty": b"",
    "no type": b'{"time":"2024-01-01T00:00:00Z","c8y_T":{"T":{"value":1}}}',
    "type is a list": b'{"type":["t"],"c8y_T":{"T":{"value":1}}}',
    "value is a string": b'{"type":"t","c8y_T":{"T":{"value":"1"}}}',
    "time is a number": b'{"type":"t","time":5,"c8y_T":{"T":{"value":1}}}',
    "source of another device": b'{"type":"t","source":{"id":"99999"},"c8y_T":{"T":{"value":1}}}',
}


@pytest.mark.parametrize("payload", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_a_bad_json_measurement_is_not_stored(payload: bytes) -> None:
    state = _state()
    handle_publish(state, _DEVICE, "s/us", b"100")
    replies = handle_publish(state, _DEVICE, "measurement/measurements/create", payload)
    assert state.measurements.select(Criteria()) == []
    for _, reply in replies:
        assert b"Traceback" not in reply
