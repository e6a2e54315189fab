"""Inventory over HTTPS: CRUD, Accept semantics, queries, references, paging (§3.0, §3.2, §4.2)."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, unique

pytestmark = pytest.mark.integration
MO = "/inventory/managedObjects"
VENDOR_MO = "application/vnd.com.nsn.cumulocity.managedobject+json"


def _create(api: httpx2.Client, **body: object) -> dict[str, object]:
    response = api.post(MO, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_read_update_delete(api: httpx2.Client) -> None:
    created = api.post(MO, json={"name": unique("mo"), "type": "pump", "c8y_IsDevice": {}, "id": "123"})
    assert created.status_code == 201
    body = created.json()
    assert isinstance(body["id"], str) and body["id"].isdigit() and body["id"] != "123"
    assert created.headers["Location"] == body["self"] == f"{api.base_url}{MO}/{body['id']}"
    assert created.headers["Content-Type"].startswith(VENDOR_MO)
    assert body["owner"] == "admin"
    fetched = api.get(f"{MO}/{body['id']}").json()
    assert fetched["name"] == body["name"] and fetched["childDevices"]["references"] == []
    assert api.delete(f"{MO}/{body['id']}").status_code == 204
    missing = api.get(f"{MO}/{body['id']}")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "inventory/Not Found",
        "message": f"Finding device data from database failed : No managedObject for id '{body['id']}'!",
        "info": "https://www.cumulocity.com/guides/reference-guide/#error_reporting",
    }


def test_posts_and_puts_return_a_body_only_when_accept_is_sent(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    quiet = client_for(tenant, admin_auth(tenant))
    del quiet.headers["Accept"]
    created = quiet.post(MO, json={"name": "x"})
    assert "Accept" not in created.request.headers
    assert created.status_code == 201 and created.content == b""
    object_id = created.headers["Location"].rsplit("/", 1)[1]
    updated = quiet.put(f"{MO}/{object_id}", json={"name": "y"})
    assert updated.status_code == 200 and updated.content == b""
    assert api.get(f"{MO}/{object_id}").json()["name"] == "y"


def test_partial_put_merges_and_null_deletes(api: httpx2.Client) -> None:
    created = _create(api, name=unique("mo"), a={"x": 1}, b={"y": 2})
    updated = api.put(f"{MO}/{created['id']}", json={"a": {"z": 3}, "b": None, "owner": "mallory"}).json()
    assert updated["a"] == {"z": 3} and "b" not in updated
    assert updated["owner"] == "admin" and updated["name"] == created["name"]
    assert updated["lastUpdated"] >= str(created["lastUpdated"])


def test_an_id_only_put_is_a_heartbeat(api: httpx2.Client) -> None:
    created = _create(api, name=unique("mo"), c8y_RequiredAvailability={"responseInterval": 5})
    answer = api.put(f"{MO}/{created['id']}", json={"id": created["id"]})
    assert answer.status_code == 200 and answer.json() == {"id": created["id"]}
    assert api.get(f"{MO}/{created['id']}").json()["c8y_Availability"]["status"] == "AVAILABLE"


def test_queries_filter_like_cumulocity(api: httpx2.Client) -> None:
    marker = unique("query")
    first = _create(
        api, name=f"{marker}-a", type=marker, c8y_IsDevice={}, c8y_Availability={"status": "AVAILABLE"}
    )
    second = _create(api, name=f"{marker}-b", type=marker)

    def names(**params: str) -> list[str]:
        answer = api.get(MO, params={"pageSize": "100", **params})
        assert answer.status_code == 200, answer.text
        return [mo["name"] for mo in answer.json()["managedObjects"]]

    assert names(type=marker) == [f"{marker}-a", f"{marker}-b"]
    assert names(query=f"$filter=(name eq '{marker}-b')") == [f"{marker}-b"]
    assert names(query=f"name eq '{marker}*' and c8y_Availability.status eq 'AVAILABLE'") == [f"{marker}-a"]
    assert names(query=f"$filter=(type eq '{marker}') $orderby=name desc") == [f"{marker}-b", f"{marker}-a"]
    assert names(q=f"name eq '{marker}*'") == [f"{marker}-a"]  # q adds fragmentType=c8y_IsDevice
    assert names(type=marker, fragmentType="c8y_IsDevice") == [f"{marker}-a"]
    assert names(ids=f"{second['id']},{first['id']}") == [f"{marker}-b", f"{marker}-a"]
    assert names(text=f"{marker}-B") == [f"{marker}-b"]
    assert f"{marker}-a" in names(owner="admin", type=marker)


def test_bad_queries_are_422(api: httpx2.Client) -> None:
    answer = api.get(MO, params={"query": "name eq"})
    assert answer.status_code == 422
    assert answer.json()["error"] == "undefined/validationError"


def test_child_devices_and_assets(api: httpx2.Client) -> None:
    parent = _create(api, name=unique("parent"))
    child = _create(api, name=unique("child"))
    linked = api.post(f"{MO}/{parent['id']}/childDevices", json={"managedObject": {"id": child["id"]}})
    assert linked.status_code == 201
    created = api.post(f"{MO}/{parent['id']}/childAssets", json={"name": "new asset", "c8y_Thing": {}})
    assert created.status_code == 201
    asset_id = created.json()["managedObject"]["id"]
    parent_view = api.get(f"{MO}/{parent['id']}").json()
    assert [r["managedObject"]["id"] for r in parent_view["childDevices"]["references"]] == [child["id"]]
    assert parent_view["childDevices"]["references"][0]["managedObject"]["name"] == child["name"]
    child_view = api.get(f"{MO}/{child['id']}").json()
    assert [r["managedObject"]["id"] for r in child_view["deviceParents"]["references"]] == [parent["id"]]
    listing = api.get(f"{MO}/{parent['id']}/childAssets").json()
    assert [r["managedObject"]["id"] for r in listing["references"]] == [asset_id]
    assert api.get(f"{MO}/{parent['id']}/childDevices/{child['id']}").status_code == 200
    assert (
        api.get(MO, params={"childDeviceId": child["id"]}).json()["managedObjects"][0]["id"] == parent["id"]
    )
    assert api.delete(f"{MO}/{parent['id']}/childDevices/{child['id']}").status_code == 204
    assert api.get(f"{MO}/{parent['id']}/childDevices/{child['id']}").status_code == 404
    assert api.delete(f"{MO}/{parent['id']}", params={"cascade": "true"}).status_code == 204
    assert api.get(f"{MO}/{asset_id}").status_code == 404


def test_paging_rules(api: httpx2.Client) -> None:
    marker = unique("paging")
    for index in range(7):
        _create(api, name=f"{marker}-{index}", type=marker)
    first = api.get(MO, params={"type": marker}).json()
    assert len(first["managedObjects"]) == 5  # default page size
    assert first["statistics"] == {"currentPage": 1, "pageSize": 5}
    assert "prev" not in first and "currentPage=2" in first["next"]
    second = api.get(first["next"]).json()
    assert len(second["managedObjects"]) == 2 and "currentPage=1" in second["prev"]
    third = api.get(second["next"]).json()
    assert third["managedObjects"] == [] and "next" in third  # next is always there
    totals = api.get(
        MO, params={"type": marker, "withTotalPages": "true", "withTotalElements": "true"}
    ).json()
    assert totals["statistics"] == {"currentPage": 1, "pageSize": 5, "totalPages": 2, "totalElements": 7}
    clamped = api.get(MO, params={"type": marker, "pageSize": "100000"}).json()
    assert clamped["statistics"]["pageSize"] == 2000 and len(clamped["managedObjects"]) == 7


@pytest.mark.parametrize(
    "params",
    [{"pageSize": "abc"}, {"pageSize": "-5"}, {"currentPage": "0"}, {"withTotalPages": "maybe"}],
    ids=["size-not-a-number", "size-negative", "page-zero", "total-not-boolean"],
)
def test_bad_paging_values_are_422(api: httpx2.Client, params: dict[str, str]) -> None:
    answer = api.get(MO, params=params)
    assert answer.status_code == 422
    assert answer.json()["error"] == "undefined/validationError"


def test_vendor_media_types_are_accepted(api: httpx2.Client) -> None:
    answer = api.post(
        MO,
        content=b'{"name": "vendor"}',
        headers={
            "Content-Type": "application/vnd.com.nsn.cumulocity.managedObject+json;charset=UTF-8;ver=0.9"
        },
    )
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"name": ', "application/json", 422),
        (b"name=x", "application/x-www-form-urlencoded", 415),
        (b'{"name": "x"}', "text/plain", 415),
        (b"[1, 2]", "application/json", 422),
        (b'{"name": "x", "v": NaN}', "application/json", 422),
        (b'{"name": "x", "v": Infinity}', "application/json", 422),
        (b'{"name": "x", "v": 1e999}', "application/json", 422),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", 422),
        (b'{"name": "\xff"}', "application/json", 422),
    ],
    ids=[
        "malformed-json",
        "form-body",
        "text-plain",
        "not-an-object",
        "nan",
        "infinity",
        "overflow",
        "nested-too-deep",
        "not-utf8",
    ],
)
def test_bad_bodies(api: httpx2.Client, content: bytes, content_type: str, status: int) -> None:
    answer = api.post(MO, content=content, headers={"Content-Type": content_type})
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/vnd.com.nsn.cumulocity.error+json")
    assert set(answer.json()) == {"error", "message", "info"}


def test_oversize_bodies_are_413(api: httpx2.Client) -> None:
    answer = api.post(
        MO,
        content=b'{"blob": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "general/requestEntityTooLarge"


def test_unknown_ids_are_404_everywhere(api: httpx2.Client) -> None:
    for path in (
        f"{MO}/999999999",
        f"{MO}/999999999/childDevices",
        "/event/events/999999999",
        "/alarm/alarms/999999999",
        "/measurement/measurements/999999999",
        "/devicecontrol/operations/999999999",
        "/identity/externalIds/c8y_Serial/nobody",
    ):
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["error"].endswith("/Not Found"), path


def test_unknown_routes_answer_with_error_json(api: httpx2.Client) -> None:
    answer = api.get("/no/such/api")
    assert answer.status_code == 404 and answer.json()["error"] == "general/notFound"


def test_devices_get_their_own_objects_only(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    serial = unique("dev")
    csv = f"ID,CREDENTIALS,NAME\n{serial},Secret-{serial}1,{serial}\n"
    registered = api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv, "text/csv")})
    assert registered.json()["numberOfSuccessful"] == 1
    own_id = api.get(f"/identity/externalIds/c8y_Serial/{serial}").json()["managedObject"]["id"]
    device = client_for(tenant, (f"{tenant.info.tenant}/device_{serial}", f"Secret-{serial}1"))
    assert device.put(f"{MO}/{own_id}", json={"c8y_Firmware": {"version": "1"}}).status_code == 200
    child = device.post(MO, json={"name": "child"}).json()
    assert (
        device.post(f"{MO}/{own_id}/childDevices", json={"managedObject": {"id": child["id"]}}).status_code
        == 201
    )
    foreign = _create(api, name=unique("foreign"))
    denied = device.put(f"{MO}/{foreign['id']}", json={"name": "mine"})
    assert denied.status_code == 403
    assert denied.json() == {**denied.json(), "error": "security/Forbidden", "message": "Access is denied"}
    assert device.get(f"{MO}/{foreign['id']}").status_code == 200  # reading is allowed
    assert client_for(tenant, admin_auth(tenant)).get(f"{MO}/{own_id}").json()["c8y_Firmware"] == {
        "version": "1"
    }
