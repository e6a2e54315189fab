"""Device ids (the certificate CN): thin-edge's character set and length, with upstream's error texts."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import C8yLinkError, error_chain
from c8ylink.device.certs.device_id import check_device_id, device_id_problem

FORBIDDEN = ["thinedge>", "thinedge<", "thinedge|", "a[b", "a]b", "a{b", "a}b", "a^b", "a&b", "a#b", "a$b",
             "a+b", "thin/edge", "thin:edge", "thin edge", "tab\there", "émile"]  # fmt: skip


@pytest.mark.parametrize(
    "device_id", ["ThinEdgeDevice", "123device", "'?=()*@!%,-.123_id", "x" * 64], ids=str.__len__
)
def test_valid_ids(device_id: str) -> None:
    assert device_id_problem(device_id) is None
    assert check_device_id(device_id) == device_id


def test_empty() -> None:
    assert device_id_problem("") == "The empty string cannot be used as a name"


def test_65_characters() -> None:
    long_id = "a" * 65
    assert device_id_problem(long_id) == (
        f"The string '\"{long_id}\"' is more than 64 characters long and cannot be used as a name"
    )


@pytest.mark.parametrize("device_id", FORBIDDEN)
def test_forbidden_characters(device_id: str) -> None:
    problem = device_id_problem(device_id)
    assert problem is not None
    assert problem.endswith(
        "contains characters which cannot be used in a name "
        "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"
    )


def test_error_chain_is_upstreams() -> None:
    with pytest.raises(C8yLinkError) as raised:
        check_device_id("+")
    assert error_chain(raised.value) == [
        "DeviceID Error",
        "The string '\"+\"' contains characters which cannot be used in a name "
        "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]",
    ]


def test_quotes_are_escaped_as_rust_prints_them() -> None:
    assert device_id_problem('a"b') == (
        'The string \'"a\\"b"\' contains characters which cannot be used in a name '
        "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"
    )
