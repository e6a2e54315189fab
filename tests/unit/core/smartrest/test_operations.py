"""Operations as the tenant pushes them on s/ds and as the device reads them back (cumulocity-api.md §2.3)."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.core.errors import SmartRestError
from c8ylink.core.smartrest.codec import decode_record, encode_record
from c8ylink.core.smartrest.operations import parse_operation, render_operation
from c8ylink.core.smartrest.templates import Direction, templates_of

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("restart", {"c8y_Restart": {}}, "510,dev"),
    ("command", {"c8y_Command": {"text": 'echo "hi"'}}, '511,dev,"echo \\"hi\\""'),
    ("configuration", {"c8y_Configuration": {"config": "a=1\nb=2"}}, '513,dev,"a=1\nb=2"'),
    (
        "firmware",
        {"c8y_Firmware": {"name": "fw", "version": "1.0", "url": "http://x/fw"}},
        "515,dev,fw,1.0,http://x/fw",
    ),
    (
        "firmware patch",
        {"c8y_Firmware": {"name": "fw", "version": "1.1", "url": "http://x", "dependency": "1.0"}},
        "525,dev,fw,1.1,http://x,1.0",
    ),
    (
        "software list",
        {"c8y_SoftwareList": [{"name": "a", "version": "1", "url": "u"}, {"name": "b"}]},
        "516,dev,a,1,u,b",
    ),
    ("measurement request", {"c8y_MeasurementRequestOperation": {"requestName": "LOGA"}}, "517,dev,LOGA"),
    ("relay", {"c8y_Relay": {"relayState": "OPEN"}}, "518,dev,OPEN"),
    ("relay array", {"c8y_RelayArray": ["OPEN", "CLOSE"]}, "519,dev,OPEN,CLOSE"),
    ("legacy config upload", {"c8y_UploadConfigFile": {}}, "520,dev"),
    ("legacy config download", {"c8y_DownloadConfigFile": {"url": "http://x/c"}}, "521,dev,http://x/c"),
    (
        "log file",
        {
            "c8y_LogfileRequest": {
                "logFile": "syslog",
                "dateFrom": "2021-10-23T19:03:26+0100",
                "dateTo": "2021-10-24T19:03:26+0100",
                "searchText": "ERROR",
                "maximumLines": 1000,
            }
        },
        "522,dev,syslog,2021-10-23T19:03:26+0100,2021-10-24T19:03:26+0100,ERROR,1000",
    ),
    ("communication mode", {"c8y_CommunicationMode": {"mode": "SMS"}}, "523,dev,SMS"),
    (
        "typed config download",
        {"c8y_DownloadConfigFile": {"url": "http://x/c", "type": "tedge.toml"}},
        "524,dev,http://x/c,tedge.toml",
    ),
    ("typed config upload", {"c8y_UploadConfigFile": {"type": "tedge.toml"}}, "526,dev,tedge.toml"),
    (
        "device profile",
        {
            "c8y_DeviceProfile": {
                "firmware": {"name": "fw", "version": "2", "url": "http://f", "isPatch": "false"},
                "software": [{"name": "a", "version": "1", "url": "http://a", "action": "install"}],
                "configuration": [{"url": "http://c", "type": "tedge.toml"}],
            }
        },
        "527,dev,$FW,fw,2,http://f,false,,$SW,a,1,http://a,install,$CONF,http://c,tedge.toml",
    ),
    (
        "legacy software update",
        {
            "c8y_SoftwareUpdate": [
                {"name": "nginx", "version": "1.2", "action": "install"},
                {"name": "vim", "action": "delete"},
            ]
        },
        "528,dev,nginx,1.2,,install,vim,,,delete",
    ),
    (
        "typed software update",
        {
            "c8y_SoftwareUpdate": [
                {
                    "name": "nginx",
                    "version": "1.2",
                    "softwareType": "apt",
                    "url": "http://n",
                    "action": "install",
                }
            ]
        },
        "529,dev,nginx,1.2,apt,http://n,install",
    ),
    (
        "remote access",
        {"c8y_RemoteAccessConnect": {"hostname": "127.0.0.1", "port": 22, "connectionKey": "k"}},
        "530,dev,127.0.0.1,22,k",
    ),
]


@pytest.mark.parametrize(("operation", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_operation_renders_to_its_line_and_parses_back(operation: dict[str, Any], line: str) -> None:
    full = {"id": "123", "status": "PENDING", "description": "x", **operation}
    record = render_operation(full, "dev")
    assert record is not None
    assert encode_record(record) == line
    parsed = parse_operation(decode_record(line))
    ((fragment, value),) = operation.items()
    assert (parsed.template_id, parsed.target, parsed.fragment, parsed.value) == (
        int(line[:3]),
        "dev",
        fragment,
        value,
    )


def test_the_cases_cover_every_operation_template() -> None:
    covered = {int(line[:3]) for _, _, line in CASES}
    assert covered == {t.id for t in templates_of(Direction.DOWNSTREAM) if t.fragment}


def test_operation_without_static_template_stays_json_only() -> None:
    assert render_operation({"id": "1", "c8y_Custom": {"x": 1}}, "dev") is None


def test_wrong_fragment_shape_is_refused() -> None:
    with pytest.raises(SmartRestError, match="c8y_SoftwareUpdate must be a list to render SmartREST 528"):
        render_operation({"c8y_SoftwareUpdate": {"name": "x"}}, "dev")


def test_non_operation_records_are_refused() -> None:
    with pytest.raises(SmartRestError, match="106 is not an operation template"):
        parse_operation(("106", "c1"))
