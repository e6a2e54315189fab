"""The subject Common Name of an X.509 certificate file (PEM or DER), for ``device.id``.

``infra.tls`` (and with it ``cryptography``) is imported only when a certificate file actually exists, so
commands that never read ``device.id`` pay nothing for it. A file that holds no certificate gets the
message ``tedge cert show`` gives for it.
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
    """The CN of the first certificate in ``data`` (PEM, bare base64 or DER, as ``tedge cert show`` reads
    them, and with the same message when there is none)."""
    from c8ylink.infra.tls.certs import decode_certificate
    from c8ylink.infra.tls.names import common_name_of as subject_common_name

    try:
        certificate = decode_certificate(data)
    except TlsError as exc:
        raise TlsError(f"{name} does not hold a valid PEM certificate: {exc}") from None
    common_name = subject_common_name(certificate.subject)
    if not common_name:
        raise TlsError(f"the certificate {name} has no Common Name in its subject")
    return common_name
