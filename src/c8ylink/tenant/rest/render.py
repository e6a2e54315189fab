"""Documents as clients see them: stored state plus absolute ``self`` links and reference lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from aiohttp import web

from c8ylink.infra.tls.certs import describe_certificate
from c8ylink.tenant.state.identity import ExternalId
from c8ylink.tenant.state.inventory import CHILD_KINDS, PARENT_KINDS
from c8ylink.tenant.state.paging import Page
from c8ylink.tenant.state.registrations import Registration
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import format_time
from c8ylink.tenant.state.trust import TrustedCertificate

Document = dict[str, Any]


def base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def object_url(base: str, object_id: str) -> str:
    return f"{base}/inventory/managedObjects/{object_id}"


def managed_object(
    base: str, state: TenantState, document: Mapping[str, Any], *, with_children: bool = True
) -> Document:
    object_id = document["id"]
    url = object_url(base, object_id)
    rendered: Document = {**document, "self": url}
    kinds = [*CHILD_KINDS, *PARENT_KINDS] if with_children else list(PARENT_KINDS)
    for kind in kinds:
        references = []
        for other_id in state.inventory.references(object_id, kind):
            other = state.inventory.find(other_id) or {}
            reference: Document = {"managedObject": {"id": other_id, "self": object_url(base, other_id)}}
            if "name" in other:
                reference["managedObject"]["name"] = other["name"]
            if kind in CHILD_KINDS:
                reference["self"] = f"{url}/{kind}/{other_id}"
            references.append(reference)
        rendered[kind] = {"self": f"{url}/{kind}", "references": references}
    return rendered


def reference(base: str, parent_id: str, kind: str, child: Mapping[str, Any], state: TenantState) -> Document:
    return {
        "self": f"{object_url(base, parent_id)}/{kind}/{child['id']}",
        "managedObject": managed_object(base, state, child),
    }


def external_id(base: str, entry: ExternalId) -> Document:
    return {
        "externalId": entry.value,
        "type": entry.type,
        "self": f"{base}/identity/externalIds/{quote(entry.type, safe='')}/{quote(entry.value, safe='')}",
        "managedObject": {"id": entry.object_id, "self": object_url(base, entry.object_id)},
    }


def with_source(
    base: str, path: str, document: Mapping[str, Any], source_name: str | None = None
) -> Document:
    source_id = document["source"]["id"]
    source: Document = {"id": source_id, "self": object_url(base, source_id)}
    if source_name is not None:
        source["name"] = source_name
    return {**document, "self": f"{base}{path}/{document['id']}", "source": source}


def measurement(base: str, document: Mapping[str, Any]) -> Document:
    return with_source(base, "/measurement/measurements", document)


def event(base: str, document: Mapping[str, Any]) -> Document:
    return with_source(base, "/event/events", document)


def alarm(base: str, state: TenantState, document: Mapping[str, Any]) -> Document:
    return with_source(base, "/alarm/alarms", document, state.source_name(document["source"]["id"]))


def operation(base: str, document: Mapping[str, Any]) -> Document:
    return {**document, "self": f"{base}/devicecontrol/operations/{document['id']}"}


def registration(base: str, entry: Registration) -> Document:
    document: Document = {
        "id": entry.id,
        "status": entry.status,
        "self": f"{base}/devicecontrol/newDeviceRequests/{quote(entry.id, safe='')}",
        "owner": entry.owner,
        "creationTime": entry.creation_time,
        "tenantId": entry.tenant,
        "customProperties": {},
    }
    if entry.group_id is not None:
        document["groupId"] = entry.group_id
    if entry.type is not None:
        document["type"] = entry.type
    return document


def trusted_certificate(base: str, tenant_id: str, entry: TrustedCertificate) -> Document:
    info = describe_certificate(entry.certificate)
    return {
        "fingerprint": entry.fingerprint,
        "name": entry.name,
        "certInPemFormat": entry.pem,
        "status": entry.status,
        "autoRegistrationEnabled": entry.auto_registration,
        "tenantCertificateAuthority": entry.tenant_ca,
        "subject": info.subject,
        "issuer": info.issuer,
        "serialNumber": str(info.serial_number),
        "algorithmName": info.signature_algorithm,
        "version": info.version,
        "notBefore": format_time(info.not_before),
        "notAfter": format_time(info.not_after),
        "proofOfPossessionValid": False,
        "self": f"{base}/tenant/tenants/{tenant_id}/trusted-certificates/{entry.fingerprint}",
    }


def collection(request: web.Request, key: str, items: list[Document], page: Page[Any]) -> Document:
    """``{<key>: [...], self, next, prev (page > 1 only), statistics}``; ``next`` is always there."""
    size = page.request.page_size
    current = page.request.current_page
    url = request.url.with_scheme(request.scheme)

    def link(number: int) -> str:
        return str(url.update_query(pageSize=str(size), currentPage=str(number)))

    document: Document = {key: items, "self": link(current), "next": link(current + 1)}
    if current > 1:
        document["prev"] = link(current - 1)
    document["statistics"] = page.statistics()
    return document
