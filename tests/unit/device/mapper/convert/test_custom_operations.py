"""Operation templates (operations/c8y files with [exec]): parsing and the messages they lead to."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.custom_operations import finish_custom_run, parse_template

if TYPE_CHECKING:
    from conftest import Mapper

NOTIFICATIONS = "c8y/devicecontrol/notifications"
SMARTREST = """[exec]
topic = "c8y/s/ds"
on_message = "511"
command = "/etc/tedge/operations/command --flag"
timeout = 10
"""
JSON_COMMAND = """[exec]
on_fragment = "c8y_Echo"
command = "/bin/echo ${.payload.c8y_Echo.text}"
"""
WORKFLOW = """[exec]
on_fragment = "c8y_Issue"

[exec.workflow]
operation = "issue"
input.text = "${.payload.c8y_Issue.text}"
output = "${.payload.result}"
"""


def operation(op_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": op_id, "status": "PENDING", "externalSource": {"externalId": "dev1", "type": "c8y_Serial"},
            **fields}  # fmt: skip


def install(mapper: Mapper, name: str, text: str) -> None:
    template = parse_template(name, text, source=f"/etc/tedge/operations/c8y/{name}")
    assert template is not None
    mapper.state.templates[template.name] = template


def test_templates_are_parsed() -> None:
    template = parse_template("c8y_Command", SMARTREST, source="x")
    assert template is not None
    assert (template.on_message, template.command, template.timeout) == (
        "511", "/etc/tedge/operations/command --flag", 10.0,
    )  # fmt: skip
    assert parse_template("c8y_Restart", "", source="x") is None  # a plain operation file
    flow = parse_template("c8y_Issue.template", WORKFLOW, source="x")
    assert flow is not None and (flow.name, flow.workflow_operation) == ("c8y_Issue", "issue")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[exec\n", "invalid TOML"),
        ('[exec]\ncommand = "/bin/true"\n', "on_message"),
        ('[exec]\non_message = "511"\n', "'command' or 'workflow.operation'"),
        ('[exec]\non_message = "511"\ncommand = "x"\ntimeout = -1\n', "positive number"),
        ('[exec]\non_message = "511"\ncommand = "x"\nresult_format = "json"\n', "'text' or 'csv'"),
    ],
)
def test_bad_templates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_template("c8y_Bad", text, source="/etc/tedge/operations/c8y/c8y_Bad")


def test_a_smartrest_line_runs_the_command_with_the_line_as_last_argument(mapper: Mapper) -> None:
    install(mapper, "c8y_Command", SMARTREST)
    out = mapper.send("c8y/s/ds", "511,dev1,echo hello")
    assert [(m.topic, m.text) for m in out[:1]] == [("c8y/s/us", "501,c8y_Command")]
    run = json.loads(out[1].text)
    assert out[1].topic == "c8y-internal/custom"
    assert run["argv"] == ["/etc/tedge/operations/command", "--flag", "511,dev1,echo hello"]
    ctx = Context(mapper.state, mapper.now, mapper.config)
    done = finish_custom_run(run, "hello\n", None, ctx)
    assert [(m.topic, m.text) for m in done] == [("c8y/s/us", "503,c8y_Command,hello")]
    failed = finish_custom_run(run, None, "/etc/tedge/operations/command cannot be run: No such file", ctx)
    assert failed[0].text == "502,c8y_Command,/etc/tedge/operations/command cannot be run: No such file"


def test_a_json_operation_renders_the_command_and_reports_by_id(mapper: Mapper) -> None:
    install(mapper, "c8y_Echo", JSON_COMMAND)
    out = mapper.send(NOTIFICATIONS, operation("7", c8y_Echo={"text": "hi there"}))
    assert (out[0].topic, out[0].text) == ("c8y/s/us", "504,7")
    run = json.loads(out[1].text)
    assert run["argv"] == ["/bin/echo", "hi there"]
    done = finish_custom_run(run, "hi there\n", None, Context(mapper.state, mapper.now, mapper.config))
    assert done[0].text == "506,7,hi there"


def test_a_template_workflow_becomes_a_te_command_and_its_output_is_reported(mapper: Mapper) -> None:
    install(mapper, "c8y_Issue.template", WORKFLOW)
    assert mapper.texts("te/device/main///cmd/issue", {}) == [("c8y/s/us", "114,c8y_Issue")]
    (command,) = mapper.send(NOTIFICATIONS, operation("8", c8y_Issue={"text": "go"}))
    assert command.topic == "te/device/main///cmd/issue/c8y-mapper-8"
    request = json.loads(command.text)
    assert (request["status"], request["text"]) == ("init", "go")
    assert mapper.texts(command.topic, {**request, "status": "executing"}) == [("c8y/s/us", "504,8")]
    out = mapper.send(command.topic, {**request, "status": "successful", "result": "done"})
    assert [(m.topic, m.text) for m in out] == [("c8y/s/us", "506,8,done"), (command.topic, "")]


def test_result_format_csv_makes_each_field_of_the_output_a_field_of_the_status(mapper: Mapper) -> None:
    """result_format = "csv": the output is one CSV record whose fields follow the operation id; "text"
    (the default) sends the whole output as one field."""
    install(
        mapper,
        "c8y_RelayArray",
        JSON_COMMAND.replace("c8y_Echo", "c8y_RelayArray") + 'result_format = "csv"\n',
    )
    out = mapper.send(NOTIFICATIONS, operation("8", c8y_RelayArray={"text": "x"}))
    run = json.loads(out[1].text)
    ctx = Context(mapper.state, mapper.now, mapper.config)
    assert finish_custom_run(run, 'OPEN,CLOSED,"a ""b"""\n', None, ctx)[0].text == (
        '506,8,OPEN,CLOSED,"a ""b"""'
    )
    assert finish_custom_run(run, "", None, ctx)[0].text == "506,8"
    failed = finish_custom_run(run, "a,b\nc,d\n", None, ctx)[0].text
    assert failed == "505,8,The command's output is not one CSV record but 2"
    install(mapper, "c8y_Text", JSON_COMMAND.replace("c8y_Echo", "c8y_Text"))
    text_run = json.loads(mapper.send(NOTIFICATIONS, operation("9", c8y_Text={"text": "x"}))[1].text)
    assert finish_custom_run(text_run, "OPEN,CLOSED\n", None, ctx)[0].text == '506,9,"OPEN,CLOSED"'
