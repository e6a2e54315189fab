"""One job of a REST command, end to end: its values (the piped one included), names looked up, the
request(s) built, confirmed, sent (retried on 5xx and lost connections with ``--retries``), paged
(``--includeAll``) and printed. ``--dry`` prints the requests instead of sending them.

The I/O lives here and in ``runner``; what to send is decided by the pure ``build``/``lookup`` modules.
Each worker thread gets its own client (``client_factory``); the printer and the gate are shared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from c8ylink.core.errors import ApiError, C8yLinkError, NetworkError, UsageError
from c8ylink.operator.api.build import RequestOptions, build_request, check_body
from c8ylink.operator.api.dry import render_dry
from c8ylink.operator.api.lookup import collection_items, guess_collection, needs_tenant, resolve
from c8ylink.operator.api.output import Printer
from c8ylink.operator.api.pipeline import Job
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.spec import CONTEXT, FILE_TYPES, GUESS, PATH, CommandSpec, ParamSpec
from c8ylink.operator.api.values import USER_ERROR, convert_one, flag_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple, TextIO

    from c8ylink.infra.net.response import HttpResponse
    from c8ylink.operator.client import C8yClient
    from c8ylink.operator.gate import WriteGate
else:
    from c8ylink.core.records import NamedTuple

_VERBS = {"create": "Created", "update": "Updated", "delete": "Deleted", "read": "Read"}


class RunSettings(NamedTuple):
    dry: bool = False
    dry_format: str = "markdown"
    compact: bool = True
    raw: bool = False
    retries: int = 0
    retry_wait: tuple[float, float] = (5.0, 50.0)
    include_all: bool = False
    total_pages: int = 0
    page_delay: float = 0.05
    with_total_pages: bool = False
    progress: bool = False
    upload_progress: bool = False  # a bar on stderr while a file is sent (stderr is a terminal)
    silent_statuses: frozenset[int] = frozenset()
    silent_exit: bool = False
    template: str | None = None  # --template (inline or a file; operator.templates)
    template_vars: tuple[str, ...] = ()
    template_path: str = ""  # settings.template.path
    extensions_dir: str = ""  # where `<ext>::<file>` templates are found (operator.extensions)


class Target(NamedTuple):
    """Who the requests go to, as far as ``--dry`` and defaults need to know."""

    base_url: str = ""
    auth_kind: str = ""  # basic / bearer / none ("": no session)
    tenant: str = ""


class RawSink:
    """``--outputFileRaw``: the server's answers as they came, written to ``path`` when the command ends
    (``write``: atomically, so an interrupted command leaves no half-written file)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._parts: list[bytes] = []
        self._lock = threading.Lock()

    def add(self, content: bytes) -> None:
        with self._lock:
            self._parts.append(content)

    def write(self) -> None:
        """One answer as it came (a downloaded file byte for byte); several, one per line."""
        from c8ylink.infra.files import write_atomic

        if len(self._parts) == 1:
            write_atomic(self.path, self._parts[0])
        else:
            lines = [part if part.endswith(b"\n") or not part else part + b"\n" for part in self._parts]
            write_atomic(self.path, b"".join(lines))


class Silenced(C8yLinkError):
    """An error answer whose status is in ``--silentStatusCodes`` (counted, not printed)."""


class Executor:
    def __init__(
        self,
        command: str,
        spec: CommandSpec,
        values: dict[str, Any],
        *,
        run: RunSettings,
        request_options: RequestOptions,
        printer: Printer,
        target: Target,
        err: TextIO,
        now: datetime,
        sleep: Callable[[float], None],
        client_factory: Callable[[], C8yClient] | None = None,
        gate: WriteGate | None = None,
        raw_sink: RawSink | None = None,
    ) -> None:
        self.command = command
        self.raw_sink = raw_sink
        self.spec = spec
        self.values = values
        self.run = run
        self.request_options = request_options
        self.printer = printer
        self.target = target
        self.err = err
        self.now = now
        self.sleep = sleep
        self._client_factory = client_factory
        self._gate = gate
        self._local = threading.local()
        self._clients: list[C8yClient] = []
        self._lock = threading.Lock()

    # -- clients ---------------------------------------------------------------------------------------
    def client(self) -> C8yClient:
        client: C8yClient | None = getattr(self._local, "client", None)
        if client is None:
            if self._client_factory is None:
                raise UsageError(
                    "this needs the server (a name to look up, the tenant): load a session, or give ids",
                    exit_code=USER_ERROR,
                )
            client = self._client_factory()
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()

    # -- one job ---------------------------------------------------------------------------------------
    def run_job(self, job: Job) -> None:
        self._local.job = job
        values = dict(self.values)
        pipeline = self.spec.pipeline_param
        if job.value is not None and pipeline is not None:
            values[pipeline.name] = convert_one(pipeline, job.value, self.now)
        values = self.complete(values)
        for one in self.expand(values):
            if self.spec.handler:
                handler = _load_handler(self.spec.handler)
                handler(self, one)
            elif any(param.type in FILE_TYPES for param in self.spec.params):
                from c8ylink.operator.api.uploads import perform_upload

                perform_upload(self, one)
            else:
                templated = bool(self.run.template) and self.spec.method in ("POST", "PUT")
                plan = build_request(self.spec, one, self.request_options, templated=templated)
                self.perform(plan, check_templated=templated)

    def complete(self, values: dict[str, Any]) -> dict[str, Any]:
        """Names looked up (``context`` parameters first: they narrow the others' lookups), files read,
        the tenant filled in."""
        scope = ""
        params = sorted(self.spec.params, key=lambda param: param.location != CONTEXT)
        for param in params:
            value = values.get(param.name)
            if param.is_reference and value:
                references = [value] if isinstance(value, str) else list(value)
                tenant = self.tenant() if needs_tenant(param.type) else ""
                values[param.name] = resolve(
                    param.type, references, self.get_json, flag=flag_of(param), tenant=tenant, scope=scope
                )
                if param.location == CONTEXT and values[param.name]:
                    scope = str(values[param.name][0])
            elif param.type == "certificatefile" and value:
                values[param.name] = read_certificate(param, str(value))
            elif param.type == "filetext" and value:
                values[param.name] = read_text(param, str(value))
            elif param.type in FILE_TYPES and isinstance(value, str) and value:
                from c8ylink.operator.api.uploads import check_file

                values[param.name] = check_file(param, value)
            elif param.type == "tenant" and not value:
                values[param.name] = self.tenant()
        return values

    def expand(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """A path parameter given several ids (``--id 1,2``): one request each (a name is one object)."""
        for param in self.spec.params:
            value = values.get(param.name)
            if param.location == PATH and isinstance(value, list) and len(value) > 1:
                return [{**values, param.name: [item]} for item in value]
        return [values]

    def current_input(self) -> str | None:
        """The piped input of this job: its JSON object (compact) or its text; None: the command line
        gave the value."""
        job: Job | None = getattr(self._local, "job", None)
        if job is None:
            return None
        if job.item is not None:
            import json

            return json.dumps(job.item, separators=(",", ":"))
        return job.value

    def tenant(self) -> str:
        if self.target.tenant:
            return self.target.tenant
        if self._client_factory is None:
            return "{tenant}"
        answer = self.get_json(
            RequestPlan("GET", "/tenant/currentTenant", headers=(("Accept", "application/json"),))
        )
        return str((answer or {}).get("name", ""))

    # -- requests --------------------------------------------------------------------------------------
    def confirm(self, plan: RequestPlan) -> None:
        if self._gate is None or self.run.dry:
            return
        from c8ylink.operator.gate import CommandIntent

        intent = CommandIntent(self.command, plan.method, self.spec.description, plan.label, self.spec.kind)
        with self._lock:
            self._gate.confirm(intent)

    def perform(
        self, plan: RequestPlan, *, dry_plan: RequestPlan | None = None, check_templated: bool = False
    ) -> HttpResponse | None:
        """Confirm, then print (``--dry``) or send ``plan`` and print the answer. ``check_templated``:
        ``plan`` was built leaving its body's required properties to the template; check them now."""
        if (
            self.run.template
            and plan.method in ("POST", "PUT", "PATCH")
            and not plan.files
            and plan.content is None
        ):
            plan = plan._replace(body=self.templated_body(plan.body))
            dry_plan = dry_plan._replace(body=self.templated_body(dry_plan.body)) if dry_plan else None
            if check_templated:
                check_body(self.spec, plan.body)
        self.confirm(plan)
        if self.run.dry:
            self.print_dry(dry_plan or plan)
            return None
        response = self.send(plan)
        self.output(plan, response)
        return response

    def templated_body(self, body: Any) -> Any:
        """The body from ``--template`` (evaluated for this job's piped value) with the command's own
        values merged over it: what the flags say wins."""
        from c8ylink.operator.api.shorthand import merge
        from c8ylink.operator.templates import (
            TemplateInput,
            load_template,
            parse_template_vars,
            render_template,
        )

        with self._lock:
            if not hasattr(self, "_template"):
                self._template = load_template(
                    str(self.run.template), [self.run.template_path], self.run.extensions_dir
                )
                self._template_vars = parse_template_vars(self.run.template_vars)
        job: Job | None = getattr(self._local, "job", None)
        rendered = render_template(
            self._template,
            TemplateInput(self.piped_input(), job.number if job is not None else 1),
            variables=self._template_vars,
            now=self.now,
        )
        if not isinstance(rendered, dict) or not isinstance(body, dict | None):
            return rendered if body in (None, {}) else body
        return merge(rendered, body or {})

    def piped_input(self) -> Any:
        """``input.value`` of the templates: this job's piped JSON object, or its piped text (None when
        nothing was piped)."""
        from c8ylink.operator.templates import piped_value

        job: Job | None = getattr(self._local, "job", None)
        if job is None:
            return None
        return job.item if job.item is not None else piped_value(job.value)

    def print_dry(self, plan: RequestPlan) -> None:
        text = render_dry(
            plan, self.target.base_url, self.target.auth_kind, self.run.dry_format, compact=self.run.compact
        )
        self.printer.text(text)

    def get_json(self, plan: RequestPlan) -> Any:
        return self.send(plan).json_or_none()

    def send(self, plan: RequestPlan) -> HttpResponse:
        attempt = 0
        headers = dict(plan.headers)
        headers.setdefault("Accept", "")
        while True:
            try:
                if plan.files or not isinstance(plan.content, bytes | None):
                    return self._send_files(plan, headers)
                return self.client().request(
                    plan.method, plan.target, json=plan.body, headers=headers, content=plan.content
                )
            except (ApiError, NetworkError) as exc:
                if not _retryable(exc) or attempt >= self.run.retries:
                    raise self._silenced(exc) from exc.__cause__
                attempt += 1
                low, high = self.run.retry_wait
                wait = min(low * 2 ** (attempt - 1), high)
                reason = f"{exc.status}" if isinstance(exc, ApiError) else str(exc)
                self.err.write(
                    f"warning: {plan.method} {plan.target} failed ({reason}): "
                    f"retry {attempt} of {self.run.retries} in {wait:g}s\n"
                )
                self.sleep(wait)

    def _send_files(self, plan: RequestPlan, headers: dict[str, str]) -> HttpResponse:
        """A multipart body or a file's bytes, the files opened now (read while they are sent)."""
        from c8ylink.operator.api.uploads import open_uploads

        progress = self.err if self.run.upload_progress else None
        with open_uploads(plan, progress) as (files, content):
            return self.client().request(
                plan.method,
                plan.target,
                data=dict(plan.fields) if files else None,
                files=files,
                headers=headers,
                content=content,
            )

    def _silenced(self, exc: ApiError | NetworkError) -> C8yLinkError:
        if isinstance(exc, ApiError) and exc.status in self.run.silent_statuses:
            return Silenced(str(exc), exit_code=exc.exit_code)
        return exc

    # -- answers ---------------------------------------------------------------------------------------
    def output(self, plan: RequestPlan, response: HttpResponse) -> None:
        if self.raw_sink is not None:
            self.raw_sink.add(response.content)
        document = response.json_or_none()
        if document is None and response.content and not _json_type(response.content_type):
            if self.raw_sink is not None:  # a download to --outputFileRaw: its path, not the bytes
                self.printer.text(self.raw_sink.path + "\n")
                return
            self.printer.content(response.content)  # a binary, CSV: as it came (upstream prints it)
            return
        if document is None:
            verb = _VERBS.get(self.spec.kind, "Done")
            self.err.write(f"✓ {verb} {plan.path} => {response.status}\n")
            return
        collection = self.spec.collection
        if collection == GUESS and isinstance(document, dict):
            collection = guess_collection(document)
        if self.run.raw:
            self.printer.document(document)
        elif collection and isinstance(document, dict):
            self.output_pages(plan, document, collection)
        elif isinstance(document, dict):
            self.printer.items([document], piped=self.piped_input())
        elif isinstance(document, list):
            listed = [item if isinstance(item, dict) else {"value": item} for item in document]
            self.printer.items(listed, piped=self.piped_input())
        else:
            self.printer.document(document)

    def output_pages(self, plan: RequestPlan, document: dict[str, Any], collection: str) -> None:
        if self.run.with_total_pages and not self.run.include_all:
            self.printer.items([document.get("statistics", {})])
            return
        page_size = int(plan.query_value("pageSize") or 5)
        page = int(plan.query_value("currentPage") or 1)
        pages = fetched = 0
        while True:
            items = collection_items(document, collection)
            self.printer.items(items, piped=self.piped_input())
            pages, fetched = pages + 1, fetched + len(items)
            if self.run.progress:
                self.err.write(f"\r· {fetched:,} results ({pages} page{'s' if pages > 1 else ''})")
                self.err.flush()
            done = len(items) < page_size or (self.run.total_pages and pages >= self.run.total_pages)
            if not self.run.include_all or done:
                break
            self.sleep(self.run.page_delay)
            page += 1
            document = self.send(plan.with_query("currentPage", str(page))).json_or_none() or {}
        if self.run.progress:
            self.err.write("\n")


def _json_type(content_type: str) -> bool:
    return "json" in content_type.lower()


def _retryable(exc: ApiError | NetworkError) -> bool:
    return isinstance(exc, NetworkError) or (exc.status >= 500 and exc.status != 501)


def read_text(param: ParamSpec, path: str) -> str:
    """A text file given to ``param`` (``filetext``); a ``UsageError`` naming the flag when unreadable."""
    from pathlib import Path

    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {flag_of(param)} {path}: {exc}", exit_code=USER_ERROR) from None


def read_certificate(param: ParamSpec, path: str) -> str:
    """The base64 body of a PEM certificate file (what ``certInPemFormat`` takes)."""
    text = read_text(param, path)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("-----")]
    if not lines:
        raise UsageError(f"{flag_of(param)} {path} holds no PEM certificate", exit_code=USER_ERROR)
    return "".join(lines)


if TYPE_CHECKING:
    Handler = Callable[[Executor, dict[str, Any]], None]


def _load_handler(target: str) -> Handler:
    import importlib

    module, _, attribute = target.partition(":")
    handler: Handler = getattr(importlib.import_module(module), attribute)
    return handler
