"""``c8y microservices serviceuser get|create``: a microservice's service users (one per subscribed
tenant, go-c8y-cli's hand-written commands).

* ``get``: the microservice's bootstrap user (``/application/applications/{id}/bootstrapUser``) asks
  ``/application/currentApplication/subscriptions`` for the service users' credentials;
* ``create``: a microservice application without a binary, with ``--roles`` as its required roles,
  subscribed by ``--tenants`` (default: the session's tenant), so that its service user exists.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import ApiError
from c8ylink.operator.api.plan import RequestPlan, encode_component

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

BASE = "/application/applications"
JSON = (("Accept", "application/json"),)
WRITE = (*JSON, ("Content-Type", "application/json"))


def basic_header(tenant: str, name: str, password: str) -> str:
    token = base64.b64encode(f"{tenant}/{name}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def run_get(executor: Executor, values: dict[str, Any]) -> None:
    ids = values.get("application") or []
    app_id = str(ids[0] if isinstance(ids, list) else ids)
    plan = RequestPlan("GET", f"{BASE}/{encode_component(app_id, safe='')}/bootstrapUser", headers=JSON)
    if executor.run.dry:
        executor.print_dry(plan)
        return
    bootstrap = executor.get_json(plan) or {}
    header = basic_header(str(bootstrap.get("tenant", "")), str(bootstrap.get("name", "")),
                          str(bootstrap.get("password", "")))  # fmt: skip
    subscriptions = RequestPlan(
        "GET", "/application/currentApplication/subscriptions", headers=(*JSON, ("Authorization", header))
    )
    answer = executor.get_json(subscriptions) or {}
    executor.printer.items([dict(user) for user in answer.get("users") or [] if isinstance(user, dict)])


def run_create(executor: Executor, values: dict[str, Any]) -> None:
    name = str(values["name"])
    body: dict[str, Any] = {"name": name, "key": f"{name}-key", "type": "MICROSERVICE", "contextPath": name,
                            "requiredRoles": list(values.get("roles") or [])}  # fmt: skip
    create = RequestPlan("POST", BASE, body=body, headers=WRITE, label=f"name={name}")
    executor.confirm(create)
    tenants = list(values.get("tenants") or []) or [executor.tenant()]
    if executor.run.dry:
        executor.print_dry(create)
        return
    application = executor.send(create).json_or_none() or {}
    for tenant in tenants:
        path = f"/tenant/tenants/{encode_component(tenant, safe='')}/applications"
        reference = {"application": {"id": application.get("id")}}
        subscribe = RequestPlan("POST", path, body=reference, headers=WRITE)
        try:
            executor.send(subscribe)
        except ApiError as exc:
            if exc.status != 409:
                raise
    executor.printer.items([application])
