"""Hosts: c8y.url as a bare domain (with a hint for URLs), host[:port] endpoints, proxy URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.hosts import ConnectUrlType, HostPortType, ProxyUrlType, parse_host
from c8ylink.core.settings.types import ParseContext

CTX = ParseContext()
URL_ERROR = (
    "Could not parse provided URL: '{}' as a valid domain name. "
    "Provided URL should contain only domain, eg: 'subdomain.cumulocity.com'."
)


@pytest.mark.parametrize(
    "text", ["mytenant.cumulocity.com", "localhost", "127.0.0.1", "tenant-1.eu-latest.c8y.io"]
)
def test_connect_url_accepts_bare_hosts(text: str) -> None:
    assert ConnectUrlType().parse(text, CTX) == text


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("https://mytenant.cumulocity.com", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`"),
        ("mytenant.cumulocity.com:8883", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`; to use port 8883, set `c8y.http` or `c8y.mqtt` "
         "to mytenant.cumulocity.com:8883"),
        ("mytenant.cumulocity.com/apps/cockpit", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`"),
        ("http://mytenant.cumulocity.com:443/", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`; to use port 443, set `c8y.http` or `c8y.mqtt` "
         "to mytenant.cumulocity.com:443"),
    ],
    ids=["scheme", "port", "path", "scheme-port-path"],
)  # fmt: skip
def test_connect_url_with_scheme_port_or_path_gives_the_upstream_error_and_a_hint(
    text: str, hint: str
) -> None:
    with pytest.raises(ValueParseError) as info:
        ConnectUrlType().parse(text, CTX)
    assert info.value.reason == URL_ERROR.format(text)
    assert info.value.hint == hint
    assert str(info.value) == f"{URL_ERROR.format(text)}\n{hint}"


@pytest.mark.parametrize("text", ["", "my tenant", "a|b"])
def test_connect_url_without_a_usable_host_has_no_hint(text: str) -> None:
    with pytest.raises(ValueParseError) as info:
        ConnectUrlType().parse(text, CTX)
    assert info.value.hint is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty host"), ("a b", "invalid domain character"), ("[::1", "invalid IPv6 address"),
     ("999.1.1.1", "invalid IPv4 address")],
)  # fmt: skip
def test_host_errors(text: str, message: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_host(text)
    assert info.value.reason == message


def test_host_is_normalised_to_lower_case() -> None:
    assert parse_host("MyTenant.Cumulocity.COM") == "mytenant.cumulocity.com"


@pytest.mark.parametrize(
    ("default", "text", "shown"),
    [
        (443, "test.com", "test.com:443"),
        (8883, "test.com", "test.com:8883"),
        (443, "test.com:8443", "test.com:8443"),
    ],
)
def test_host_port_uses_the_default_port(default: int, text: str, shown: str) -> None:
    kind = HostPortType(default_port=default)
    value = kind.parse(text, CTX)
    assert kind.display(value) == shown
    assert kind.to_toml(value) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("test.com:8080:443", "Could not parse port: invalid digit found in string"),
        (":8080", "Could not parse hostname: empty host"),
        ("test.com:", "Could not parse port: cannot parse integer from empty string"),
        ("test.com:70000", "Could not parse port: number too large to fit in target type"),
    ],
)
def test_host_port_errors(text: str, message: str) -> None:
    with pytest.raises(ValueParseError) as info:
        HostPortType().parse(text, CTX)
    assert info.value.reason == message


@pytest.mark.parametrize(
    ("text", "shown"),
    [("https://proxy-host:8000", "https://proxy-host:8000"), ("http://192.168.1.2:1234", "http://192.168.1.2:1234"),
     ("http://192.168.1.2", "http://192.168.1.2:80"), ("proxy:3128", "http://proxy:3128")],
)  # fmt: skip
def test_proxy_url(text: str, shown: str) -> None:
    assert str(ProxyUrlType().parse(text, CTX)) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http://192.168.1.2:test", "Invalid proxy URL: invalid port number"),
        ("http://username@host", "Invalid proxy URL: URL should not contain a username, "
         "please specify this in "
         "the dedicated configuration"),
        ("http://:password@host", "Invalid proxy URL: URL should not contain a password, "
         "please specify this in "
         "the dedicated configuration"),
        ("http://?test", "Invalid proxy URL: empty host"),
    ],
)  # fmt: skip
def test_proxy_url_errors(text: str, message: str) -> None:
    with pytest.raises(ValueParseError) as info:
        ProxyUrlType().parse(text, CTX)
    assert info.value.reason == message


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


def _numeric(label: str) -> bool:
    """The URL standard's "ends in a number": decimal digits, or 0x with hex digits (then an IPv4 host)."""
    return label.isdigit() or (label[:2] == "0x" and all(c in "0123456789abcdef" for c in label[2:]))


HOST = (
    st.lists(LABEL, min_size=1, max_size=4).map(".".join).filter(lambda h: not _numeric(h.rsplit(".", 1)[-1]))
)


@given(HOST, st.one_of(st.none(), st.integers(0, 65535)))
def test_host_port_round_trips(host: str, port: int | None) -> None:
    kind = HostPortType(default_port=8883)
    text = host if port is None else f"{host}:{port}"
    value = kind.parse(text, CTX)
    assert kind.parse(kind.display(value), CTX) == kind.parse(kind.display(value), CTX)
    again = kind.parse(kind.display(value), CTX)
    assert (again.host, again.port) == (value.host, value.port)
    assert kind.from_toml(kind.to_toml(value), CTX) == value


@given(HOST)
def test_connect_url_round_trips(host: str) -> None:
    kind = ConnectUrlType()
    assert kind.parse(kind.to_text(kind.parse(host, CTX)), CTX) == host
