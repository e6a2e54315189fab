"""Applications (``/application``): the built-in web applications, those clients create (HOSTED,
EXTERNAL, MICROSERVICE), their binaries (archives; contents in the file store) and versions, and the
tenant's subscriptions to them.

The built-in ones (``administration``, ``cockpit``, ``devicemanagement``; ids 1-3) cannot be changed
or deleted, and the tenant is subscribed to them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from c8ylink.tenant.state.documents import require_object
from c8ylink.tenant.state.errors import (
    TenantApiError,
    conflict,
    forbidden,
    missing_fields,
    not_found,
    validation_error,
)
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.records import Document, RecordStore

TYPES = ("EXTERNAL", "HOSTED", "MICROSERVICE")
AVAILABILITIES = ("MARKET", "PRIVATE")
BUILTIN = {
    "1": "administration",
    "2": "cockpit",
    "3": "devicemanagement",
}
FIRST_CUSTOM = 10
_WRITABLE = (
    "name",
    "key",
    "contextPath",
    "availability",
    "externalUrl",
    "manifest",
    "description",
    "roles",
    "requiredRoles",
    "breadcrumbs",
    "globalTitle",
    "rightDrawer",
    "upgrade",
)


def application_not_found(application_id: str) -> TenantApiError:
    return not_found("application", f"Application with id {application_id} not found")


class Applications:
    def __init__(self, journal: Journal) -> None:
        self.custom = RecordStore(
            journal, "application", resource="application", what="Application", first_id=FIRST_CUSTOM
        )
        self.subscriptions = RecordStore(
            journal, "applicationSubscription", resource="application", what="Subscription"
        )

    def builtin(self, application_id: str, tenant: str) -> Document | None:
        name = BUILTIN.get(application_id)
        if name is None:
            return None
        return {
            "id": application_id,
            "name": name,
            "key": f"{name}-application-key",
            "type": "HOSTED",
            "availability": "MARKET",
            "contextPath": name,
            "owner": tenant,
            "builtin": True,
            "binaries": [],
            "versions": [],
        }

    def all(self, tenant: str) -> list[Document]:
        return [*(self.builtin(app_id, tenant) or {} for app_id in BUILTIN), *self.custom.all()]

    def get(self, application_id: str, tenant: str) -> Document:
        found = self.builtin(application_id, tenant) or self.custom.find(application_id)
        if found is None:
            raise application_not_found(application_id)
        return found

    def by_key(self, key: str, tenant: str) -> Document | None:
        return next((app for app in self.all(tenant) if app.get("key") == key), None)

    def _custom(self, application_id: str) -> Document:
        if application_id in BUILTIN:
            raise forbidden(f"The built-in application {BUILTIN[application_id]} cannot be changed")
        found = self.custom.find(application_id)
        if found is None:
            raise application_not_found(application_id)
        return found

    def create(self, body: object, tenant: str) -> Document:
        fields = require_object(body, "application")
        missing = [
            name
            for name in ("name", "key", "type")
            if not isinstance(fields.get(name), str) or not fields[name]
        ]
        if missing:
            raise missing_fields(*missing)
        if fields["type"] not in TYPES:
            raise validation_error(f"type must be one of {', '.join(TYPES)}")
        self._check_unique(fields["name"], fields["key"], tenant)
        document: Document = {key: fields[key] for key in _WRITABLE if key in fields}
        document.setdefault("availability", "PRIVATE")
        if document["availability"] not in AVAILABILITIES:
            raise validation_error(f"availability must be one of {', '.join(AVAILABILITIES)}")
        if fields["type"] != "EXTERNAL":
            document.setdefault("contextPath", fields["name"])
        document.update({"type": fields["type"], "owner": tenant, "binaries": [], "versions": []})
        return self.custom.create(document)

    def _check_unique(self, name: str, key: str, tenant: str, *, other_than: str | None = None) -> None:
        for app in self.all(tenant):
            if app["id"] != other_than and (app["name"] == name or app.get("key") == key):
                raise conflict("application", f"Application with name '{name}' or key '{key}' already exists")

    def update(self, application_id: str, body: object, tenant: str) -> Document:
        fields = require_object(body, "application")
        current = self._custom(application_id)
        updated = {**current, **{key: fields[key] for key in _WRITABLE if key in fields}}
        if updated.get("availability") not in AVAILABILITIES:
            raise validation_error(f"availability must be one of {', '.join(AVAILABILITIES)}")
        self._check_unique(str(updated["name"]), str(updated.get("key")), tenant, other_than=application_id)
        return self.custom.put(updated)

    def delete(self, application_id: str) -> Document:
        self._custom(application_id)
        if application_id in self.subscriptions:
            self.subscriptions.delete(application_id)
        return self.custom.delete(application_id)

    # -- binaries and versions ---------------------------------------------------------------------------
    def add_binary(
        self, application_id: str, binary: Mapping[str, Any], version: Mapping[str, Any] | None
    ) -> Document:
        """Record an uploaded archive; it becomes the active one. ``version``: ``{version, tags}``."""
        current = self._custom(application_id)
        versions = list(current["versions"])
        if version is not None:
            name = version["version"]
            tags = [str(tag) for tag in version.get("tags", [])]
            taken = {v["version"] for v in versions} | {t for v in versions for t in v["tags"]}
            if name in taken or taken & set(tags):
                raise conflict("application", f"Version {name} or one of its tags exists already")
            versions.append({"version": name, "binaryId": binary["id"], "tags": tags})
        updated = {
            **current,
            "binaries": [*current["binaries"], dict(binary)],
            "versions": versions,
            "activeVersionId": binary["id"],
        }
        return self.custom.put(updated)

    def remove_binary(self, application_id: str, binary_id: str) -> None:
        current = self._custom(application_id)
        if binary_id not in [b["id"] for b in current["binaries"]]:
            raise not_found("application", f"Binary {binary_id} of application {application_id} not found")
        if current.get("activeVersionId") == binary_id:
            raise conflict("application", "The active binary of an application cannot be deleted")
        self.custom.put(
            {
                **current,
                "binaries": [b for b in current["binaries"] if b["id"] != binary_id],
                "versions": [v for v in current["versions"] if v["binaryId"] != binary_id],
            }
        )

    def find_version(
        self, application: Mapping[str, Any], *, version: str | None, tag: str | None
    ) -> Document:
        for entry in application.get("versions", []):
            if (version is not None and entry["version"] == version) or (
                tag is not None and tag in entry["tags"]
            ):
                return dict(entry)
        raise not_found(
            "application", f"Version {version or tag} of application {application['id']} not found"
        )

    def tag_version(self, application_id: str, version: str, tags: list[str]) -> Document:
        current = self._custom(application_id)
        entry = self.find_version(current, version=version, tag=None)
        others = {t for v in current["versions"] if v["version"] != version for t in v["tags"]}
        if others & set(tags):
            raise conflict("application", "A tag names another version already")
        versions = [{**v, "tags": tags} if v["version"] == version else v for v in current["versions"]]
        self.custom.put({**current, "versions": versions})
        return {**entry, "tags": tags}

    # -- subscriptions -----------------------------------------------------------------------------------
    def subscribed(self, tenant: str) -> list[Document]:
        return [app for app in self.all(tenant) if app["id"] in BUILTIN or app["id"] in self.subscriptions]

    def subscribe(self, application_id: str, tenant: str) -> Document:
        application = self.get(application_id, tenant)
        if application_id in BUILTIN or application_id in self.subscriptions:
            raise conflict("application", f"The tenant is subscribed to application {application_id} already")
        self.subscriptions.put({"id": application_id, "tenant": tenant})
        return application

    def unsubscribe(self, application_id: str) -> None:
        if application_id in BUILTIN:
            raise forbidden("Built-in applications cannot be unsubscribed")
        if application_id not in self.subscriptions:
            raise not_found("application", f"The tenant is not subscribed to application {application_id}")
        self.subscriptions.delete(application_id)


def parse_version(text: str) -> dict[str, Any]:
    """The ``applicationVersion`` part: ``{"version": "1.0", "tags": ["latest"]}``."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise validation_error(f"applicationVersion is not JSON: {exc}") from exc
    if not isinstance(value, dict) or not isinstance(value.get("version"), str) or not value["version"]:
        raise missing_fields("applicationVersion.version")
    tags = value.get("tags", value.get("tag", []))
    if not isinstance(tags, list):
        raise validation_error("applicationVersion.tags must be a list")
    return {"version": value["version"], "tags": tags}
