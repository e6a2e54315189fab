"""`tedge diag collect`, the pure part: which plugins run and in what order, what is left out and said,
how each run is judged, the summary and the exit code (thin-edge.io 1.x's diagnostic plugin API)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.core.settings.schema import Literal
from c8ylink.device.config.settings import TEDGE
from c8ylink.device.diag.plan import (
    Entry,
    Listing,
    Plugin,
    PluginRun,
    check_name,
    default_name,
    describe_problem,
    discover_plugins,
    exit_code,
    plugin_args,
    render_summary_log,
    split_plugin_dirs,
    summarize,
)
from c8ylink.device.install.layout import DIAG_PLUGIN_DIR


def test_plugins_of_every_directory_run_in_the_order_of_their_names() -> None:
    found = discover_plugins(
        [
            Listing("/usr/share/tedge/diag-plugins", (Entry("02_os.sh"), Entry("01_tedge.sh"))),
            Listing("/etc/tedge/diag-plugins", (Entry("00_mine.sh"), Entry("10_late"))),
        ],
        as_root=False,
    )
    assert [plugin.path for plugin in found.plugins] == [
        "/etc/tedge/diag-plugins/00_mine.sh",
        "/usr/share/tedge/diag-plugins/01_tedge.sh",
        "/usr/share/tedge/diag-plugins/02_os.sh",
        "/etc/tedge/diag-plugins/10_late",
    ]
    assert [plugin.folder for plugin in found.plugins] == ["00_mine", "01_tedge", "02_os", "10_late"]
    assert found.warnings == ()


def test_an_earlier_directory_wins_for_a_name() -> None:
    found = discover_plugins(
        [
            Listing("/etc/tedge/diag-plugins", (Entry("01_tedge.sh"),)),
            Listing("/usr/share/d", (Entry("01_tedge.sh"),)),
        ],
        as_root=False,
    )
    assert found.plugins == (Plugin("/etc/tedge/diag-plugins/01_tedge.sh", "01_tedge"),)
    assert found.warnings == (
        "Skipping /usr/share/d/01_tedge.sh (a plugin of the same name comes first: "
        "/etc/tedge/diag-plugins/01_tedge.sh)",
    )


def test_a_directory_that_cannot_be_read_is_said_once_and_the_others_still_count() -> None:
    found = discover_plugins(
        [Listing("/nope", None, "it does not exist"), Listing("/d", (Entry("a.sh"),))], as_root=False
    )
    assert found.plugins == (Plugin("/d/a.sh", "a"),)
    assert found.warnings == ("Skipping the plugin directory /nope: it does not exist",)


def test_what_cannot_run_is_left_out_with_a_reason_and_ignore_files_silently() -> None:
    entries = (
        Entry("template.sh.ignore", executable=False),
        Entry(".hidden"),
        Entry("notes.txt", executable=False),
        Entry("subdir", regular=False, executable=False),
        Entry("ok.sh"),
    )
    found = discover_plugins([Listing("/d", entries)], as_root=False)
    assert found.plugins == (Plugin("/d/ok.sh", "ok"),)
    assert found.warnings == (
        "Skipping /d/notes.txt (not executable)",
        "Skipping /d/subdir (not a regular file)",
    )


def test_as_root_only_plugins_owned_by_root_and_not_writable_by_others_run() -> None:
    entries = (
        Entry("a_user.sh", uid=1000),
        Entry("b_group_writable.sh", mode=0o775),
        Entry("c_world_writable.sh", mode=0o757),
        Entry("d_fine.sh", uid=0, mode=0o750),
    )
    as_root = discover_plugins([Listing("/d", entries)], as_root=True)
    assert [plugin.path for plugin in as_root.plugins] == ["/d/d_fine.sh"]
    assert as_root.warnings == (
        "Skipping /d/a_user.sh (not owned by root)",
        "Skipping /d/b_group_writable.sh (writable by non-root users)",
        "Skipping /d/c_world_writable.sh (writable by non-root users)",
    )
    assert len(discover_plugins([Listing("/d", entries)], as_root=False).plugins) == 4


def test_two_plugins_with_the_same_stem_get_their_own_folders() -> None:
    found = discover_plugins([Listing("/d", (Entry("a.sh"), Entry("a.py"), Entry("b")))], as_root=False)
    assert [(plugin.path, plugin.folder) for plugin in found.plugins] == [
        ("/d/a.py", "a"),
        ("/d/a.sh", "a.sh"),
        ("/d/b", "b"),
    ]


def test_plugin_dirs_from_options_or_the_setting_split_at_commas_once_each() -> None:
    assert split_plugin_dirs(["/a,/b", " /c ", "/a", ""]) == ("/a", "/b", "/c")
    assert split_plugin_dirs([]) == ()


def test_the_default_plugin_dir_is_where_tedge_init_puts_the_plugins() -> None:
    default = TEDGE.key("diag.plugin_paths").default
    assert isinstance(default, Literal)
    assert split_plugin_dirs([default.text]) == (DIAG_PLUGIN_DIR,)


def test_a_plugin_is_called_with_collect_and_its_directories() -> None:
    assert plugin_args("/tmp/x/01_tedge", "/etc/tedge") == (
        "collect", "--output-dir", "/tmp/x/01_tedge", "--config-dir", "/etc/tedge",
    )  # fmt: skip


def test_the_default_name_and_bad_names() -> None:
    assert default_name(datetime(2025, 6, 12, 13, 38, 53, tzinfo=UTC)) == "tedge-diag-2025-06-12_13-38-53"
    assert check_name("default") == "default"
    for bad in ("", ".", "..", "a/b", "/tmp/x"):
        with pytest.raises(UsageError, match="Invalid --name"):
            check_name(bad)


def run(exit_code: int | None = 0, **fields: object) -> PluginRun:
    return PluginRun(Plugin("/d/p.sh", "p"), exit_code, **fields)  # type: ignore[arg-type]


def test_how_a_run_is_judged_and_said() -> None:
    assert run(0).outcome == "completed" and describe_problem(run(0)) is None
    assert run(2).outcome == "skipped" and describe_problem(run(2)) is None
    assert run(3).outcome == "failed"
    assert describe_problem(run(3)) == "/d/p.sh failed with exit status: 3"
    assert describe_problem(run(None, signal=9)) == "/d/p.sh terminated by signal 9"
    stopped = run(None, signal=15, timeout="1s: stopped with SIGTERM")
    assert stopped.outcome == "failed"
    assert describe_problem(stopped) == "/d/p.sh did not finish within 1s: stopped with SIGTERM"
    assert run(0, timeout="1s: stopped with SIGTERM").outcome == "failed"  # it trapped SIGTERM
    assert (
        describe_problem(run(None, error="Permission denied"))
        == "/d/p.sh failed with error: Permission denied"
    )


def test_the_summary_and_the_exit_code() -> None:
    runs = [run(0), run(2), run(1), run(0)]
    assert summarize(runs) == "Total 4 executed: 2 completed, 1 failed, 1 skipped"
    assert exit_code(runs) == 1
    assert exit_code([run(0), run(2)]) == 0
    log = render_summary_log(["Skipping /d/x (not executable)"], [run(0), run(2), run(1)])
    assert log == (
        "warning: Skipping /d/x (not executable)\n"
        "Executing /d/p.sh... ✓\n"
        "Executing /d/p.sh... ✓\n"
        "/d/p.sh is marked skipped\n"
        "Executing /d/p.sh... ✗\n"
        "error: /d/p.sh failed with exit status: 1\n"
        "\n"
        "Total 3 executed: 1 completed, 1 failed, 1 skipped\n"
    )
