"""The device's certificate, key and CSR files: read them with the errors tedge prints, write them safely.

Reusable by every command that needs the device identity (``tedge cert``, ``tedge connect``):

    load_device_certificate(path)          # the leaf; "No certificate has been attached ..." if missing
    load_device_key(path)                  # "No private key has been attached ..." if missing
    device_certificate_cn(path)            # the device id a certificate names
    check_key_matches(key, certificate, key_path=..., cert_path=...)

Unreadable files are reported as ``Could not access <path>: Permission denied (os error 13)`` and
corrupt ones name the file. Keys are written 0600 then made 0400, certificates 0444; new files are
created exclusively (never overwriting), replacements atomically.
"""

from __future__ import annotations

import contextlib
import os

from c8ylink.core.errors import C8yLinkError, FileAccessError, TlsError
from c8ylink.infra.files import access_error, write_atomic, write_new_atomic
from c8ylink.infra.tls.certs import (
    Certificate,
    decode_certificate_chain,
    encode_certificate_chain_pem,
    encode_certificate_pem,
)
from c8ylink.infra.tls.csr import CertificateRequest, decode_csr, encode_csr_pem
from c8ylink.infra.tls.keys import (
    PrivateKey,
    decode_private_key_pem,
    encode_private_key_pem,
    public_keys_match,
)
from c8ylink.infra.tls.names import common_name_of

CERT_MODE = 0o444
KEY_MODE = 0o400
KEY_WRITING_MODE = 0o600
CSR_MODE = 0o444


class CertificateNotFoundError(FileAccessError):
    def __init__(self, path: str) -> None:
        super().__init__(
            "No certificate has been attached to that device.\n"
            f'        Missing file: "{path}"\n'
            "        Run `tedge cert create` to generate a new certificate.",
            path=path,
        )


class KeyNotFoundError(FileAccessError):
    def __init__(self, path: str) -> None:
        super().__init__(
            "No private key has been attached to that device.\n"
            f'        Missing file: "{path}"\n'
            "        Run `tedge cert create` to generate a new key and certificate.",
            path=path,
        )


class CertificateExistsError(FileAccessError):
    def __init__(self, path: str) -> None:
        super().__init__(
            "A certificate already exists and would be overwritten.\n"
            f'        Existing file: "{path}"\n'
            "        Run `tedge cert remove` first to generate a new certificate.",
            path=path,
        )


class KeyExistsError(FileAccessError):
    def __init__(self, path: str) -> None:
        super().__init__(
            "A private key already exists and would be overwritten.\n"
            f'        Existing file: "{path}"\n'
            "        Run `tedge cert remove` first to generate a new certificate and private key.",
            path=path,
        )


def read_file_bytes(path: str, missing: type[FileAccessError] | None = None) -> bytes | None:
    """The file's bytes; ``None`` if it does not exist (or ``missing(path)`` raised when given)."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        if missing is not None:
            raise missing(path) from None
        return None
    except IsADirectoryError:
        raise FileAccessError(f"{path} is a directory, not a file", path=path) from None
    except OSError as exc:
        raise access_error(path, exc) from None


# -- reading --------------------------------------------------------------------------------------------
def decode_certificate_file(path: str, data: bytes) -> list[Certificate]:
    try:
        return decode_certificate_chain(data)
    except TlsError as exc:
        raise TlsError(f"{path} does not hold a valid PEM certificate: {exc}") from None


def load_device_certificate_chain(path: str) -> list[Certificate]:
    """Every certificate of ``path`` (leaf first, as written by ``tedge cert download``)."""
    data = read_file_bytes(path, CertificateNotFoundError)
    assert data is not None
    return decode_certificate_file(path, data)


def load_device_certificate(path: str) -> Certificate:
    """The device certificate (the first one of the file)."""
    return load_device_certificate_chain(path)[0]


def device_certificate_cn(path: str) -> str:
    """The Common Name (the device id) of the certificate at ``path``."""
    common_name = common_name_of(load_device_certificate(path).subject)
    if not common_name:
        raise TlsError(f"the certificate {path} has no Common Name in its subject")
    return common_name


def decode_key_file(path: str, data: bytes) -> PrivateKey:
    try:
        return decode_private_key_pem(data)
    except TlsError:
        raise TlsError(
            f"{path} does not hold a valid private key (expected an unencrypted PEM key such as "
            "-----BEGIN PRIVATE KEY-----)"
        ) from None


def load_device_key(path: str) -> PrivateKey:
    data = read_file_bytes(path, KeyNotFoundError)
    assert data is not None
    return decode_key_file(path, data)


def load_device_key_if_exists(path: str) -> PrivateKey | None:
    """The key at ``path``, or ``None`` when there is no such file (errors for unreadable/corrupt)."""
    data = read_file_bytes(path)
    return None if data is None else decode_key_file(path, data)


def load_csr_file(path: str) -> CertificateRequest:
    data = read_file_bytes(path)
    if data is None:
        raise FileAccessError(f"The certificate signing request {path} does not exist", path=path)
    try:
        return decode_csr(data)
    except TlsError as exc:
        raise TlsError(f"{path} is not a certificate signing request: {exc}") from None


def check_key_matches(key: PrivateKey, certificate: Certificate, *, key_path: str, cert_path: str) -> None:
    """``TlsError`` (kind ``key-mismatch``) unless the certificate was made for ``key``."""
    if not public_keys_match(key, certificate.public_key()):
        raise TlsError(
            f"The private key {key_path} does not match the certificate {cert_path}", kind="key-mismatch"
        )


# -- writing --------------------------------------------------------------------------------------------
def give_to(path: str, owner: tuple[str, str]) -> None:
    """chown ``path`` to ``owner`` (user, group) when running as root; errors are ignored (upstream)."""
    if os.geteuid() != 0:
        return
    import grp
    import pwd

    try:
        uid = pwd.getpwnam(owner[0]).pw_uid
        gid = grp.getgrnam(owner[1]).gr_gid
        os.chown(path, uid, gid)
    except (KeyError, OSError):
        return


def save_new_key(path: str, key: PrivateKey, owner: tuple[str, str]) -> None:
    """Write a new key file (``KeyExistsError`` if there is one): 0600 while written, then 0400."""
    try:
        write_new_atomic(path, encode_private_key_pem(key), mode=KEY_MODE, writing_mode=KEY_WRITING_MODE)
    except FileExistsError:
        raise KeyExistsError(path) from None
    give_to(path, owner)


def save_new_certificate(path: str, certificate: Certificate, owner: tuple[str, str]) -> None:
    """Write a new certificate file (``CertificateExistsError`` if there is one), mode 0444."""
    try:
        write_new_atomic(path, encode_certificate_pem(certificate), mode=CERT_MODE)
    except FileExistsError:
        raise CertificateExistsError(path) from None
    give_to(path, owner)


def save_certificate_chain(path: str, certificates: list[Certificate], owner: tuple[str, str]) -> None:
    """Replace ``path`` atomically with the PEM chain, mode 0444."""
    write_atomic(path, encode_certificate_chain_pem(certificates), mode=CERT_MODE)
    give_to(path, owner)


def save_csr(path: str, csr: CertificateRequest, owner: tuple[str, str]) -> None:
    write_atomic(path, encode_csr_pem(csr), mode=CSR_MODE)
    give_to(path, owner)


def ensure_directory(path: str) -> None:
    """Create the directory that will hold ``path`` when it is missing (0755)."""
    directory = os.path.dirname(path) or "."
    if os.path.isdir(directory):
        return
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
    except OSError as exc:
        raise access_error(directory, exc, "create") from None


def remove_file(path: str) -> bool:
    """Delete ``path``; ``False`` when it did not exist."""
    try:
        os.remove(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise access_error(path, exc, "remove") from None
    return True


def remove_file_quietly(path: str) -> None:
    with contextlib.suppress(C8yLinkError):
        remove_file(path)
