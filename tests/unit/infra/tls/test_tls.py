"""infra.tls: keys, CSRs in every shape clients send, certificates, the CA, chains and PKCS#7."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from c8ylink.core.errors import ProtocolError, TlsError
from c8ylink.infra.tls.armor import pem_body
from c8ylink.infra.tls.ca import create_certificate_authority, issue_certificate, issue_server_certificate
from c8ylink.infra.tls.certs import (
    build_self_signed_certificate,
    decode_certificate,
    decode_certificate_chain,
    describe_certificate,
    encode_certificate_der,
    encode_certificate_pem,
    fingerprint_sha1,
    is_self_signed,
)
from c8ylink.infra.tls.chains import build_chain
from c8ylink.infra.tls.csr import (
    build_csr,
    csr_common_name,
    csr_requests_ca,
    decode_csr,
    encode_csr_base64,
    encode_csr_der,
    encode_csr_pem,
)
from c8ylink.infra.tls.keys import decode_private_key_pem, encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name, format_name
from c8ylink.infra.tls.pkcs7 import decode_pkcs7_certificates, encode_pkcs7_base64, encode_pkcs7_certificates

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def key():  # type: ignore[no-untyped-def]
    return generate_private_key()


@pytest.fixture(scope="module")
def ca():  # type: ignore[no-untyped-def]
    return create_certificate_authority(build_name("t100", organization="Cumulocity", country="US"), now=NOW)


def test_new_keys_are_p256_pkcs8_and_round_trip(key) -> None:  # type: ignore[no-untyped-def]
    pem = encode_private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key.curve.name == "secp256r1"
    assert encode_private_key_pem(decode_private_key_pem(pem)) == pem


def test_a_broken_key_file_is_a_tls_error() -> None:
    with pytest.raises(TlsError, match="not a valid PEM private key"):
        decode_private_key_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_subjects_print_in_thin_edge_order() -> None:
    name = build_name("my-device", organization="Thin Edge", organizational_unit="Device")
    assert format_name(name) == "CN=my-device, O=Thin Edge, OU=Device"


def _csr_shapes(csr) -> dict[str, bytes | str]:  # type: ignore[no-untyped-def]
    pem = encode_csr_pem(csr)
    return {
        "pem": pem,
        "pem-new-header": pem.replace(b"CERTIFICATE REQUEST", b"NEW CERTIFICATE REQUEST"),
        "pem-body-with-newlines": pem_body(pem),
        "single-line-base64": encode_csr_base64(csr),
        "der": encode_csr_der(csr),
        "pem-with-preamble": b"Certificate Request:\n  Data: ...\n" + pem,
    }


@pytest.mark.parametrize(
    "shape",
    ["pem", "pem-new-header", "pem-body-with-newlines", "single-line-base64", "der", "pem-with-preamble"],
)
def test_csrs_decode_from_every_shape_clients_send(key, shape: str) -> None:  # type: ignore[no-untyped-def]
    csr = build_csr(key, build_name("dev-1"))
    decoded = decode_csr(_csr_shapes(csr)[shape])
    assert csr_common_name(decoded) == "dev-1"
    assert not csr_requests_ca(decoded)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not base64 at all!",
        base64.b64encode(b"not a csr"),
        b"-----BEGIN CERTIFICATE REQUEST-----\n!!\n",
    ],
    ids=["empty", "not-base64", "base64-of-garbage", "broken-pem"],
)
def test_malformed_csrs_are_tls_errors(data: bytes) -> None:
    with pytest.raises(TlsError):
        decode_csr(data)


def test_self_signed_certificates_follow_thin_edge_rules(key) -> None:  # type: ignore[no-untyped-def]
    cert = build_self_signed_certificate(
        key, build_name("dev-1", organization="Thin Edge"), now=NOW, days=365
    )
    info = describe_certificate(cert)
    assert info.not_before == NOW - timedelta(days=1)
    assert info.not_after == NOW - timedelta(days=1) + timedelta(days=365)
    assert info.is_ca and info.version == 3
    assert is_self_signed(cert)
    assert info.fingerprint == fingerprint_sha1(cert) and len(info.fingerprint) == 40
    assert info.signature_algorithm == "SHA256withECDSA"


def test_certificates_decode_from_pem_chains_armourless_base64_and_der(ca, key) -> None:  # type: ignore[no-untyped-def]
    leaf = issue_certificate(ca, build_csr(key, build_name("dev-1")), now=NOW)
    chain_pem = encode_certificate_pem(leaf) + encode_certificate_pem(ca.certificate)
    assert decode_certificate_chain(chain_pem) == [leaf, ca.certificate]
    assert decode_certificate(pem_body(encode_certificate_pem(leaf))) == leaf
    assert decode_certificate(encode_certificate_der(leaf)) == leaf
    with pytest.raises(TlsError, match="no certificate found"):
        decode_certificate("hello")


def test_the_ca_issues_client_leaves_that_chain_to_it(ca, key) -> None:  # type: ignore[no-untyped-def]
    leaf = issue_certificate(ca, build_csr(key, build_name("dev-1")), now=NOW)
    info = describe_certificate(leaf)
    assert info.issuer == "CN=t100, O=Cumulocity, C=US"
    assert not info.is_ca
    assert build_chain(leaf, [], [ca.certificate], now=NOW) == [leaf, ca.certificate]


def test_chains_through_intermediates_and_refuse_strangers(ca, key) -> None:  # type: ignore[no-untyped-def]
    intermediate = create_certificate_authority(build_name("intermediate"), now=NOW, issuer=ca)
    leaf = issue_certificate(intermediate, build_csr(key, build_name("dev-2")), now=NOW)
    assert build_chain(leaf, [intermediate.certificate], [ca.certificate], now=NOW) == [
        leaf,
        intermediate.certificate,
        ca.certificate,
    ]
    with pytest.raises(TlsError, match="no trusted certificate issued"):
        build_chain(leaf, [], [ca.certificate], now=NOW)  # the intermediate is missing
    assert build_chain(leaf, [], [intermediate.certificate], now=NOW)[-1] == intermediate.certificate
    other = create_certificate_authority(build_name("other"), now=NOW)
    stranger = issue_certificate(other, build_csr(key, build_name("dev-3")), now=NOW)
    with pytest.raises(TlsError, match="no trusted certificate issued"):
        build_chain(stranger, [], [ca.certificate], now=NOW)


def test_leaves_cannot_sign_and_pathlen_is_honoured(ca, key) -> None:  # type: ignore[no-untyped-def]
    not_a_ca_key = generate_private_key()
    not_a_ca = issue_certificate(ca, build_csr(not_a_ca_key, build_name("leaf")), now=NOW)
    forged = issue_certificate(type(ca)(not_a_ca, not_a_ca_key), build_csr(key, build_name("dev")), now=NOW)
    with pytest.raises(TlsError):
        build_chain(forged, [not_a_ca], [ca.certificate], now=NOW)
    strict_root = create_certificate_authority(build_name("root0"), now=NOW, path_length=0)
    inter = create_certificate_authority(build_name("inter"), now=NOW, issuer=strict_root)
    leaf = issue_certificate(inter, build_csr(key, build_name("dev")), now=NOW)
    with pytest.raises(TlsError, match="path length"):
        build_chain(leaf, [inter.certificate], [strict_root.certificate], now=NOW)


def test_a_self_signed_trusted_leaf_is_its_own_chain(key) -> None:  # type: ignore[no-untyped-def]
    cert = build_self_signed_certificate(key, build_name("dev-1"), now=NOW)
    assert build_chain(cert, [], [cert], now=NOW) == [cert]


def test_expired_certificates_do_not_chain(ca, key) -> None:  # type: ignore[no-untyped-def]
    leaf = issue_certificate(ca, build_csr(key, build_name("dev-1")), now=NOW, days=10)
    with pytest.raises(TlsError, match="not valid"):
        build_chain(leaf, [], [ca.certificate], now=NOW + timedelta(days=30))


def test_server_certificates_carry_dns_and_ip_sans(ca) -> None:  # type: ignore[no-untyped-def]
    from cryptography import x509

    _, cert = issue_server_certificate(
        ca, build_name("localhost"), ["localhost", "127.0.0.1", "tenant.lan"], now=NOW
    )
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "tenant.lan"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_pkcs7_certs_only_round_trips_in_every_shape(ca, key) -> None:  # type: ignore[no-untyped-def]
    leaf = issue_certificate(ca, build_csr(key, build_name("dev-1")), now=NOW)
    wrapped = encode_pkcs7_base64([leaf, ca.certificate])
    assert max(len(line) for line in wrapped.splitlines()) <= 76
    assert decode_pkcs7_certificates(wrapped) == [leaf, ca.certificate]
    assert decode_pkcs7_certificates(encode_pkcs7_base64([leaf], line_length=0)) == [leaf]
    assert decode_pkcs7_certificates(encode_pkcs7_certificates([leaf])) == [leaf]


@pytest.mark.parametrize("data", ["", "####", base64.b64encode(b"garbage").decode()])
def test_malformed_pkcs7_is_a_protocol_error(data: str) -> None:
    with pytest.raises(ProtocolError):
        decode_pkcs7_certificates(data)
