"""Host names and endpoints: the bare Cumulocity domain (``c8y.url``), ``host[:port]`` endpoints
(``c8y.http``, ``c8y.mqtt``) and proxy URLs (``proxy.address``).

Host validation follows the WHATWG URL host rules that upstream gets from Rust's ``url`` crate (empty
host, forbidden characters, IPv4/IPv6 literals, international names), with its error texts.
"""

from __future__ import annotations

from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.types import ValueType

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from c8ylink.core.settings.types import ParseContext, TomlValue
else:
    from c8ylink.core.records import NamedTuple

# forbidden domain code points (WHATWG URL standard) besides C0 controls, space and DEL
_FORBIDDEN = set("#%/:<>?@[\\]^|")


def parse_host(text: str) -> str:
    """The host as the URL standard normalises it (lower-case ASCII, punycode); errors as ``url::Host``."""
    if not text:
        raise ValueParseError("empty host")
    import ipaddress

    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueParseError("invalid IPv6 address")
        try:
            return f"[{ipaddress.IPv6Address(text[1:-1]).compressed}]"
        except ValueError:
            raise ValueParseError("invalid IPv6 address") from None
    if any(ord(c) <= 0x20 or ord(c) == 0x7F or c in _FORBIDDEN for c in text):
        raise ValueParseError("invalid domain character")
    try:
        ascii_host = text.lower() if text.isascii() else text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueParseError("invalid international domain name") from None
    if _ends_in_a_number(ascii_host):
        return _parse_ipv4(ascii_host)
    return ascii_host


def _ends_in_a_number(host: str) -> bool:
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    if last and all("0" <= c <= "9" for c in last):
        return True
    return last[:2] == "0x" and all(c in "0123456789abcdef" for c in last[2:])


def _parse_ipv4(host: str) -> str:
    """The URL standard's IPv4 parser: 1 to 4 parts, each decimal, octal (``0..``) or hex (``0x..``)."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise ValueParseError("invalid IPv4 address")
    numbers = [_ipv4_number(part) for part in parts]
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueParseError("invalid IPv4 address")
    import ipaddress

    address = numbers[-1] + sum(number * 256 ** (3 - index) for index, number in enumerate(numbers[:-1]))
    return str(ipaddress.IPv4Address(address))


def _ipv4_number(part: str) -> int:
    digits, radix = part, 10
    if part[:2] == "0x":
        digits, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        digits, radix = part[1:], 8
    if not part:
        raise ValueParseError("invalid IPv4 address")
    if not digits:
        return 0
    try:
        return int(digits, radix) if digits.isalnum() and digits.isascii() else _bad_ipv4()
    except ValueError:
        return _bad_ipv4()


def _bad_ipv4() -> int:
    raise ValueParseError("invalid IPv4 address")


class ConnectUrlType(ValueType):
    """A bare domain name such as ``mytenant.cumulocity.com``: no scheme, no port, no path.

    The value is the text as given. The error text is upstream's; when the input looks like a URL we
    add a hint with the command that would work (``key`` names the key in that command).
    """

    __slots__ = ("key",)
    kind = "domain name"

    def __init__(self, *, key: str = "c8y.url") -> None:
        self.key = key

    def parse(self, text: str, ctx: ParseContext) -> str:
        try:
            parse_host(text)
        except ValueParseError:
            raise ValueParseError(
                f"Could not parse provided URL: '{text}' as a valid domain name. "
                "Provided URL should contain only domain, eg: 'subdomain.cumulocity.com'.",
                hint=self._hint(text),
            ) from None
        return text

    def _hint(self, text: str) -> str | None:
        rest = _strip_scheme(text.strip())
        host = _authority(rest).rsplit("@", 1)[-1]
        port = ""
        if not host.startswith("[") and host.count(":") == 1:
            host, port = host.split(":")
        try:
            host = parse_host(host)
        except ValueParseError:
            return None
        if host == text:
            return None
        hint = f"Hint: give only the domain name, e.g. `tedge config set {self.key} {host}`"
        if port and self.key.endswith(".url"):
            group = self.key.rsplit(".", 1)[0]
            hint += f"; to use port {port}, set `{group}.http` or `{group}.mqtt` to {host}:{port}"
        return hint


def _strip_scheme(text: str) -> str:
    """``text`` without a leading URL scheme (``https://``); a scheme is a letter then ``[A-Za-z0-9+.-]``."""
    scheme, sep, rest = text.partition("://")
    if (
        sep
        and scheme[:1].isascii()
        and scheme[:1].isalpha()
        and all(c.isascii() and (c.isalnum() or c in "+.-") for c in scheme)
    ):
        return rest
    return text


def _authority(text: str) -> str:
    """The part of ``text`` before the first ``/``, ``?`` or ``#``."""
    end = min((i for i in (text.find(c) for c in "/?#") if i >= 0), default=len(text))
    return text[:end]


class HostPort(NamedTuple):
    """An endpoint ``host:port``; ``text`` is what the user gave (the port may have been left out)."""

    host: str
    port: int
    text: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class HostPortType(ValueType):
    """``host[:port]`` with ``default_port`` when the port is left out (443 for HTTPS, 8883 for MQTT)."""

    __slots__ = ("default_port",)
    kind = "host[:port]"

    def __init__(self, *, default_port: int = 443) -> None:
        self.default_port = default_port

    def parse(self, text: str, ctx: ParseContext) -> HostPort:
        host_text, sep, port_text = text.partition(":")
        port = self.default_port
        if sep:
            port = _parse_port(port_text, "Could not parse port")
        try:
            host = parse_host(host_text)
        except ValueParseError as exc:
            raise ValueParseError(f"Could not parse hostname: {exc.reason}") from None
        return HostPort(host, port, text)

    def to_toml(self, value: Any) -> TomlValue:
        return str(value.text)

    def display(self, value: Any) -> str:
        return str(value)

    def to_text(self, value: Any) -> str:
        return str(value.text)


def _parse_port(text: str, context: str) -> int:
    if not text:
        raise ValueParseError(f"{context}: cannot parse integer from empty string")
    if not text.isascii() or not text.lstrip("+").isdigit():
        raise ValueParseError(f"{context}: invalid digit found in string")
    port = int(text)
    if port > 65535:
        raise ValueParseError(f"{context}: number too large to fit in target type")
    return port


class ProxyUrl(NamedTuple):
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class ProxyUrlType(ValueType):
    """An HTTP CONNECT proxy: ``[http://|https://]host[:port]``; credentials belong in their own keys."""

    __slots__ = ()
    kind = "proxy URL"

    def parse(self, text: str, ctx: ParseContext) -> ProxyUrl:
        scheme, rest = "http", text
        for candidate in ("https", "http"):
            if text.startswith(f"{candidate}://"):
                scheme, rest = candidate, text[len(candidate) + 3 :]
                break
        authority = _authority(rest)
        userinfo, at, hostport = authority.rpartition("@")
        if at and ":" in userinfo and userinfo.split(":", 1)[1]:
            raise _proxy_error(
                "URL should not contain a password, please specify this in the dedicated configuration"
            )
        if at and userinfo.split(":", 1)[0]:
            raise _proxy_error(
                "URL should not contain a username, please specify this in the dedicated configuration"
            )
        host_text, port_text = hostport, ""
        if hostport.startswith("["):
            host_text, _, tail = hostport.partition("]")
            host_text += "]"
            port_text = tail[1:] if tail.startswith(":") else ""
        elif ":" in hostport:
            host_text, port_text = hostport.rsplit(":", 1)
        try:
            host = parse_host(host_text)
            port = _parse_port(port_text, "invalid port number") if port_text else _DEFAULT_PORTS[scheme]
        except ValueParseError as exc:
            raise _proxy_error(exc.reason.split(":", 1)[0]) from None
        return ProxyUrl(scheme, host, port)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _proxy_error(reason: str) -> ValueParseError:
    return ValueParseError(f"Invalid proxy URL: {reason}")
