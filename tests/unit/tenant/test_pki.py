"""The tenant's own TLS files: a damaged CA is named with what to do, and never silently replaced."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from c8ylink.core.errors import TlsError
from c8ylink.tenant.pki import ensure_server_tls

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("damaged", ["ca-key.pem", "ca.pem"])
def test_a_damaged_ca_file_is_named_and_kept(tmp_path: Path, damaged: str) -> None:
    tls = tmp_path / "tls"
    ensure_server_tls(tls, (), now=NOW)
    (tls / damaged).write_text("junk\n")
    with pytest.raises(TlsError) as raised:
        ensure_server_tls(tls, (), now=NOW)
    message = str(raised.value)
    assert message.startswith(
        f"Cannot load the tenant's TLS certificate authority (ca.pem, ca-key.pem) from {tls}: "
    )
    assert message.endswith(
        f"restore both files, or delete {tls} to create a new CA (clients must then trust the new ca.pem)"
    )
    assert "https://" not in message
    assert (tls / damaged).read_text() == "junk\n"
