"""Can the local mosquitto read the files its bridge names?

mosquitto started as root drops its privileges to the ``mosquitto`` user; `tedge connect` gives that user
the device certificate and key, but the directories above them, and the CA file or directory of
``c8y.root_cert_path``, must be reachable for it too. If they are not, the bridge cannot load its TLS
files and every connection check fails with a time-out that says nothing about files (mosquitto's log
says ``Unable to load client certificate ... Permission denied``). This finds that beforehand, from
the permission bits (no ACLs), when tedge runs as root and the user exists.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

SEARCH, READ = 0o1, 0o4


@dataclass(frozen=True, slots=True)
class Blocked:
    path: str  # the file the bridge names
    blocker: str  # the first component of it the user cannot get through (or read)


def blocked_for_broker(
    ancestors_of: Iterable[str], readable: Iterable[str], user: str = "mosquitto"
) -> Blocked | None:
    """The first path the broker's ``user`` cannot reach: for ``ancestors_of`` only the directories
    above the file (tedge hands the file itself to the broker), for ``readable`` the file too."""
    identity = _identity(user)
    if identity is None:
        return None
    uid, gids = identity
    for path, check_itself in [*((p, False) for p in ancestors_of), *((p, True) for p in readable)]:
        blocker = _blocker(os.path.abspath(path), uid, gids, check_itself)
        if blocker is not None:
            return Blocked(path, blocker)
    return None


def _identity(user: str) -> tuple[int, set[int]] | None:
    if os.geteuid() != 0:
        return None  # the broker runs as whoever started it: nothing to say
    import grp
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    gids = {entry.pw_gid} | {group.gr_gid for group in grp.getgrall() if user in group.gr_mem}
    return entry.pw_uid, gids


def _blocker(path: str, uid: int, gids: set[int], check_itself: bool) -> str | None:
    parts = path.split(os.sep)
    directories = [os.sep + os.path.join(*parts[1:i]) for i in range(2, len(parts))]
    try:
        for directory in [os.sep, *directories]:
            if not _allows(os.stat(directory), uid, gids, SEARCH):
                return directory
        if check_itself:
            status = os.stat(path)
            wanted = SEARCH if stat.S_ISDIR(status.st_mode) else READ  # capath: looked up by name
            if not _allows(status, uid, gids, wanted):
                return path
    except OSError:
        return None  # cannot tell
    return None


def _allows(status: os.stat_result, uid: int, gids: set[int], wanted: int) -> bool:
    if uid == status.st_uid:
        shift = 6
    elif status.st_gid in gids:
        shift = 3
    else:
        shift = 0
    return (status.st_mode >> shift) & wanted == wanted
