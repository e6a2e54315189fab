"""Start Cumulocity's device agent c8ydm (PyPI 1.3.7) as ``c8ydm.start`` does, for the tests.

c8ydm was written for paho-mqtt 1.x (``mqtt.Client(serial)``); paho-mqtt 2 wants the callback API
version first. This launcher maps the 1.x call onto paho 2's VERSION1 callbacks, which is what
c8ydm's callbacks are written for, and keeps its position lookup (an internet service) from
running. HOME points at the agent's configuration (``$HOME/.cumulocity/agent.ini``).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

# c8ydm imports python-apt on Debian (a Debian package, python3-apt, not on PyPI): use the system's
# when the venv lacks it, else a stand-in (only its software management would need it)
try:
    import apt
except ImportError:
    system_packages = Path("/usr/lib/python3/dist-packages")
    if (system_packages / "apt").is_dir():
        sys.path.append(str(system_packages))
    try:
        import apt  # noqa: F401
    except ImportError:
        sys.modules["apt"] = types.ModuleType("apt")

_Paho2Client = mqtt.Client


class _Paho1Client(_Paho2Client):  # type: ignore[misc]
    def __init__(self, client_id: Any = "", *args: Any, **kwargs: Any) -> None:
        if isinstance(client_id, mqtt.CallbackAPIVersion):
            super().__init__(client_id, *args, **kwargs)
        else:
            super().__init__(mqtt.CallbackAPIVersion.VERSION1, client_id, *args, **kwargs)


mqtt.Client = _Paho1Client  # type: ignore[misc]

if __name__ == "__main__":
    from c8ydm.agentmodules import network
    from c8ydm.main import start

    # the network module asks https://ipapi.co for the device's position: the tests talk to 127.0.0.1 only
    network.Network.get_geo_data = lambda self: None

    start()
