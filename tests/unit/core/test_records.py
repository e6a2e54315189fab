"""``core.records.NamedTuple`` behaves as ``typing.NamedTuple`` for what the code base declares with it."""

from __future__ import annotations

import pickle
import typing

import pytest

from c8ylink.core import records


def declare(base: type) -> type:
    class Endpoint(base):  # type: ignore[misc,valid-type]
        """An endpoint."""

        host: str
        port: int = 443
        text: str = ""

        @property
        def address(self) -> str:
            return f"{self.host}:{self.port}"

        def __str__(self) -> str:
            return self.address

    return Endpoint


@pytest.mark.parametrize("base", [records.NamedTuple, typing.NamedTuple], ids=["records", "typing"])
def test_records_behave_as_typing_named_tuples(base: type) -> None:
    endpoint = declare(base)
    value = endpoint("example.com")
    assert value == ("example.com", 443, "")
    assert value == endpoint("example.com", 443)
    assert value != endpoint("example.com", 8883)
    assert hash(value) == hash(endpoint("example.com"))
    assert str(value) == value.address == "example.com:443"
    assert repr(value) == "Endpoint(host='example.com', port=443, text='')"
    assert value._replace(port=1)[1] == 1
    assert endpoint._fields == ("host", "port", "text")
    assert endpoint.__doc__ == "An endpoint."
    assert isinstance(value, tuple)
    host, port, _ = value
    assert (host, port) == ("example.com", 443)
    with pytest.raises(AttributeError):
        value.host = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        endpoint()


def test_a_record_pickles() -> None:
    from c8ylink.core.settings.hosts import HostPort

    value = HostPort("example.com", 443, "example.com")
    assert pickle.loads(pickle.dumps(value)) == value


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot follow"):

        class Bad(records.NamedTuple):
            a: int = 1
            b: int
