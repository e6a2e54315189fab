"""The first command set against the local tenant, one flow per group: identity, measurements, events,
alarms, operations, device registration, trusted certificates, the current user and tenant; names are
looked up where ids are expected; piped JSON lines feed the next command."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from c8ylink.core.errors import ApiError
from c8ylink.infra.tls.ca import create_certificate_authority
from c8ylink.infra.tls.certs import encode_certificate_pem
from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def lines(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def one(run: Run) -> dict[str, Any]:
    [item] = lines(run)
    return item


def test_devices_get_update_delete_by_id_and_by_name(rest: C8y) -> None:
    name = unique("crud-")
    device = one(
        rest("devices", "create", "--name", name, "--type", "c8y_Test", "--data", "a.b=1", "--force")
    )
    assert device["type"] == "c8y_Test" and device["a"] == {"b": 1}
    assert one(rest("devices", "get", "--id", name, "--select", "id"))["id"] == device["id"]  # looked up
    renamed = one(
        rest(
            "devices", "update", "--id", device["id"], "--newName", name + "x", "--data", "a=null", "--force"
        )
    )
    assert renamed["name"] == name + "x" and "a" not in renamed
    deleted = rest("devices", "delete", "--id", name + "x", "--force")
    assert (
        deleted.code == 0
        and deleted.stdout == ""
        and "✓ Deleted /inventory/managedObjects/" in deleted.stderr
    )
    gone = rest("devices", "get", "--id", device["id"])
    assert gone.code == 4
    missing = rest("devices", "get", "--id", "no-such-device-name")
    assert missing.code == 4 and "no device is named 'no-such-device-name'" in missing.stderr


def test_identity_measurements_events_alarms(rest: C8y) -> None:
    device = one(rest("devices", "create", "--name", unique("data-"), "--force"))
    serial = unique("sn-")
    created = one(rest("identity", "create", "--device", device["id"], "--name", serial, "--force"))
    assert created["externalId"] == serial and created["managedObject"]["id"] == device["id"]
    assert one(rest("identity", "get", "--name", serial))["managedObject"]["id"] == device["id"]
    assert [x["externalId"] for x in lines(rest("identity", "list", "--device", device["id"]))] == [serial]
    one(
        rest(
            "measurements",
            "create",
            "--device",
            device["id"],
            "--type",
            "c8y_T",
            "--data",
            "c8y_T.T.value=21.5,c8y_T.T.unit=C",
            "--force",
        )
    )
    measured = lines(rest("measurements", "list", "--device", device["id"], "--dateFrom", "-1h"))
    assert measured[0]["c8y_T"]["T"] == {"value": 21.5, "unit": "C"}
    one(rest("events", "create", "--device", device["id"], "--type", "c8y_Login", "--text", "hi", "--force"))
    assert [e["text"] for e in lines(rest("events", "list", "--device", device["id"]))] == ["hi"]
    alarm = one(
        rest(
            "alarms",
            "create",
            "--device",
            device["id"],
            "--type",
            "c8y_A",
            "--text",
            "hot",
            "--severity",
            "MAJOR",
            "--force",
        )
    )
    listed = lines(rest("alarms", "list", "--device", device["id"], "--status", "ACTIVE"))
    assert [a["id"] for a in listed] == [alarm["id"]]
    cleared = rest("alarms", "update", "--status", "CLEARED", "--force", stdin=json.dumps(alarm) + "\n")
    assert one(cleared)["status"] == "CLEARED"
    bad = rest(
        "alarms",
        "create",
        "--device",
        device["id"],
        "--type",
        "t",
        "--text",
        "x",
        "--severity",
        "HUGE",
        "--force",
    )
    assert (
        bad.code == 101
        and "invalid --severity 'HUGE': use one of CRITICAL, MAJOR, MINOR, WARNING" in bad.stderr
    )
    rest("identity", "delete", "--name", serial, "--force")
    assert rest("identity", "get", "--name", serial).code == 4


def test_operations(rest: C8y) -> None:
    agent = one(
        rest(
            "devices",
            "create",
            "--name",
            unique("agent-"),
            "--data",
            "com_cumulocity_model_Agent={}",
            "--force",
        )
    )
    operation = one(
        rest(
            "operations",
            "create",
            "--device",
            agent["id"],
            "--description",
            "Restart",
            "--data",
            "c8y_Restart={}",
            "--force",
        )
    )
    assert operation["status"] == "PENDING"
    assert one(rest("operations", "get", "--id", operation["id"]))["description"] == "Restart"
    pending = rest("operations", "list", "--agent", agent["name"], "--status", "PENDING")  # agent by name
    assert [op["id"] for op in lines(pending)] == [operation["id"]]
    piped = rest("operations", "list", "--device", agent["id"], "--status", "PENDING")
    executing = rest("operations", "update", "--status", "EXECUTING", "--force", stdin=piped.stdout)
    assert one(executing)["status"] == "EXECUTING"
    failed = one(
        rest(
            "operations",
            "update",
            "--id",
            operation["id"],
            "--status",
            "FAILED",
            "--failureReason",
            "stale",
            "--force",
        )
    )
    assert (failed["status"], failed["failureReason"]) == ("FAILED", "stale")


def test_device_registration_requests(rest: C8y, admin: AdminClient, tenant: BackgroundTenant) -> None:
    device_id = unique("req-")
    assert one(rest("deviceregistration", "register", "--id", device_id, "--force"))["status"] == (
        "WAITING_FOR_CONNECTION"
    )
    assert device_id in [r["id"] for r in lines(rest("deviceregistration", "list", "--pageSize", "2000"))]
    assert one(rest("deviceregistration", "get", "--id", device_id))["id"] == device_id
    early = rest("deviceregistration", "approve", "--id", device_id, "--force")
    assert early.code == 22  # 422: the device has not asked for its credentials yet
    bootstrap = AdminClient(
        admin.base_url, admin.ca_file, "management/devicebootstrap", tenant.info.bootstrap.password
    )
    with pytest.raises(ApiError) as pending:  # the device polls: 404 until an operator accepts
        bootstrap.request("POST", "/devicecontrol/deviceCredentials", {"id": device_id})
    assert pending.value.status == 404
    assert one(rest("deviceregistration", "approve", "--id", device_id, "--force"))["status"] == "ACCEPTED"
    credentials = bootstrap.request("POST", "/devicecontrol/deviceCredentials", {"id": device_id})
    assert credentials["username"] == f"device_{device_id}"
    other = unique("req-")
    one(rest("deviceregistration", "register", "--id", other, "--force"))
    assert rest("deviceregistration", "delete", "--id", other, "--force").code == 0
    assert rest("deviceregistration", "get", "--id", other).code == 4


def test_trusted_certificates(rest: C8y, tmp_path: Path) -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, unique("ops-ca-"))])
    ca = create_certificate_authority(subject, now=datetime.now(UTC))
    pem = tmp_path / "ca.pem"
    pem.write_bytes(encode_certificate_pem(ca.certificate))
    uploaded = one(
        rest(
            "devicemanagement",
            "certificates",
            "create",
            "--name",
            "ops-ca",
            "--file",
            str(pem),
            "--autoRegistrationEnabled",
            "--force",
        )
    )
    fingerprint = uploaded["fingerprint"]
    assert uploaded["status"] == "ENABLED" and uploaded["autoRegistrationEnabled"] is True
    listed = lines(rest("devicemanagement", "certificates", "list", "--pageSize", "100"))
    assert fingerprint in [c["fingerprint"] for c in listed]
    got = one(rest("devicemanagement", "certificates", "get", "--id", fingerprint, "--select", "name"))
    assert got == {"name": "ops-ca"}
    assert rest("devicemanagement", "certificates", "delete", "--id", fingerprint, "--force").code == 0
    assert rest("devicemanagement", "certificates", "get", "--id", fingerprint).code == 4
    missing = rest(
        "devicemanagement",
        "certificates",
        "create",
        "--name",
        "x",
        "--file",
        str(tmp_path / "no.pem"),
        "--force",
    )
    assert missing.code == 101 and "cannot read --file" in missing.stderr


def test_current_user_and_tenant(rest: C8y, rest_user: tuple[str, str], admin: AdminClient) -> None:
    assert one(rest("currentuser", "get"))["userName"] == rest_user[0]
    tenant = one(rest("currenttenant", "get", "--select", "name,domainName"))
    assert tenant["name"] == admin.username.split("/")[0]
