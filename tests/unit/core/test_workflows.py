"""Workflow files (thin-edge.io 1.x operation workflows): parsing, checks and the step rules."""

from __future__ import annotations

import pytest

from c8ylink.core.workflows.builtin import BUILTIN_WORKFLOWS, builtin_workflow
from c8ylink.core.workflows.expressions import (
    CommandState,
    parse_script_output,
    render_command,
    render_value,
)
from c8ylink.core.workflows.spec import ActionKind, Transition, WorkflowError, parse_workflow
from c8ylink.core.workflows.steps import (
    ScriptResult,
    after_script,
    after_sub_operation,
    iterate,
    sub_operation,
)

FIRMWARE = """
operation = "firmware_update"
on_error = "failed"

[init]
script = "/usr/bin/firmware_handler.sh plan ${.payload.url}"
on_success = "executing"
on_error = { status = "failed", reason = "not timely" }

[executing]
action = "proceed"
on_success = "install"

[install]
script = "/usr/bin/install.sh"
on_exit.0 = "verify"
on_exit.2-5 = { status = "rollback", reason = "broken" }
on_exit._ = "failed"

[verify]
script = "/usr/bin/verify.sh"
on_stdout = ["successful", "rollback"]

[rollback]
background_script = "/usr/bin/rollback.sh"
on_exec = "failed"

[successful]
action = "cleanup"
"""


def command(payload: dict[str, object], operation: str = "firmware_update") -> CommandState:
    topic = f"te/device/main///cmd/{operation}/c8y-mapper-1"
    return CommandState(topic, "device/main//", operation, "c8y-mapper-1", payload)


def test_a_workflow_file_is_parsed_into_states_and_handlers() -> None:
    workflow = parse_workflow(FIRMWARE, source="fw.toml")
    assert workflow.operation == "firmware_update"
    assert workflow.on_error == Transition("failed")
    init = workflow.states["init"]
    assert (init.action, init.argument) == (
        ActionKind.SCRIPT,
        "/usr/bin/firmware_handler.sh plan ${.payload.url}",
    )
    assert init.on_error == Transition("failed", "not timely")
    assert workflow.states["executing"].action is ActionKind.PROCEED
    assert workflow.states["rollback"].action is ActionKind.BACKGROUND_SCRIPT
    assert workflow.states["successful"].action is ActionKind.CLEANUP


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('operation = "x"\n[init\n', "invalid TOML"),
        ("[init]\naction = 'proceed'\n", "'operation' is missing"),
        (
            'operation = "x"\n[start]\naction = "proceed"\non_success = "successful"\n',
            "'init' state is missing",
        ),
        ('operation = "x"\n[init]\naction = "proceed"\non_success = "nowhere"\n', "unknown state 'nowhere'"),
        ('operation = "x"\n[init]\naction = "jump"\n', "unknown action 'jump'"),
        ('operation = "x"\n[init]\nscript = "a"\naction = "proceed"\n', "one action per state"),
        ('operation = "x"\n[init]\nscrpit = "a"\n', "unknown key 'scrpit'"),
        ('operation = "x"\n[init]\nscript = "a"\non_exit.1-3 = "failed"\non_exit.2 = "failed"\n', "overlaps"),
        ('operation = "x"\n[init]\nscript = "a"\non_exit.x = "failed"\n', "not an exit code"),
        ('operation = "x"\n[init]\nscript = "a"\non_stdout = "b"\n', "list of state names"),
    ],
)
def test_a_bad_workflow_file_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(WorkflowError, match=message) as caught:
        parse_workflow(text, source="/etc/tedge/operations/x.toml")
    assert "/etc/tedge/operations/x.toml" in str(caught.value)


def test_the_builtin_workflows_are_valid() -> None:
    for operation in BUILTIN_WORKFLOWS:
        workflow = builtin_workflow(operation)
        assert workflow is not None and workflow.operation == operation


def test_expressions_are_resolved_from_the_topic_and_the_payload() -> None:
    state = command({"status": "init", "url": "http://x/y z", "nested": {"n": 3}})
    argv = render_command(
        "/bin/run ${.topic.operation} ${.payload.url} '${.payload}' ${.payload.nope}", state
    )
    assert argv[:3] == ["/bin/run", "firmware_update", "http://x/y z"]
    assert argv[3].startswith('{"status":"init"')
    assert argv[4] == "${.payload.nope}"  # an unknown path is left as it is
    assert render_value({"n": "${.payload.nested.n}", "t": "id ${.topic.cmd_id}"}, state) == {
        "n": 3,
        "t": "id c8y-mapper-1",
    }
    assert render_value("${.topic.target}", state) == "device/main//"


def test_script_output_between_the_markers_is_read() -> None:
    printed = 'noise\n:::begin-tedge:::\n{"status": "verify", "x": 1}\n:::end-tedge:::\nmore'
    assert parse_script_output(printed) == {"status": "verify", "x": 1}
    assert parse_script_output('{"a": 1}') == {"a": 1}
    assert parse_script_output("not json") is None


def test_the_exit_code_picks_the_next_state() -> None:
    workflow = parse_workflow(FIRMWARE, source="fw.toml")
    install = workflow.states["install"]
    state = command({"status": "install", "keep": True})
    assert after_script(install, workflow, state, ScriptResult(0), "install.sh")["status"] == "verify"
    broken = after_script(install, workflow, state, ScriptResult(3), "install.sh")
    assert (broken["status"], broken["reason"], broken["keep"]) == ("rollback", "broken", True)
    other = after_script(install, workflow, state, ScriptResult(9), "install.sh")
    assert (other["status"], other["reason"]) == ("failed", "install.sh returned exit code 9")
    missing = after_script(install, workflow, state, ScriptResult(error="No such file"), "install.sh")
    assert (missing["status"], missing["reason"]) == ("failed", "install.sh cannot be run: No such file")
    killed = after_script(install, workflow, state, ScriptResult(killed=True), "install.sh")
    assert killed["status"] == "failed" and "timeout" in killed["reason"]


def test_printed_json_is_merged_and_on_stdout_names_the_next_state() -> None:
    workflow = parse_workflow(FIRMWARE, source="fw.toml")
    verify = workflow.states["verify"]
    state = command({"status": "verify", "a": 1})
    printed = ':::begin-tedge:::{"status": "rollback", "reason": "bad crc", "b": 2}:::end-tedge:::'
    result = after_script(verify, workflow, state, ScriptResult(0, printed), "verify.sh")
    assert result == {"status": "rollback", "reason": "bad crc", "a": 1, "b": 2}
    wrong = after_script(verify, workflow, state, ScriptResult(0, '{"status": "elsewhere"}'), "verify.sh")
    assert wrong["status"] == "failed" and "did not print the next state" in wrong["reason"]


def test_iterate_walks_the_list_skipping_skipped_items() -> None:
    workflow = builtin_workflow("device_profile")
    assert workflow is not None
    spec = workflow.states["next_operation"]
    items = [{"operation": "a"}, {"operation": "b", "skip": True}, {"operation": "c"}]
    state = command({"status": "next_operation", "operations": items}, "device_profile")
    first = iterate(spec, workflow, state)
    assert (first["status"], first["@next"]) == ("apply_operation", {"index": 0, "item": items[0]})
    second = iterate(spec, workflow, command(first, "device_profile"))
    assert second["@next"]["index"] == 2
    done = iterate(spec, workflow, command(second, "device_profile"))
    assert done["status"] == "successful" and "@next" not in done


def test_a_sub_operation_gets_its_input_and_reports_back() -> None:
    workflow = builtin_workflow("device_profile")
    assert workflow is not None
    payload = {"status": "apply_operation", "@next": {"index": 0, "item": {"operation": "firmware_update",
               "payload": {"name": "fw", "version": "2"}}}}  # fmt: skip
    operation, init = sub_operation(workflow.states["apply_operation"], command(payload, "device_profile"))
    assert (operation, init) == ("firmware_update", {"name": "fw", "version": "2", "status": "init"})
    waiting = command({"status": "awaiting_operation"}, "device_profile")
    failed = command({"status": "failed", "reason": "checksum"}, "firmware_update")
    result = after_sub_operation(workflow.states["awaiting_operation"], workflow, waiting, failed)
    assert (result["status"], result["reason"]) == ("failed", "firmware_update failed: checksum")
    ok = command({"status": "successful"}, "firmware_update")
    assert after_sub_operation(workflow.states["awaiting_operation"], workflow, waiting, ok)["status"] == (
        "next_operation"
    )
