"""What the terminal prompts show: select lists in aligned columns, and what a cancelled prompt says."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from c8ylink.infra.prompts import PromptCancelled, TerminalPrompter, choice_title


def test_choices_are_aligned_columns_not_tabs() -> None:
    assert choice_title("auto", "Use tenant default", 15) == "auto             Use tenant default"
    assert choice_title("BASIC", "", 15) == "BASIC"
    # a description that already names the value is shown alone (mode labels, the session picker)
    assert choice_title("prod", "prod (read only)", 4) == "prod (read only)"
    assert choice_title("#01", "#01 json alpha", 3) == "#01 json alpha"


@pytest.mark.parametrize(
    ("ask", "said"),
    [
        (lambda p: p.text("Enter host"), "no answer to 'Enter host'"),
        (lambda p: p.confirm("Allow insecure TLS?"), "no answer to 'Allow insecure TLS'"),
        (
            lambda p: p.text("Create managed object on x? [y] Yes [a] Yes to All [n] No", required=False),
            "no answer to 'Create managed object on x'",
        ),
    ],
)
def test_end_of_input_names_the_unanswered_question(
    ask: Callable[[TerminalPrompter], object], said: str
) -> None:
    prompter = TerminalPrompter(io.StringIO(""), io.StringIO())
    with pytest.raises(PromptCancelled) as caught:
        ask(prompter)
    assert str(caught.value) == said and caught.value.exit_code == 2
