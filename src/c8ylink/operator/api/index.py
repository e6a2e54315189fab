"""The REST command groups, by name: what ``c8y --help`` lists without importing a spec module.

``tests/unit/operator/api/test_specs.py`` holds this index equal to the modules' ``GROUP`` literals.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from c8ylink.operator.api.spec import GroupSpec

SPEC_PACKAGE = "c8ylink.operator.api.specs"

# group name -> one-line help (the module is SPEC_PACKAGE.<name>)
GROUPS: dict[str, str] = {
    "alarms": "Cumulocity alarms",
    "currenttenant": "The current tenant",
    "currentuser": "The current user",
    "devicemanagement": "Device management (trusted certificates)",
    "deviceregistration": "Device registration: new device requests, CA registration",
    "devices": "Cumulocity devices",
    "events": "Cumulocity events",
    "identity": "Cumulocity external identities",
    "inventory": "Cumulocity managed objects",
    "measurements": "Cumulocity measurements",
    "operations": "Cumulocity operations",
}


def spec_module(group: str) -> str:
    return f"{SPEC_PACKAGE}.{group}"


def load_group(name: str) -> GroupSpec:
    """The ``GROUP`` literal of one spec module (imported now, and only this one)."""
    import importlib

    group: GroupSpec = importlib.import_module(spec_module(name)).GROUP
    return group
