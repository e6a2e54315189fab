"""Query parameters: paging, booleans, time windows and the source sets of the data APIs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web

from c8ylink.tenant.rest.render import collection
from c8ylink.tenant.state.filters import TimeWindow, build_windows
from c8ylink.tenant.state.paging import paginate, parse_bool, parse_page_request
from c8ylink.tenant.state.tenant import TenantState

T = TypeVar("T")


def params_of(request: web.Request) -> Mapping[str, str]:
    """The first value of every query parameter (a raw ``+`` arrives as a space, as in forms)."""
    return {key: request.query[key] for key in request.query}


def boolean(request: web.Request, name: str, default: bool = False) -> bool:
    return parse_bool(params_of(request), name, default)


def paged(
    request: web.Request, key: str, items: Sequence[T], render: Callable[[T], dict[str, Any]]
) -> dict[str, Any]:
    page = paginate(items, parse_page_request(params_of(request)))
    return collection(request, key, [render(item) for item in page.items], page)


def windows(params: Mapping[str, str], specs: Iterable[tuple[str, str, str]]) -> tuple[TimeWindow, ...]:
    return build_windows(params, specs)


def source_ids(state: TenantState, params: Mapping[str, str]) -> frozenset[str] | None:
    """``source`` plus, on request, its child devices (``withSourceDevices``) or assets
    (``withSourceAssets``)."""
    source = params.get("source")
    if not source:
        return None
    ids = {source}
    if parse_bool(params, "withSourceDevices"):
        ids |= state.inventory.descendants(source, ("childDevices",))
    if parse_bool(params, "withSourceAssets"):
        ids |= state.inventory.descendants(source, ("childAssets",))
    return frozenset(ids)
