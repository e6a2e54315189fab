"""The file transfer service's address and TLS (``http.*``), shared by tedge-agent (the server) and
tedge-mapper (a client).

- ``http.cert_path`` + ``http.key_path``: the service answers HTTPS, and every ``tedgeUrl`` is
  ``https://<http.client.host>:<http.client.port>/...``;
- ``http.ca_path`` (a file or a directory of CA certificates): the service then requires a client
  certificate signed by one of them; clients also check the service's certificate against it (the
  local CA that signs both, as thin-edge's guide to securing the local HTTP services sets it up),
  else against the system's store;
- ``http.client.auth.cert_file`` + ``key_file``: the certificate tedge's clients present.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from c8ylink.core.file_transfer import (
    FILES_PREFIX,
    FileTransferPathError,
    file_transfer_base_url,
    relative_file_path,
)
from c8ylink.core.settings.resolve import Settings
from c8ylink.device.mqtt.local_broker import optional_setting

FILE_TRANSFER_DIR = "file-transfer"  # under data.path


@dataclass(frozen=True, slots=True)
class LocalFiles:
    """The file transfer service's directory: URLs under ``base_url`` are files under ``root``. The
    main device's agent (which runs the service) and the mapper (on the same device) read and write
    these files directly, the same ones the service serves."""

    base_url: str  # http(s)://<http.client.host>:<http.client.port>, the start of every tedgeUrl
    root: Path  # <data.path>/file-transfer

    def path_of(self, url: str) -> Path | None:
        """The file ``url`` names when it is one of the service's (confined to ``root``), else None;
        ``FileTransferPathError`` for a service URL that names no file of it."""
        base = self.base_url.rstrip("/")
        if not url.startswith(base + FILES_PREFIX):
            return None
        path = self.root / relative_file_path(url[len(base) :])
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, os.path.realpath(path)]) != root:
            raise FileTransferPathError("the file path leads out of the file transfer directory")
        return path


def local_files(settings: Settings) -> LocalFiles:
    return LocalFiles(
        local_http(settings).base_url, Path(str(settings.value("data.path"))) / FILE_TRANSFER_DIR
    )


@dataclass(frozen=True, slots=True)
class LocalHttp:
    base_url: str  # http(s)://<http.client.host>:<http.client.port>
    cert_path: str | None = None
    key_path: str | None = None
    ca_path: str | None = None
    client_cert: str | None = None
    client_key: str | None = None

    @property
    def uses_tls(self) -> bool:
        return self.cert_path is not None

    def server_context(self) -> ssl.SSLContext | None:
        """The service's TLS context (None: plain HTTP); ``TlsError`` if the files cannot be used."""
        from c8ylink.infra.tls.contexts import ClientAuth, build_server_context

        if self.cert_path is None:
            return None
        ca_file = self.ca_path if self.ca_path and not os.path.isdir(self.ca_path) else None
        context = build_server_context(
            self.cert_path, self.key_path or self.cert_path,
            client_auth=ClientAuth.REQUIRED if self.ca_path else ClientAuth.NONE, client_ca_file=ca_file,
        )  # fmt: skip
        if self.ca_path and ca_file is None:
            context.load_verify_locations(capath=self.ca_path)
        return context

    def client_context(self) -> ssl.SSLContext | None:
        """What clients of the service use (None for plain HTTP)."""
        from c8ylink.infra.tls.contexts import build_client_context

        if not self.base_url.startswith("https:"):
            return None
        is_dir = self.ca_path is not None and os.path.isdir(self.ca_path)
        return build_client_context(
            ca_file=None if is_dir else self.ca_path, ca_dir=self.ca_path if is_dir else None,
            cert_file=self.client_cert, key_file=self.client_key or self.client_cert,
        )  # fmt: skip


def local_http(settings: Settings) -> LocalHttp:
    cert = optional_setting(settings, "http.cert_path")
    host, port = str(settings.value("http.client.host")), str(settings.value("http.client.port"))
    client_cert = optional_setting(settings, "http.client.auth.cert_file")
    return LocalHttp(
        base_url=file_transfer_base_url(host, port, tls=cert is not None),
        cert_path=cert,
        key_path=optional_setting(settings, "http.key_path"),
        ca_path=optional_setting(settings, "http.ca_path"),
        client_cert=client_cert,
        client_key=optional_setting(settings, "http.client.auth.key_file") if client_cert else None,
    )
