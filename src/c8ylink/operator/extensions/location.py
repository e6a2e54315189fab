"""Where the extensions live: ``<extensions.datadir or the session home>/extensions`` (go-c8y-cli's
``ExtensionsDataDir``). On the start-up path of every REST command (os only)."""

from __future__ import annotations

import os

DATADIR_KEY = "extensions.datadir"
SEPARATOR = "::"  # ``--template myext::device.jsonnet``, ``--view myext::customDevice``


def extensions_dir(datadir: str, session_home: str) -> str:
    base = os.path.expanduser(datadir.strip()) if datadir.strip() else session_home
    return os.path.join(base, "extensions")
