"""Declarations that several groups' spec modules share (a group's ``--help`` imports only its own
spec module, so what two of them need lives here): the polling commands of ``operator.api.waits``
(``assert ...``, ``wait``), the repository's child additions (software/firmware versions) and the
flags of an application's zip upload (``applications createHostedApplication``, ``microservices create``)."""

from __future__ import annotations

from c8ylink.operator.api.spec import BODY, CONTEXT, CommandSpec, ExampleSpec, ParamSpec

WAITS = "c8ylink.operator.api.waits:"
PIPED_IDS = ("id", "deviceId", "source.id", "managedObject.id")
CHILD_ADDITIONS = "/inventory/managedObjects/{%s}/childAdditions"
PARENT_ALIASES = ("additionParents.references.0.managedObject.id", "id")
MO_ACCEPT = "application/vnd.com.nsn.cumulocity.managedObject+json"

DURATION = ParamSpec("duration", "string", CONTEXT, "Give up after this long (30s, 1m)", default="30s")
INTERVAL = ParamSpec("interval", "string", CONTEXT, "Time between checks (5s, 1m)", default="5s")
ATTEMPTS = ParamSpec("attempts", "integer", CONTEXT, "Checks per id before giving up (-1: no limit)",
                     default="-1")  # fmt: skip
STRICT = ParamSpec("strict", "boolean", CONTEXT, "Fail (exit 112) when the assertion does not hold")
FRAGMENTS = ParamSpec("fragments", "string[]", CONTEXT,
                      "Fragment patterns that must all hold: name, !name (absent), name=regex")  # fmt: skip
POLL = (DURATION, INTERVAL, ATTEMPTS, STRICT)


def app_zip_params(what: str, last: ParamSpec) -> tuple[ParamSpec, ...]:
    """The flags of an application created or found by name, then its zip uploaded (``app_uploads``)."""
    return (
        ParamSpec("file", "file", CONTEXT, f"The {what}'s zip", required=True),
        ParamSpec("name", "string", BODY, "Name (default: the file's name without .zip)", pipeline=True,
                  pipeline_aliases=("name",)),
        ParamSpec("key", "string", BODY, "Key (default: <name>-key)"),
        ParamSpec("availability", "string", BODY, "Availability", choices=("MARKET", "PRIVATE")),
        ParamSpec("contextPath", "string", BODY, "Context path (default: the name)"),
        ParamSpec("skipUpload", "boolean", CONTEXT, "Create the application only"),
        last,
        ParamSpec("data", "json", BODY, "Additional properties of a new application"),
    )  # fmt: skip


def id_param(kind: str, text: str) -> ParamSpec:
    return ParamSpec("id", kind, CONTEXT, text, required=True, pipeline=True, pipeline_aliases=PIPED_IDS)


def assert_exists(group: str, kind: str) -> CommandSpec:
    return CommandSpec(
        "assert exists",
        "Assert that a managed object exists (or not) and pass the input on",
        "GET",
        "/inventory/managedObjects",
        long="The input (an id, a piped line) is printed when the assertion holds; --strict fails otherwise.",
        params=(id_param(kind, "Id (or name) to check"),
                ParamSpec("not", "boolean", CONTEXT, "Assert that it does not exist"), *POLL),
        handler=WAITS + "run_assert_exists",
        examples=(ExampleSpec(f"c8y {group} assert exists --id 12345", "Pass 12345 on if it exists", "GET",
                              "/inventory/managedObjects/12345"),),
    )  # fmt: skip


def assert_fragments(group: str, kind: str) -> CommandSpec:
    return CommandSpec(
        "assert fragments",
        "Assert that a managed object has fragments and pass the input on",
        "GET",
        "/inventory/managedObjects",
        long="The input is printed when every --fragments pattern holds; --strict fails otherwise.",
        params=(id_param(kind, "Id (or name) to check"), FRAGMENTS, *POLL),
        handler=WAITS + "run_assert_fragments",
        examples=(ExampleSpec(f"c8y {group} assert fragments --id 12345 --fragments c8y_IsDevice",
                              "Pass 12345 on if it is a device", "GET", "/inventory/managedObjects/12345"),),
    )  # fmt: skip


def assert_count(group: str, path: str, extra: tuple[ParamSpec, ...] = ()) -> CommandSpec:
    device_param = "deviceId" if group == "operations" else "source"
    return CommandSpec(
        "assert count",
        f"Assert how many {group} a device has and pass the input on",
        "GET",
        path,
        long="The input is printed when the count is within --minimum and --maximum; --strict fails if not.",
        params=(
            ParamSpec("device", "device[]", CONTEXT, "Device (id or name)", required=True, pipeline=True,
                      pipeline_aliases=PIPED_IDS),
            ParamSpec("minimum", "integer", CONTEXT, "Minimum count (inclusive; -1: none)", default="-1"),
            ParamSpec("maximum", "integer", CONTEXT, "Maximum count (inclusive; -1: none)", default="-1"),
            ParamSpec("dateFrom", "datetime", CONTEXT, "From (e.g. -1d)"),
            ParamSpec("dateTo", "datetime", CONTEXT, "To (e.g. 0s)"),
            *extra,
            *POLL,
        ),
        handler=WAITS + "run_assert_count",
        examples=(ExampleSpec(f"c8y {group} assert count --device 12345 --minimum 1", "At least one", "GET",
                              path, query={device_param: "12345", "withTotalPages": "true"}),),
    )  # fmt: skip
