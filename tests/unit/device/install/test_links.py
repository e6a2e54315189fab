"""The component links of `tedge init`: their target in both forms, and which links name ``tedge``."""

from __future__ import annotations

from c8ylink.device.install.links import link_target, points_at


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
