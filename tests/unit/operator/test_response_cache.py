"""The response cache's key and files: what makes two requests the same, and what is never stored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.infra.net.transport import MemoryTransport, Reply, Request
from c8ylink.operator.response_cache import CachedTransport, CacheOptions, cache_key, delete_cache, parse_ttl

AUTH = {"Authorization": "Basic dDEvYWRtaW46c2VjcmV0"}


def test_keys_follow_host_auth_and_body_paths(tmp_path: Path) -> None:
    options = CacheOptions(str(tmp_path), 60)
    base = cache_key(options, "GET", "https://a/x?q=1", AUTH, None)
    assert base != cache_key(options, "GET", "https://b/x?q=1", AUTH, None)
    assert base != cache_key(options, "GET", "https://a/x?q=1", {"Authorization": "Basic other"}, None)
    no_host = options._replace(key_host=False, key_auth=False)
    assert cache_key(no_host, "GET", "https://a/x", AUTH, None) == cache_key(
        no_host, "GET", "https://b/x", {}, None
    )
    paths = options._replace(body_paths=("name",))
    assert cache_key(paths, "POST", "https://a/x", AUTH, {"name": "n", "now": 1}) == cache_key(
        paths, "POST", "https://a/x", AUTH, {"name": "n", "now": 2}
    )
    assert "dDEvYWRtaW46c2VjcmV0" not in base and len(base) == 64


def test_answers_come_from_files_within_the_ttl(tmp_path: Path) -> None:
    calls: list[Request] = []

    def server(request: Request) -> Reply:
        calls.append(request)
        return Reply.json({"n": len(calls)}) if len(calls) < 3 else Reply(500)

    clock = [time.time()]  # the files' times are the file system's
    memory = MemoryTransport(server, base_url="https://a")
    transport = CachedTransport(memory, CacheOptions(str(tmp_path), 60), now=lambda: clock[0])
    assert transport.request("GET", "/x", headers=AUTH).json() == {"n": 1}
    assert transport.request("GET", "/x", headers=AUTH).json() == {"n": 1}
    clock[0] += 1e9  # long after: expired
    assert transport.request("GET", "/x", headers=AUTH).json() == {"n": 2}
    assert len(calls) == 2
    assert b"c2VjcmV0" not in b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert delete_cache(str(tmp_path)) == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "seconds"), [("60s", 60), ("10min", 600), ("2h", 7200), ("1d", 86400), ("90", 90)]
)
def test_ttls(text: str, seconds: float) -> None:
    assert parse_ttl(text) == seconds


def test_bad_ttls() -> None:
    with pytest.raises(UsageError, match="--cacheTTL"):
        parse_ttl("soon")
