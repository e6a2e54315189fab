"""The component links `tedge init` makes next to the ``tedge`` executable (thin-edge.io's multicall).

    ensure_links("/usr/bin/tedge", relative=False, root="/")   # ["tedge-agent", "tedge-mapper"]

``tedge`` answers to the name it is started under (``device.cli.main``): a link ``tedge-agent`` to it
runs the agent, ``tedge-mapper`` the mapper. A pip or pipx install already has both as console scripts
of their own; a name that exists as anything but a link to ``tedge`` is left alone, so this only fills
in what is missing (a copied ``tedge``, an image built by hand) and switches existing links between the
absolute (``/usr/bin/tedge``) and the relative (``tedge``) form of ``--relative-links``.
"""

from __future__ import annotations

import os

from c8ylink.infra.files import access_error

# the names the ``tedge`` executable answers to besides its own (device.cli.main.MULTICALL)
COMPONENTS = ("tedge-agent", "tedge-mapper")


def link_target(tedge: str, *, relative: bool) -> str:
    """What a component link holds: ``tedge``'s file name (relative) or its absolute path."""
    return os.path.basename(tedge) if relative else os.path.abspath(tedge)


def points_at(link_text: str, tedge: str, link_dir: str) -> bool:
    """Whether a link holding ``link_text`` in ``link_dir`` names ``tedge`` (either form)."""
    resolved = link_text if os.path.isabs(link_text) else os.path.join(link_dir, link_text)
    same_dir_tedge = os.path.join(link_dir, os.path.basename(tedge))
    return os.path.normpath(resolved) in (os.path.normpath(tedge), same_dir_tedge)


def ensure_links(tedge: str, *, relative: bool, link_dir: str) -> list[str]:
    """Create (or switch to the requested form) each component link to ``tedge`` in ``link_dir``; the
    names changed. A name that is a program of its own, or a link to something else, is left alone."""
    target = link_target(tedge, relative=relative)
    changed: list[str] = []
    for name in COMPONENTS:
        path = os.path.join(link_dir, name)
        try:
            current = os.readlink(path)
        except FileNotFoundError:
            current = None
        except OSError:  # exists and is not a link: a console script of its own
            continue
        if current is not None and (current == target or not points_at(current, tedge, link_dir)):
            continue
        try:
            if current is not None:
                os.unlink(path)
            os.symlink(target, path)
        except OSError as exc:
            raise access_error(exc.filename or path, exc, "create") from None
        changed.append(name)
    return changed
