"""The REST command groups, by name: what ``c8y --help`` lists without importing a spec module.

``tests/unit/operator/api/test_specs.py`` holds this index equal to the modules' ``GROUP`` literals.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from c8ylink.operator.api.spec import CommandSpec, GroupSpec

SPEC_PACKAGE = "c8ylink.operator.api.specs"

# group name -> one-line help. A group is its hand-written module SPEC_PACKAGE.<name> (HAND_WRITTEN:
# better help texts and examples), go-c8y-cli's declared commands (``operator.api.upstream``), or both:
# a hand-written command takes precedence over the declared one of the same name.
GROUPS: dict[str, str] = {
    "agents": "Cumulocity agents",
    "alarms": "Cumulocity alarms",
    "applications": "Cumulocity applications (and their versions)",
    "auditrecords": "Cumulocity audit records",
    "binaries": "Cumulocity binaries (inventory files)",
    "bulkoperations": "Cumulocity bulk operations",
    "configuration": "Configuration repository",
    "currentapplication": "The current application (microservice credentials)",
    "currenttenant": "The current tenant",
    "currentuser": "The current user",
    "databroker": "Data broker connectors",
    "datahub": "Cumulocity DataHub",
    "devicegroups": "Cumulocity device groups (and their children)",
    "devicemanagement": "Device management (trusted certificates)",
    "deviceprofiles": "Device profiles",
    "deviceregistration": "Device registration: new device requests, CA registration",
    "devices": "Cumulocity devices",
    "events": "Cumulocity events",
    "firmware": "Firmware repository (versions, patches)",
    "identity": "Cumulocity external identities",
    "inventory": "Cumulocity managed objects",
    "measurements": "Cumulocity measurements",
    "microservices": "Cumulocity microservices",
    "notification2": "Notifications 2.0 subscriptions and tokens",
    "operations": "Cumulocity operations",
    "remoteaccess": "Cloud remote access configurations",
    "retentionrules": "Retention rules",
    "smartgroups": "Smart groups",
    "software": "Software repository (versions)",
    "systemoptions": "System options",
    "tenantoptions": "Tenant options",
    "tenants": "Cumulocity tenants",
    "tenantstatistics": "Tenant usage statistics",
    "ui": "UI extensions (plugins)",
    "usergroups": "User groups",
    "userreferences": "Users in groups",
    "userroles": "User roles and their references",
    "users": "Cumulocity users",
}
HAND_WRITTEN = frozenset(
    {
        "alarms", "applications", "currenttenant", "currentuser", "devicemanagement", "deviceregistration",
        "devices", "events", "firmware", "identity", "inventory", "measurements", "microservices",
        "notification2", "operations", "software", "ui",
    }
)  # fmt: skip

# commands of a group that are not REST requests (``operator.cli.rest.build_group`` adds them):
# group -> ((name, one-line help), ...); each is built by ``operator.cli.realtime``
REALTIME_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    group: (("subscribe", f"Subscribe to realtime {noun}"),)
    for group, noun in (
        ("alarms", "alarms"), ("events", "events"), ("inventory", "managed objects"),
        ("measurements", "measurements"), ("operations", "operations"),
    )
}  # fmt: skip


def spec_module(group: str) -> str:
    return f"{SPEC_PACKAGE}.{group}"


def load_group(name: str) -> GroupSpec:
    """One group: its hand-written module's ``GROUP`` (imported now, and only this one), completed with
    the declared commands it does not write by hand."""
    from c8ylink.operator.api.spec import GroupSpec
    from c8ylink.operator.api.upstream import load_upstream

    declared = load_upstream(name)
    if name not in HAND_WRITTEN:
        return GroupSpec(name, GROUPS[name], declared)
    import importlib

    group: GroupSpec = importlib.import_module(spec_module(name)).GROUP
    own = {command.name: command for command in group.commands}
    merged = [
        _complete(own[command.name], command) if command.name in own else command for command in declared
    ]
    names = {command.name for command in declared}
    return group._replace(commands=(*merged, *(c for c in group.commands if c.name not in names)))


def _complete(own: CommandSpec, declared: CommandSpec) -> CommandSpec:
    """A hand-written command with the declared flags it lacks (same flags as upstream) and its examples."""
    names = {param.name for param in own.params}
    extra = tuple(param for param in declared.params if param.name not in names)
    return own._replace(params=own.params + extra, upstream_examples=declared.upstream_examples)
