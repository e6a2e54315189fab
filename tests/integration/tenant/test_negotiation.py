"""Content negotiation the Cumulocity way: a body in a type the tenant cannot read answers 415, an
``Accept`` that rules JSON out answers 406, each with Cumulocity's error body; binaries and counts
keep answering the types they serve."""

from __future__ import annotations

import httpx2
import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("method", "path", "accept"),
    [
        ("GET", "/inventory/managedObjects", "application/xml"),
        ("GET", "/alarm/alarms", "text/html"),
        ("GET", "/alarm/alarms/count", "text/html, application/xml;q=0.9"),
        ("POST", "/measurement/measurements", "application/xml"),
    ],
)
def test_accept_without_json_answers_406(api: httpx2.Client, method: str, path: str, accept: str) -> None:
    before = api.get("/measurement/measurements", params={"withTotalElements": "true"}).json()
    answer = api.request(method, path, headers={"Accept": accept}, json={"type": "x"})
    assert answer.status_code == 406
    assert answer.json()["error"] == "general/notAcceptable"
    after = api.get("/measurement/measurements", params={"withTotalElements": "true"}).json()
    assert after["statistics"]["totalElements"] == before["statistics"]["totalElements"]


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.com.nsn.cumulocity.managedobjectcollection+json",
        "application/json",
        "*/*",
        "application/xml, application/json;q=0.5",
        "application/*",
    ],
)
def test_accept_admitting_json_is_served(api: httpx2.Client, accept: str) -> None:
    assert api.get("/inventory/managedObjects", headers={"Accept": accept}).status_code == 200


def test_counts_and_binaries_keep_their_types(api: httpx2.Client, device_id: str) -> None:
    count = api.get("/alarm/alarms/count", headers={"Accept": "text/plain"})
    assert count.status_code == 200 and count.headers["Content-Type"].startswith("text/plain")
    stored = api.post(
        "/inventory/binaries",
        files={"file": ("pixel.png", b"\x89PNG", "image/png")},
        headers={"Accept": "*/*"},
    )
    assert stored.status_code == 201
    content = api.get(f"/inventory/binaries/{stored.json()['id']}", headers={"Accept": "image/png"})
    assert content.status_code == 200 and content.content == b"\x89PNG"


@pytest.mark.parametrize(
    "content_type", ["application/xml", "text/plain", "application/x-www-form-urlencoded"]
)
def test_body_in_an_unreadable_type_answers_415(
    api: httpx2.Client, device_id: str, content_type: str
) -> None:
    answer = api.post(
        "/event/events",
        content=b'{"type": "x", "text": "t", "time": "2026-01-01T00:00:00Z", "source": {"id": "%s"}}'
        % device_id.encode(),
        headers={"Content-Type": content_type},
    )
    assert answer.status_code == 415
    assert answer.json()["error"] == "general/unsupportedMediaType"
