"""``ssl.SSLContext`` builders with readable errors.

Servers present a certificate chain and may ask for a client certificate (``ClientAuth``); the set of
client CAs can grow while the server runs (``add_client_cas``). Clients trust a CA file and/or a CA
directory (or the system store) and may present a certificate.
"""

from __future__ import annotations

import enum
import os
import re
import ssl
from collections.abc import Sequence

from c8ylink.core.errors import TlsError

StrPath = os.PathLike[str] | str


class ClientAuth(enum.Enum):
    """Whether a server asks for, and insists on, a client certificate."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


_VERIFY_MODES = {
    ClientAuth.NONE: ssl.CERT_NONE,
    ClientAuth.OPTIONAL: ssl.CERT_OPTIONAL,
    ClientAuth.REQUIRED: ssl.CERT_REQUIRED,
}


def build_server_context(
    cert_file: StrPath,
    key_file: StrPath,
    *,
    client_auth: ClientAuth = ClientAuth.NONE,
    client_ca_file: StrPath | None = None,
    client_ca_pem: str | None = None,
) -> ssl.SSLContext:
    """A TLS server context presenting ``cert_file`` (leaf first, then intermediates)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_chain(context, cert_file, key_file)
    context.verify_mode = _VERIFY_MODES[client_auth]
    if client_ca_file is not None:
        _load_verify(context, cafile=client_ca_file)
    if client_ca_pem:
        add_client_cas(context, client_ca_pem)
    return context


def add_client_cas(context: ssl.SSLContext, pem: str) -> None:
    """Trust more client-certificate issuers from PEM text (new handshakes see them at once)."""
    try:
        context.load_verify_locations(cadata=pem)
    except (ssl.SSLError, ValueError) as exc:
        raise TlsError(f"cannot load trusted certificates: {exc}") from exc


def build_client_context(
    *,
    ca_file: StrPath | None = None,
    ca_dir: StrPath | None = None,
    cert_file: StrPath | None = None,
    key_file: StrPath | None = None,
    check_hostname: bool = True,
) -> ssl.SSLContext:
    """A TLS client context; with neither ``ca_file`` nor ``ca_dir`` it trusts the system store."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file is None and ca_dir is None:
        context.load_default_certs()
    else:
        _load_verify(context, cafile=ca_file, capath=ca_dir)
    context.check_hostname = check_hostname
    if cert_file is not None:
        _load_chain(context, cert_file, key_file)
    return context


def build_trusting_client_context(
    trust_paths: Sequence[StrPath],
    *,
    cert_file: StrPath | None = None,
    key_file: StrPath | None = None,
    client_auth_in_handshake: bool = False,
) -> ssl.SSLContext:
    """A client context that trusts what every path of ``trust_paths`` holds (a PEM file or a directory
    of them, as tedge's ``c8y.root_cert_path``), and presents ``cert_file`` when given.

    A directory is used as an OpenSSL hashed directory when it has hash links (``/etc/ssl/certs``);
    otherwise every certificate file in it is loaded. A path that does not exist is a ``TlsError``.

    ``client_auth_in_handshake`` caps the protocol at TLS 1.2: there a server that refuses our
    certificate says why (an alert) during the handshake, while in TLS 1.3 the handshake has already
    succeeded on our side and the server can only drop the connection.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if client_auth_in_handshake:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    for path in trust_paths:
        load_trust_path(context, path)
    if cert_file is not None:
        _load_chain(context, cert_file, key_file)
    return context


_HASH_LINK = re.compile(r"^[0-9a-f]{8}\.\d+$")


def load_trust_path(context: ssl.SSLContext, path: StrPath) -> None:
    """Trust the certificates of a PEM file, or of a directory (hashed or not)."""
    name = os.fspath(path)
    if os.path.isdir(name):
        try:
            entries = sorted(os.listdir(name))
        except OSError as exc:
            raise TlsError(f"cannot read CA certificates {name}: {exc.strerror or exc}") from exc
        if any(_HASH_LINK.match(entry) for entry in entries):
            _load_verify(context, cafile=None, capath=name)
            return
        for entry in entries:
            candidate = os.path.join(name, entry)
            if os.path.isfile(candidate) and _holds_certificate(candidate):
                _load_verify(context, cafile=candidate)
        return
    if not os.path.exists(name):
        raise TlsError(f"Root certificate path {name} does not exist")
    _load_verify(context, cafile=name)


def _holds_certificate(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return b"-----BEGIN CERTIFICATE-----" in handle.read(1024 * 1024)
    except OSError:
        return False


def peer_certificate_der(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> bytes | None:
    """The DER certificate the peer presented (and the handshake verified), if any."""
    if ssl_object is None:
        return None
    return ssl_object.getpeercert(binary_form=True)


def peer_certificate_chain_der(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> list[bytes]:
    """The certificates the peer sent, leaf first (leaf and intermediates as presented in the handshake).

    Python 3.11 exposes only the leaf publicly; the chain comes from the ``get_unverified_chain`` of
    the underlying ``_ssl`` object (public from Python 3.13 on), falling back to the leaf alone.
    """
    if ssl_object is None:
        return []
    native = getattr(ssl_object, "_sslobj", ssl_object)
    chain_of = getattr(native, "get_unverified_chain", None)
    if chain_of is not None:
        chain = [cert for cert in chain_of() or [] if cert is not None]
        if chain:
            import _ssl

            return [cert.public_bytes(_ssl.ENCODING_DER) for cert in chain]
    leaf = ssl_object.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def _load_chain(context: ssl.SSLContext, cert_file: StrPath, key_file: StrPath | None) -> None:
    try:
        context.load_cert_chain(certfile=cert_file, keyfile=key_file)
    except FileNotFoundError as exc:
        raise TlsError(f"cannot read {exc.filename}: No such file or directory") from exc
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(
            f"cannot load certificate {os.fspath(cert_file)} with key {_name(key_file)}: {exc}"
        ) from exc


def _load_verify(context: ssl.SSLContext, *, cafile: StrPath | None, capath: StrPath | None = None) -> None:
    try:
        context.load_verify_locations(cafile=cafile, capath=capath)
    except FileNotFoundError as exc:
        raise TlsError(f"cannot read CA certificates {exc.filename}: No such file or directory") from exc
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(f"cannot load CA certificates {_name(cafile or capath)}: {exc}") from exc


def _name(path: StrPath | None) -> str:
    return os.fspath(path) if path is not None else "(none)"


def build_system_trust_client_context(
    *,
    extra_ca_file: str | None = None,
    extra_ca_dirs: str | None = None,
    cert_file: StrPath | None = None,
    key_file: StrPath | None = None,
    client_auth_in_handshake: bool = False,
) -> ssl.SSLContext:
    """A client context trusting the system store **plus** ``extra_ca_file``/``extra_ca_dirs``.

    How a Go program trusts a private CA: ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` (a ``:``-separated
    list) are added to the OpenSSL defaults; the caller passes their values (nothing here reads the
    environment). A missing extra file is an error naming it; an empty value is ignored.

    The system store is used through its hashed certificate directory when it has one (Debian and
    Ubuntu keep the bundle file and the ``<hash>.0`` links in step): OpenSSL looks certificates up
    there when a handshake needs them, while the bundle file would be parsed whole up front (about
    15 ms for ~140 certificates, paid by every ``c8y`` command). Otherwise the bundle file is loaded.
    ``client_auth_in_handshake``: see ``build_trusting_client_context``.
    """
    context = build_trusting_client_context(
        [], cert_file=cert_file, key_file=key_file, client_auth_in_handshake=client_auth_in_handshake
    )
    defaults = ssl.get_default_verify_paths()
    hashed = bool(defaults.openssl_capath) and is_hashed_directory(defaults.openssl_capath)
    if not hashed and defaults.openssl_cafile and os.path.isfile(defaults.openssl_cafile):
        _load_verify(context, cafile=defaults.openssl_cafile)
    if hashed:
        _load_verify(context, cafile=None, capath=defaults.openssl_capath)
    if extra_ca_file:
        _load_verify(context, cafile=extra_ca_file)
    for directory in (extra_ca_dirs or "").split(os.pathsep):
        if directory and os.path.isdir(directory):
            load_trust_path(context, directory)
    return context


def is_hashed_directory(path: str) -> bool:
    """Whether ``path`` is an OpenSSL certificate directory (holds ``<8 hex digits>.<n>`` entries)."""
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                stem, dot, suffix = entry.name.partition(".")
                if dot and suffix.isdigit() and len(stem) == 8 and all(c in "0123456789abcdef" for c in stem):
                    return True
    except OSError:
        return False
    return False


def build_insecure_client_context(
    *, cert_file: StrPath | None = None, key_file: StrPath | None = None
) -> ssl.SSLContext:
    """``--insecure``: no certificate or host name check (a client certificate can still be presented)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if cert_file is not None:
        _load_chain(context, cert_file, key_file)
    return context
