"""``c8y extensions create NAME``: a new extension folder, a git repository with an example of each
part (an alias, two script commands, api commands, a template, a view), its scripts staged as
executables."""

from __future__ import annotations

import json
from pathlib import Path

from c8ylink.infra.files import write_atomic
from c8ylink.operator.extensions.manifest import (
    API,
    COMMANDS,
    MANIFEST,
    PREFIX,
    TEMPLATES,
    VIEWS,
    ExtensionError,
)

_MANIFEST = """\
version: "v1"
aliases:
  - name: {name}-device
    description: Show one managed object as JSON (an alias run by c8y itself)
    command: |
      inventory get --id "$1" --output json --view off
    shell: false

  - name: {name}-hello
    description: Greet (an alias run by the shell)
    command: |
      echo "hello from {full}: $1"
    shell: true
"""

_API = """\
# REST commands declared in go-c8y-cli's spec format: c8y {name} devices list | get | create
group:
  name: devices
  description: Linux devices (an example api command group)

commands:
  - name: list
    description: List the Linux devices
    exampleList:
      - command: c8y {name} devices list --model raspberrypi4
        description: The Linux devices of one model
    preset:
      type: query-inventory
      options:
        value: has(c8y_IsLinux)
      extensions:
        - name: model
          type: string
          format: (c8y_Hardware.model eq '%s')
          description: Filter by the hardware model

  - name: get
    description: Get a device
    method: GET
    path: inventory/managedObjects/{{id}}
    exampleList:
      - command: c8y {name} devices get --id mydevice
        description: A device by name (or id)
    pathParameters:
      - name: id
        type: device[]
        pipeline: true
        required: true
        description: The device (id or name)

  - name: create
    description: Create a Linux device
    method: POST
    path: inventory/managedObjects
    exampleList:
      - command: c8y {name} devices create --name linux01 --model raspberrypi4
        description: A new Linux device
    body:
      - name: name
        type: string
        pipeline: true
        description: Name
      - name: model
        type: string
        property: c8y_Hardware.model
        description: Hardware model
    bodyTemplates:
      - type: jsonnet
        template: "{{c8y_IsDevice: {{}}, c8y_IsLinux: {{}}}}"
    bodyRequiredKeys:
      - name
"""

_SCRIPT = """\
#!/usr/bin/env bash
# c8y {name} {words}: an example script command of the {full} extension. c8y runs it with the
# arguments given after the command; stdout is data (for pipes), stderr is for people.
set -e

if [ "${{1:-}}" = "--help" ] || [ "${{1:-}}" = "-h" ]; then
    echo "{summary}"
    echo
    echo "Usage: c8y {name} {words} [ARGS...]"
    exit 0
fi

echo "running c8y {name} {words}" >&2
printf '{{"command": "{name} {words}", "args": "%s"}}\\n' "$*"
"""

_README = """\
# {full}

A go-c8y-cli extension (also usable with c8ylink's `c8y`).

| Part | Where | Example |
|------|-------|---------|
| Aliases | `extension.yaml` | `c8y {name}-hello world` |
| Commands | `commands/` | `c8y {name} list`, `c8y {name} services list` |
| API commands | `api/` | `c8y {name} devices list --model raspberrypi4` |
| Templates | `templates/` | `--template {name}::customCommand.jsonnet` |
| Views | `views/` | `--view {name}::customDevice` |

Install it from this folder with `c8y extensions install .`, or push it to a git repository and run
`c8y extensions install <url>`.
"""

_TEMPLATE = """\
// A custom operation: c8y operations create --device 1234 --template {name}::customCommand.jsonnet
{{
    description: "Executing custom operation: " + var("action", "do_something"),
    com_CustomOperation: {{
        param1: var("action", "do_something"),
    }},
}}
"""

_VIEW = {
    "version": "1",
    "definitions": [
        {
            "name": "customDevice",
            "priority": 350,
            "fragments": ["c8y_IsDevice"],
            "columns": ["id", "name", "type", "c8y_Availability.status", "c8y_Connection.status"],
        }
    ],
}


def scaffold_files(full: str) -> dict[str, tuple[str, int]]:
    """relative path -> (text, mode) of a new extension called ``full`` (``c8y-<name>``)."""
    name = full[len(PREFIX) :]
    scripts = {
        f"{COMMANDS}/list": ("list", "List items (an example command)"),
        f"{COMMANDS}/services/list": ("services list", "List services (an example command in a group)"),
    }
    files = {
        MANIFEST: (_MANIFEST.format(name=name, full=full), 0o644),
        "README.md": (_README.format(name=name, full=full), 0o644),
        f"{TEMPLATES}/customCommand.jsonnet": (_TEMPLATE.format(name=name), 0o644),
        f"{VIEWS}/exampleDevice.json": (json.dumps(_VIEW, indent=4) + "\n", 0o644),
        f"{API}/devices.yaml": (_API.format(name=name), 0o644),
    }
    for path, (words, summary) in scripts.items():
        files[path] = (_SCRIPT.format(name=name, full=full, words=words, summary=summary), 0o755)
    return files


def create(parent: Path, name: str) -> Path:
    """Create ``<parent>/c8y-<name>`` (``c8y-`` added unless given) as a git repository with the files
    staged; ``ExtensionError`` when it exists."""
    from c8ylink.operator.extensions.manager import git

    full = name if name.startswith(PREFIX) else PREFIX + name
    if not full[len(PREFIX) :] or "/" in full:
        raise ExtensionError(f"invalid extension name: {name!r}")
    target = parent / full
    if target.exists():
        raise ExtensionError(f"{target} already exists")
    git("init", "--quiet", str(target))
    files = scaffold_files(full)
    for relative, (text, mode) in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text, mode=mode)
    git("add", ".", cwd=target)
    git("update-index", "--chmod=+x", *(p for p, (_, mode) in files.items() if mode & 0o100), cwd=target)
    return target
