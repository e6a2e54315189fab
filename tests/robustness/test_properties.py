"""Bounded property tests over the readers of untrusted text (hypothesis, in ``make test``): whatever
they are given, they answer with a value or their own typed error, never another exception."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.jwt import JwtError, decode_jwt_claims, verify_jwt
from c8ylink.core.settings.resolve import build_settings
from c8ylink.core.smartrest.codec import EscapeStyle, decode_records, encode_records
from c8ylink.device.config.settings import TEDGE
from c8ylink.operator.sessions.model import parse_session_document
from c8ylink.operator.sessions.store import parse_session_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
toml_values = st.recursive(
    st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["c8y", "url", "mqtt", "port", "device", "id", "bind", "x"]), children, max_size=3
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_session_text_is_a_session_or_a_session_error(text: str) -> None:
    try:
        document = parse_session_text(text, Path("s.json"))
        parse_session_document(document, path="s.json")
    except C8yLinkError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["host", "username", "password", "loginType", "settings", "tenant", "x"]),
        json_values,
        max_size=6,
    )
)
def test_any_session_document_is_a_session_or_a_session_error(document: dict[str, Any]) -> None:
    with contextlib.suppress(C8yLinkError):
        parse_session_document(document, path="s.json")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_token_is_claims_or_a_jwt_error(token: str) -> None:
    for read in (decode_jwt_claims, lambda t: verify_jwt(t, b"k" * 32, now=0)):
        with contextlib.suppress(JwtError):
            read(token)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.text(max_size=10), min_size=1, max_size=4), min_size=1, max_size=4),
    st.sampled_from(list(EscapeStyle)),
)
def test_smartrest_records_survive_a_round_trip(records: list[list[str]], style: EscapeStyle) -> None:
    records = [[field.replace("\r", "") for field in record] for record in records]
    decoded = decode_records(encode_records(records, style), style)
    assert [list(record) for record in decoded] == records


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["c8y", "mqtt", "device", "http", "x"]), toml_values, max_size=3))
def test_any_tedge_toml_data_is_settings_or_a_config_error(data: dict[str, Any]) -> None:
    with contextlib.suppress(C8yLinkError):
        build_settings(
            TEDGE, file_data=data, file_name="tedge.toml", env={}, config_dir="/nonexistent", cwd="/"
        )
