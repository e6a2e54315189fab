"""The links of `tedge init`: the components' target in both forms and which links name ``tedge``; the
sm-plugin link made, switched between forms, or left alone when it is the user's."""

from __future__ import annotations

import os
from pathlib import Path

from c8ylink.device.install.links import ensure_plugin_link, link_target, points_at


def test_the_link_target_is_the_absolute_path_or_the_file_name() -> None:
    assert link_target("/usr/bin/tedge", relative=False) == "/usr/bin/tedge"
    assert link_target("/usr/bin/tedge", relative=True) == "tedge"


def test_a_link_names_tedge_in_either_form_and_nothing_else() -> None:
    assert points_at("/usr/bin/tedge", "/usr/bin/tedge", "/usr/bin")
    assert points_at("tedge", "/usr/bin/tedge", "/usr/bin")
    assert points_at("./tedge", "/usr/bin/tedge", "/usr/bin")
    assert points_at("tedge", "/usr/bin/tedge", "/tmp/root/usr/bin")  # below a test root
    assert not points_at("/bin/true", "/usr/bin/tedge", "/usr/bin")
    assert not points_at("tedge-agent.real", "/usr/bin/tedge", "/usr/bin")


def test_an_sm_plugin_link_is_made_switched_between_forms_or_left_alone(tmp_path: Path) -> None:
    plugin, plugin_dir = "/opt/c8ylink/bin/tedge-apt-plugin", "/etc/tedge/sm-plugins"
    link_dir = tmp_path / "sm-plugins"
    link_dir.mkdir()
    link = link_dir / "apt"
    assert ensure_plugin_link(plugin, plugin_dir, "apt", relative=False, link_dir=str(link_dir))
    assert os.readlink(link) == plugin
    assert not ensure_plugin_link(plugin, plugin_dir, "apt", relative=False, link_dir=str(link_dir))
    assert ensure_plugin_link(plugin, plugin_dir, "apt", relative=True, link_dir=str(link_dir))
    assert os.readlink(link) == "../../../opt/c8ylink/bin/tedge-apt-plugin"
    link.unlink()
    link.symlink_to("/usr/local/bin/my-apt")  # the user's own
    assert not ensure_plugin_link(plugin, plugin_dir, "apt", relative=False, link_dir=str(link_dir))
    assert os.readlink(link) == "/usr/local/bin/my-apt"
