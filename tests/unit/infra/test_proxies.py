"""Which proxy a request takes: the environment's variables, NO_PROXY's forms, explicit proxy URLs."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.infra.net.proxies import Proxy, bypasses, parse_proxy, proxy_from_env


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "bypassed"),
    [
        ("example.com", 443, "*", True),
        ("example.com", 443, "", False),
        ("example.com", 443, "example.com", True),
        ("api.example.com", 443, "example.com", True),  # a domain covers its sub-domains
        ("badexample.com", 443, "example.com", False),  # but not names that merely end alike
        ("api.example.com", 443, ".example.com", True),  # a suffix
        ("example.com", 443, ".example.com", True),
        ("api.example.com", 443, "*.example.com", True),
        ("EXAMPLE.com", 443, "example.COM", True),  # no case
        ("example.com.", 443, "example.com", True),  # a fully qualified name
        ("example.com", 443, "example.com:443", True),  # host:port
        ("example.com", 8443, "example.com:443", False),
        ("10.1.2.3", 80, "10.1.2.3", True),  # IP addresses
        ("10.1.2.4", 80, "10.1.2.3", False),
        ("10.1.2.4", 80, "10.0.0.0/8", True),  # CIDR
        ("192.168.1.1", 80, "10.0.0.0/8", False),
        ("::1", 80, "::1", True),  # IPv6
        ("2001:db8::1", 8080, "[2001:db8::1]:8080", True),
        ("2001:db8::1", 80, "[2001:db8::1]:8080", False),
        ("other.org", 443, "example.com, other.org", True),  # comma and space separated
        ("other.org", 443, "example.com other.org", True),
        ("other.org", 443, "example.com,,", False),
    ],
)
def test_no_proxy_matching(host: str, port: int, no_proxy: str, bypassed: bool) -> None:
    assert bypasses(host, port, no_proxy) is bypassed


def test_scheme_picks_the_variable_and_lower_case_works() -> None:
    env = {"HTTPS_PROXY": "http://secure:3128", "http_proxy": "plain:8080"}
    assert proxy_from_env("https", "example.com", 443, env) == Proxy("secure", 3128)
    assert proxy_from_env("http", "example.com", 80, env) == Proxy("plain", 8080)
    assert proxy_from_env("https", "example.com", 443, {"https_proxy": "http://p"}) == Proxy("p", 80)
    assert proxy_from_env("https", "example.com", 443, {}) is None


def test_no_proxy_and_loopback_go_direct() -> None:
    env = {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": ".internal"}
    assert proxy_from_env("https", "c8y.internal", 443, env) is None
    assert proxy_from_env("https", "c8y.example.com", 443, {**env, "no_proxy": "*", "NO_PROXY": ""}) is None
    for host in ("localhost", "127.0.0.1", "127.1.2.3", "::1"):
        assert proxy_from_env("https", host, 443, env) is None


def test_credentials_are_decoded_and_never_shown() -> None:
    proxy = parse_proxy("http://us%40er:p%3Ass@proxy.example:3128")
    assert (proxy.host, proxy.port, proxy.credentials) == ("proxy.example", 3128, "us@er:p:ss")
    assert proxy.authorization() == "Basic dXNAZXI6cDpzcw=="
    assert "p:ss" not in repr(proxy) and "us@er" not in repr(proxy)
    assert parse_proxy("proxy:8080").authorization() == ""


@pytest.mark.parametrize(
    "url", ["socks5://u:secret@p:1080", "https://u:secret@p:443", "http://u:secret@p:99999", "http://"]
)
def test_unsupported_or_invalid_proxies(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_proxy(url)
    assert "secret" not in str(info.value)
