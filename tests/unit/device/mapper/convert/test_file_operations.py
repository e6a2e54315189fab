"""Configuration and log operations: cloud operation -> command (or download) -> upload -> SmartREST."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.file_operations import finish_transfer

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

NOTIFICATIONS = "c8y/devicecontrol/notifications"
TRANSFER = "c8y-internal/transfer"
FTS = "http://127.0.0.1:8000/te/v1/files"


def operation(op_id: str = "123", target: str = "dev1", **fragments: Any) -> dict[str, Any]:
    return {"id": op_id, "status": "PENDING", "externalSource": {"externalId": target}, **fragments}


def test_config_snapshot_round_trip(mapper: Mapper) -> None:
    (command,) = mapper.send(NOTIFICATIONS, operation(c8y_UploadConfigFile={"type": "mosquitto"}))
    topic = "te/device/main///cmd/config_snapshot/c8y-mapper-123"
    url = f"{FTS}/main/config_snapshot/mosquitto-c8y-mapper-123"
    assert (command.topic, command.retain) == (topic, True)
    assert json.loads(command.payload) == {"status": "init", "type": "mosquitto", "tedgeUrl": url}
    assert mapper.texts(topic, {"status": "executing", "type": "mosquitto", "tedgeUrl": url}) == [
        ("c8y/s/us", "504,123")
    ]
    (transfer,) = mapper.send(topic, {"status": "successful", "type": "mosquitto", "tedgeUrl": url})
    assert transfer.topic == TRANSFER
    effect = json.loads(transfer.payload)
    assert effect | {"time": "t"} == {
        "kind": "upload", "tedgeUrl": url, "externalId": "dev1", "eventType": "mosquitto",
        "text": "Configuration snapshot of type mosquitto", "time": "t", "clearTopic": topic,
        "operationId": "123", "fragment": "c8y_UploadConfigFile", "byId": True, "smartrestTopic": "c8y/s/us",
    }  # fmt: skip
    ctx = Context(mapper.state, mapper.now, mapper.config)
    out = finish_transfer(effect, "https://t.example/event/events/9/binaries", None, ctx)
    assert [(m.topic, m.text, m.retain) for m in out] == [
        ("c8y/s/us", "506,123,https://t.example/event/events/9/binaries", False),
        (topic, "", True),
    ]
    failed = finish_transfer(effect, None, "Cannot upload", ctx)
    assert [m.text for m in failed] == ["505,123,Cannot upload", ""]


def test_config_snapshot_failed_by_the_agent(mapper: Mapper) -> None:
    mapper.send(NOTIFICATIONS, operation(c8y_UploadConfigFile={"type": "nope"}))
    topic = "te/device/main///cmd/config_snapshot/c8y-mapper-123"
    out = mapper.send(topic, {"status": "failed", "reason": "The configuration type 'nope' is not defined"})
    assert [(m.topic, m.text) for m in out] == [
        ("c8y/s/us", "505,123,The configuration type 'nope' is not defined"),
        (topic, ""),
    ]


def test_config_update_downloads_first(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(c8y_http_host="t.example")
    remote = "https://t.example/inventory/binaries/77"
    mapper.send("te/device/child01//", {"@type": "child-device"})
    (transfer,) = mapper.send(
        NOTIFICATIONS,
        operation("124", "dev1:device:child01", c8y_DownloadConfigFile={"type": "app", "url": remote}),
    )
    effect = json.loads(transfer.payload)
    topic = "te/device/child01///cmd/config_update/c8y-mapper-124"
    url = f"{FTS}/child01/config_update/app-c8y-mapper-124"
    assert (transfer.topic, effect["kind"], effect["source"]) == (
        TRANSFER,
        "download",
        "http://127.0.0.1:8001/c8y/inventory/binaries/77",
    )
    assert effect["command"] == {
        "topic": topic, "payload": {"status": "init", "type": "app", "tedgeUrl": url, "remoteUrl": remote}
    }  # fmt: skip
    ctx = Context(mapper.state, mapper.now, mapper.config)
    (command,) = finish_transfer(effect, None, None, ctx)
    assert (command.topic, json.loads(command.payload)["tedgeUrl"], command.retain) == (topic, url, True)
    failed = finish_transfer(effect, None, "Cannot download x: 404", ctx)
    assert [(m.topic, m.text) for m in failed] == [
        ("c8y/s/us/dev1:device:child01", "505,124,Cannot download x: 404")
    ]
    out = mapper.send(topic, {"status": "successful", "type": "app", "tedgeUrl": url})
    assert [(m.topic, m.text) for m in out] == [
        ("c8y/s/us/dev1:device:child01", "506,124"),
        (topic, ""),
        (TRANSFER, json.dumps({"kind": "delete", "tedgeUrl": url}, separators=(",", ":"))),
    ]
    assert finish_transfer(json.loads(out[2].payload), None, None, ctx) == []


def test_log_request(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(use_operation_id=False)
    request = {"logFile": "agent", "dateFrom": "2026-01-01T00:00:00Z", "dateTo": "2026-01-02T00:00:00Z",
               "searchText": "ERROR", "maximumLines": 50}  # fmt: skip
    (command,) = mapper.send(NOTIFICATIONS, operation(c8y_LogfileRequest=request))
    topic = "te/device/main///cmd/log_upload/c8y-mapper-123"
    assert command.topic == topic
    assert json.loads(command.payload) == {
        "status": "init", "type": "agent", "tedgeUrl": f"{FTS}/main/log_upload/agent-c8y-mapper-123",
        "dateFrom": "2026-01-01T00:00:00Z", "dateTo": "2026-01-02T00:00:00Z", "searchText": "ERROR",
        "lines": 50,
    }  # fmt: skip
    (transfer,) = mapper.send(topic, {**json.loads(command.payload), "status": "successful"})
    effect = json.loads(transfer.payload)
    assert (effect["eventType"], effect["byId"], effect["text"]) == ("agent", False, "Log file of type agent")
    ctx = Context(mapper.state, mapper.now, mapper.config)
    assert finish_transfer(effect, "https://x/b", None, ctx)[0].text == "503,c8y_LogfileRequest,https://x/b"


def test_a_request_without_its_type_is_reported_and_failed(mapper: Mapper) -> None:
    error, executing, failed = mapper.send(NOTIFICATIONS, operation(c8y_UploadConfigFile={}))
    assert error.topic == "te/errors"
    assert "Invalid c8y_UploadConfigFile: no 'type'" in error.text
    assert (executing.topic, executing.text) == ("c8y/s/us", "501,c8y_UploadConfigFile")
    assert failed.text == "502,c8y_UploadConfigFile,Invalid c8y_UploadConfigFile: no 'type'"


def test_file_operations_are_gated_by_their_flag(make_mapper: MapperFactory) -> None:
    from c8ylink.device.mapper.config import EnabledOperations

    mapper = make_mapper(enable=EnabledOperations(config_snapshot=False))
    (error,) = mapper.send(NOTIFICATIONS, operation(c8y_UploadConfigFile={"type": "a"}))
    assert "c8y.enable.config_snapshot is false" in error.text


def test_capabilities_announce_the_types(mapper: Mapper) -> None:
    out = mapper.texts(
        "te/device/main///cmd/config_snapshot", {"types": ["tedge-configuration-plugin", "app"]}
    )
    assert out == [
        ("c8y/s/us", "114,c8y_UploadConfigFile"),
        ("c8y/s/us", "119,tedge-configuration-plugin,app"),
    ]
    out = mapper.texts("te/device/main///cmd/log_upload", {"types": ["agent"]})
    assert out == [("c8y/s/us", "114,c8y_LogfileRequest,c8y_UploadConfigFile"), ("c8y/s/us", "118,agent")]


def test_smartrest_526_524_522(make_mapper: MapperFactory) -> None:
    from c8ylink.device.mapper.config import OperationSource

    mapper = make_mapper(operation_source=OperationSource.SMARTREST)
    (snapshot,) = mapper.send("c8y/s/ds", "526,dev1,mosquitto")
    assert snapshot.topic.startswith("te/device/main///cmd/config_snapshot/c8y-mapper-")
    assert json.loads(snapshot.payload)["type"] == "mosquitto"
    (update,) = mapper.send("c8y/s/ds", "524,dev1,http://files.example/a,app")
    effect = json.loads(update.payload)
    assert (update.topic, effect["source"], effect["byId"]) == (TRANSFER, "http://files.example/a", False)
    (log,) = mapper.send("c8y/s/ds", "522,dev1,agent,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,ERR,10")
    payload = json.loads(log.payload)
    assert (payload["type"], payload["searchText"], payload["lines"]) == ("agent", "ERR", 10)
    out = mapper.send(snapshot.topic, {**json.loads(snapshot.payload), "status": "executing"})
    assert [m.text for m in out] == ["501,c8y_UploadConfigFile"]
