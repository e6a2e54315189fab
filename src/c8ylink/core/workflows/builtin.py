"""The workflows the agent brings, declared as thin-edge.io workflow files (a user's file for the same
operation in ``<config-dir>/operations`` replaces them).

- ``firmware_update``: ``scheduled`` downloads the image (``tedgeUrl``, else ``remoteUrl``) and checks
  its ``sha256`` when the command has one; ``executing`` installs it with the firmware plugin;
- ``device_profile``: its ``operations`` one after another, each as a sub-command (``firmware_update``,
  ``software_update``, ``config_update``), stopping at the first that fails.
"""

from __future__ import annotations

from c8ylink.core.workflows.spec import Workflow, parse_workflow

FIRMWARE_UPDATE = """
operation = "firmware_update"

[init]
action = "proceed"
on_success = "scheduled"

[scheduled]
action = "builtin"
on_success = "executing"

[executing]
action = "builtin"
on_success = "successful"

[successful]
action = "cleanup"

[failed]
action = "cleanup"
"""

DEVICE_PROFILE = """
operation = "device_profile"

[init]
action = "proceed"
on_success = "scheduled"

[scheduled]
action = "proceed"
on_success = "executing"

[executing]
action = "proceed"
on_success = "next_operation"

[next_operation]
iterate = "${.payload.operations}"
on_next = "apply_operation"
on_success = "successful"

[apply_operation]
operation = "${.payload.@next.item.operation}"
input = "${.payload.@next.item.payload}"
on_exec = "awaiting_operation"

[awaiting_operation]
action = "await-operation-completion"
on_success = "next_operation"
on_error = "failed"

[successful]
action = "cleanup"

[failed]
action = "cleanup"
"""

BUILTIN_WORKFLOWS: dict[str, str] = {"firmware_update": FIRMWARE_UPDATE, "device_profile": DEVICE_PROFILE}


def builtin_workflow(operation: str) -> Workflow | None:
    text = BUILTIN_WORKFLOWS.get(operation)
    return None if text is None else parse_workflow(text, source=f"builtin {operation} workflow")
