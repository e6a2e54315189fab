"""`tedge init`'s directory table and mosquitto's include line (pure)."""

from __future__ import annotations

import pytest

from c8ylink.device.install.layout import (
    DirectoryEntry,
    InitSpec,
    add_include_dir,
    build_layout,
    has_include_dir,
    mosquitto_include_dir,
)


def test_layout_is_upstreams_directories_owned_by_the_user_with_mode_0775() -> None:
    layout = build_layout(InitSpec(config_dir="/etc/tedge", user="tedge", group="tedge"))
    paths = [entry.path for entry in layout]
    assert paths == [
        "/etc/tedge",
        "/etc/tedge/mosquitto-conf",
        "/etc/tedge/device-certs",
        "/etc/tedge/operations",
        "/etc/tedge/operations/c8y",
        "/etc/tedge/plugins",
        "/etc/tedge/sm-plugins",
        "/etc/tedge/.agent",
        "/etc/tedge/.tedge-mapper-c8y",
        "/var/log/tedge",
        "/var/tedge",
    ]
    assert {(entry.user, entry.group, entry.mode) for entry in layout} == {("tedge", "tedge", 0o775)}


def test_parents_come_before_their_children() -> None:
    paths = [entry.path for entry in build_layout(InitSpec())]
    for index, path in enumerate(paths):
        parent = path.rsplit("/", 1)[0]
        if parent in paths:
            assert paths.index(parent) < index


def test_another_config_dir_user_and_group() -> None:
    layout = build_layout(InitSpec(config_dir="/srv/tedge/", user="edge", group="iot"))
    assert layout[0] == DirectoryEntry("/srv/tedge", "edge", "iot", 0o775)
    assert layout[1].path == "/srv/tedge/mosquitto-conf"
    assert mosquitto_include_dir("/srv/tedge/") == "/srv/tedge/mosquitto-conf"


DEBIAN_CONF = "pid_file /run/mosquitto/mosquitto.pid\n\ninclude_dir /etc/mosquitto/conf.d\n"


def test_include_dir_is_appended_once() -> None:
    once = add_include_dir(DEBIAN_CONF, "/etc/tedge/mosquitto-conf")
    assert once == DEBIAN_CONF + "include_dir /etc/tedge/mosquitto-conf\n"
    assert add_include_dir(once, "/etc/tedge/mosquitto-conf") is None


def test_include_dir_after_a_last_line_without_newline() -> None:
    assert add_include_dir("log_dest stderr", "/etc/tedge/mosquitto-conf") == (
        "log_dest stderr\ninclude_dir /etc/tedge/mosquitto-conf\n"
    )
    assert add_include_dir("", "/etc/tedge/mosquitto-conf") == "include_dir /etc/tedge/mosquitto-conf\n"


@pytest.mark.parametrize(
    ("line", "present"),
    [
        ("include_dir /etc/tedge/mosquitto-conf", True),
        ("  include_dir   /etc/tedge/mosquitto-conf/  ", True),
        ("include_dir /etc/tedge/mosquitto-conf # tedge", True),
        ("# include_dir /etc/tedge/mosquitto-conf", False),
        ("include_dir /etc/tedge/mosquitto-conf.d", False),
        ("include_dir /etc/mosquitto/conf.d", False),
    ],
)
def test_which_lines_count_as_the_include(line: str, present: bool) -> None:
    assert has_include_dir(f"listener 1883\n{line}\n", "/etc/tedge/mosquitto-conf") is present
