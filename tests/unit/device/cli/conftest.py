"""`tedge(*args)`: runs the real `tedge` entry point (its click-free quick answers, error rendering and
exit codes included) in-process with click's CliRunner, against a throw-away configuration directory
given by TEDGE_CONFIG_DIR."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from c8ylink.device.cli import main as console_script


class _TedgeScript:
    """What CliRunner needs of a command: a name and ``main``; ``main`` is the console script's."""

    name = "tedge"

    def main(self, args: Sequence[str], prog_name: str | None = None, **_: Any) -> None:
        console_script.main(list(args))


Tedge = Callable[..., Result]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "etc-tedge"


@pytest.fixture
def tedge(config_dir: Path) -> Tedge:
    def run(*args: str, env: Mapping[str, str] | None = None) -> Result:
        runner = CliRunner()
        environment = {"TEDGE_CONFIG_DIR": str(config_dir), **(env or {})}
        return runner.invoke(_TedgeScript(), list(args), env=environment, catch_exceptions=False)  # type: ignore[arg-type]

    return run


@pytest.fixture
def make_certificate() -> Callable[[Path, str], Path]:
    def make(path: Path, common_name: str) -> Path:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256())
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        return path

    return make
