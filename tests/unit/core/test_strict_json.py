"""Standard JSON only: what Python's json would accept but strict clients cannot read back is refused,
and the shortcut that skips the depth walk for bodies with few brackets changes no answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core import strict_json

REFUSED = {
    "NaN": (b'{"value": NaN}', "NaN is not a JSON number"),
    "Infinity": (b"[Infinity]", "Infinity is not a JSON number"),
    "-Infinity": (b"[-Infinity]", "-Infinity is not a JSON number"),
    "a float beyond double": (b'{"a": {"b": 1e999}}', "number out of range"),
    "a negative float beyond double": (b"-1e400", "number out of range"),
    "101 levels": (b"[" * 101 + b"]" * 101, "nested deeper than 100 levels"),
    "101 levels of objects": (b'{"a":' * 101 + b"1" + b"}" * 101, "nested deeper than 100 levels"),
    "far too deep": (b"[" * 100_000 + b"]" * 100_000, "nested deeper than 100 levels"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_strict_clients_cannot_read_is_refused(name: str) -> None:
    data, message = REFUSED[name]
    with pytest.raises(ValueError, match=message):
        strict_json.loads(data)
    with pytest.raises(ValueError, match=message):
        strict_json.loads(data.decode())


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100 + b"]" * 100,  # the deepest allowed
        b'{"text": "' + b"[{" * 200 + b'"}',  # brackets in strings are no nesting
        b"123456789012345678901234567890",  # big integers stay exact
        b'{"value": 1e308, "small": -2.5e-300, "n": -0}',
    ],
)
def test_standard_json_is_read_as_python_reads_it(data: bytes) -> None:
    assert strict_json.loads(data) == json.loads(data)
    assert strict_json.loads(data.decode()) == json.loads(data)


documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@given(documents)
def test_every_standard_document_reads_back_equal(document: Any) -> None:
    assert strict_json.loads(json.dumps(document)) == document
