"""`tedge cert` commands that need no tenant, through the real entry point (exit codes, stdout/stderr).

The ones that talk to Cumulocity are tested end to end in tests/e2e/test_tedge_cert_c8y.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from c8ylink.device.cli import root

Run = Callable[..., Result]

CERTS = "device-certs"
ALREADY_EXISTS = (
    "Error: failed to create a test certificate for the device second.\n\n"
    "Caused by:\n"
    "    A certificate already exists and would be overwritten.\n"
    '            Existing file: "{path}"\n'
    "            Run `tedge cert remove` first to generate a new certificate.\n"
)
NOT_ATTACHED = (
    "    No certificate has been attached to that device.\n"
    '            Missing file: "{path}"\n'
    "            Run `tedge cert create` to generate a new certificate.\n"
)


class _Script:
    name = "tedge"

    def main(self, args: list[str], prog_name: str | None = None, **_: object) -> None:
        root.main(list(args))


@pytest.fixture
def tedge(config_dir: Path) -> Run:
    def run(*args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Result:
        environment = {"TEDGE_CONFIG_DIR": str(config_dir), **(env or {})}
        return CliRunner().invoke(_Script(), list(args), env=environment, input=input, catch_exceptions=False)  # type: ignore[arg-type]

    return run


@pytest.fixture
def cert_path(config_dir: Path) -> Path:
    return config_dir / CERTS / "tedge-certificate.pem"


def test_create_then_show(tedge: Run, cert_path: Path) -> None:
    created = tedge("cert", "create", "--device-id", "my-device")
    assert created.exit_code == 0, created.stderr
    assert created.stderr == (
        "Certificate created successfully\n"
        "    => the certificate has to be uploaded to the cloud\n"
        "    => before the device can be connected\n\n"
    )
    lines = created.stdout.splitlines()
    assert lines[0] == f"Certificate:   {cert_path}"
    assert lines[1:3] == ["Subject:       CN=my-device, O=Thin Edge, OU=Device"] * 1 + [
        "Issuer:        CN=my-device, O=Thin Edge, OU=Device"
    ]
    assert lines[3].startswith("Status:        VALID (expires in: 363d ")
    assert [line[:15] for line in lines[4:]] == [
        "Valid from:    ",
        "Valid until:   ",
        "Serial number: ",
        "Thumbprint:    ",
    ]
    shown = tedge("cert", "show")
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout.splitlines()[:3] == lines[:3] and shown.stdout.splitlines()[4:] == lines[4:]
    assert tedge("config", "get", "device.id").stdout == "my-device\n"


def test_device_id_from_the_configuration(tedge: Run, cert_path: Path) -> None:
    tedge("config", "set", "device.id", "configured-id")
    assert tedge("cert", "create").exit_code == 0
    assert "Subject:       CN=configured-id" in tedge("cert", "show").stdout


def test_no_device_id(tedge: Run) -> None:
    result = tedge("cert", "create")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to create a test certificate for the device.\n\nCaused by:\n"
        "    No device ID is provided. Use --device-id <name> option to specify the device ID.\n"
    )


@pytest.mark.parametrize(
    ("device_id", "reason"),
    [
        ("", "The empty string cannot be used as a name"),
        ("a" * 65,
         f"The string '\"{'a' * 65}\"' is more than 64 characters long and cannot be used as a name"),
        ("my device", "The string '\"my device\"' contains characters which cannot be used in a name "
         "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"),
        ("dev/1#", "The string '\"dev/1#\"' contains characters which cannot be used in a name "
         "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"),
    ],
    ids=["empty", "65-chars", "space", "slash-hash"],
)  # fmt: skip
def test_invalid_device_ids(tedge: Run, config_dir: Path, device_id: str, reason: str) -> None:
    result = tedge("cert", "create", "--device-id", device_id)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: failed to create a test certificate for the device {device_id}.\n\n"
        f"Caused by:\n    0: DeviceID Error\n    1: {reason}\n"
    )
    assert not (config_dir / CERTS).exists() or not any((config_dir / CERTS).iterdir())


def test_existing_certificate_is_kept(tedge: Run, cert_path: Path, config_dir: Path) -> None:
    tedge("cert", "create", "--device-id", "first")
    key_path = config_dir / CERTS / "tedge-private-key.pem"
    before = cert_path.read_bytes(), key_path.read_bytes()
    result = tedge("cert", "create", "--device-id", "second")
    assert (result.exit_code, result.stderr) == (1, ALREADY_EXISTS.format(path=cert_path))
    assert (cert_path.read_bytes(), key_path.read_bytes()) == before


def test_existing_key_is_reused(tedge: Run, config_dir: Path) -> None:
    tedge("cert", "create-csr", "--device-id", "d")  # makes the key
    key_path = config_dir / CERTS / "tedge-private-key.pem"
    before = key_path.read_bytes()
    assert tedge("cert", "create", "--device-id", "d").exit_code == 0
    assert key_path.read_bytes() == before


def test_show_missing_corrupt_new_and_other_path(tedge: Run, cert_path: Path, tmp_path: Path) -> None:
    missing = tedge("cert", "show")
    assert missing.exit_code == 1
    assert missing.stderr == (
        "Error: failed to show the device certificate\n\nCaused by:\n" + NOT_ATTACHED.format(path=cert_path)
    )
    corrupt = tmp_path / "corrupt.pem"
    corrupt.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    result = tedge("cert", "show", "--cert-path", str(corrupt))
    assert result.exit_code == 1
    assert f"{corrupt} does not hold a valid PEM certificate" in result.stderr
    assert "Traceback" not in result.stderr
    tedge("cert", "create", "--device-id", "d")
    assert tedge("cert", "renew").exit_code == 0
    assert tedge("cert", "show", "--new").stdout.startswith(f"Certificate:   {cert_path}.new\n")


def test_needs_renewal_exit_codes(tedge: Run) -> None:
    missing = tedge("cert", "needs-renewal")
    assert missing.exit_code == 2 and missing.stderr.startswith("Error: Cannot check the certificate\n")
    tedge("cert", "create", "--device-id", "d")
    valid = tedge("cert", "needs-renewal")
    assert valid.exit_code == 1 and valid.stdout == ""
    assert valid.stderr.startswith("Status:        VALID (expires in: 363d")
    soon = tedge("cert", "needs-renewal", env={"TEDGE_CERTIFICATE_VALIDITY_MINIMUM_DURATION": "400d"})
    assert soon.exit_code == 0 and soon.stderr.startswith("Status:        EXPIRES SOON (expires in: 363d")


def test_an_expired_certificate_needs_renewal(tedge: Run) -> None:
    tedge("config", "set", "certificate.validity.requested_duration", "1h")
    tedge("cert", "create", "--device-id", "d")  # valid from now - 1 day for an hour: expired
    result = tedge("cert", "needs-renewal")
    assert result.exit_code == 0 and result.stderr.startswith("Status:        EXPIRED (since: ")
    assert "Status:        EXPIRED (since: " in tedge("cert", "show").stdout


def test_remove(tedge: Run, cert_path: Path, config_dir: Path) -> None:
    tedge("cert", "create", "--device-id", "d")
    tedge("cert", "renew")
    removed = tedge("cert", "remove")
    assert (removed.exit_code, removed.stderr) == (0, "Certificate was successfully removed\n")
    assert sorted(p.name for p in (config_dir / CERTS).iterdir()) == []
    again = tedge("cert", "remove")
    assert (again.exit_code, again.stderr) == (0, "There is no certificate to remove\n")


def test_create_csr(tedge: Run, config_dir: Path, tmp_path: Path) -> None:
    result = tedge("cert", "create-csr", "--device-id", "d", "--output-path", str(tmp_path / "d.csr"))
    assert (result.exit_code, result.stderr) == (0, "Certificate Signing Request was successfully created.\n")
    assert (tmp_path / "d.csr").read_text().startswith("-----BEGIN CERTIFICATE REQUEST-----")
    assert (config_dir / CERTS / "tedge-private-key.pem").exists()


def test_unreadable_key_names_the_file(tedge: Run, config_dir: Path) -> None:
    key_path = config_dir / CERTS / "tedge-private-key.pem"
    key_path.parent.mkdir(parents=True)
    key_path.mkdir()  # a directory where the key should be: reading it fails like any access error
    result = tedge("cert", "create-csr", "--device-id", "d")
    assert result.exit_code == 1
    assert f"{key_path} is a directory, not a file" in result.stderr


def test_renew_self_signed_without_key(tedge: Run, config_dir: Path) -> None:
    tedge("cert", "create", "--device-id", "d")
    key_path = config_dir / CERTS / "tedge-private-key.pem"
    os.remove(key_path)
    result = tedge("cert", "renew", "--ca", "self-signed")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to renew the device certificate\n\nCaused by:\n"
        "    No private key has been attached to that device.\n"
        f'            Missing file: "{key_path}"\n'
        "            Run `tedge cert create` to generate a new key and certificate.\n"
    )


def test_renew_self_signed_output(tedge: Run, cert_path: Path) -> None:
    tedge("cert", "create", "--device-id", "d")
    result = tedge("cert", "renew")
    assert result.exit_code == 0
    assert result.stderr == (
        "Certificate renewed successfully\n"
        "    For an un-interrupted service:\n"
        "    => the new certificate has to be uploaded to the cloud (tedge cert upload c8y)\n"
        "    => then the device has to be reconnected to the cloud\n\n"
    )
    assert result.stdout.startswith(f"Certificate:   {cert_path}.new\nSubject:       CN=d, O=Thin Edge")


def test_cloud_profile_paths(tedge: Run, tmp_path: Path, cert_path: Path) -> None:
    second = tmp_path / "second"
    tedge("config", "set", "c8y.device.cert_path", str(second / "cert.pem"), "--profile", "second")
    tedge("config", "set", "c8y.device.key_path", str(second / "key.pem"), "--profile", "second")
    result = tedge("cert", "create", "--device-id", "dev-2", "c8y", "--profile", "second")
    assert result.exit_code == 0, result.stderr
    assert (second / "cert.pem").exists() and not cert_path.exists()
    from_env = tedge("cert", "show", "c8y", env={"TEDGE_CLOUD_PROFILE": "second"})
    assert from_env.stdout.startswith(f"Certificate:   {second / 'cert.pem'}\nSubject:       CN=dev-2")
    assert tedge("cert", "show").exit_code == 1  # without `c8y`, the device.* paths
    assert tedge("cert", "create", "--device-id", "d", "c8y", "--profile", "bad name").exit_code == 2


def test_prompt_and_one_time_password_exclude_each_other(tedge: Run) -> None:
    result = tedge("cert", "download", "c8y", "--device-id", "d", "-p", "secret-otp", "--prompt")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the argument '--prompt' cannot be used with '--one-time-password <ONE_TIME_PASSWORD>'\n\n"
        "For more information, try '--help'.\n"
    )
    assert "secret-otp" not in result.stdout + result.stderr


def test_download_with_a_file_that_is_not_a_csr(tedge: Run, tmp_path: Path) -> None:
    tedge("config", "set", "c8y.url", "t.example.com")
    not_csr = tmp_path / "cert.pem"
    tedge("cert", "create", "--device-id", "d")
    not_csr.write_bytes(Path(tedge("cert", "show").stdout.splitlines()[0].split()[1]).read_bytes())
    result = tedge("cert", "download", "c8y", "--device-id", "d", "-p", "otp", "--csr-path", str(not_csr))
    assert result.exit_code == 1
    assert f"{not_csr} is not a certificate signing request" in result.stderr
    missing = tedge(
        "cert", "download", "c8y", "--device-id", "d", "-p", "otp", "--csr-path", str(tmp_path / "x")
    )
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_download_rejects_bad_options(tedge: Run) -> None:
    assert tedge("cert", "download", "c8y", "--url", "host:port").exit_code == 2
    assert tedge("cert", "download", "c8y", "--retry-every", "soon").exit_code == 2
    bad_id = tedge("cert", "download", "c8y", "--device-id", "a b", "--url", "t.example.com", "-p", "x")
    assert bad_id.exit_code == 1 and "DeviceID Error" in bad_id.stderr


def test_download_asks_for_the_device_id(tedge: Run) -> None:
    result = tedge("cert", "download", "c8y", "--url", "t.example.com", "-p", "x", input="")
    assert result.exit_code == 1
    assert result.stdout == "Enter device id: "
    assert "No device ID is provided" in result.stderr


def test_upload_needs_the_url_and_a_certificate(tedge: Run, cert_path: Path) -> None:
    no_url = tedge("cert", "upload", "c8y", "--user", "u", "--password", "p")
    assert no_url.exit_code == 1
    assert "Required configuration item is not provided 'c8y.url'" in no_url.stderr
    tedge("config", "set", "c8y.url", "t.example.com")
    no_cert = tedge("cert", "upload", "c8y", "--user", "u", "--password", "p")
    assert no_cert.stderr == (
        "Error: failed to upload the device certificate to Cumulocity\n\nCaused by:\n"
        + NOT_ATTACHED.format(path=cert_path)
    )


def test_renew_c8y_with_a_file_that_is_not_a_csr(tedge: Run, tmp_path: Path) -> None:
    tedge("config", "set", "c8y.url", "t.example.com")
    tedge("cert", "create", "--device-id", "d")
    garbage = tmp_path / "garbage.csr"
    garbage.write_text("hello")
    result = tedge("cert", "renew", "--ca", "c8y", "--csr-path", str(garbage))
    assert result.exit_code == 1
    assert f"{garbage} is not a certificate signing request" in result.stderr


def test_corrupt_key(tedge: Run, config_dir: Path) -> None:
    key_path = config_dir / CERTS / "tedge-private-key.pem"
    key_path.parent.mkdir(parents=True)
    key_path.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    for args in (("cert", "create-csr", "--device-id", "d"), ("cert", "create", "--device-id", "d")):
        result = tedge(*args)
        assert result.exit_code == 1
        assert result.stderr.endswith(
            f"    {key_path} does not hold a valid private key (expected an unencrypted PEM key such as "
            "-----BEGIN PRIVATE KEY-----)\n"
        )
    assert not (config_dir / CERTS / "tedge-certificate.pem").exists()


def test_keys_in_a_hardware_security_module_are_refused_clearly(tedge: Run) -> None:
    tedge("config", "set", "device.cryptoki.mode", "module")
    result = tedge("cert", "create", "--device-id", "d")
    assert result.exit_code == 1
    assert "device.cryptoki.mode is 'module': keys held by a hardware security module" in result.stderr


def test_the_cryptoki_keys_are_stored_as_upstream_writes_them(tedge: Run, config_dir: Path) -> None:
    """`tedge config set device.cryptoki.*` works (tedge.toml as upstream's); the values are kept for
    a later HSM support, and a mode other than 'off' is refused where a key would be used."""
    values = {
        "device.cryptoki.mode": "socket", "device.cryptoki.module_path": "/usr/lib/softhsm/libsofthsm2.so",
        "device.cryptoki.pin": "4321", "device.cryptoki.uri": "pkcs11:token=tedge",
        "device.cryptoki.socket_path": "/run/tedge-p11-server/tedge-p11-server.sock",
    }  # fmt: skip
    for key, value in values.items():
        assert tedge("config", "set", key, value).exit_code == 0
    for key, value in values.items():
        assert tedge("config", "get", key).stdout.strip() == value
    assert '[device.cryptoki]\nmode = "socket"' in (config_dir / "tedge.toml").read_text()
    bad = tedge("config", "set", "device.cryptoki.mode", "hsm")
    assert bad.exit_code == 1 and "Supported values are: off, module, socket" in bad.stderr
    refused = tedge("cert", "create", "--device-id", "d")
    assert refused.exit_code == 1 and "device.cryptoki.mode is 'socket'" in refused.stderr
