"""``c8y applications open``: the web address of an application (``<host>/apps/<contextPath>/``, with
``#/<page>``), printed as ``{"url": ...}``; c8ylink does not start a browser (a script or the user opens
the address: ``xdg-open "$(c8y applications open --application cockpit --select url -o csv)"``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.plan import RequestPlan, encode_component

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

USER_ERROR = 101


def application_url(base_url: str, context_path: str, page: str = "") -> str:
    url = f"{base_url.rstrip('/')}/apps/{encode_component(context_path, safe='')}/"
    return url + (f"#/{page.lstrip('/')}" if page else "")


def run_open(executor: Executor, values: dict[str, Any]) -> None:
    ids = values.get("application") or []
    app_id = str(ids[0] if isinstance(ids, list) else ids)
    if not app_id:
        raise UsageError("missing --application: give an id or a name", exit_code=USER_ERROR)
    plan = RequestPlan("GET", f"/application/applications/{encode_component(app_id, safe='')}",
                       headers=(("Accept", "application/json"),), label=f"application={app_id}")  # fmt: skip
    if executor.run.dry:
        executor.print_dry(plan)
        return
    application = executor.get_json(plan) or {}
    context = str(application.get("contextPath") or application.get("name") or app_id)
    executor.printer.items(
        [{"url": application_url(executor.target.base_url, context, str(values.get("page") or ""))}]
    )
