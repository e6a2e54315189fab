"""``/application``: CRUD, archives (a microservice zip stored as a binary), versions, subscriptions,
bootstrap and service users, ``currentApplication``; a user without the permission gets 403."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
A = "/application/applications"


def _zip(path: Path, version: str) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cumulocity.json", json.dumps({"apiVersion": "2", "version": version}))
        archive.writestr("image.tar", b"\0" * 4096)
    path.write_bytes(buffer.getvalue())
    return path


def _microservice(api: httpx2.Client) -> dict[str, str]:
    name = unique("svc")
    created = api.post(A, json={"name": name, "key": f"{name}-key", "type": "MICROSERVICE"})
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_application_round_trip(api: httpx2.Client) -> None:
    listed = api.get(A, params={"pageSize": "100"}).json()["applications"]
    assert {"administration", "cockpit", "devicemanagement"} <= {app["name"] for app in listed}
    name = unique("web")
    app = api.post(A, json={"name": name, "key": f"{name}-key", "type": "HOSTED"}).json()
    assert app["owner"]["tenant"]["id"] == "t100" and app["contextPath"] == name
    assert api.get(f"{A}/{app['id']}").json()["name"] == name
    assert api.get(f"/application/applicationsByName/{name}").json()["applications"][0]["id"] == app["id"]
    updated = api.put(f"{A}/{app['id']}", json={"availability": "MARKET"})
    assert updated.json()["availability"] == "MARKET"
    assert api.post(A, json={"name": name, "key": "other", "type": "HOSTED"}).status_code == 409
    assert api.post(A, json={"name": "x", "type": "HOSTED"}).status_code == 422
    clone = api.post(f"{A}/{app['id']}/clone")
    assert clone.status_code == 201 and clone.json()["name"] == f"clone{name}"
    assert api.delete(f"{A}/{app['id']}").status_code == 204
    assert api.get(f"{A}/{app['id']}").status_code == 404
    assert api.delete(f"{A}/1").status_code == 403


def test_microservice_zip_upload_versions_and_users(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    service = _microservice(api)
    archive = _zip(tmp_path / "svc.zip", "1.0.0")
    with archive.open("rb") as handle:
        uploaded = api.post(
            f"{A}/{service['id']}/binaries", files={"file": ("svc.zip", handle, "application/zip")}
        )
    assert uploaded.status_code == 201 and uploaded.json()["activeVersionId"]
    binary_id = uploaded.json()["activeVersionId"]
    attachments = api.get(f"{A}/{service['id']}/binaries").json()["attachments"]
    assert [a["id"] for a in attachments] == [binary_id] and attachments[0][
        "length"
    ] == archive.stat().st_size
    assert api.get(f"{A}/{service['id']}/binaries/{binary_id}").content == archive.read_bytes()
    assert (tenant.info.data_dir / "files" / "applications" / binary_id).is_file()

    second = _zip(tmp_path / "svc2.zip", "2.0.0")
    with second.open("rb") as handle:
        version = api.post(
            f"{A}/{service['id']}/versions",
            files={"applicationBinary": ("svc2.zip", handle, "application/zip")},
            data={"applicationVersion": json.dumps({"version": "2.0.0", "tags": ["latest"]})},
        )
    assert version.status_code == 201 and version.json()["version"] == "2.0.0"
    listed = api.get(f"{A}/{service['id']}/versions").json()["applicationVersions"]
    assert [v["version"] for v in listed] == ["2.0.0"]
    assert api.get(f"{A}/{service['id']}/versions", params={"tag": "latest"}).json()["version"] == "2.0.0"
    tagged = api.put(f"{A}/{service['id']}/versions/2.0.0", json={"tags": ["stable"]})
    assert tagged.json()["tags"] == ["stable"]

    reference = {"application": {"self": f"{api.base_url}{A}/{service['id']}"}}
    assert api.post("/tenant/tenants/t100/applications", json=reference).status_code == 201
    assert api.post("/tenant/tenants/t100/applications", json=reference).status_code == 409
    subscribed = api.get("/tenant/tenants/t100/applications", params={"pageSize": "100"}).json()["references"]
    assert service["id"] in [ref["application"]["id"] for ref in subscribed]

    bootstrap = api.get(f"{A}/{service['id']}/bootstrapUser").json()
    assert bootstrap["name"] == f"servicebootstrap_{service['name']}"
    as_bootstrap = client_for(tenant, (f"{bootstrap['tenant']}/{bootstrap['name']}", bootstrap["password"]))
    assert as_bootstrap.get("/application/currentApplication").json()["id"] == service["id"]
    users = as_bootstrap.get("/application/currentApplication/subscriptions").json()["users"]
    assert [user["name"] for user in users] == [f"service_{service['name']}"]
    as_service = client_for(tenant, (f"t100/{users[0]['name']}", users[0]["password"]))
    assert as_service.post("/inventory/managedObjects", json={"name": "by service"}).status_code == 201
    by_key = api.get(
        "/application/currentApplication", headers={"X-Cumulocity-Application-Key": service["key"]}
    )
    assert by_key.json()["name"] == service["name"]

    assert api.delete(f"/tenant/tenants/t100/applications/{service['id']}").status_code == 204
    assert (
        api.delete(f"{A}/{service['id']}/versions", params={"version": "2.0.0"}).status_code == 409
    )  # active
    assert api.delete(f"{A}/{service['id']}").status_code == 204
    assert not (tenant.info.data_dir / "files" / "applications" / binary_id).exists()


def test_a_user_without_application_management_gets_403(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    name = unique("appuser")
    api.post("/user/t100/users", json={"userName": name, "password": "Secret-123"})
    api.post("/user/t100/groups/1/users", json={"user": {"id": name}})  # business: reads applications
    person = client_for(tenant, (f"t100/{name}", "Secret-123"))
    assert person.get(A).status_code == 200
    denied = person.post(A, json={"name": unique("x"), "key": unique("k"), "type": "HOSTED"})
    assert denied.status_code == 403 and denied.json()["error"] == "security/Forbidden"
