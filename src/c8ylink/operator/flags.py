"""The global flags of `c8y` declared once (go-c8y-cli.md §6.1): the click options
(``operator.cli.options``), the click-free fast path (``operator.api.argv``), the root's flag hoisting
and the help pages are all derived from ``FLAGS``.

Each ``FlagSpec`` says how its value is read (``kind``: a switch, one value, or a repeatable value), how
it is checked (``value``: text, an integer in ``[minimum, maximum]``, a duration, one of ``choices``) and
where it lands (``attr`` of ``GlobalFlags``). ``rest`` marks the flags only REST commands take (the
session commands accept the first, common set).

Pure: no click, no I/O. On the start-up path of every ``c8y`` command (the root's flag hoisting), so
it imports neither ``dataclasses`` nor ``typing`` at run time (see ``core/records.py``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from c8ylink.core.records import NamedTuple

SWITCH, VALUE, MULTIPLE = "switch", "value", "multiple"
TEXT, INTEGER, DURATION, CHOICE = "text", "integer", "duration", "choice"

OUTPUTS = ("json", "csv", "csvheader", "tsv", "table", "serverresponse")
DRY_FORMATS = ("markdown", "json", "dump", "curl", "powershell")
PROCESSING_MODES = ("PERSISTENT", "TRANSIENT", "QUIESCENT", "CEP")


class FlagSpec(NamedTuple):
    names: tuple[str, ...]  # ("--output", "-o")
    attr: str
    help: str
    kind: str = VALUE
    value: str = TEXT
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    rest: bool = False
    metavar: str = ""

    @property
    def name(self) -> str:
        return self.names[0]


def _rest(
    *names: str,
    attr: str,
    help: str,
    kind: str = VALUE,
    value: str = TEXT,
    choices: tuple[str, ...] = (),
    minimum: int | None = None,
    maximum: int | None = None,
) -> FlagSpec:
    return FlagSpec(names, attr, help, kind, value, choices, minimum, maximum, True)


FLAGS: tuple[FlagSpec, ...] = (
    # the common set (every leaf command)
    FlagSpec(("--session",), "session", "Session name or file (for this command)"),
    FlagSpec(("--sessionMode",), "session_mode", "Session mode for this command: prod, qual, dev, ci"),
    FlagSpec(("--insecure", "-k"), "insecure", "Skip TLS certificate checks", kind=SWITCH),
    FlagSpec(
        ("--output", "-o"),
        "output",
        "Output format: json, csv, csvheader, tsv, table (default: table on a terminal, else json)",
        value=CHOICE,
        choices=OUTPUTS,
    ),
    FlagSpec(
        ("--select",),
        "select",
        "Properties to print: comma-separated dot paths, globs (*, **), alias:path",
        kind=MULTIPLE,
    ),
    FlagSpec(("--force", "-f"), "force", "Do not ask for confirmation", kind=SWITCH),
    FlagSpec(("--noColor", "-M"), "no_color", "No colours in the output", kind=SWITCH),
    FlagSpec(("--verbose", "-v"), "verbose", "Verbose logging (stderr)", kind=SWITCH),
    FlagSpec(("--debug",), "debug", "Debug logging (stderr)", kind=SWITCH),
    FlagSpec(("--dry",), "dry", "Show the request(s), send nothing", kind=SWITCH),
    FlagSpec(("--proxy",), "proxy", "Proxy URL for every request (instead of HTTPS_PROXY/HTTP_PROXY)"),
    FlagSpec(("--noProxy",), "no_proxy", "No proxy, whatever the environment says", kind=SWITCH),
    FlagSpec(("--noLog",), "no_log", "Do not write this command to the activity log", kind=SWITCH),
    FlagSpec(("--logMessage",), "log_message", "Message for the activity log"),
    FlagSpec(("--examples",), "examples", "Show the examples of this command", kind=SWITCH),
    # REST commands only
    _rest("--sessionUsername", "-U", attr="session_username", help="Username for this command (BASIC)"),
    _rest("--sessionPassword", "-P", attr="session_password", help="Password for this command (BASIC)"),
    _rest("--dryFormat", attr="dry_format", help="--dry output: markdown, json, dump, curl, powershell",
          value=CHOICE, choices=DRY_FORMATS),
    _rest("--filter", attr="filter", kind=MULTIPLE,
          help="Keep results where '<property> <operator> <value>' holds (like, match, eq, gt, has, ...)"),
    _rest("--template", attr="template",
          help="jsonnet template of the body: inline or a file (also in settings.template.path)"),
    _rest("--templateVars", attr="template_vars", kind=MULTIPLE,
          help="Variables of the template, var('name'): a=1,b=x or JSON"),
    _rest("--outputTemplate", attr="output_template",
          help="jsonnet template applied to each result before it is printed (output, input.value/index)"),
    _rest("--outputFile", attr="output_file", help="Write the output to this file (as printed)"),
    _rest("--outputFileRaw", attr="output_file_raw",
          help="Write the server's response to this file, unchanged"),
    _rest("--view", attr="view", help="View: auto, off or a view name (default: auto on a terminal)"),
    _rest("--compact", "-c", attr="compact", help="Compact JSON (default when not a terminal)", kind=SWITCH),
    _rest("--raw", "-r", attr="raw", help="The whole server response as JSON (no view, no select)",
          kind=SWITCH),
    _rest("--flatten", attr="flatten", help="Flatten JSON output to dotted property names", kind=SWITCH),
    _rest("--confirm", attr="confirm", help="Ask for confirmation even for reads", kind=SWITCH),
    _rest("--confirmText", attr="confirm_text", help="Text of the confirmation question"),
    _rest("--pageSize", "-p", attr="page_size", help="Results per page (default 5, at most 2000)",
          value=INTEGER, minimum=1, maximum=2000),
    _rest("--currentPage", attr="current_page", help="Page to get", value=INTEGER, minimum=1),
    _rest("--totalPages", attr="total_pages", help="With --includeAll: stop after this many pages",
          value=INTEGER, minimum=0),
    _rest("--includeAll", attr="include_all", help="Get every page (2000 results each)", kind=SWITCH),
    _rest("--withTotalPages", "-t", attr="with_total_pages",
          help="Ask for statistics.totalPages (prints the statistics)", kind=SWITCH),
    _rest("--withTotalElements", attr="with_total_elements", help="Ask for statistics.totalElements",
          kind=SWITCH),
    _rest("--workers", attr="workers", help="Requests sent at the same time (default 1, at most 50)",
          value=INTEGER, minimum=1),
    _rest("--delay", attr="delay", help="Pause of each worker after a request (e.g. 200ms, 1s; bare = ms)",
          value=DURATION),
    _rest("--delayBefore", attr="delay_before", help="Pause of each worker before a request",
          value=DURATION),
    _rest("--abortOnErrors", attr="abort_on_errors", help="Stop a batch after this many errors (default 10)",
          value=INTEGER, minimum=0),
    _rest("--maxJobs", attr="max_jobs", help="Most requests a batch may send (0 = no limit)",
          value=INTEGER, minimum=0),
    _rest("--timeout", attr="timeout", help="Request timeout (default 600s)", value=DURATION),
    _rest("--retries", attr="retries", help="Retry a request this often on 5xx or a lost connection",
          value=INTEGER, minimum=0),
    _rest("--nullInput", "-n", attr="null_input", help="Do not read piped input (stdin)", kind=SWITCH),
    _rest("--allowEmptyPipe", attr="allow_empty_pipe", help="Run once when the piped input is empty",
          kind=SWITCH),
    _rest("--header", "-H", attr="header", help="Extra request header 'Name: value'", kind=MULTIPLE),
    _rest("--customQueryParam", attr="custom_query", help="Extra query parameter 'name=value'",
          kind=MULTIPLE),
    _rest("--noAccept", attr="no_accept", help="No Accept header (the server answers without a body)",
          kind=SWITCH),
    _rest("--processingMode", attr="processing_mode", help="X-Cumulocity-Processing-Mode",
          value=CHOICE, choices=PROCESSING_MODES),
    _rest("--silentStatusCodes", attr="silent_status_codes",
          help="HTTP statuses not reported as errors (e.g. 404,409)"),
    _rest("--silentExit", attr="silent_exit", help="Silent statuses exit 0", kind=SWITCH),
    _rest("--withError", attr="with_error", help="Errors as JSON on stdout (not stderr)", kind=SWITCH),
    _rest("--cache", attr="cache", help="Answer from the response cache when it can (settings.cache.*)",
          kind=SWITCH),
    _rest("--noCache", attr="no_cache", help="No response cache, whatever settings.defaults.cache says",
          kind=SWITCH),
    _rest("--cacheTTL", attr="cache_ttl", help="How long a cached answer is used (default 60s)"),
    _rest("--cacheBodyPaths", attr="cache_body_paths", kind=MULTIPLE,
          help="Only these body properties make the cache key (dot paths)"),
    _rest("--progress", attr="progress", help="Show progress on the terminal", kind=SWITCH),
    _rest("--noProgress", attr="no_progress", help="No progress bar", kind=SWITCH),
)  # fmt: skip

BY_NAME: dict[str, FlagSpec] = {name: spec for spec in FLAGS for name in spec.names}
COMMON = tuple(spec for spec in FLAGS if not spec.rest)


class GlobalFlags:
    """What the global flags of one run say; ``None``/empty = not given (settings/defaults decide).
    Plain attributes with class defaults; ``GlobalFlags(workers=4)`` sets some."""

    def __init__(self, **values: object) -> None:
        for name, value in values.items():
            if not hasattr(GlobalFlags, name):
                raise TypeError(f"GlobalFlags has no {name!r}")
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GlobalFlags) and vars(self) == vars(other)

    def __repr__(self) -> str:
        shown = {k: ("********" if k == "session_password" else v) for k, v in sorted(vars(self).items())}
        return f"GlobalFlags({shown})"

    __hash__ = None  # type: ignore[assignment]

    session: str | None = None
    session_mode: str | None = None
    insecure: bool = False
    output: str | None = None
    select: tuple[str, ...] = ()
    force: bool = False
    no_color: bool = False
    verbose: bool = False
    debug: bool = False
    dry: bool = False
    proxy: str | None = None
    no_proxy: bool = False
    no_log: bool = False
    log_message: str | None = None
    examples: bool = False
    filter: tuple[str, ...] = ()
    output_file: str | None = None
    template: str | None = None
    template_vars: tuple[str, ...] = ()
    output_template: str | None = None
    output_file_raw: str | None = None
    session_username: str | None = None
    session_password: str | None = None
    dry_format: str | None = None
    view: str | None = None
    compact: bool = False
    raw: bool = False
    flatten: bool = False
    confirm: bool = False
    confirm_text: str | None = None
    page_size: int | None = None
    current_page: int | None = None
    total_pages: int | None = None
    include_all: bool = False
    with_total_pages: bool = False
    with_total_elements: bool = False
    workers: int | None = None
    delay: float | None = None
    delay_before: float | None = None
    abort_on_errors: int | None = None
    max_jobs: int | None = None
    timeout: float | None = None
    retries: int | None = None
    null_input: bool = False
    allow_empty_pipe: bool = False
    header: tuple[str, ...] = ()
    custom_query: tuple[str, ...] = ()
    no_accept: bool = False
    processing_mode: str | None = None
    silent_status_codes: str | None = None
    silent_exit: bool = False
    with_error: bool = False
    progress: bool = False
    no_progress: bool = False
    cache: bool = False
    no_cache: bool = False
    cache_ttl: str | None = None
    cache_body_paths: tuple[str, ...] = ()


def proxy_of(flags: GlobalFlags) -> str | None:
    """The proxy of this run: ``""`` with ``--noProxy``, the ``--proxy`` URL, else ``None`` (the
    environment's ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``)."""
    return "" if flags.no_proxy else (flags.proxy or None)


def parse_switch_value(text: str) -> bool | None:
    """``--flag=true``/``--flag=false`` as upstream's boolean flags take (also 1/0, yes/no); None if
    ``text`` is none of these."""
    lowered = text.lower()
    if lowered in ("true", "t", "1", "yes"):
        return True
    if lowered in ("false", "f", "0", "no"):
        return False
    return None


def normalize_switches(args: list[str]) -> list[str]:
    """``--dry=false`` -> nothing, ``--dry=true`` -> ``--dry`` for the global switches (before ``--``),
    so both readings of the command line (click, ``operator.api.argv``) take them."""
    result: list[str] = []
    for index, item in enumerate(args):
        if item == "--":
            return result + args[index:]
        name, equals, value = item.partition("=")
        spec = BY_NAME.get(name) if equals and item.startswith("--") else None
        on = parse_switch_value(value) if spec is not None and spec.kind == SWITCH else None
        if on is None:
            result.append(item)
        elif on:
            result.append(name)
    return result


def parse_flag_value(spec: FlagSpec, text: str) -> object:
    """The value of ``spec`` given as ``text``; ``ValueError`` with the reason when it is not valid."""
    if spec.value == INTEGER:
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid integer") from None
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"{number} is smaller than the minimum {spec.minimum}")
        if spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"{number} is larger than the maximum {spec.maximum}")
        return number
    if spec.value == DURATION:
        return parse_duration_ms(text)
    if spec.value == CHOICE:
        for choice in spec.choices:
            if choice.lower() == text.lower():
                return choice
        raise ValueError(f"{text!r} is not one of {', '.join(spec.choices)}")
    return text


def parse_duration_ms(text: str) -> float:
    """Seconds from go-c8y-cli's flag durations: ``200ms``, ``1.5s``, ``1m30s``; a bare number is
    milliseconds (``core.settings.durations``, Go's grammar)."""
    from c8ylink.core.settings.durations import GO_DURATION, parse_duration
    from c8ylink.core.settings.errors import ValueParseError

    try:
        return parse_duration(text, GO_DURATION._replace(bare_unit="ms")).seconds
    except ValueParseError:
        raise ValueError(
            f"{text!r} is not a duration (use e.g. 200ms, 1s, 2m or a number of milliseconds)"
        ) from None
