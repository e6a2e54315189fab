"""The agent's workflow runner with real scripts and a recording publisher (no broker): states are
published in order, sub-commands are awaited, an agent restart is awaited."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

from c8ylink.core.workflows.builtin import builtin_workflow
from c8ylink.core.workflows.expressions import CommandState
from c8ylink.core.workflows.spec import parse_workflow
from c8ylink.device.agent.workflow_runner import SUBCOMMAND, WorkflowRunner

ROOT = "te/device/main///cmd"


class Recorder:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any] | None]] = []
        self.runner = WorkflowRunner(self.publish, self.publish_wait, self.builtin, self.topic_for)

    def publish(self, topic: str, payload: dict[str, Any] | None) -> None:
        self.published.append((topic, payload))

    async def publish_wait(self, topic: str, payload: dict[str, Any]) -> None:
        self.publish(topic, payload)

    async def builtin(self, command: CommandState, state: str) -> tuple[str | None, dict[str, Any]]:
        return None, {"builtin": state}

    @staticmethod
    def topic_for(operation: str, command_id: str) -> str:
        return f"{ROOT}/{operation}/{command_id}"

    def statuses(self, topic: str) -> list[str]:
        return [str(p["status"]) if p else "" for t, p in self.published if t == topic]


def command(operation: str, payload: dict[str, Any], command_id: str = "c8y-mapper-1") -> CommandState:
    return CommandState(f"{ROOT}/{operation}/{command_id}", "device/main//", operation, command_id, payload)


def script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


async def test_a_workflow_runs_its_scripts_and_builtin_steps(tmp_path: Path) -> None:
    check = script(tmp_path, "check.sh", 'echo ":::begin-tedge:::{\\"seen\\": \\"$1\\"}:::end-tedge:::"\n')
    workflow = parse_workflow(
        f'operation = "x"\n[init]\nscript = "{check} ${{.payload.v}}"\non_success = "executing"\n'
        '[executing]\naction = "builtin"\non_success = "successful"\n',
        source="x.toml",
    )
    recorder = Recorder()
    await recorder.runner.drive(workflow, command("x", {"status": "init", "v": "42"}))
    (_, last), *_ = reversed(recorder.published)
    assert recorder.statuses(f"{ROOT}/x/c8y-mapper-1") == ["executing", "successful"]
    assert last == {"status": "successful", "v": "42", "seen": "42", "builtin": "executing"}


async def test_a_script_past_its_timeout_fails_the_command(tmp_path: Path) -> None:
    slow = script(tmp_path, "slow.sh", "sleep 5\n")
    workflow = parse_workflow(
        f'operation = "x"\n[init]\nscript = "{slow}"\ntimeout_second = 0.2\non_success = "successful"\n',
        source="x.toml",
    )
    recorder = Recorder()
    await recorder.runner.drive(workflow, command("x", {"status": "init"}))
    ((_, failed),) = recorder.published
    assert failed is not None and failed["status"] == "failed" and "timeout" in failed["reason"]


async def test_a_device_profile_awaits_each_sub_command() -> None:
    workflow = builtin_workflow("device_profile")
    assert workflow is not None
    recorder = Recorder()
    operations = [{"operation": "config_update", "payload": {"type": "a"}},
                  {"operation": "software_update", "payload": {"updateList": []}}]  # fmt: skip
    task = asyncio.create_task(
        recorder.runner.drive(
            workflow, command("device_profile", {"status": "init", "operations": operations})
        )
    )
    for expected in ("config_update", "software_update"):
        for _ in range(100):
            await asyncio.sleep(0.01)
            subs = [(t, p) for t, p in recorder.published if f"/{expected}/sub-" in t and p]
            if subs:
                break
        ((sub_topic, init),) = subs
        assert init is not None and init["status"] == "init"
        command_id = sub_topic.rpartition("/")[2]
        recorder.runner.observe(
            CommandState(sub_topic, "device/main//", expected, command_id, {**init, "status": "successful"})
        )
    await asyncio.wait_for(task, 5)
    profile = recorder.statuses(f"{ROOT}/device_profile/c8y-mapper-1")
    assert profile[-1] == "successful"
    assert profile.count("awaiting_operation") == 2
    cleared = [t for t, p in recorder.published if p is None]
    assert len(cleared) == 2  # the sub-commands' retained states are removed
    final = next(p for t, p in reversed(recorder.published) if t.endswith("device_profile/c8y-mapper-1"))
    assert final is not None and SUBCOMMAND not in final and "@next" not in final


async def test_await_agent_restart_succeeds_when_resumed() -> None:
    workflow = parse_workflow(
        'operation = "x"\n[init]\naction = "await-agent-restart"\non_success = "successful"\n',
        source="x.toml",
    )
    recorder = Recorder()
    await recorder.runner.drive(workflow, command("x", {"status": "init"}), resumed=True)
    assert recorder.statuses(f"{ROOT}/x/c8y-mapper-1") == ["successful"]
