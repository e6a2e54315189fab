"""Which proxy a request goes through (pure): the environment's ``HTTPS_PROXY``/``https_proxy``,
``HTTP_PROXY``/``http_proxy`` and ``NO_PROXY``/``no_proxy``, as Go's ``ProxyFromEnvironment`` reads
them (go-c8y-cli is a Go program), or an explicit proxy URL.

``NO_PROXY`` is a comma- or space-separated list: ``*`` (no proxy at all), a host name (that host and
its sub-domains: ``example.com`` matches ``api.example.com``), a suffix with a leading dot (``.example.com``:
sub-domains only, as curl reads it; Go also matches the bare domain, and so does this), an IP address,
a CIDR range, and any of these with ``:port`` (then only that port). ``localhost`` and loopback
addresses are never sent to a proxy from the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from c8ylink.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from c8ylink.core.records import NamedTuple  # start-up: no typing


class Proxy(NamedTuple):
    """An HTTP proxy; ``credentials`` ("user:password", decoded) become ``Proxy-Authorization``."""

    host: str
    port: int
    credentials: str = ""

    def __repr__(self) -> str:  # never the credentials
        return f"Proxy({self.host}:{self.port})"

    def authorization(self) -> str:
        """The ``Proxy-Authorization`` value, or ``""``."""
        if not self.credentials:
            return ""
        import base64

        return "Basic " + base64.b64encode(self.credentials.encode()).decode("ascii")


def parse_proxy(url: str) -> Proxy:
    """``http://[user:password@]host[:port]`` (the scheme may be left out); ``ConfigError`` otherwise."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    shown = f"{parts.scheme}://{parts.hostname or ''}"  # never the credentials
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"invalid proxy URL {shown}: bad port") from None
    if parts.scheme.lower() != "http":
        raise ConfigError(f"unsupported proxy {shown}: only http:// proxies are supported")
    if not parts.hostname:
        raise ConfigError(f"invalid proxy URL {shown}: no host")
    credentials = ""
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return Proxy(parts.hostname, port or 80, credentials)


def proxy_from_env(scheme: str, host: str, port: int, env: Mapping[str, str]) -> Proxy | None:
    """The proxy for ``scheme://host:port`` by the environment, or ``None`` for a direct connection."""
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    url = next((env[name] for name in names if env.get(name)), "")
    if not url or _is_loopback(host):
        return None
    no_proxy = env.get("NO_PROXY") or env.get("no_proxy") or ""
    if bypasses(host, port, no_proxy):
        return None
    return parse_proxy(url)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bypasses(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (``no_proxy``'s value) names ``host:port``."""
    host = host.lower().strip("[]").rstrip(".")
    for item in no_proxy.replace(" ", ",").split(","):
        entry = item.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        name, entry_port = _split_entry(entry)
        if entry_port is not None and entry_port != port:
            continue
        if _matches(host, name):
            return True
    return False


def _split_entry(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1]:8080
        address, _, rest = entry[1:].partition("]")
        return address, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name, int(port) if port.isdigit() else None
    return entry, None  # a name, or an IPv6 address without a port


def _matches(host: str, name: str) -> bool:
    name = name.rstrip(".")
    if "/" in name:  # CIDR
        import ipaddress

        try:
            return ipaddress.ip_address(host) in ipaddress.ip_network(name, strict=False)
        except ValueError:
            return False
    if name.startswith("*."):
        name = name[1:]
    if name.startswith("."):
        return host.endswith(name) or host == name[1:]
    return host == name or host.endswith("." + name)
