"""Running a REST command: session, mode gate, output, jobs (command line or piped), workers.

    code = run_rest(Invocation("devices", spec, raw, flags), where, streams)

``raw`` holds the command's own flags as given (``operator.api.values``), ``flags`` the global ones.
A ``--dry`` run needs no session (without one the host is ``https://{host}`` and names cannot be
looked up). Errors of single jobs are reported as they happen and decide the exit code through the
batch (``operator.api.jobs``); errors before any job (bad values, no session, a disabled mode) are
raised for the CLI's error handler.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime

from c8ylink.core.errors import ApiError, C8yLinkError, SessionError, UsageError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.operator.api.build import RequestOptions
from c8ylink.operator.api.execute import Executor, RawSink, RunSettings, Silenced, Target
from c8ylink.operator.api.jobs import Batch, BatchOptions
from c8ylink.operator.api.output import OutputOptions, Printer, check_view
from c8ylink.operator.api.pipeline import Job, piped_jobs, template_job
from c8ylink.operator.api.spec import CommandSpec
from c8ylink.operator.api.values import USER_ERROR, convert_values, missing_message
from c8ylink.operator.environment import Surroundings
from c8ylink.operator.error_output import render_c8y_error, render_error_json
from c8ylink.operator.extensions.location import DATADIR_KEY, extensions_dir
from c8ylink.operator.flags import GlobalFlags, proxy_of
from c8ylink.operator.sessions.model import Session
from c8ylink.operator.settings import SettingsLayers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple, TextIO

    from c8ylink.operator.activity_log import ActivityLog
    from c8ylink.operator.api.views import ViewSpec
    from c8ylink.operator.response_cache import CacheOptions
else:
    from c8ylink.core.records import NamedTuple


class Invocation(NamedTuple):
    group: str
    spec: CommandSpec
    raw: Mapping[str, Any]
    flags: GlobalFlags

    @property
    def command(self) -> str:
        if self.spec.name == self.group:
            return f"c8y {self.group}"
        return f"c8y {self.group} {self.spec.name}"


class Streams(NamedTuple):
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_tty: bool = False
    stdout_tty: bool = False
    stderr_tty: bool = False


def run_rest(
    invocation: Invocation,
    where: Surroundings,
    streams: Streams,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    spec, flags = invocation.spec, invocation.flags
    if flags.examples:
        from c8ylink.operator.api.spec import render_examples

        streams.stdout.write("".join(line + "\n" for line in render_examples(spec)))
        return 0
    now = datetime.now(UTC)
    values = convert_values(spec, read_json_files(spec, invocation.raw), now)
    session = _session(where, flags)
    settings = _settings(where, session)
    activity = _activity(settings, where, flags)
    cache = _cache(flags, settings, where)
    dry = flags.dry or settings.flag("defaults.dry")
    run = _run_settings(flags, settings, streams, dry=dry)
    check_output_files(flags)  # before anything is sent
    stdout: TextIO = io.StringIO() if flags.output_file else streams.stdout
    extensions = extensions_dir(settings.text(DATADIR_KEY), str(where.session_home))
    run = run._replace(extensions_dir=extensions)
    options = output_options(
        flags, streams, template_path=settings.text("template.path") or "", extensions_dir=extensions
    )
    printer = Printer(options, stdout, streams.stderr)
    raw_sink = RawSink(flags.output_file_raw) if flags.output_file_raw else None
    gate = None
    if session is not None and not dry and (spec.kind != "read" or flags.confirm):  # reads pass every mode
        from c8ylink.operator.active import write_gate
        from c8ylink.operator.gate import CommandIntent

        gate = write_gate(session, where, session_mode_flag=flags.session_mode, force=flags.force,
                          confirm=flags.confirm, confirm_text=flags.confirm_text or "",
                          prompter=where.prompter)  # fmt: skip
        gate.check_mode(CommandIntent(invocation.command, spec.method, spec.description, action=spec.kind))
    executor = Executor(
        invocation.command, spec, values, run=run, request_options=_request_options(flags, settings),
        printer=printer, target=_target(session), err=streams.stderr, now=now, sleep=sleep,
        client_factory=_client_factory(session, where, flags, streams, activity=activity, cache=cache),
        gate=gate, raw_sink=raw_sink,
    )  # fmt: skip
    batch = Batch(_work(executor, run), _reporter(streams, flags), _batch_options(flags, settings, streams),
                  sleep=sleep)  # fmt: skip
    try:
        result = batch.run(plan_jobs(invocation, streams))
    finally:
        printer.close()
        executor.close()
        _write_output_files(flags, stdout, raw_sink)
    summary = result.summary(batch.options)
    if summary:
        streams.stderr.write(f"commandError: {summary}\n")
    return result.exit_code


def check_output_files(flags: GlobalFlags) -> None:
    """``--outputFile``/``--outputFileRaw`` in a directory that exists (checked before any request)."""
    import os

    for flag, path in (("--outputFile", flags.output_file), ("--outputFileRaw", flags.output_file_raw)):
        if path is None:
            continue
        folder = os.path.dirname(os.path.abspath(os.path.expanduser(path)))
        if not path or os.path.isdir(os.path.expanduser(path)):
            raise UsageError(f"invalid {flag} {path!r}: give a file name", exit_code=USER_ERROR)
        if not os.path.isdir(folder):
            raise UsageError(
                f"invalid {flag} {path!r}: the directory {folder} does not exist", exit_code=USER_ERROR
            )


def _write_output_files(flags: GlobalFlags, stdout: TextIO, raw_sink: RawSink | None) -> None:
    import os

    from c8ylink.infra.files import write_atomic

    if flags.output_file and isinstance(stdout, io.StringIO):
        write_atomic(os.path.expanduser(flags.output_file), stdout.getvalue())
    if raw_sink is not None:
        raw_sink.path = os.path.expanduser(raw_sink.path)
        raw_sink.write()


def read_json_files(spec: CommandSpec, raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``--data`` naming a file (``--data ./body.json``) takes the file's JSON, as upstream."""
    import os

    changed = dict(raw)
    for param in spec.params:
        given = raw.get(param.name)
        if param.type != "json" or not given:
            continue
        items = [given] if isinstance(given, str) else list(given)
        if not any(_names_file(item) for item in items):
            continue
        texts = []
        for item in items:
            if _names_file(item):
                try:
                    with open(os.path.expanduser(item), encoding="utf-8") as handle:
                        texts.append(handle.read())
                except (OSError, UnicodeDecodeError) as exc:
                    raise UsageError(
                        f"cannot read --{param.name} {item}: {exc}", exit_code=USER_ERROR
                    ) from None
            else:
                texts.append(item)
        changed[param.name] = tuple(texts)
    return changed


def _names_file(text: object) -> bool:
    import os

    return (
        isinstance(text, str)
        and not text.lstrip().startswith("{")
        and os.path.isfile(os.path.expanduser(text))
    )


def _session(where: Surroundings, flags: GlobalFlags) -> Session | None:
    from c8ylink.operator.active import load_active_session

    try:
        session = load_active_session(where, flags.session)
    except SessionError as exc:
        if flags.dry and exc.exit_code == int(C8yExit.NO_SESSION):
            return None
        raise
    if flags.session_username or flags.session_password:
        session = session._replace(
            username=flags.session_username or session.username,
            password=flags.session_password or session.password,
            token="",
            login_type="BASIC",
        )
    return session


def _settings(where: Surroundings, session: Session | None) -> SettingsLayers:
    return SettingsLayers(
        env=where.env, session=session.settings if session else {}, global_file=where.global_settings()
    )


def _run_settings(
    flags: GlobalFlags, settings: SettingsLayers, streams: Streams, *, dry: bool
) -> RunSettings:
    silent = frozenset(
        int(part) for part in (flags.silent_status_codes or "").replace(" ", ",").split(",") if part.isdigit()
    )
    progress = (flags.progress or (flags.include_all and streams.stderr_tty)) and not flags.no_progress
    return RunSettings(
        dry=dry,
        dry_format=flags.dry_format or settings.text("defaults.dryFormat") or "markdown",
        compact=flags.compact or not streams.stdout_tty,
        raw=flags.raw,
        retries=flags.retries if flags.retries is not None else settings.integer("defaults.retries"),
        retry_wait=(
            settings.seconds("defaults.retryWaitMin"),
            settings.seconds("defaults.retryWaitMax"),
        ),
        include_all=flags.include_all,
        total_pages=flags.total_pages or 0,
        page_delay=settings.integer("includeAll.delayMS") / 1000.0,
        with_total_pages=flags.with_total_pages,
        progress=progress,
        upload_progress=(flags.progress or streams.stderr_tty) and not flags.no_progress,
        silent_statuses=silent,
        silent_exit=flags.silent_exit,
        template=flags.template,
        template_vars=flags.template_vars,
        template_path=settings.text("template.path") or "",
    )


def output_options(
    flags: GlobalFlags, streams: Streams, *, template_path: str = "", extensions_dir: str = ""
) -> OutputOptions:
    tty = streams.stdout_tty
    output = "json" if flags.raw else (flags.output or ("table" if tty else "json"))
    if output == "serverresponse":
        output = "json"
    wanted = "off" if flags.raw else (flags.view or ("auto" if tty else "off"))
    views = _extension_views(extensions_dir) if wanted == "auto" or "::" in wanted else ()
    view = check_view(wanted, views)
    return OutputOptions(
        format=output,
        select=() if flags.raw else flags.select,
        view=view,
        compact=flags.compact or not tty,
        raw=flags.raw,
        flatten=flags.flatten,
        filters=flags.filter,
        output_template=flags.output_template,
        template_path=template_path,
        extensions_dir=extensions_dir,
        views=views,
    )


def _extension_views(extensions_dir: str) -> tuple[ViewSpec, ...]:
    """The views of the installed extensions (read only when a view is picked automatically or named
    ``<ext>::<name>``); a file that does not read is named in a warning and skipped."""
    if not extensions_dir or not os.path.isdir(extensions_dir):
        return ()
    from pathlib import Path

    from c8ylink.operator.api.views import parse_view_definitions
    from c8ylink.operator.extensions.store import extension_views

    def warn(message: str) -> None:
        sys.stderr.write(f"warning: {message}\n")

    documents = extension_views(Path(extensions_dir), warn)
    return tuple(view for name, document in documents for view in parse_view_definitions(document, name))


def _request_options(flags: GlobalFlags, settings: SettingsLayers) -> RequestOptions:
    page_size = flags.page_size
    if page_size is None:
        page_size = settings.integer("includeAll.pageSize" if flags.include_all else "defaults.pageSize")
    return RequestOptions(
        page_size=page_size,
        current_page=flags.current_page,
        with_total_pages=flags.with_total_pages,
        with_total_elements=flags.with_total_elements,
        headers=flags.header,
        custom_query=flags.custom_query,
        no_accept=flags.no_accept,
        processing_mode=flags.processing_mode,
    )


def _batch_options(flags: GlobalFlags, settings: SettingsLayers, streams: Streams) -> BatchOptions:
    workers = flags.workers or 1
    limit = settings.integer("defaults.maxWorkers")
    if workers > limit:
        streams.stderr.write(
            f"warning: --workers {workers} is more than settings.defaults.maxWorkers ({limit}): "
            f"using {limit}\n"
        )
        workers = limit
    return BatchOptions(
        workers=max(workers, 1),
        delay=flags.delay or 0.0,
        delay_before=flags.delay_before or 0.0,
        abort_on_errors=10 if flags.abort_on_errors is None else flags.abort_on_errors,
        max_jobs=flags.max_jobs or 0,
    )


def auth_kind_of(session: Session) -> str:
    """What the Authorization header will be, without unlocking any secret (for ``--dry``)."""
    from c8ylink.operator.login_types import BASIC, NONE, choose_login_type

    kind = choose_login_type(session.login_type, has_certificate=bool(session.certificate))
    if kind == NONE:
        return "none"
    if session.token and kind != BASIC:
        return "bearer"
    return "basic" if session.username else ("bearer" if session.token else "none")


def _target(session: Session | None) -> Target:
    if session is None:
        return Target()
    from c8ylink.operator.sessions.model import normalize_host

    return Target(normalize_host(session.host) if session.host else "", auth_kind_of(session), session.tenant)


def _activity(settings: SettingsLayers, where: Surroundings, flags: GlobalFlags) -> ActivityLog | None:
    """The activity log of this command, its command line written to it (``operator.activity_log``)."""
    from c8ylink.operator.activity_log import open_activity_log

    activity = open_activity_log(settings, str(where.session_home), no_log=flags.no_log)
    if activity is not None:
        activity.command(sys.argv[1:], flags.log_message or "")
    return activity


def _cache(flags: GlobalFlags, settings: SettingsLayers, where: Surroundings) -> CacheOptions | None:
    """The response cache of this command (``operator.response_cache``), None when it is off."""
    if not (flags.cache or settings.flag("defaults.cache")):
        return None
    from c8ylink.operator.response_cache import cache_options

    return cache_options(flags, settings, str(where.session_home))


def _client_factory(
    session: Session | None,
    where: Surroundings,
    flags: GlobalFlags,
    streams: Streams,
    *,
    activity: ActivityLog | None = None,
    cache: CacheOptions | None = None,
) -> Callable[[], Any] | None:
    if session is None:
        return None

    def open_one() -> Any:
        from c8ylink.operator.active import open_client

        return open_client(
            session, where, insecure=flags.insecure, timeout=flags.timeout, proxy=proxy_of(flags),
            log=streams.stderr if flags.verbose or flags.debug else None, debug=flags.debug,
            activity=activity, cache=cache,
        )  # fmt: skip

    return open_one


def _work(executor: Executor, run: RunSettings) -> Callable[[Job], None]:
    def work(job: Job) -> None:
        try:
            executor.run_job(job)
        except Silenced:
            if not run.silent_exit:
                raise

    return work


def _reporter(streams: Streams, flags: GlobalFlags) -> Callable[[C8yLinkError], None]:
    lock = threading.Lock()

    def report(error: C8yLinkError) -> None:
        if isinstance(error, Silenced):
            return
        with lock:
            streams.stderr.write(render_c8y_error(error) + "\n")
            if isinstance(error, ApiError) or flags.with_error:
                (streams.stdout if flags.with_error else streams.stderr).write(
                    render_error_json(error) + "\n"
                )
            streams.stderr.flush()

    return report


def plan_jobs(invocation: Invocation, streams: Streams) -> Iterator[Job | C8yLinkError]:
    """The jobs: the values of a repeatable pipeline flag, else one per piped line, else one. With the
    pipeline flag given and a ``--template``, each piped line is the template's ``input.value`` instead
    (upstream's ``c8y measurements list | c8y measurements create --device 2 --template input.value``)."""
    spec, flags = invocation.spec, invocation.flags
    param = spec.pipeline_param
    given = invocation.raw.get(param.name) if param is not None else None
    flag_given = param is not None and given not in (None, (), "", False)
    reads_stdin = not (flags.null_input or streams.stdin_tty)
    if param is None or flag_given:
        if flag_given and flags.template and reads_stdin:
            lines = enumerate(streams.stdin, 1)
            inputs = [template_job(number, line) for number, line in lines if line.strip()]
            if inputs:
                yield from inputs
                return
        if param is not None and param.is_list and isinstance(given, tuple | list):
            items = [
                part for item in given for part in (item.split(",") if param.type != "string[]" else [item])
            ]
            yield from (Job(number, item.strip()) for number, item in enumerate(items, 1) if item.strip())
        else:
            yield Job(1, None)
        return
    if not reads_stdin:
        yield Job(1, None)
        return
    count = 0
    for job in piped_jobs(streams.stdin, param):
        count += 1
        yield job if isinstance(job, Job) else C8yLinkError(job.message, exit_code=USER_ERROR)
    if count == 0:
        if param.required and not flags.allow_empty_pipe:
            raise UsageError(missing_message(param) + " (the piped input was empty)", exit_code=USER_ERROR)
        yield Job(1, None)
