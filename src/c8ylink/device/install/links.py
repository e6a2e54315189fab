"""The component links `tedge init` makes next to the ``tedge`` executable (thin-edge.io's multicall).

    ensure_links("/usr/bin/tedge", relative=False, root="/")   # ["tedge-agent", "tedge-mapper"]

``tedge`` answers to the name it is started under (``device.cli.main``): a link ``tedge-agent`` to it
runs the agent, ``tedge-mapper`` the mapper. A pip or pipx install already has both as console scripts
of their own; a name that exists as anything but a link to ``tedge`` is left alone, so this only fills
in what is missing (a copied ``tedge``, an image built by hand) and switches existing links between the
absolute (``/usr/bin/tedge``) and the relative (``tedge``) form of ``--relative-links``.

    ensure_plugin_link("/opt/c8ylink/bin/tedge-apt-plugin", "/etc/tedge/sm-plugins", "apt",
                       relative=False, link_dir="/etc/tedge/sm-plugins")   # True when it changed

links an sm-plugin (thin-edge.io's package installs ``/etc/tedge/sm-plugins/apt``) the same way: a
plugin of the user's own (a file, or a link to anything else) is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable

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


def replace_link(path: str, target: str, *, ours: Callable[[str], bool]) -> bool:
    """Make ``path`` a link holding ``target`` when it is missing or a link ``ours`` accepts (switching its
    form); anything else at ``path`` is left alone. Whether it changed."""
    try:
        current = os.readlink(path)
    except FileNotFoundError:
        current = None
    except OSError:  # exists and is not a link: a program of its own
        return False
    if current is not None and (current == target or not ours(current)):
        return False
    try:
        if current is not None:
            os.unlink(path)
        os.symlink(target, path)
    except OSError as exc:
        raise access_error(exc.filename or path, exc, "create") from None
    return True


def ensure_plugin_link(plugin: str, plugin_dir: str, name: str, *, relative: bool, link_dir: str) -> bool:
    """Link ``name`` in ``link_dir`` (``plugin_dir`` of the running system, below the root) to the
    executable ``plugin``: by absolute path, or relative to ``plugin_dir``. Whether it changed."""
    target = os.path.relpath(plugin, plugin_dir) if relative else os.path.abspath(plugin)

    def ours(text: str) -> bool:
        resolved = text if os.path.isabs(text) else os.path.join(plugin_dir, text)
        return os.path.normpath(resolved) == os.path.normpath(plugin)

    return replace_link(os.path.join(link_dir, name), target, ours=ours)


def ensure_links(tedge: str, *, relative: bool, link_dir: str) -> list[str]:
    """Create (or switch to the requested form) each component link to ``tedge`` in ``link_dir``; the
    names changed. A name that is a program of its own, or a link to something else, is left alone."""
    target = link_target(tedge, relative=relative)
    return [
        name
        for name in COMPONENTS
        if replace_link(
            os.path.join(link_dir, name), target, ours=lambda text: points_at(text, tedge, link_dir)
        )
    ]
