"""infra.tls.contexts over real TLS on loopback: server/client contexts and client certificates."""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime
from pathlib import Path

import pytest

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.ca import (
    CertificateAuthority,
    create_certificate_authority,
    issue_certificate,
    issue_server_certificate,
)
from c8ylink.infra.tls.certs import decode_certificate, encode_certificate_pem
from c8ylink.infra.tls.contexts import (
    ClientAuth,
    add_client_cas,
    build_client_context,
    build_server_context,
    peer_certificate_der,
)
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


def _write_pair(directory: Path, name: str, key: object, cert: object) -> tuple[Path, Path]:
    cert_file, key_file = directory / f"{name}.pem", directory / f"{name}.key"
    cert_file.write_bytes(encode_certificate_pem(cert))  # type: ignore[arg-type]
    key_file.write_bytes(encode_private_key_pem(key))  # type: ignore[arg-type]
    return cert_file, key_file


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("pki")
    server_ca = create_certificate_authority(build_name("server-ca"), now=NOW)
    (directory / "server-ca.pem").write_bytes(encode_certificate_pem(server_ca.certificate))
    key, cert = issue_server_certificate(
        server_ca, build_name("localhost"), ["localhost", "127.0.0.1"], now=NOW
    )
    server_cert, server_key = _write_pair(directory, "server", key, cert)
    files = {"server_ca": directory / "server-ca.pem", "server_cert": server_cert, "server_key": server_key}
    for name in ("client-ca", "late-ca"):
        ca = create_certificate_authority(build_name(name), now=NOW)
        (directory / f"{name}.pem").write_bytes(encode_certificate_pem(ca.certificate))
        files[f"{name}_file"] = directory / f"{name}.pem"
        files[f"{name}_cert"], files[f"{name}_key"] = _client_pair(directory, ca, f"device-of-{name}")
    return files


def _client_pair(directory: Path, ca: CertificateAuthority, device: str) -> tuple[Path, Path]:
    key = generate_private_key()
    return _write_pair(
        directory, device, key, issue_certificate(ca, build_csr(key, build_name(device)), now=NOW)
    )


async def _handshake(server: ssl.SSLContext, client: ssl.SSLContext) -> str | None:
    """Connect once; the common name of the client certificate the server saw (None: no certificate)."""
    seen: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        der = peer_certificate_der(writer.get_extra_info("ssl_object"))
        name = decode_certificate(der).subject.rfc4514_string() if der else None
        if not seen.done():
            seen.set_result(name)
        writer.write(b"ok")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server)
    port = listener.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=client, server_hostname="localhost"
        )
        answer = await asyncio.wait_for(reader.read(2), 10)
        writer.close()
        if answer != b"ok":  # TLS 1.3: a refused client certificate shows as the server hanging up
            raise ConnectionResetError("the server closed the connection")
        return await asyncio.wait_for(seen, 10)
    finally:
        listener.close()
        await listener.wait_closed()


async def test_a_plain_tls_server_and_a_client_trusting_its_ca(pki: dict[str, Path]) -> None:
    server = build_server_context(pki["server_cert"], pki["server_key"])
    client = build_client_context(ca_file=pki["server_ca"])
    assert await _handshake(server, client) is None


async def test_optional_client_certificates_are_seen_and_can_be_added_later(pki: dict[str, Path]) -> None:
    server = build_server_context(
        pki["server_cert"],
        pki["server_key"],
        client_auth=ClientAuth.OPTIONAL,
        client_ca_file=pki["client-ca_file"],
    )
    anonymous = build_client_context(ca_file=pki["server_ca"])
    assert await _handshake(server, anonymous) is None
    device = build_client_context(
        ca_file=pki["server_ca"], cert_file=pki["client-ca_cert"], key_file=pki["client-ca_key"]
    )
    assert await _handshake(server, device) == "CN=device-of-client-ca"
    late = build_client_context(
        ca_file=pki["server_ca"], cert_file=pki["late-ca_cert"], key_file=pki["late-ca_key"]
    )
    with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
        await _handshake(server, late)
    add_client_cas(server, pki["late-ca_file"].read_text())
    assert await _handshake(server, late) == "CN=device-of-late-ca"


async def test_required_client_certificates(pki: dict[str, Path]) -> None:
    server = build_server_context(
        pki["server_cert"],
        pki["server_key"],
        client_auth=ClientAuth.REQUIRED,
        client_ca_file=pki["client-ca_file"],
    )
    with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
        await _handshake(server, build_client_context(ca_file=pki["server_ca"]))


async def test_clients_refuse_servers_they_do_not_trust(pki: dict[str, Path]) -> None:
    server = build_server_context(pki["server_cert"], pki["server_key"])
    with pytest.raises(ssl.SSLCertVerificationError):
        await _handshake(server, build_client_context(ca_file=pki["client-ca_file"]))


def test_missing_or_mismatched_files_are_tls_errors(pki: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(TlsError, match="No such file"):
        build_server_context(tmp_path / "nope.pem", tmp_path / "nope.key")
    with pytest.raises(TlsError, match="cannot load certificate"):
        build_server_context(pki["server_cert"], pki["client-ca_key"])
    with pytest.raises(TlsError, match="CA certificates"):
        build_client_context(ca_file=tmp_path / "missing-ca.pem")
