"""Distinguished names: build them in thin-edge's order and print them as ``CN=x, O=y, OU=z``."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from c8ylink.core.errors import TlsError

Name = x509.Name

_SHORT_NAMES = {
    NameOID.COMMON_NAME: "CN",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.COUNTRY_NAME: "C",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.LOCALITY_NAME: "L",
    NameOID.EMAIL_ADDRESS: "emailAddress",
}


def build_name(
    common_name: str,
    *,
    organization: str | None = None,
    organizational_unit: str | None = None,
    country: str | None = None,
) -> Name:
    """``CN=<common_name>[, O=...][, OU=...][, C=...]`` in that order (empty parts are left out)."""
    if not common_name:
        raise TlsError("a certificate subject needs a non-empty common name")
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if organizational_unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organizational_unit))
    if country:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    try:
        return x509.Name(attributes)
    except ValueError as exc:
        raise TlsError(f"invalid certificate subject: {exc}") from exc


def format_name(name: Name) -> str:
    """``CN=my-device, O=Thin Edge, OU=Device``: attributes in the order they appear in the name."""
    parts = []
    for attribute in name:
        label = _SHORT_NAMES.get(attribute.oid, attribute.oid.dotted_string)
        value = attribute.value if isinstance(attribute.value, str) else attribute.value.hex()
        parts.append(f"{label}={value}")
    return ", ".join(parts)


def common_name_of(name: Name) -> str | None:
    """The (first) common name of ``name``, if any."""
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
