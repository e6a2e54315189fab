"""error_chain: the `Caused by:` lines every tedge-style command prints."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import ConfigError, error_chain


def test_a_cause_already_quoted_at_the_end_of_the_message_is_not_repeated() -> None:
    with pytest.raises(ConfigError) as raised:
        try:
            raise ValueError("expected 4 segments, got 2")
        except ValueError as exc:
            raise ConfigError(f"Invalid device topic id: {exc}") from exc
    assert error_chain(raised.value) == ["Invalid device topic id: expected 4 segments, got 2"]


def test_a_cause_with_its_own_text_is_kept() -> None:
    with pytest.raises(ConfigError) as raised:
        try:
            raise ValueError("invalid digit found in string")
        except ValueError as exc:
            raise ConfigError("Failed to set value for mqtt.bind.port") from exc
    assert error_chain(raised.value) == [
        "Failed to set value for mqtt.bind.port",
        "invalid digit found in string",
    ]
