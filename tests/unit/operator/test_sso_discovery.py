"""Finding the SSO identity provider over the in-memory transport: no socket, the same client contract."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import AuthError
from c8ylink.infra.net.transport import MemoryTransport, Reply, Request
from c8ylink.operator.auth.sso import SsoOptions, fetch_discovery, find_provider

AUTHORIZE = (
    "https://idp.example.com/realms/c8y/protocol/openid-connect/auth?client_id=c8y&scope=openid%20email"
)
OPTIONS = [{"type": "OAUTH2", "initRequest": "https://t1.example.com/tenant/oauth?tenant_id=t1"}]


def tenant(request: Request) -> Reply:
    if request.path.startswith("/tenant/oauth"):
        return Reply(302, [("Location", AUTHORIZE)])
    if request.path == "/realms/c8y/.well-known/openid-configuration":
        return Reply.json({"token_endpoint": "https://idp.example.com/token"})
    return Reply(404)


def test_provider_from_the_init_redirect_and_its_discovery_document() -> None:
    http = MemoryTransport(tenant)
    provider = find_provider(http, OPTIONS, SsoOptions())
    assert (provider.client_id, provider.scopes) == ("c8y", "openid email")
    assert fetch_discovery(http, provider, SsoOptions())["token_endpoint"] == "https://idp.example.com/token"
    assert [request.url for request in http.requests] == [
        OPTIONS[0]["initRequest"],
        "https://idp.example.com/realms/c8y/.well-known/openid-configuration",
    ]
    assert all(request.headers["accept"] == "application/json" for request in http.requests)


def test_no_discovery_document_is_an_auth_error() -> None:
    http = MemoryTransport(
        lambda request: Reply(302, [("Location", AUTHORIZE)]) if "oauth" in request.url else Reply(404)
    )
    provider = find_provider(http, OPTIONS, SsoOptions())
    with pytest.raises(AuthError, match="OpenID configuration"):
        fetch_discovery(http, provider, SsoOptions())
