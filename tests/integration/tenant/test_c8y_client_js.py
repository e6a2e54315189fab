"""Compatibility with Cumulocity's official TypeScript client, ``@c8y/client`` from npm, under node.

tests/clients/node holds a pinned package.json and package-lock.json (scripts/bootstrap.sh runs
``npm ci`` there) and the scenario script; the script prints one JSON document with each step's
result, asserted on here. Node trusts the tenant's CA through NODE_EXTRA_CA_CERTS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from c8ylink.tenant.background import BackgroundTenant

pytestmark = pytest.mark.integration

NODE_DIR = Path(__file__).resolve().parents[2] / "clients" / "node"
SCRIPT = NODE_DIR / "c8y_client_scenario.js"


@pytest.fixture(scope="module")
def results(tenant: BackgroundTenant) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@c8y" / "client").is_dir():
        pytest.skip("node or @c8y/client is missing: scripts/bootstrap.sh node installs them")
    boot = tenant.info.bootstrap
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "NODE_EXTRA_CA_CERTS": str(tenant.info.ca_file),
        "C8Y_BASEURL": tenant.info.https_url,
        "C8Y_TENANT": tenant.info.tenant,
        "C8Y_USER": "admin",
        "C8Y_PASSWORD": tenant.info.admin.password,
        "C8Y_BOOTSTRAP_USER": boot.username,
        "C8Y_BOOTSTRAP_PASSWORD": boot.password,
    }
    completed = subprocess.run(
        [node, str(SCRIPT)],
        check=False,
        cwd=NODE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    document: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return document


def value(results: dict[str, Any], step: str) -> Any:
    outcome = results.get(step)
    assert outcome is not None, f"{step} did not run: {results.get('login')}"
    assert outcome["ok"], f"{step}: {outcome['error']}"
    return outcome["value"]


def test_logins(results: dict[str, Any], tenant: BackgroundTenant) -> None:
    expected = {"tenant": tenant.info.tenant, "user": "admin"}
    assert value(results, "basic_auth") == expected
    # OAI-Secure: /tenant/oauth sets the authorization cookie the client carries on
    assert value(results, "cookie_auth") == expected
    assert value(results, "bearer_auth") == {"tenant": tenant.info.tenant}


def test_inventory_query_and_children(results: dict[str, Any]) -> None:
    inventory = value(results, "inventory")
    assert inventory["status"] == 201 and inventory["model"] == "js" and inventory["devices"]
    assert len(inventory["queried"]) == 1 and inventory["count"] >= 1
    assert inventory["currentPage"] == 1 and inventory["totalPages"] >= 1
    assert value(results, "child_references") == {"devices": True, "assets": 1, "after": 0, "asset": True}


def test_identity(results: dict[str, Any]) -> None:
    identity = value(results, "identity")
    assert identity["managedObject"] and len(identity["listed"]) == 1


def test_measurements_events_binaries(results: dict[str, Any]) -> None:
    measurements = value(results, "measurements")
    assert measurements["status"] == 201 and measurements["values"] == [21.5]
    assert measurements["series"] == 1 and measurements["supported"] == ["c8y_Temperature.T"]
    events = value(results, "events")
    assert events == {"status": 201, "texts": ["updated"], "binary": "hello binary"}
    assert value(results, "inventory_binaries") == {"content": "inventory binary"}


def test_alarms_and_operations(results: dict[str, Any]) -> None:
    assert value(results, "alarms") == {"status": "ACKNOWLEDGED", "count": 1, "active": 0}
    operations = value(results, "operations")
    assert operations == {"status": 201, "pending": True, "executing": "EXECUTING", "done": "SUCCESSFUL"}
    bulk = value(results, "bulk_operations")
    assert bulk == {"status": 201, "groupId": True, "operations": 1, "listed": True}


def test_device_registration(results: dict[str, Any]) -> None:
    registration = value(results, "device_registration")
    # the device polls before the operator accepts: 404, as Cumulocity answers
    assert registration["before"] == 404 and registration["accepted"] == "ACCEPTED"
    assert registration["username"].startswith("device_js-register-")
    assert registration["self"] == registration["username"] and registration["visible"]


def test_users_tenant_applications(results: dict[str, Any], tenant: BackgroundTenant) -> None:
    services = value(results, "users_and_tenant")
    assert services["tenant"] == tenant.info.tenant and services["option"] == "on"
    assert services["users"] >= 1 and services["groups"] >= 1 and services["roles"] >= 1
    assert value(results, "applications")["names"]
    assert value(results, "cleanup") == {"gone": True}


def test_realtime_notifications(results: dict[str, Any]) -> None:
    """@c8y/client's realtime (CometD; websocket with the handshake's token, else long-polling) hears a
    measurement of its device."""
    realtime = value(results, "realtime")
    assert realtime["action"] == "CREATE" and realtime["type"].startswith("js_rt_")
    assert realtime["source"] in value(results, "inventory")["queried"]
