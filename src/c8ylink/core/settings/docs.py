"""``tedge config list --doc``: every key with its description, note and examples (pure rendering).

Layout (upstream's): the key right-aligned to the longest key shown, two spaces, the description
(newlines folded, a final ``.`` ensured); then optional ``Note: ...`` and ``Example: v`` /
``Examples: a, b`` lines indented to the description. When the output is not a terminal a blank line
follows each key. Colours (key yellow, description italic, labels blue/green) only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

from c8ylink.core.settings.schema import Key

_YELLOW, _ITALIC, _BLUE, _GREEN, _RESET = "\x1b[33m", "\x1b[3m", "\x1b[34m", "\x1b[32m", "\x1b[0m"


def normalise_doc(text: str) -> str:
    folded = " ".join(line.strip() for line in text.splitlines()).strip()
    return folded if folded.endswith(".") else folded + "."


def render_key_docs(keys: Iterable[Key], *, blank_lines: bool, color: bool = False) -> str:
    """The ``--doc`` text of ``keys`` (already filtered), ending with a newline (empty when no keys)."""
    entries = list(keys)
    if not entries:
        return ""
    width = max(len(key.name) for key in entries)
    pad = " " * width

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    for key in entries:
        lines.append(f"{paint(key.name.rjust(width), _YELLOW)}  {paint(normalise_doc(key.doc), _ITALIC)}")
        if key.note:
            lines.append(f"{pad}  {paint('Note:', _BLUE)} {key.note}")
        if key.examples:
            label = "Example:" if len(key.examples) == 1 else "Examples:"
            lines.append(f"{pad}  {paint(label, _GREEN)} {', '.join(key.examples)}")
        if blank_lines:
            lines.append("")
    return "\n".join(lines) + "\n"
