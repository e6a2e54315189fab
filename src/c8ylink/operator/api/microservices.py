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


def new_application(values: Mapping[str, Any], name: str, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The body that creates the application (the flags win over the manifest)."""
    body: dict[str, Any] = {
        "name": name,
        "key": values.get("key") or f"{name}-key",
        "type": "MICROSERVICE",
        "contextPath": values.get("contextPath") or manifest.get("contextPath") or name,
    }
    if values.get("availability"):
        body["availability"] = values["availability"]
    if manifest:
        body["manifest"] = dict(manifest)
        for key in ("requiredRoles", "roles"):
            if isinstance(manifest.get(key), list):
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


def run_create(executor: Executor, values: dict[str, Any]) -> None:
    upload = values["file"]
    assert isinstance(upload, LocalFile)  # checked by the executor (operator.api.uploads.check_file)
    name = str(values.get("name") or default_name(upload.path))
    by_name = f"/application/applicationsByName/{encode_component(name, safe='')}"
    lookup = RequestPlan("GET", by_name, headers=JSON)
    answer = executor.get_json(lookup) or {}  # a lookup: sent with --dry too, as names are
    found = next((a for a in answer.get("applications", []) if a.get("type") == "MICROSERVICE"), None)
    if found is None:
        body = new_application(values, name, read_manifest(upload.path))
        create = RequestPlan("POST", BASE, body=body, headers=(*JSON, ("Content-Type", "application/json")),
                             label=f"name={name}")  # fmt: skip
        executor.confirm(create)
        if executor.run.dry:
            executor.print_dry(create)
            found = {"id": "{id}"}
        else:
            found = executor.send(create).json_or_none() or {}
    app_id = str(found.get("id", ""))
    if not values.get("skipUpload"):
        archive = ("file", os.path.basename(upload.path), upload, "application/zip")
        plan = RequestPlan(
            "POST", f"{BASE}/{app_id}/binaries", headers=JSON, label=f"name={name}", files=(archive,)
        )
        executor.confirm(plan)
        if executor.run.dry:
            executor.print_dry(plan)
        else:
            found = executor.send(plan).json_or_none() or found
    if not values.get("skipSubscription"):
        _subscribe(executor, app_id)
    if not executor.run.dry:
        executor.printer.items([found])


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
