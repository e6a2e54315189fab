"""A small driver for headless Debian Chromium over the Chrome DevTools protocol (tests only).

    with Chromium(tmp_path, trust_spki=[hash]) as browser:
        browser.open(url)
        browser.run("document.getElementById('username').value = 'carol'")
        browser.wait_for("location.href.startsWith('http://127.0.0.1:')")

Chromium runs with a fresh profile, no network services of its own, and trusts exactly the TLS keys
named in ``trust_spki`` (base64 SHA-256 of the SubjectPublicKeyInfo) besides its own store.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from websockets.sync.client import ClientConnection, connect

BINARY = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEADLINE = 30.0


def spki_hash(host: str, port: int) -> str:
    """What ``--ignore-certificate-errors-spki-list`` wants for the server at ``host:port``."""
    pem = ssl.get_server_certificate((host, port))
    key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    der = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


class Chromium:
    def __init__(self, workdir: Path, *, trust_spki: list[str]) -> None:
        assert BINARY is not None, "chromium is not installed (scripts/bootstrap.sh browser)"
        self.profile = workdir / "chromium-profile"
        self.profile.mkdir(parents=True)
        args = [
            BINARY,
            *FLAGS,
            f"--user-data-dir={self.profile}",
            "--remote-debugging-port=0",
            f"--ignore-certificate-errors-spki-list={','.join(trust_spki)}",
            "about:blank",
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._ids = itertools.count(1)
        self._socket: ClientConnection | None = None

    def __enter__(self) -> Chromium:
        port = self._devtools_port()
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(target for target in targets if target["type"] == "page")
        # entered as a context manager: websockets >= 17.1 warns otherwise (15.x returns the connection)
        self._socket = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10).__enter__()
        return self

    def _devtools_port(self) -> int:
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().splitlines()[0])
            if self.process.poll() is not None:
                raise AssertionError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.05)  # polling a file chromium writes; bounded by the deadline
        raise AssertionError("chromium did not open its DevTools port")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        assert self._socket is not None
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._socket.recv(timeout=DEADLINE))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def run(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    def wait_for(self, condition: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                if self.run(f"Boolean({condition})"):
                    return
            except AssertionError:
                pass  # the page is navigating: the context is being replaced
            time.sleep(0.05)  # polling the page's state over DevTools; bounded by the deadline
        raise AssertionError(f"never true in the browser: {condition} (at {self.run('location.href')})")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._socket is not None:
            self._socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
