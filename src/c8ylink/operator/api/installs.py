"""Operations that carry a repository entry (upstream's ``firmwareDetails``, ``softwareDetails`` and
``configurationDetails`` templates): ``firmware versions install``, ``software versions install`` and
``configuration send`` take the url (and a configuration's type and name) from the repository when the
command line does not give it, then send their one POST. The handlers of those commands
(``CommandSpec.handler``), called by ``operator.api.execute`` for each job.

A version is found within its firmware or software (``bygroupid``), newest first; a firmware or
software given by name is looked up as ``firmware[]``/``software[]`` are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.operator.api.build import build_request
from c8ylink.operator.api.lookup import MO, NOT_FOUND_EXIT, resolve
from c8ylink.operator.api.plan import RequestPlan

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

ACCEPT = (("Accept", "application/json"),)


def install_firmware(executor: Executor, values: dict[str, Any]) -> None:
    name, version = values.get("firmware"), values.get("version")
    if name and version and not values.get("url"):
        found = _version(executor, "firmware", str(name), str(version), "(type eq 'c8y_FirmwareBinary')")
        values = {**values, "url": found.get("c8y_Firmware", {}).get("url") or None}
    if name and not values.get("description"):
        suffix = f" ({version})" if version else ""
        values = {**values, "description": f'Update firmware to: "{name}"{suffix}'}
    _send(executor, values)


def install_software(executor: Executor, values: dict[str, Any]) -> None:
    name, version = values.get("software"), values.get("version")
    if name and version and not values.get("url") and values.get("action") == "install":
        found = _version(executor, "software", str(name), str(version), "(type eq 'c8y_SoftwareBinary')")
        values = {**values, "url": found.get("c8y_Software", {}).get("url") or None}
    _send(executor, values)


def send_configuration(executor: Executor, values: dict[str, Any]) -> None:
    chosen = values.get("configuration")
    if chosen:
        entry = executor.get_json(RequestPlan("GET", f"{MO}/{chosen[0]}", headers=ACCEPT)) or {}
        kind = values.get("configurationType") or entry.get("configurationType")
        snapshot = entry.get("name", chosen[0])
        text = f"Send configuration snapshot {snapshot} of configuration type {kind} to device"
        values = {
            **values,
            "configurationType": kind,
            "url": values.get("url") or entry.get("url"),
            "description": values.get("description") or text,
        }
    _send(executor, values)


def _send(executor: Executor, values: dict[str, Any]) -> None:
    executor.perform(build_request(executor.spec, values, executor.request_options))


def _version(executor: Executor, what: str, name: str, version: str, kind: str) -> dict[str, Any]:
    """The newest version ``version`` of the firmware or software ``name`` (id or name)."""
    [parent] = resolve(f"{what}[]", [name], executor.get_json, flag=f"--{what}")
    quoted = version.replace("'", "''")
    query = f"$filter={kind} and (c8y_{what.capitalize()}.version eq '{quoted}') and bygroupid({parent})"
    plan = RequestPlan(
        "GET", MO, (("query", f"{query} $orderby=creationTime.date desc"), ("pageSize", "1")), headers=ACCEPT
    )
    items = (executor.get_json(plan) or {}).get("managedObjects") or []
    if not items:
        raise C8yLinkError(
            f"{what} {name!r} has no version {version!r} (give --url to install from elsewhere)",
            exit_code=NOT_FOUND_EXIT,
        )
    item: dict[str, Any] = items[0]
    return item
