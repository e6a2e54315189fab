"""``c8y microservices create``: find the application by name (or create it from the zip's
``cumulocity.json``), upload the zip as its binary, subscribe the tenant, print the application.

``new_application`` is pure (the manifest is a parameter); ``run_create`` is the command's handler."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import ApiError
from c8ylink.operator.api.plan import LocalFile, RequestPlan, encode_component

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

BASE = "/application/applications"
JSON = (("Accept", "application/json"),)
MANIFEST = "cumulocity.json"


def default_name(path: str) -> str:
    name = os.path.basename(path)
    return name[: -len(".zip")] if name.lower().endswith(".zip") else name


def new_application(
    values: Mapping[str, Any], name: str, manifest: Mapping[str, Any], kind: str = "MICROSERVICE"
) -> dict[str, Any]:
    """The body that creates the application (the flags win over the manifest)."""
    body: dict[str, Any] = {
        "name": name,
        "key": values.get("key") or f"{name}-key",
        "type": kind,
        "contextPath": values.get("contextPath") or manifest.get("contextPath") or name,
    }
    if kind == "HOSTED":
        body["resourcesUrl"] = "/"
    if values.get("availability"):
        body["availability"] = values["availability"]
    if manifest:
        body["manifest"] = dict(manifest)
        for key in ("requiredRoles", "roles"):
            if kind == "MICROSERVICE" and isinstance(manifest.get(key), list):
                body[key] = manifest[key]
    if isinstance(values.get("data"), dict):
        body.update(values["data"])
    return body


def read_manifest(path: str) -> dict[str, Any]:
    """The zip's ``cumulocity.json`` ({} when it has none or is no zip)."""
    try:
        with zipfile.ZipFile(path) as bundle, bundle.open(MANIFEST) as handle:
            document = json.load(handle)
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return {}
    return document if isinstance(document, dict) else {}


def _upload_of(values: Mapping[str, Any]) -> LocalFile:
    upload = values["file"]
    assert isinstance(upload, LocalFile)  # checked by the executor (operator.api.uploads.check_file)
    return upload


def find_or_create(
    executor: Executor, values: Mapping[str, Any], name: str, kind: str, manifest: Mapping[str, Any]
) -> dict[str, Any]:
    """The application of that name and type, created when there is none (``--dry``: shown)."""
    by_name = f"/application/applicationsByName/{encode_component(name, safe='')}"
    answer = executor.get_json(RequestPlan("GET", by_name, headers=JSON)) or {}  # sent with --dry too
    found = next((a for a in answer.get("applications", []) if a.get("type") == kind), None)
    if found is not None:
        return dict(found)
    body = new_application(values, name, manifest, kind)
    create = RequestPlan("POST", BASE, body=body, headers=(*JSON, ("Content-Type", "application/json")),
                         label=f"name={name}")  # fmt: skip
    return _send(executor, create) or {"id": "{id}"}


def _send(executor: Executor, plan: RequestPlan) -> dict[str, Any] | None:
    """Confirm and send (``--dry``: print) one step; its JSON answer."""
    executor.confirm(plan)
    if executor.run.dry:
        executor.print_dry(plan)
        return None
    answer = executor.send(plan).json_or_none()
    return answer if isinstance(answer, dict) else {}


def _archive_plan(app_id: str, upload: LocalFile, name: str) -> RequestPlan:
    archive = ("file", os.path.basename(upload.path), upload, "application/zip")
    return RequestPlan("POST", f"{BASE}/{app_id}/binaries", headers=JSON, label=f"name={name}",
                       files=(archive,))  # fmt: skip


def run_create(executor: Executor, values: dict[str, Any]) -> None:
    """``microservices create``: the application, its zip uploaded, the tenant subscribed."""
    upload = _upload_of(values)
    name = str(values.get("name") or default_name(upload.path))
    found = find_or_create(executor, values, name, "MICROSERVICE", read_manifest(upload.path))
    app_id = str(found.get("id", ""))
    if not values.get("skipUpload"):
        found = _send(executor, _archive_plan(app_id, upload, name)) or found
    if not values.get("skipSubscription"):
        _subscribe(executor, app_id)
    if not executor.run.dry:
        executor.printer.items([found])


def _activation(app_id: str, binary_id: str, name: str) -> RequestPlan:
    headers = (*JSON, ("Content-Type", "application/json"))
    body = {"activeVersionId": binary_id}
    return RequestPlan("PUT", f"{BASE}/{app_id}", body=body, headers=headers, label=f"name={name}")


def run_create_hosted(executor: Executor, values: dict[str, Any]) -> None:
    """``applications createHostedApplication``: the web application, its zip uploaded and made the
    active version (unless ``--skipActivation``)."""
    upload = _upload_of(values)
    name = str(values.get("name") or default_name(upload.path))
    found = find_or_create(executor, values, name, "HOSTED", {})
    app_id = str(found.get("id", ""))
    if not values.get("skipUpload"):
        found = _send(executor, _archive_plan(app_id, upload, name)) or found
        if not values.get("skipActivation") and not executor.run.dry:
            binaries = executor.get_json(RequestPlan("GET", f"{BASE}/{app_id}/binaries", headers=JSON)) or {}
            attachments = binaries.get("attachments") or []
            if attachments:
                found = _send(executor, _activation(app_id, str(attachments[-1]["id"]), name)) or found
    if not executor.run.dry:
        executor.printer.items([found])


def run_create_plugin(executor: Executor, values: dict[str, Any]) -> None:
    """``ui plugins create``: the plugin's hosted application (from the zip's ``cumulocity.json``), the
    zip uploaded as a version (``--version``, else the manifest's) tagged ``latest``."""
    upload = _upload_of(values)
    manifest = read_manifest(upload.path)
    name = str(values.get("name") or manifest.get("name") or default_name(upload.path))
    found = find_or_create(
        executor, values, name, "HOSTED", {"isPackage": True, "package": "plugin", **manifest}
    )
    version = str(values.get("version") or manifest.get("version") or "1.0.0")
    tags = list(values.get("tags") or ["latest"])
    plan = RequestPlan(
        "POST", f"{BASE}/{found.get('id', '')}/versions", headers=JSON, label=f"name={name}",
        fields=(("applicationVersion", json.dumps({"version": version, "tags": tags})),),
        files=(("applicationBinary", os.path.basename(upload.path), upload, "application/zip"),),
    )  # fmt: skip
    answer = _send(executor, plan)
    if not executor.run.dry:
        executor.printer.items([answer or found])


def _subscribe(executor: Executor, app_id: str) -> None:
    tenant = executor.tenant()
    plan = RequestPlan(
        "POST",
        f"/tenant/tenants/{encode_component(tenant, safe='')}/applications",
        body={"application": {"id": app_id}},
        headers=(*JSON, ("Content-Type", "application/json")),
    )
    if executor.run.dry:
        executor.print_dry(plan)
        return
    try:
        executor.send(plan)
    except ApiError as exc:
        if exc.status != 409:  # already subscribed
            raise
