"""What a REST command is, as data (modelled on go-c8y-cli's ``api/spec/yaml``): ``GroupSpec`` >
``CommandSpec`` > ``ParamSpec`` and ``ExampleSpec``. The modules under ``specs/`` hold only literals of
these classes; the CLI, the request builder, the help pages and the tests are derived from them.

A parameter's ``type`` names its behaviour (``operator.api.values``):

==================  ===========================================================================
``string``          text as given
``integer``         a number (``float`` likewise)
``boolean``         a switch; ``true`` when given
``optional_fragment`` a switch; ``{}`` at ``property``
``datetime``        ISO time or relative (``-10m``, ``+1h``, ``-7d``, ``now``); ``date``: day only
``string[]``        repeatable, a JSON list           ``stringcsv[]``          repeatable, joined with ``,``
``stringor[]``      repeatable, joined with `` or `` (a filter: ``c8y_A or c8y_B``)
``json``            JSON object or shorthand ``a=1,b.c=true`` (``data``: merged into the body)
``device[]``        device id or name (looked up), repeatable, also from piped input;
                    ``agent[]``, ``devicegroup[]``, ``id[]`` (any managed object) likewise, and the
                    other references of ``operator.api.lookup.LOOKUPS`` (``user[]``, ``usergroup[]``,
                    ``role[]``, ``application``, ``software[]``, ...; ``userself[]``/``roleself[]``:
                    the object's ``self`` link); a name acts on its first match only
``childtype``       ``addition``/``asset``/``device`` -> ``childAdditions``/``childAssets``/``childDevices``
``file``            a file uploaded as a multipart/form-data part (``property``: the part's name, default
                    ``file``; the other body values go in an ``object`` part, ``operator.api.uploads``)
``filecontents``    a file sent as the whole request body
``fileurl``         a file uploaded to ``/inventory/binaries`` first; its URL is the value
``reference``       an id that is never looked up (new device requests, certificate fingerprints)
``tenant``          a tenant id; default: the session's tenant
``certificatefile`` a PEM file; its base64 body (no BEGIN/END lines) is the value
``filetext``        a text file; its contents are the value (a string in a JSON body)
==================  ===========================================================================

``location`` says where the value goes: ``path`` (``{name}`` in the path template), ``query``,
``body`` (dotted ``property``: ``source.id``), ``header``, or ``q``: a part of the inventory query the
command sends in ``CommandSpec.query_property`` (``format`` is the part, ``%s`` the value; the
parameters named ``query``, ``queryTemplate`` and ``orderBy`` are the raw filter, its template and the
order), or ``context``: accepted and resolved, not sent (upstream narrows the lookup of another
parameter with it: ``--firmware`` of ``firmware versions get --id 1.0.0``).
"""

from __future__ import annotations

import builtins

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

PATH, QUERY, BODY, HEADER, Q, CONTEXT = "path", "query", "body", "header", "q", "context"
LOCATIONS = (PATH, QUERY, BODY, HEADER, Q, CONTEXT)
REFERENCE_TYPES = (
    "device[]", "agent[]", "devicegroup[]", "id[]", "software[]", "firmware[]", "deviceprofile[]",
    "configuration[]", "smartgroup[]", "deviceservice[]", "softwareversion[]", "firmwareversion[]",
    "firmwarepatch[]", "user[]", "userself[]", "usergroup[]", "role[]", "roleself[]", "certificate[]",
    "application", "microservice",
)  # fmt: skip
LIST_TYPES = (*REFERENCE_TYPES, "string[]", "stringcsv[]", "stringor[]")
SWITCH_TYPES = ("boolean", "optional_fragment")
FILE_TYPES = ("file", "filecontents", "fileurl")
TYPES = (
    "string", "integer", "float", "boolean", "optional_fragment", "datetime", "date", "json",
    "reference", "tenant", "certificatefile", "filetext", "childtype", *FILE_TYPES, *LIST_TYPES,
)  # fmt: skip
METHODS = ("GET", "POST", "PUT", "DELETE")
GUESS = "?"  # ``CommandSpec.collection`` of an extension's GET without ``collectionProperty``
ACTIONS = ("read", "create", "update", "delete")


class ParamSpec(NamedTuple):
    name: str  # the flag, without the dashes: newName -> --newName
    type: str
    location: str
    description: str
    property: str = ""  # where the value goes when it is not ``name`` (body paths are dotted)
    required: bool = False
    pipeline: bool = False  # takes piped input (one job per line)
    pipeline_aliases: tuple[str, ...] = ()  # properties of a piped JSON object, tried in order
    default: str | None = None
    choices: tuple[str, ...] = ()
    format: str = ""  # ``q`` parts: "(name eq '%s')"
    value: str = ""  # ``q`` switches: the part they add ("has(com_cumulocity_model_Agent)")
    short: str = ""  # one-letter alias ("-n")

    @builtins.property
    def target(self) -> str:
        return self.property or self.name

    @builtins.property
    def is_switch(self) -> bool:
        return self.type in SWITCH_TYPES

    @builtins.property
    def is_list(self) -> bool:
        return self.type in LIST_TYPES

    @builtins.property
    def is_reference(self) -> bool:
        return self.type in REFERENCE_TYPES


class ExampleSpec(NamedTuple):
    """A command line and the request it must build (checked by a ``--dry`` test, no server)."""

    command: str  # "c8y devices list --name 'sensor*'" (shell words)
    description: str
    method: str
    path: str
    query: Mapping[str, str] = {}  # exact values
    query_contains: Mapping[str, str] = {}  # substrings (relative times)
    body: Mapping[str, Any] | None = None  # the exact body (None: not checked)
    stdin: str = ""  # piped input
    requests: int = 1  # how many requests the example sends


class CommandSpec(NamedTuple):
    name: str
    description: str  # one line: the help summary and the confirmation text
    method: str
    path: str  # "/inventory/managedObjects/{id}"
    params: tuple[ParamSpec, ...] = ()
    examples: tuple[ExampleSpec, ...] = ()
    long: str = ""
    accept: str = "application/json"
    content_type: str = "application/json"
    collection: str = ""  # the property holding the items of a collection answer (GUESS: find it)
    action: str = ""  # read/create/update/delete for the mode gate (default: from the method)
    body_template: Mapping[str, Any] = {}  # fixed fragments, applied last
    body_required: tuple[str, ...] = ()  # body properties that must end up set
    query_property: str = "q"  # where ``q`` parameters go (``q`` or ``query``)
    handler: str = ""  # "module:function" for a command a spec cannot express (register-ca)
    query_filter: str = ""  # a fixed first part of the inventory query ("has(c8y_IsDeviceGroup)")
    body_defaults: Mapping[str, Any] = {}  # fragments applied first (the flags and --data override them)
    body_if_set: Mapping[str, Mapping[str, Any]] = {}  # property -> fragment applied when it is set
    upstream_examples: tuple[str, ...] = ()  # go-c8y-cli's own usage lines (``--dry`` tests)
    fixed_query: tuple[tuple[str, str], ...] = ()  # query pairs always sent (an extension's ``path?a=b``)
    page_size_param: str = "pageSize"  # where paging's size goes ("": not sent; ``flagMapping``)
    hidden: bool = False  # runs, but is not listed in its group's help

    @property
    def kind(self) -> str:
        return (
            self.action or {"GET": "read", "POST": "create", "PUT": "update", "DELETE": "delete"}[self.method]
        )

    @property
    def pipeline_param(self) -> ParamSpec | None:
        return next((param for param in self.params if param.pipeline), None)

    def param(self, name: str) -> ParamSpec | None:
        return next((param for param in self.params if param.name == name), None)


class GroupSpec(NamedTuple):
    name: str
    description: str
    commands: tuple[CommandSpec, ...]
    hidden: bool = False  # an extension's group that runs but is not listed

    def command(self, name: str) -> CommandSpec | None:
        return next((command for command in self.commands if command.name == name), None)


def render_examples(spec: CommandSpec) -> list[str]:
    """The examples of a command as ``--examples`` and its help print them: each command line (a piped
    input shown as ``printf``) with its description below; upstream's own lines when it has none."""
    lines: list[str] = []
    for example in spec.examples:
        piped = example.stdin.rstrip("\n").replace("\n", "\\n")
        prefix = f"printf '{piped}\\n' | " if example.stdin else ""
        lines += [f"{prefix}{example.command}", f"    {example.description}"]
    if not spec.examples:
        lines += list(spec.upstream_examples)
    return lines
