"""Device registration and the certificate authority over HTTPS (§3.8, §3.10).

The CA flow runs end to end as a device does it: an operator registers the device with a one-time
password in a bulk CSV, the device enrolls over EST with a CSR built by ``cryptography`` (not by our
own code), the issued certificate verifies against the tenant CA and then logs in over mutual TLS.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store

from c8ylink.core.jwt import decode_jwt_claims
from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
BULK = "/devicecontrol/bulkNewDeviceRequests"
EST = "/.well-known/est/simpleenroll"


def _bootstrap(tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]) -> httpx2.Client:
    boot = tenant.info.bootstrap
    return client_for(tenant, (boot.username, boot.password))


def test_new_device_request_flow_with_bootstrap_credentials(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    serial = unique("basic-dev")
    created = api.post("/devicecontrol/newDeviceRequests", json={"id": serial})
    assert created.status_code == 201
    assert created.json()["status"] == "WAITING_FOR_CONNECTION" and created.json()["tenantId"] == "t100"
    boot = _bootstrap(tenant, client_for)
    assert boot.post("/devicecontrol/deviceCredentials", json={"id": serial}).status_code == 404
    assert api.get(f"/devicecontrol/newDeviceRequests/{serial}").json()["status"] == "PENDING_ACCEPTANCE"
    accepted = api.put(f"/devicecontrol/newDeviceRequests/{serial}", json={"status": "ACCEPTED"})
    assert accepted.json()["status"] == "ACCEPTED"
    credentials = boot.post("/devicecontrol/deviceCredentials", json={"id": serial})
    assert credentials.status_code == 201
    document = credentials.json()
    assert document["username"] == f"device_{serial}" and document["tenantId"] == "t100"
    device = client_for(tenant, (f"t100/{document['username']}", document["password"]))
    assert device.get("/user/currentUser").json()["userName"] == f"device_{serial}"
    assert boot.get("/inventory/managedObjects").status_code == 403  # bootstrap may only poll credentials


def test_new_device_request_errors(api: httpx2.Client) -> None:
    missing = api.post("/devicecontrol/newDeviceRequests", json={"type": "x"})
    assert missing.status_code == 422
    assert missing.json()["message"] == "Following mandatory fields should be included: id"
    serial = unique("dup")
    assert api.post("/devicecontrol/newDeviceRequests", json={"id": serial}).status_code == 201
    assert api.post("/devicecontrol/newDeviceRequests", json={"id": serial}).status_code == 409
    early = api.put(f"/devicecontrol/newDeviceRequests/{serial}", json={"status": "ACCEPTED"})
    assert early.status_code == 422  # the device has not asked yet
    assert api.get("/devicecontrol/newDeviceRequests/no-such-device").status_code == 404
    assert api.delete(f"/devicecontrol/newDeviceRequests/{serial}").status_code == 204
    listing = api.get("/devicecontrol/newDeviceRequests", params={"pageSize": "2000"}).json()
    assert serial not in [entry["id"] for entry in listing["newDeviceRequests"]]


@pytest.mark.parametrize("separator", ["\t", ";", ","], ids=["tab", "semicolon", "comma"])
def test_bulk_registration_with_any_separator(api: httpx2.Client, separator: str) -> None:
    serial = unique("bulk")
    header = separator.join(
        ["ID", "CREDENTIALS", "NAME", "TYPE", "ICCID", "PATH", "com_cumulocity_model_Agent.active"]
    )
    row = separator.join(
        [serial, "Secret-123", f"Device {serial}", "thin-edge.io", "8949", "site/floor", "true"]
    )
    answer = api.post(BULK, files={"file": ("devices.csv", f"{header}\n{row}\n", "text/csv")})
    assert answer.status_code == 201
    assert answer.json()["numberOfSuccessful"] == 1 and answer.json()["numberOfFailed"] == 0
    object_id = api.get(f"/identity/externalIds/c8y_Serial/{serial}").json()["managedObject"]["id"]
    device = api.get(f"/inventory/managedObjects/{object_id}").json()
    assert device["name"] == f"Device {serial}" and device["c8y_Mobile"] == {"iccid": "8949"}
    assert device["com_cumulocity_model_Agent"] == {"active": "true"} and "c8y_IsDevice" in device
    group = api.get(
        f"/inventory/managedObjects/{device['assetParents']['references'][0]['managedObject']['id']}"
    )
    assert group.json()["name"] == "floor"


@pytest.mark.parametrize(
    ("csv", "status", "reason"),
    [
        ("NAME,TYPE\nx,y\n", 422, "ID"),
        ("ID,NAME\n{id},x\n", 201, "Missing mandatory value CREDENTIALS"),
        ("ID,CREDENTIALS,NAME\n{id},pw\n", 201, "Wrong number of columns"),
    ],
    ids=["no-id-column", "no-credentials-column", "row-with-missing-columns"],
)
def test_bulk_csv_with_missing_columns(api: httpx2.Client, csv: str, status: int, reason: str) -> None:
    answer = api.post(BULK, files={"file": ("d.csv", csv.format(id=unique("csv")))})
    assert answer.status_code == status
    if status == 201:
        failure = answer.json()["failedCreationList"][0]
        assert reason in failure["failureReason"] and failure["bulkNewDeviceStatus"] == "FAILED"
    else:
        assert reason in answer.json()["message"]


def test_bulk_registration_needs_multipart(api: httpx2.Client) -> None:
    answer = api.post(BULK, content=b"ID,CREDENTIALS\nx,y\n", headers={"Content-Type": "text/csv"})
    assert answer.status_code == 415


# -- the CA flow -----------------------------------------------------------------------------------------
def _register_for_enrollment(api: httpx2.Client, serial: str, otp: str) -> None:
    header = "ID\tAUTH_TYPE\tENROLLMENT_OTP\tNAME\tTYPE\tIDTYPE\tcom_cumulocity_model_Agent.active"
    row = f"{serial}\tCERTIFICATES\t{otp}\t{serial}\tthin-edge.io\tc8y_Serial\ttrue"
    answer = api.post(BULK, files={"file": ("register.csv", f"{header}\n{row}\n")})
    assert answer.status_code == 201 and answer.json()["numberOfSuccessful"] == 1, answer.text


def _key_and_csr(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return key, csr.public_bytes(serialization.Encoding.PEM)


def _thin_edge_body(csr_pem: bytes) -> bytes:
    """thin-edge sends the PEM body without the armour lines, newlines kept."""
    return b"\n".join(line for line in csr_pem.splitlines() if not line.startswith(b"-----"))


def _enroll(client: httpx2.Client, serial: str, otp: str, body: bytes) -> httpx2.Response:
    token = base64.b64encode(f"{serial}:{otp}".encode()).decode()
    return client.post(
        EST, content=body, headers={"Authorization": f"Basic {token}", "Content-Type": "application/pkcs10"}
    )


def _tenant_ca(api: httpx2.Client) -> x509.Certificate:
    listing = api.get(
        "/tenant/tenants/t100/trusted-certificates", params={"certificateAuthority": "true"}
    ).json()
    (entry,) = listing["certificates"]
    assert entry["tenantCertificateAuthority"] is True
    return x509.load_pem_x509_certificate(entry["certInPemFormat"].encode())


def test_ca_flow_end_to_end(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    serial, otp = unique("ca-device"), "Otp-0123456789-abcdef"
    _register_for_enrollment(api, serial, otp)
    device_http = client_for(tenant)
    key, csr_pem = _key_and_csr(serial)
    answer = _enroll(device_http, serial, otp, _thin_edge_body(csr_pem))
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/pkcs7-mime")
    (leaf,) = pkcs7.load_der_pkcs7_certificates(base64.b64decode(answer.content))
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == serial
    ca = _tenant_ca(api)
    # device certificates carry no SAN, so the end-entity extension rules are relaxed
    verifier = (
        PolicyBuilder()
        .store(Store([ca]))
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    assert verifier.verify(leaf, []).chain == [leaf, ca]
    # the OTP is single-use
    replay = _enroll(device_http, serial, otp, _thin_edge_body(_key_and_csr(serial)[1]))
    assert replay.status_code == 401 and replay.json()["error"] == "security/Unauthorized"
    # the certificate logs the device in over mutual TLS ...
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    mtls = client_for(tenant, mtls=True, cert=(cert_file, key_file))
    token_answer = mtls.post("/devicecontrol/deviceAccessToken")
    assert token_answer.status_code == 200, token_answer.text
    token = token_answer.json()["accessToken"]
    assert decode_jwt_claims(token)["sub"] == f"device_{serial}"
    # ... and the device token renews the certificate over EST
    bearer = client_for(tenant, headers={"Authorization": f"Bearer {token}"})
    renewal = bearer.post(
        "/.well-known/est/simplereenroll",
        content=_key_and_csr(serial)[1],
        headers={"Content-Type": "application/pkcs10"},
    )
    assert renewal.status_code == 200
    (renewed,) = pkcs7.load_der_pkcs7_certificates(base64.b64decode(renewal.content))
    assert renewed.serial_number != leaf.serial_number
    assert bearer.get("/user/currentUser").json()["userName"] == f"device_{serial}"
    other = bearer.post(
        "/.well-known/est/simplereenroll",
        content=_key_and_csr("someone-else")[1],
        headers={"Content-Type": "application/pkcs10"},
    )
    assert other.status_code == 422


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not base64 at all!!", "application/pkcs10", 400),
        (base64.b64encode(b"valid base64 but not a CSR"), "application/pkcs10", 400),
        (b"", "application/pkcs10", 400),
        (b"MIIB", "application/json", 415),
    ],
    ids=["non-base64-body", "malformed-csr", "empty-body", "wrong-content-type"],
)
def test_bad_enrollment_bodies(
    tenant: BackgroundTenant,
    api: httpx2.Client,
    client_for: Callable[..., httpx2.Client],
    body: bytes,
    content_type: str,
    status: int,
) -> None:
    serial, otp = unique("est-bad"), "Otp-0123456789-abcdef"
    _register_for_enrollment(api, serial, otp)
    token = base64.b64encode(f"{serial}:{otp}".encode()).decode()
    answer = client_for(tenant).post(
        EST, content=body, headers={"Authorization": f"Basic {token}", "Content-Type": content_type}
    )
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "message", "info"}
    # a refused body does not use up the one-time password
    assert _enroll(client_for(tenant), serial, otp, _key_and_csr(serial)[1]).status_code == 200


def test_enrollment_before_registration_is_401_json(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    answer = _enroll(client_for(tenant), unique("unregistered"), "whatever-otp", _key_and_csr("x")[1])
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/vnd.com.nsn.cumulocity.error+json")
    assert answer.json()["error"] == "security/Unauthorized"


def test_wrong_otps_lock_the_enrollment(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    serial, otp = unique("locked"), "Otp-0123456789-abcdef"
    _register_for_enrollment(api, serial, otp)
    client = client_for(tenant)
    csr = _key_and_csr(serial)[1]
    for _ in range(5):
        assert _enroll(client, serial, "Wrong-otp-000000", csr).status_code == 401
    locked = _enroll(client, serial, otp, csr)
    assert locked.status_code == 401 and "locked" in locked.json()["message"]
    state = {r["id"]: r for r in api.get("/__local__/registrations").json()["registrations"]}[serial]
    assert state["locked"] is True and state["otpFailures"] == 5
    # deleting and registering again is how an operator unlocks a device
    assert api.delete(f"{BULK}/{serial}").status_code == 204
    _register_for_enrollment_again = api.post(
        BULK, files={"file": ("r.csv", f"ID,ENROLLMENT_OTP\n{serial},{otp}\n")}
    )
    assert _register_for_enrollment_again.json()["numberOfSuccessful"] == 1
    assert _enroll(client, serial, otp, csr).status_code == 200


def test_enrollment_csr_must_name_the_device(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    serial, otp = unique("cn"), "Otp-0123456789-abcdef"
    _register_for_enrollment(api, serial, otp)
    answer = _enroll(client_for(tenant), serial, otp, _key_and_csr("another-name")[1])
    assert answer.status_code == 422
