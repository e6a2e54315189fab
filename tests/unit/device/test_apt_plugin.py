"""tedge-apt-plugin's pure part: which installed packages `list` shows (apt.name, apt.maintainer) and
the apt-get command lines (apt.dpk.options.config)."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.device.sm_plugins.apt import (
    ModuleUpdate,
    build_list_filter,
    install_argv,
    parse_package_list,
    parse_update_list,
    update_arguments,
)

DPKG = (
    "tedge\t1.4.0\tthin-edge.io team <info@thin-edge.io>\tinstall ok installed\n"
    "tedge-agent\t1.4.0\tthin-edge.io team <info@thin-edge.io>\tinstall ok installed\n"
    "zsh\t5.9-4\tDebian Zsh Maintainers <pkg-zsh-devel@lists.alioth.debian.org>\tinstall ok installed\n"
    "gone\t1.0\tthin-edge.io team <info@thin-edge.io>\tdeinstall ok config-files\n"
)


def listed(name: str | None, maintainer: str | None) -> list[str]:
    return [line.split("\t")[0] for line in parse_package_list(DPKG, build_list_filter(name, maintainer))]


def test_without_filters_every_installed_package_is_listed() -> None:
    assert listed(None, None) == ["tedge", "tedge-agent", "zsh"]
    assert parse_package_list(DPKG, build_list_filter(None, None))[0] == "tedge\t1.4.0"


def test_the_name_pattern_matches_whole_names_from_the_start() -> None:
    assert listed("tedge", None) == ["tedge"]
    assert listed("tedge.*", None) == ["tedge", "tedge-agent"]
    assert listed("edge", None) == []


def test_the_maintainer_pattern() -> None:
    assert listed(None, "thin-edge.io team.*") == ["tedge", "tedge-agent"]
    assert listed(None, "Debian.*") == ["zsh"]


def test_name_or_maintainer() -> None:
    assert listed("zsh", "thin-edge.*") == ["tedge", "tedge-agent", "zsh"]


def test_a_bad_pattern_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="fails to list packages with matching name and maintainer"):
        build_list_filter("(", None)


def test_the_dpkg_option_keeps_or_replaces_configuration_files() -> None:
    assert install_argv("keepold", ["jq=1.7"]) == [
        "apt-get", "--quiet", "--yes", "-o", "DPkg::Options::=--force-confold", "install",
        "--allow-downgrades", "--no-install-recommends", "jq=1.7",
    ]  # fmt: skip
    assert "DPkg::Options::=--force-confnew" in install_argv("keepnew", ["jq"])


def test_an_update_list_is_one_install() -> None:
    updates = parse_update_list(
        "install\tjq\t1.7\t\nremove\tvim\t\t\ninstall\tcurl\tlatest\ninstall\tapp\t\t/tmp/a\n"
    )
    assert updates[0] == ModuleUpdate("install", "jq", "1.7")
    assert update_arguments(updates, {"app": "/tmp/x/app.deb"}) == [
        "jq=1.7",
        "vim-",
        "curl",
        "/tmp/x/app.deb",
    ]
    with pytest.raises(UsageError, match="line 1"):
        parse_update_list("upgrade\tjq\n")
