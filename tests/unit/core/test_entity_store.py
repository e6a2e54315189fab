from __future__ import annotations

import pytest

from c8ylink.core.entity_store import EntityStore, EntityStoreError
from c8ylink.core.topics import EntityTopicId

MAIN = "device/main//"


def store() -> EntityStore:
    return EntityStore(EntityTopicId(MAIN))


def test_register_completes_the_parent() -> None:
    entities = store()
    child = entities.register({"@topic-id": "device/child01//", "@type": "child-device", "name": "c1"})
    assert child == {"@topic-id": "device/child01//", "@type": "child-device", "name": "c1", "@parent": MAIN}
    entities.remember("device/child01//", child)
    service = entities.register({"@topic-id": "device/child01/service/app", "@type": "service"})
    assert service["@parent"] == "device/child01//"


@pytest.mark.parametrize(
    ("document", "status", "message"),
    [
        ([], 400, "JSON object"),
        ({"@type": "service"}, 400, "no '@topic-id'"),
        ({"@topic-id": "a/b", "@type": "service"}, 400, "Invalid '@topic-id'"),
        ({"@topic-id": "device/c//", "@type": "thing"}, 400, "'@type' must be"),
        ({"@topic-id": MAIN, "@type": "child-device"}, 409, "already registered"),
        (
            {"@topic-id": "device/c//", "@type": "child-device", "@parent": "device/x//"},
            400,
            "not registered",
        ),
    ],
)
def test_bad_registrations(document: object, status: int, message: str) -> None:
    with pytest.raises(EntityStoreError, match=message) as caught:
        store().register(document)
    assert caught.value.status == status


def test_remember_select_and_deregister_children_first() -> None:
    entities = store()
    entities.remember("device/c1//", {"@type": "child-device"})
    entities.remember("device/c2//", {"@type": "child-device", "@parent": "device/c1//"})
    entities.remember("device/c2/service/s", {"@type": "service"})
    entities.remember("device/main/service/x", {"@type": "bogus"})
    assert [e["@topic-id"] for e in entities.select()] == [
        MAIN,
        "device/c1//",
        "device/c2//",
        "device/c2/service/s",
    ]
    assert [e["@topic-id"] for e in entities.select(parent="device/c1//")] == ["device/c2//"]
    assert [e["@topic-id"] for e in entities.select(kind="service")] == ["device/c2/service/s"]
    assert entities.children_first("device/c1//") == ["device/c2/service/s", "device/c2//", "device/c1//"]
    with pytest.raises(EntityStoreError, match="main device"):
        entities.children_first(MAIN)
    with pytest.raises(EntityStoreError, match="not registered") as caught:
        entities.get("device/none//")
    assert caught.value.status == 404
    entities.remember("device/c1//", None)
    assert "device/c1//" not in entities.entities
