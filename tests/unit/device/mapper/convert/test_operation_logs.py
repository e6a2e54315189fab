"""c8y.operations.auto_log_upload: a finished command's log (``logPath``) is uploaded before its status,
always, only on failure (the default) or never."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from c8ylink.device.mapper.config import AutoLogUpload
from c8ylink.device.mapper.convert.operation_logs import finish_log_upload

if TYPE_CHECKING:
    from conftest import MapperFactory

NOTIFICATIONS = "c8y/devicecontrol/notifications"
TRANSFER = "c8y-internal/transfer"
RESTART = "te/device/main///cmd/restart/c8y-mapper-7"
LOG = "/var/log/tedge/agent/workflow-restart-c8y-mapper-7.log"


def finish(make_mapper: MapperFactory, policy: AutoLogUpload, state: dict[str, Any]) -> list[Any]:
    mapper = make_mapper(auto_log_upload=policy)
    mapper.send(NOTIFICATIONS, {"id": "7", "status": "PENDING", "c8y_Restart": {}})
    return mapper.send(RESTART, state)


FAILED = {"status": "failed", "reason": "no reboot", "logPath": LOG}
SUCCESSFUL = {"status": "successful", "logPath": LOG}


@pytest.mark.parametrize(
    ("policy", "state", "uploaded"),
    [
        (AutoLogUpload.ON_FAILURE, FAILED, True),
        (AutoLogUpload.ON_FAILURE, SUCCESSFUL, False),
        (AutoLogUpload.ALWAYS, SUCCESSFUL, True),
        (AutoLogUpload.ALWAYS, FAILED, True),
        (AutoLogUpload.NEVER, FAILED, False),
    ],
)
def test_the_policy_decides_whether_the_log_goes_first(
    make_mapper: MapperFactory, policy: AutoLogUpload, state: dict[str, Any], uploaded: bool
) -> None:
    out = finish(make_mapper, policy, state)
    record = "505,7,no reboot" if state["status"] == "failed" else "506,7"
    final = [("c8y/s/us", record, False), (RESTART, "", True)]
    if not uploaded:
        assert [(m.topic, m.text, m.retain) for m in out] == final
        return
    (transfer,) = out
    assert transfer.topic == TRANSFER
    effect = json.loads(transfer.payload)
    assert {key: effect[key] for key in ("kind", "path", "externalId", "eventType", "text")} == {
        "kind": "operation_log", "path": LOG, "externalId": "dev1", "eventType": "restart_op_log",
        "text": "restart operation log",
    }  # fmt: skip
    # the status follows the upload (done or failed)
    assert [(m.topic, m.text, m.retain) for m in finish_log_upload(effect)] == final


def test_without_a_log_path_the_status_goes_at_once(make_mapper: MapperFactory) -> None:
    out = finish(make_mapper, AutoLogUpload.ALWAYS, {"status": "failed", "reason": "x"})
    assert [m.text for m in out] == ["505,7,x", ""]


def test_executing_uploads_nothing(make_mapper: MapperFactory) -> None:
    out = finish(make_mapper, AutoLogUpload.ALWAYS, {"status": "executing", "logPath": LOG})
    assert [m.text for m in out] == ["504,7"]


def test_a_successful_snapshot_uploads_its_log_then_the_snapshot(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(auto_log_upload=AutoLogUpload.ALWAYS)
    mapper.send(NOTIFICATIONS, {"id": "8", "status": "PENDING", "c8y_UploadConfigFile": {"type": "app"}})
    topic = "te/device/main///cmd/config_snapshot/c8y-mapper-8"
    url = "http://127.0.0.1:8000/te/v1/files/main/config_snapshot/app-c8y-mapper-8"
    (transfer,) = mapper.send(topic, {"status": "successful", "type": "app", "tedgeUrl": url, "logPath": LOG})
    effect = json.loads(transfer.payload)
    assert (effect["kind"], effect["eventType"]) == ("operation_log", "config_snapshot_op_log")
    (then,) = finish_log_upload(effect)
    assert then.topic == TRANSFER and json.loads(then.payload)["kind"] == "upload"


def test_the_setting_reaches_the_mapper_config() -> None:
    from c8ylink.core.settings.resolve import build_settings
    from c8ylink.device.config.settings import TEDGE
    from c8ylink.device.mapper.settings import build_mapper_config

    def config(**groups: Any) -> Any:
        data = {"device": {"id": "dev1"}, "c8y": {"url": "t.example.com"}} | groups
        settings = build_settings(TEDGE, file_data=data, file_name="tedge.toml", env={}, config_dir="/etc")
        return build_mapper_config(settings)

    assert config().auto_log_upload is AutoLogUpload.ON_FAILURE
    chosen = config(
        c8y={"url": "t.example.com", "operations": {"auto_log_upload": "always"}}, logs={"path": "/srv/l"}
    )
    assert (chosen.auto_log_upload, chosen.logs_path) == (AutoLogUpload.ALWAYS, "/srv/l")


async def test_only_files_under_logs_path_are_uploaded(tmp_path: Any) -> None:
    """``logPath`` comes from an MQTT message: a path elsewhere (or a link out) is refused unread."""
    from c8ylink.device.mapper.config import MapperConfig
    from c8ylink.device.mapper.transfers import TransferFailed, Transfers

    class NoCloud:
        def request(self, *args: Any) -> Any:
            raise AssertionError("nothing may be sent")

    logs = tmp_path / "logs"
    (logs / "agent").mkdir(parents=True)
    secret = tmp_path / "secret"
    secret.write_text("key")
    (logs / "agent/link.log").symlink_to(secret)
    transfers = Transfers(MapperConfig("dev1", logs_path=str(logs)), NoCloud())
    base = {"kind": "operation_log", "externalId": "dev1", "eventType": "t", "text": "t", "time": "t"}
    for path in (secret, logs / "agent/link.log", logs / "agent/../../secret", logs / "agent"):
        with pytest.raises(TransferFailed, match=r"is not a file in logs\.path"):
            await transfers.run({**base, "path": str(path)})
    with pytest.raises(TransferFailed, match=r"Cannot read .*missing\.log"):
        await transfers.run({**base, "path": str(logs / "agent/missing.log")})
    await transfers.close()
