"""``c8y <group> [<sub-group>] --help`` is answered without click (start-up: ``bench/cli_startup.py``)
and says exactly what the click group built from the same spec says, for every group and sub-group."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from c8ylink.operator.api.index import GROUPS, load_group
from c8ylink.operator.cli.group_pages import render_group_help
from c8ylink.operator.cli.main import quick_answer
from c8ylink.operator.cli.rest import build_group


def _pages() -> list[list[str]]:
    pages = []
    for name in sorted(GROUPS):
        pages.append([name])
        subs = {tuple(c.name.split(" ")[:-1]) for c in load_group(name).commands if " " in c.name}
        prefixes = {sub[:depth] for sub in subs for depth in range(1, len(sub) + 1)}
        pages += [[name, *prefix] for prefix in sorted(prefixes)]
    return pages


PAGES = _pages()


def click_page(words: list[str], width: int) -> str:
    command: click.Command = build_group(words[0])
    settings = {"terminal_width": width, "help_option_names": ["-h", "--help"]}
    context = click.Context(command, info_name=f"c8y {words[0]}", **settings)
    for word in words[1:]:
        assert isinstance(command, click.Group)
        command = command.commands[word]
        context = click.Context(command, info_name=word, parent=context, **settings)
    return command.get_help(context) + "\n"


@pytest.mark.parametrize("words", PAGES, ids=[" ".join(words) for words in PAGES])
def test_group_page_is_the_page_click_renders(words: list[str]) -> None:
    for width in (50, 78):
        page = render_group_help(load_group(words[0]), GROUPS[words[0]], words[1:], width)
        assert page == click_page(words, width)


def test_every_sub_group_is_listed() -> None:
    assert ["devices", "children"] in PAGES and ["ui", "plugins", "versions"] in PAGES
    assert ["devicemanagement", "certificates"] in PAGES and ["notification2", "tokens"] in PAGES


def test_a_command_or_unknown_word_is_left_to_click() -> None:
    assert quick_answer(["devices", "list", "--help"], {}, stdout_tty=False) is None
    assert quick_answer(["devices", "nosuch", "--help"], {}, stdout_tty=False) is None
    assert quick_answer(["nosuch", "--help"], {}, stdout_tty=False) is None
    assert quick_answer(["devices", "-h"], {"COLUMNS": "80"}, stdout_tty=False) == click_page(["devices"], 78)


def test_group_help_imports_no_click() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from c8ylink.operator.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['users', '--help'])\n"
        "    except SystemExit: pass\n"
        "import json; print(json.dumps(sorted(m for m in ('click', 'rich', 'httpx2') if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
