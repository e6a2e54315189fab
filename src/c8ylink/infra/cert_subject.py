"""The subject Common Name of an X.509 certificate file (PEM or DER), for ``device.id``.

``cryptography`` is imported only when a certificate file actually exists, so commands that never read
``device.id`` pay nothing for it. (``infra.tls`` will hold the full certificate tooling; this module is
the minimal reader the configuration needs.)
"""

from __future__ import annotations

import os

from c8ylink.core.errors import TlsError
from c8ylink.core.settings.errors import DerivationSourceMissing
from c8ylink.infra.files import access_error


def read_common_name(path: os.PathLike[str] | str) -> str:
    """The CN of the first certificate in ``path``.

    ``DerivationSourceMissing`` when the file does not exist, ``FileAccessError`` when it cannot be
    read, ``TlsError`` when it holds no certificate or the certificate has no CN.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DerivationSourceMissing(f"{os.fspath(path)} does not exist") from None
    except OSError as exc:
        raise access_error(path, exc) from None
    return common_name_of(data, os.fspath(path))


def common_name_of(data: bytes, name: str = "certificate") -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        certificate = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
    except ValueError as exc:
        raise TlsError(f"{name} is not a valid certificate: {exc}") from None
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise TlsError(f"the certificate {name} has no Common Name in its subject")
    value = names[0].value
    return value.decode() if isinstance(value, bytes) else value
