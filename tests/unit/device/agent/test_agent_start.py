"""What stops tedge-agent before it connects: topics a broker would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.device.agent.main import run_agent


@pytest.mark.parametrize(
    ("toml", "option", "message"),
    [
        ('[mqtt]\ntopic_root = "te/#"\n', None, "Invalid mqtt.topic_root: 'te/#' cannot be a topic root"),
        ("", "+", "Invalid --mqtt-topic-root: '+' cannot be a topic root"),
        ("", None, None),
    ],
    ids=["config", "option", "device-topic-id"],
)
def test_bad_topics_are_config_errors(
    tmp_path: Path, toml: str, option: str | None, message: str | None
) -> None:
    (tmp_path / "tedge.toml").write_text(toml)
    device_topic_id = "device/main" if message is None else None
    with pytest.raises(ConfigError) as raised:
        run_agent(tmp_path, {}, log_level="info", topic_root=option, device_topic_id=device_topic_id)
    expected = message or "Invalid device topic id: Invalid entity topic id 'device/main'"
    assert str(raised.value).startswith(expected)
