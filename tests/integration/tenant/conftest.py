"""A local tenant over real HTTPS on loopback, clients that trust its CA, and OpenAPI conformance.

``tenant`` is one tenant per test session (tests create uniquely named objects); tests that need a
special tenant (strict Basic, no CA, a fixed clock, a restart) start their own with ``start_tenant``.
Every answer received through ``api``/``client_for`` is checked against Cumulocity's OpenAPI 10.18
description (tests/fixtures/openapi): documented status, media type and JSON schema.
"""

from __future__ import annotations

import itertools
import json
import re
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import jsonschema
import pytest

from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

from .mqtt_devices import PahoDevice

SPEC_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "openapi" / "c8y-oas-10.18-subset.json"
_names = itertools.count(1)

# documented deviations from the 10.18 OpenAPI file, each with its reason
DEVIATIONS = {
    # real tenants answer 201 and the official client (c8y_api) waits for exactly that
    ("POST", "/devicecontrol/deviceCredentials", 201),
}
# answered as Cumulocity does, not as the 10.18 file describes: the schema is not checked
SCHEMA_DEVIATIONS = {
    # Cumulocity answers {deviceId, externalId, lastMessage, dataStatus, connectionStatus}; the file
    # documents a bare date-time
    ("GET", "/inventory/managedObjects/{id}/availability"),
    # the file declares ``references`` an object; its own example (and Cumulocity) has an array
    ("GET", "/user/{tenantId}/groups/{groupId}/roles"),
}
# served, newer than 10.18: these literal paths must not be checked as the 10.18 /{id} route
UNDOCUMENTED = {"/inventory/managedObjects/count", "/devicecontrol/newDeviceRequests/limit"}


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


# -- OpenAPI conformance ---------------------------------------------------------------------------------
def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` becomes a null type, refs stay local."""
    if isinstance(node, dict):
        converted = {key: _json_schema(value) for key, value in node.items() if not key.startswith("x-")}
        if converted.pop("nullable", False) and "type" in converted:
            converted["type"] = [converted["type"], "null"]
        return converted
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    return node


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(_DATE_TIME.match(value)))
FORMATS.checks("uri")(
    lambda value: not isinstance(value, str) or bool(re.match(r"^[a-z][a-z0-9+.-]*:", value))
)


class OpenApi:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = _json_schema(spec)
        self._operations = []
        for template, item in self.spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            self._operations.append((template, pattern, item))
        # most specific (fewest placeholders) first
        self._operations.sort(key=lambda entry: entry[0].count("{"))
        self.checked: set[tuple[str, str, int]] = set()

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            _, _, section, name = node["$ref"].split("/", 3)
            node = self.spec["components"][section][name]
        return node

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for template, pattern, item in self._operations:
            if pattern.match(path) and method.lower() in item:
                return template, item[method.lower()]
        return None

    def validate(self, document: Any, schema: dict[str, Any]) -> None:
        validator = jsonschema.Draft7Validator(
            {**schema, "components": self.spec["components"]}, format_checker=FORMATS
        )
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    def check(
        self, method: str, path: str, status: int, content_type: str, body: bytes, query: str = ""
    ) -> None:
        found = None if path.rstrip("/") in UNDOCUMENTED else self.operation(method, path)
        if found is None:
            return  # not part of the 10.18 description (EST, CA, /__local__, ...)
        template, operation = found
        # one version of an application: the file describes it as a path of its own
        variant = self.spec["paths"].get(f"{template}?version=1.0", {}).get(method.lower())
        if variant is not None and re.search(r"(^|&)(version|tag)=", query):
            template, operation = f"{template}?version=1.0", variant
        entry = operation.get("responses", {}).get(str(status))
        if entry is None:
            if status >= 400:
                entry = self.spec["components"]["responses"]["unauthorizedError"]
            else:
                assert (method, template, status) in DEVIATIONS, (
                    f"{method} {template}: {status} is not documented"
                )
                entry = next(iter(operation["responses"].values()))
        content = self._resolve(entry).get("content", {})
        if not body or not content:
            return
        media = content_type.split(";", 1)[0].strip().lower()
        declared = {part.strip().lower(): value for key, value in content.items() for part in key.split(",")}
        if any(entry.get("schema", {}).get("format") == "binary" for entry in declared.values()):
            self.checked.add((method, template, status))
            return  # file contents: served with the type they were stored with
        assert media in declared, f"{method} {template} {status}: {media} is not one of {sorted(declared)}"
        schema = declared[media].get("schema", {})
        if (method, template) in SCHEMA_DEVIATIONS:
            pass
        elif "json" in media:
            self.validate(json.loads(body), schema)
        elif schema.get("type") == "integer":
            self.validate(int(body), schema)
        self.checked.add((method, template, status))


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return OpenApi(json.loads(SPEC_FILE.read_text(encoding="utf-8")))


# -- tenants and clients ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def start_tenant(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., BackgroundTenant]:
    def start(**options: Any) -> BackgroundTenant:
        config_options = {
            key: options.pop(key) for key in list(options) if key in TenantConfig.__dataclass_fields__
        }
        config_options.setdefault("data_dir", tmp_path_factory.mktemp("tenant"))
        config = TenantConfig.on_free_ports(**config_options)
        return BackgroundTenant(config, **options)

    return start


@pytest.fixture(scope="session")
def tenant(start_tenant: Callable[..., BackgroundTenant]) -> Iterator[BackgroundTenant]:
    with start_tenant() as running:
        yield running


def client_context(ca_file: Path, cert: tuple[Path, Path] | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file))
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    return context


@pytest.fixture(scope="session")
def client_for(openapi: OpenApi) -> Iterator[Callable[..., httpx2.Client]]:
    """``client_for(tenant, auth=(user, password) | None, base=https|mtls, cert=(cert, key))``."""
    clients: list[httpx2.Client] = []

    def make(
        running: BackgroundTenant,
        auth: tuple[str, str] | None = None,
        *,
        mtls: bool = False,
        cert: tuple[Path, Path] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Client:
        def conform(response: httpx2.Response) -> None:
            response.read()
            openapi.check(
                response.request.method,
                response.request.url.path,
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.content,
                response.request.url.query.decode()
                if isinstance(response.request.url.query, bytes)
                else str(response.request.url.query),
            )

        client = httpx2.Client(
            base_url=running.info.mtls_url if mtls else running.info.https_url,
            verify=client_context(running.info.ca_file, cert),
            auth=auth,
            headers={"Accept": "application/json", **(headers or {})},
            event_hooks={"response": [conform]},
            timeout=30,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def admin_auth(running: BackgroundTenant) -> tuple[str, str]:
    return (f"{running.info.tenant}/admin", running.info.admin.password)


@pytest.fixture(scope="session")
def api(tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]) -> httpx2.Client:
    """The session tenant's admin, with Basic ``t100/admin``."""
    return client_for(tenant, admin_auth(tenant))


@pytest.fixture
def device_id(api: httpx2.Client) -> str:
    """A fresh device managed object."""
    response = api.post("/inventory/managedObjects", json={"name": unique("device"), "c8y_IsDevice": {}})
    assert response.status_code == 201
    return str(response.json()["id"])


@pytest.fixture
def devices() -> Iterator[list[PahoDevice]]:
    """The MQTT devices a test opened, closed after it."""
    opened: list[PahoDevice] = []
    yield opened
    for device in opened:
        device.close()
