"""Test isolation for every tier: a clean environment and throw-away homes.

Each test runs with no TEDGE_*, C8Y_*, SSL_CERT_*, proxy or CI variables from the outer shell
(CI itself sets CI=true, which would switch c8y into CI mode), NO_COLOR=1, COLUMNS=80, and HOME
pointing at a fresh temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

STRIPPED_PREFIXES = ("TEDGE_", "C8Y_", "SSL_CERT_", "DEVICE_", "C8YLINK_")
STRIPPED_NAMES = {
    "CI", "BUILD_ID", "BUILD_NUMBER", "RUN_ID", "CI_APP_ID", "CI_BUILD_ID", "CI_BUILD_NUMBER",
    "CI_NAME", "CONTINUOUS_INTEGRATION", "FORCE_COLOR", "C8YPASS",
}  # fmt: skip


@pytest.fixture(autouse=True)
def isolation(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith(STRIPPED_PREFIXES) or upper in STRIPPED_NAMES or upper.endswith("_PROXY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    yield home
