"""Trusted certificates, the tenant certificate authority, EST enrollment and certificate login
(cumulocity-api.md §3.9-3.10)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.certs import Certificate, decode_certificate, decode_certificate_chain
from c8ylink.infra.tls.csr import CertificateRequest, decode_csr
from c8ylink.infra.tls.pkcs7 import encode_pkcs7_base64
from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.auth import decode_basic, public
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json, read_json_object, written_response
from c8ylink.tenant.rest.params import boolean, paged
from c8ylink.tenant.state.access import Principal, require_tenant_admin
from c8ylink.tenant.state.enrollment import certificate_login, enroll, reenroll
from c8ylink.tenant.state.errors import (
    TenantApiError,
    bad_request,
    forbidden,
    not_found,
    unauthorized,
    validation_error,
)
from c8ylink.tenant.state.signals import (
    TrustedCertificateAdded,
    TrustedCertificateChanged,
    TrustedCertificateDeleted,
)
from c8ylink.tenant.state.tenant import MANAGEMENT_TENANT, TenantState
from c8ylink.tenant.state.trust import TrustedCertificate

routes = web.RouteTableDef()
BASE = "/tenant/tenants/{tenant}/trusted-certificates"
PKCS7_TYPE = "application/pkcs7-mime; smime-type=certs-only"


def check_tenant_path(state: TenantState, principal: Principal, tenant: str) -> None:
    """§4.1 rule 5: ``{tenantId}`` must be the caller's tenant (403 for the management tenant, 404 else)."""
    if tenant == state.tenant_id and principal.tenant == state.tenant_id:
        return
    if tenant in (MANAGEMENT_TENANT, principal.tenant):
        raise forbidden()
    raise not_found("tenant", f"Tenant {tenant} not found")


def _admin_in_path(request: web.Request) -> TenantState:
    principal = principal_of(request)
    require_tenant_admin(principal)
    state = service_of(request).state
    check_tenant_path(state, principal, request.match_info["tenant"])
    return state


def _render(request: web.Request, state: TenantState, entry: TrustedCertificate) -> dict[str, Any]:
    return render.trusted_certificate(render.base_url(request), state.tenant_id, entry)


def _added(state: TenantState, entry: TrustedCertificate) -> None:
    state.emit(TrustedCertificateAdded(entry.fingerprint, entry.pem))


@routes.get(BASE)
async def list_trusted(request: web.Request) -> web.StreamResponse:
    state = _admin_in_path(request)
    entries = state.trust.all()
    if boolean(request, "certificateAuthority"):
        entries = [entry for entry in entries if entry.tenant_ca]
    return json_response(paged(request, "certificates", entries, lambda e: _render(request, state, e)), None)


@routes.post(BASE)
async def post_trusted(request: web.Request) -> web.StreamResponse:
    state = _admin_in_path(request)
    entry = state.trust.add(await read_json_object(request), now=state.now())
    _added(state, entry)
    document = _render(request, state, entry)
    return written_response(request, document, None, status=201, location=document["self"])


@routes.post(BASE + "/bulk")
async def post_trusted_bulk(request: web.Request) -> web.StreamResponse:
    state = _admin_in_path(request)
    body = await read_json_object(request)
    items = body.get("certificates")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise validation_error("Following mandatory fields should be included: certificates")
    entries = [state.trust.add(item, now=state.now()) for item in items]
    for entry in entries:
        _added(state, entry)
    document = {"certificates": [_render(request, state, entry) for entry in entries]}
    return written_response(request, document, None, status=201)


@routes.get(BASE + "/{fingerprint}")
async def get_trusted(request: web.Request) -> web.StreamResponse:
    state = _admin_in_path(request)
    return json_response(_render(request, state, state.trust.get(request.match_info["fingerprint"])), None)


@routes.put(BASE + "/{fingerprint}")
async def put_trusted(request: web.Request) -> web.StreamResponse:
    state = _admin_in_path(request)
    entry = state.trust.update(request.match_info["fingerprint"], await read_json(request))
    state.emit(TrustedCertificateChanged(entry.fingerprint, entry.status))
    return written_response(request, _render(request, state, entry), None, status=200)


@routes.delete(BASE + "/{fingerprint}")
async def delete_trusted(request: web.Request) -> web.StreamResponse:
    state = _admin_in_path(request)
    entry = state.trust.delete(request.match_info["fingerprint"])
    state.emit(TrustedCertificateDeleted(entry.fingerprint))
    return web.Response(status=204)


# -- certificate authority ------------------------------------------------------------------------------
@routes.get("/features/certificate-authority")
async def ca_feature(request: web.Request) -> web.StreamResponse:
    document = {
        "key": "certificate-authority",
        "phase": "PUBLIC_PREVIEW",
        "active": True,
        "strategy": "TENANT",
    }
    return json_response(document, None)


@routes.post("/certificate-authority")
async def create_ca(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    state = service_of(request).state
    entry = state.trust.create_authority(state.tenant_id, now=state.now())
    _added(state, entry)
    return json_response(_render(request, state, entry), None, status=201)


# -- EST ------------------------------------------------------------------------------------------------
async def _read_csr(request: web.Request) -> bytes:
    content_type = request.headers.get("Content-Type", "")
    if content_type.split(";", 1)[0].strip().lower() != "application/pkcs10":
        raise TenantApiError(
            415,
            "general/unsupportedMediaType",
            f"Content type '{content_type}' is not supported; use application/pkcs10",
        )
    return await request.read()


def _parse_csr(body: bytes) -> CertificateRequest:
    try:
        return decode_csr(body)
    except TlsError as exc:
        raise bad_request(
            f"Invalid certificate signing request: {exc}", error="certificate/badRequest"
        ) from exc


def _pkcs7_response(certificates: list[Certificate]) -> web.Response:
    return web.Response(
        text=encode_pkcs7_base64(certificates),
        status=200,
        headers={"Content-Type": PKCS7_TYPE, "Content-Transfer-Encoding": "base64"},
    )


@routes.post("/.well-known/est/simpleenroll")
@public
async def simple_enroll(request: web.Request) -> web.StreamResponse:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise unauthorized()
    external_id, otp = decode_basic(value)
    body = await _read_csr(request)
    state = service_of(request).state
    return _pkcs7_response(enroll(state, external_id, otp, lambda: _parse_csr(body)))


@routes.post("/.well-known/est/simplereenroll")
async def simple_reenroll(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    csr = _parse_csr(await _read_csr(request))
    return _pkcs7_response(reenroll(service_of(request).state, principal, csr))


@routes.post("/devicecontrol/deviceAccessToken")
@public
async def device_access_token(request: web.Request) -> web.StreamResponse:
    """Only meaningful on the mutual-TLS listener: the client certificate names the device."""
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if not der:
        raise unauthorized("Invalid credentials! : a client certificate is required")
    leaf = decode_certificate(der)
    chain = _header_chain(request.headers.get("X-Ssl-Cert-Chain"))
    state = service_of(request).state
    issued = certificate_login(state, leaf, chain)
    return json_response({"accessToken": issued.token}, None)


def _header_chain(value: str | None) -> list[Certificate]:
    """``X-Ssl-Cert-Chain``: PEM blocks, possibly with their newlines turned into spaces."""
    if not value:
        return []
    text = value.replace("-----BEGIN CERTIFICATE----- ", "-----BEGIN CERTIFICATE-----\n")
    text = text.replace(" -----END CERTIFICATE-----", "\n-----END CERTIFICATE-----")
    try:
        return decode_certificate_chain(text)
    except TlsError as exc:
        raise bad_request(f"Cannot parse X-Ssl-Cert-Chain: {exc}") from exc
