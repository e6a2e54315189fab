"""`config list --doc` rendering."""

from __future__ import annotations

from c8ylink.core.settings.docs import normalise_doc, render_key_docs
from c8ylink.core.settings.schema import Key
from c8ylink.core.settings.types import StrType

KEYS = [
    Key("a.long.key", StrType(), "First line\nsecond line", ("x", "y"), note="Mind this."),
    Key("b.key", StrType(), "Ends with a dot.", ("z",)),
    Key("c", StrType(), "No examples"),
]


def test_doc_lines_are_folded_and_end_with_a_dot() -> None:
    assert normalise_doc("First line\n  second line") == "First line second line."
    assert normalise_doc("Done.") == "Done."


def test_keys_are_right_aligned_with_notes_and_examples() -> None:
    assert render_key_docs(KEYS, blank_lines=False) == (
        "a.long.key  First line second line.\n"
        "            Note: Mind this.\n"
        "            Examples: x, y\n"
        "     b.key  Ends with a dot.\n"
        "            Example: z\n"
        "         c  No examples.\n"
    )


def test_blank_line_after_each_key_when_not_a_terminal() -> None:
    assert render_key_docs(KEYS[2:], blank_lines=True) == "c  No examples.\n\n"


def test_colours_only_when_asked() -> None:
    text = render_key_docs(KEYS[1:2], blank_lines=False, color=True)
    assert "\x1b[33mb.key\x1b[0m" in text
    assert "\x1b[32mExample:\x1b[0m z" in text
    assert render_key_docs([], blank_lines=True) == ""
