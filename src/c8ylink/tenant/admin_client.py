"""A small blocking client for the tenant's ``/__local__`` control API, used by ``c8ylink tenant``.

It reads ``tenant.json`` from the data directory for the URL, the CA to trust and the admin
credentials, and speaks HTTPS with the standard library (no network library on the CLI path).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c8ylink.core.errors import ApiError, ConfigError, NetworkError
from c8ylink.infra.tls.contexts import build_client_context

INFO_FILE = "tenant.json"
TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class AdminClient:
    base_url: str
    ca_file: str
    username: str
    password: str = field(repr=False)

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> AdminClient:
        path = data_dir / INFO_FILE
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"No tenant is running with data dir {data_dir} ({path} does not exist)"
            ) from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read {path}: {exc}") from exc
        return cls(
            base_url=info["https_url"],
            ca_file=info["ca_file"],
            username=f"{info['tenant']}/{info['admin']['username']}",
            password=info["admin"]["password"],
        )

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Send a request to the control API; the decoded JSON answer (None when empty)."""
        url = self.base_url + path
        data = json.dumps(body).encode() if body is not None else None
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        context = build_client_context(ca_file=self.ca_file)
        try:
            with urllib.request.urlopen(request, context=context, timeout=TIMEOUT) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw_error = exc.read()
            raise ApiError(exc.code, url, _decode(raw_error), method=method) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NetworkError(f"Cannot reach the tenant at {self.base_url}: {reason}") from exc
        return _decode(raw)


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
