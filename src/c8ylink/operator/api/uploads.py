"""Uploads from files: the ``file``, ``filecontents`` and ``fileurl`` parameters (``operator.api.spec``).

* ``file``: a ``multipart/form-data`` body; the file is the part named by the parameter's ``property``
  (default ``file``); the command's other body values go in an ``object`` part as JSON (for an
  application version, the ``applicationVersion`` part), as Cumulocity reads them;
* ``filecontents``: the file is the whole body (``binaries update``, ``events updateBinary``);
* ``fileurl``: the file is uploaded to ``/inventory/binaries`` first and the new binary's URL is the
  value (``configuration create --file``, ``software versions create --file``).

A file is checked when the command starts (it exists, is a regular file, can be opened) and is read only
while the request is sent, in blocks (``infra.net.http_request.multipart_body``), never whole; ``--dry``
shows its path and size. On a terminal stderr shows a progress bar while it is sent.

``build_upload`` is pure; ``perform_upload`` and ``open_uploads`` are the I/O.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

from c8ylink.core.errors import UsageError
from c8ylink.infra.net.response import FileField as ClientFileField
from c8ylink.operator.api.build import RequestOptions, build_request
from c8ylink.operator.api.plan import LocalFile, RequestPlan
from c8ylink.operator.api.spec import CommandSpec, ParamSpec

if TYPE_CHECKING:
    from collections.abc import Callable

    from c8ylink.operator.api.execute import Executor

USER_ERROR = 101
OCTET_STREAM = "application/octet-stream"
BINARIES = "/inventory/binaries"
VERSION_PART = "applicationBinary"  # an application (or UI plugin) version: its metadata part differs
BAR_WIDTH = 24


# -- pure --------------------------------------------------------------------------------------------------
def file_param(spec: CommandSpec) -> ParamSpec | None:
    from c8ylink.operator.api.spec import FILE_TYPES

    return next((param for param in spec.params if param.type in FILE_TYPES), None)


def content_type_of(path: str) -> str:
    import mimetypes

    kind, _ = mimetypes.guess_type(path)
    return kind or OCTET_STREAM


def build_upload(spec: CommandSpec, values: Mapping[str, Any], options: RequestOptions) -> RequestPlan:
    """The request of a command whose ``file``/``filecontents`` parameter holds a ``LocalFile``."""
    param = file_param(spec)
    upload = values.get(param.name) if param else None
    base = build_request(spec, values, options)
    if param is None or not isinstance(upload, LocalFile):
        return base
    body = dict(base.body or {})
    body.pop(param.target, None)
    headers = tuple((name, value) for name, value in base.headers if name.lower() != "content-type")
    kind = content_type_of(upload.path)
    if param.type == "filecontents":
        return base._replace(body=None, content=upload, headers=(*headers, ("Content-Type", kind)))
    field = param.property or "file"
    filename = os.path.basename(upload.path)
    if field == VERSION_PART:
        fields: tuple[tuple[str, str], ...] = (("applicationVersion", _compact(body)),)
    elif spec.path == BINARIES:  # the managed object of the binary: a name and a type are needed
        described = {"name": filename, "type": kind, **body}
        fields = (("object", _compact(described)),)
    else:
        fields = (("object", _compact(body)),) if body else ()
    return base._replace(body=None, headers=headers, files=((field, filename, upload, kind),), fields=fields)


def binary_plan(upload: LocalFile, label: str = "") -> RequestPlan:
    """The upload of a file to ``/inventory/binaries`` (named as the file; its type guessed)."""
    filename = os.path.basename(upload.path)
    kind = content_type_of(upload.path)
    return RequestPlan(
        "POST",
        BINARIES,
        headers=(("Accept", "application/json"),),
        files=(("file", filename, upload, kind),),
        fields=(("object", _compact({"name": filename, "type": kind})),),
        label=label or f"file={filename}",
    )


def _compact(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"))


def render_progress(name: str, sent: int, total: int) -> str:
    """``\\r↑ name [#####.....]  42% 2.1/5.0 MB`` (one line, rewritten in place)."""
    fraction = sent / total if total else 1.0
    filled = int(fraction * BAR_WIDTH)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    return f"\r↑ {name} [{bar}] {fraction * 100:3.0f}% {sent / 1e6:.1f}/{total / 1e6:.1f} MB"


# -- I/O ---------------------------------------------------------------------------------------------------
def check_file(param: ParamSpec, path: str) -> LocalFile:
    """The file a ``--file`` names, checked now (nothing is read): a readable regular file."""
    import stat

    flag = f"--{param.name}"
    expanded = os.path.expanduser(path)
    try:
        info = os.stat(expanded)
    except FileNotFoundError:
        raise UsageError(f"{flag} {path}: no such file", exit_code=USER_ERROR) from None
    except OSError as exc:
        raise UsageError(f"cannot read {flag} {path}: {exc.strerror}", exit_code=USER_ERROR) from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{flag} {path} is a directory: give a file", exit_code=USER_ERROR)
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{flag} {path} is not a regular file", exit_code=USER_ERROR)
    try:
        with open(expanded, "rb"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot read {flag} {path}: {exc.strerror}", exit_code=USER_ERROR) from None
    return LocalFile(os.path.abspath(expanded), info.st_size)


class ProgressReader:
    """A binary file that reports how much of it was read (sent), for the progress bar."""

    def __init__(self, handle: IO[bytes], total: int, report: Callable[[int], None]) -> None:
        self._handle = handle
        self._total = total
        self._report = report
        self._start = handle.tell()

    def read(self, size: int = -1) -> bytes:
        block = self._handle.read(size)
        self._report(min(self._handle.tell() - self._start, self._total))
        return block

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def fileno(self) -> int:
        return self._handle.fileno()


class _Bar:
    def __init__(self, err: IO[str], name: str, total: int) -> None:
        self.err, self.name, self.total = err, name, total
        self.shown = -1

    def __call__(self, sent: int) -> None:
        step = sent * 100 // self.total if self.total else 100
        if step != self.shown:
            self.shown = step
            self.err.write(render_progress(self.name, sent, self.total))
            self.err.flush()

    def finish(self) -> None:
        if self.shown >= 0:
            self.err.write("\n")
            self.err.flush()


@contextlib.contextmanager
def open_uploads(
    plan: RequestPlan, progress: IO[str] | None
) -> Iterator[tuple[dict[str, ClientFileField] | None, Any]]:
    """The client's ``files`` and ``content`` for ``plan``, its files opened (and closed after)."""
    with contextlib.ExitStack() as stack:
        bars: list[_Bar] = []

        def opened(upload: LocalFile) -> Any:
            try:
                handle = stack.enter_context(open(upload.path, "rb"))
            except OSError as exc:
                raise UsageError(f"cannot read {upload.path}: {exc.strerror}", exit_code=USER_ERROR) from None
            if progress is None:
                return handle
            bar = _Bar(progress, os.path.basename(upload.path), upload.size)
            bars.append(bar)
            return ProgressReader(handle, upload.size, bar)

        files: dict[str, ClientFileField] | None = None
        if plan.files:
            files = {
                field: (name, opened(content) if isinstance(content, LocalFile) else content, kind)
                for field, name, content, kind in plan.files
            }
        content = opened(plan.content) if isinstance(plan.content, LocalFile) else plan.content
        try:
            yield files, content
        finally:
            for bar in bars:
                bar.finish()


def perform_upload(executor: Executor, values: dict[str, Any]) -> None:
    """One job of a command with a file parameter: a ``fileurl`` file is uploaded first (its URL is
    then the value), then the command's own request is built and sent."""
    spec = executor.spec
    param = file_param(spec)
    upload = values.get(param.name) if param else None
    if param is not None and param.type == "fileurl" and isinstance(upload, LocalFile):
        values = {**values, param.name: upload_binary(executor, upload)}
    executor.perform(build_upload(spec, values, executor.request_options))


def upload_binary(executor: Executor, upload: LocalFile) -> str:
    """``POST /inventory/binaries``: the new binary's URL (``--dry``: the request, and a placeholder)."""
    plan = binary_plan(upload)
    executor.confirm(plan)
    if executor.run.dry:
        executor.print_dry(plan)
        return "{binary url}"
    answer = executor.send(plan).json_or_none() or {}
    url = answer.get("self") if isinstance(answer, dict) else None
    if not url:
        binary_id = answer.get("id", "") if isinstance(answer, dict) else ""
        url = f"{executor.target.base_url.rstrip('/')}{BINARIES}/{binary_id}"
    return str(url)
