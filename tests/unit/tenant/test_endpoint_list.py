"""docs/local-tenant.md prints the one list of endpoints the tenant serves (``endpoint_list``)."""

from __future__ import annotations

from pathlib import Path

from c8ylink.tenant.rest.app import endpoint_list

DOC = Path(__file__).resolve().parents[3] / "docs" / "local-tenant.md"
BEGIN, END = "<!-- endpoints:begin -->", "<!-- endpoints:end -->"


def documented_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)]


def expected_block() -> str:
    return "\n```\n" + "\n".join(endpoint_list()) + "\n```\n"


def test_the_docs_list_every_served_endpoint() -> None:
    assert documented_block() == expected_block(), (
        "docs/local-tenant.md is out of date; replace the block between the endpoint markers with:"
        + expected_block()
    )


def test_literal_paths_are_routed_before_templated_ones() -> None:
    lines = endpoint_list()
    assert "GET /measurement/measurements/series" in lines
    assert "GET /inventory/managedObjects/count" in lines
    assert not any(line.startswith("GET /__local__") for line in lines)
