"""The small pure parts of `tedge init`'s I/O shell: the root prefix and the error it raises."""

from __future__ import annotations

from c8ylink.core.errors import ConfigError, FileAccessError
from c8ylink.device.install.apply import init_failed, rooted


def test_rooted_puts_the_root_in_front_of_a_path_of_the_running_system() -> None:
    assert rooted("/", "/etc/tedge") == "/etc/tedge"
    assert rooted("", "/etc/tedge") == "/etc/tedge"
    assert rooted("/tmp/root", "/etc/tedge") == "/tmp/root/etc/tedge"
    assert rooted("/tmp/root/", "/etc/mosquitto/mosquitto.conf") == "/tmp/root/etc/mosquitto/mosquitto.conf"


def test_the_sudo_hint_only_when_access_was_denied() -> None:
    denied = FileAccessError("Could not create /etc/tedge: Permission denied (os error 13)")
    read_only = FileAccessError("Could not create /etc/tedge: Read-only file system (os error 30)")
    not_a_dir = FileAccessError("Could not create /etc/tedge: it exists and is not a directory")
    no_user = ConfigError("The user 'x' does not exist: ...")
    assert str(init_failed(denied)) == "Failed to initialize tedge. You have to run tedge with sudo."
    assert str(init_failed(read_only)) == "Failed to initialize tedge. You have to run tedge with sudo."
    assert str(init_failed(not_a_dir)) == "Failed to initialize tedge."
    assert str(init_failed(no_user)) == "Failed to initialize tedge."
    assert init_failed(no_user).exit_code == 1
