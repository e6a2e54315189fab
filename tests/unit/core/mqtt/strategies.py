"""Hypothesis strategies for MQTT 3.1.1 values, shared by the codec's tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

# what MQTT allows in a UTF-8 string field: no NUL (§1.5.3), no surrogates
texts = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=40)
topics = st.text(st.characters(codec="utf-8", exclude_characters="\0+#"), min_size=1, max_size=40)
packet_ids = st.integers(1, 65_535)
payloads = st.binary(max_size=300)
cuts = st.lists(st.integers(0, 4000), max_size=6)


def feed_in_pieces(feed: Callable[[bytes], list[T]], stream: bytes, at: Sequence[int]) -> list[T]:
    """Everything ``feed`` returns when ``stream`` arrives cut at the positions ``at``."""
    positions = sorted({min(cut, len(stream)) for cut in at} | {0, len(stream)})
    received: list[T] = []
    for start, end in itertools.pairwise(positions):
        received += feed(stream[start:end])
    return received
