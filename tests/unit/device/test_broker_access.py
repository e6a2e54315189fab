"""Which directory or file keeps the broker's user from reading what the bridge names (permission bits)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from c8ylink.device.connect.broker_access import _blocker

OTHER = 65534  # a user owning none of the files below (nobody)


@pytest.fixture
def tree() -> Iterator[Path]:
    """A directory open to everyone under the system's temporary directory (pytest's own is 0700)."""
    top = Path(tempfile.mkdtemp(prefix="broker-access-"))
    base = top / "base"
    try:
        (base / "certs").mkdir(parents=True)
        (base / "certs" / "ca.pem").write_text("x")
        for path, mode in ((top, 0o755), (base, 0o755), (base / "certs" / "ca.pem", 0o644)):
            os.chmod(path, mode)
        if any(str(parent) != "/" and not os.stat(parent).st_mode & 0o001 for parent in top.parents):
            pytest.skip("the system's temporary directory is closed to other users")
        yield base
    finally:
        shutil.rmtree(top)


def owned_by_someone_else(path: Path) -> bool:
    return path.stat().st_uid != OTHER


def test_an_open_tree_blocks_nothing(tree: Path) -> None:
    assert _blocker(str(tree / "certs" / "ca.pem"), OTHER, set(), True) is None


def test_the_first_closed_directory_is_named(tree: Path) -> None:
    os.chmod(tree, 0o750)
    assert owned_by_someone_else(tree)
    assert _blocker(str(tree / "certs" / "ca.pem"), OTHER, set(), True) == str(tree)
    assert _blocker(str(tree / "certs" / "ca.pem"), OTHER, {tree.stat().st_gid}, True) is None  # its group


def test_an_unreadable_file_is_named_only_when_it_is_checked(tree: Path) -> None:
    ca = tree / "certs" / "ca.pem"
    os.chmod(ca, 0o600)
    assert _blocker(str(ca), OTHER, set(), True) == str(ca)
    assert _blocker(str(ca), OTHER, set(), False) is None  # tedge hands cert and key to the broker
    assert _blocker(str(ca), ca.stat().st_uid, set(), True) is None  # the owner may


def test_a_ca_directory_needs_only_to_be_searchable(tree: Path) -> None:
    certs = tree / "certs"
    os.chmod(certs, 0o711)
    try:
        assert _blocker(str(certs), OTHER, set(), True) is None
        os.chmod(certs, 0o700)
        assert _blocker(str(certs), OTHER, set(), True) == str(certs)
    finally:
        os.chmod(certs, 0o755)


def test_a_missing_file_cannot_tell(tree: Path) -> None:
    assert _blocker(str(tree / "absent" / "ca.pem"), OTHER, set(), True) is None
