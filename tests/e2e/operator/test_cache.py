"""The response cache as processes against the local tenant: ``--cache`` answers a repeated request from
``<session home>/.cache`` within ``--cacheTTL``, ``--noCache`` and ``c8y cache delete`` bypass or drop it,
``--cacheBodyPaths`` narrows the key, ``settings.defaults.cache`` switches it on, no credential is kept
in clear, and a bad ``--cacheTTL`` is refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def name_of(run: Run) -> str:
    assert run.code == 0, run.stderr
    return str(json.loads(run.stdout)["name"])


def test_cached_answers_until_deleted_or_bypassed(
    rest: C8y, sessions: Path, rest_user: tuple[str, str]
) -> None:
    first = unique("cache-")
    device = json.loads(rest("devices", "create", "--name", first, "--force").stdout)["id"]
    assert name_of(rest("devices", "get", "--id", device, "--cache")) == first
    assert rest("devices", "update", "--id", device, "--newName", "renamed", "--force").code == 0
    assert name_of(rest("devices", "get", "--id", device, "--cache")) == first  # from the cache
    assert name_of(rest("devices", "get", "--id", device, "--cache", "--noCache")) == "renamed"
    assert name_of(rest("devices", "get", "--id", device, "--cache", "--cacheTTL", "0s")) == "renamed"
    folder = sessions / ".cache"
    stored = b"".join(path.read_bytes() for path in folder.iterdir())
    user, password = rest_user
    assert password.encode() not in stored and base64.b64encode(f"{user}:".encode())[:8] not in stored
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in folder.iterdir())
    renewed = rest("cache", "renew")
    assert renewed.code == 0 and "Renewed" in renewed.stderr
    deleted = rest("cache", "delete")
    assert deleted.code == 0 and "Deleted" in deleted.stderr
    assert list(folder.iterdir()) == []
    enabled = {"C8Y_SETTINGS_DEFAULTS_CACHE": "true"}
    assert name_of(rest("devices", "get", "--id", device, env=enabled)) == "renamed"
    assert rest("devices", "update", "--id", device, "--newName", "again", "--force").code == 0
    assert name_of(rest("devices", "get", "--id", device, env=enabled)) == "renamed"  # settings switch it on
    assert name_of(rest("devices", "get", "--id", device)) == "again"


def test_cache_body_paths_make_the_key(rest: C8y) -> None:
    name = unique("cached-create-")
    create = ["inventory", "create", "--name", name, "--cache", "--cacheTTL", "10min", "--template",
              "{now: _.Now()}", "--select", "id", "-o", "csv", "--force"]  # fmt: skip
    first = rest(*create, "--cacheBodyPaths", "name,type")
    second = rest(*create, "--cacheBodyPaths", "name,type")
    assert first.code == 0 and first.stdout == second.stdout  # the same answer: created once
    third = rest(*create)  # the whole body (with a new time) is the key
    assert third.code == 0 and third.stdout != first.stdout


def test_bad_cache_ttl_is_refused(rest: C8y) -> None:
    run = rest("devices", "list", "--cache", "--cacheTTL", "a while")
    assert run.code == 101 and "--cacheTTL" in run.stderr and run.stderr.startswith("userError: ")
