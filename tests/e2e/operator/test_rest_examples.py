"""Every example declared in the REST specs runs as ``c8y ... --dry --dryFormat json`` (the real
script, no session, no server) and builds the request it declares: method, path, query, body."""

from __future__ import annotations

import base64
import json
import shlex
from collections.abc import Callable
from typing import Any

import pytest

from c8ylink.operator.api.dry import query_pairs
from c8ylink.operator.api.index import GROUPS, load_group
from c8ylink.operator.api.spec import ExampleSpec

from .conftest import Run

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]

EXAMPLES = [
    example
    for name in sorted(GROUPS)
    for command in load_group(name).commands
    for example in command.examples
]


def dry_requests(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    documents = [json.loads(line) for line in run.stdout.splitlines()]
    return [{**document, "query": query_pairs(document)} for document in documents]


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.command[4:] for example in EXAMPLES])
def test_example_builds_its_request(c8y: C8y, example: ExampleSpec) -> None:
    args = shlex.split(example.command)[1:]
    requests = dry_requests(c8y(*args, "--dry", "--dryFormat", "json", stdin=example.stdin))
    assert len(requests) == example.requests
    first = requests[0]
    assert (first["method"], first["path"]) == (example.method, example.path)
    for name, value in example.query.items():
        assert first["query"].get(name) == value, (name, first["query"])
    for name, part in example.query_contains.items():
        assert part in first["query"].get(name, ""), (name, first["query"])
    if example.body is not None:
        assert first["body"] == example.body
    assert first["host"] == "https://{host}" and "Authorization" not in first["headers"]


def test_dry_run_with_a_session_masks_the_credentials(c8y: C8y, sessions: Any) -> None:
    sessions.mkdir(parents=True, exist_ok=True)
    (sessions / "dry.json").write_text(
        json.dumps(
            {"host": "https://t7.example.com", "tenant": "t7", "username": "ops", "password": "s3cret-pw"}
        )
    )
    run = c8y("devices", "create", "--name", "x", "--session", "dry", "--dry", "--dryFormat", "json")
    [request] = dry_requests(run)
    assert request["url"] == "https://t7.example.com/inventory/managedObjects"
    assert request["headers"]["Authorization"] == "Basic {base64 tenant/username:password}"
    assert "s3cret" not in run.stdout + run.stderr
    encoded = base64.b64encode(b"t7/ops:s3cret-pw").decode()
    for form in ("markdown", "dump", "curl"):
        shown = c8y("devices", "get", "--id", "1", "--session", "dry", "--dry", "--dryFormat", form)
        assert shown.code == 0 and "t7.example.com" in shown.stdout
        assert "{base64 tenant/username:password}" in shown.stdout
        assert "s3cret" not in shown.stdout + shown.stderr and encoded not in shown.stdout
