"""Paging as Cumulocity does it (cumulocity-api.md §3.0).

``pageSize`` defaults to 5 and is silently clamped to 2000; ``currentPage`` starts at 1; totals only
when ``withTotalPages``/``withTotalElements`` is true. Bad values are 422.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from c8ylink.tenant.state.errors import validation_error

DEFAULT_PAGE_SIZE = 5
MAX_PAGE_SIZE = 2000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    page_size: int = DEFAULT_PAGE_SIZE
    current_page: int = 1
    with_total_pages: bool = False
    with_total_elements: bool = False

    @property
    def offset(self) -> int:
        return (self.current_page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    request: PageRequest
    total_elements: int

    @property
    def total_pages(self) -> int:
        size = self.request.page_size
        return (self.total_elements + size - 1) // size

    def statistics(self) -> dict[str, int]:
        stats = {"currentPage": self.request.current_page, "pageSize": self.request.page_size}
        if self.request.with_total_pages:
            stats["totalPages"] = self.total_pages
        if self.request.with_total_elements:
            stats["totalElements"] = self.total_elements
        return stats


def parse_bool(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise validation_error(f"{name} must be true or false, not '{value}'")


def parse_positive_int(params: Mapping[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise validation_error(f"{name} must be a positive integer, not '{value}'")
    return int(value)


def parse_page_request(params: Mapping[str, str]) -> PageRequest:
    return PageRequest(
        page_size=min(parse_positive_int(params, "pageSize", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE),
        current_page=parse_positive_int(params, "currentPage", 1),
        with_total_pages=parse_bool(params, "withTotalPages"),
        with_total_elements=parse_bool(params, "withTotalElements"),
    )


def paginate(items: Sequence[T], request: PageRequest) -> Page[T]:
    start = request.offset
    return Page(list(items[start : start + request.page_size]), request, len(items))
