"""The identity provider's HTML pages: the login page of the authorization endpoint and the device
verification page. Plain HTML forms (no script), so any browser, headless or not, can fill them."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

_STYLE = "body{font-family:sans-serif;max-width:28em;margin:3em auto}label{display:block;margin:.6em 0}"


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in fields.items() if v
    )


def _error(message: str) -> str:
    return f"<p id='error' role='alert' style='color:#b00'>{escape(message)}</p>" if message else ""


def login_page(tenant: str, params: Mapping[str, str], *, error: str = "") -> str:
    body = (
        f"<p>Log in to tenant <b>{escape(tenant)}</b> (single sign-on)</p>{_error(error)}"
        "<form id='login' method='post' action='/sso/authorize'>"
        f"{_hidden(params)}"
        "<label>Username <input id='username' name='username' autocomplete='username' required></label>"
        "<label>Password <input id='password' name='password' type='password' required></label>"
        "<button id='submit' type='submit' name='action' value='login'>Log in</button> "
        "<button id='cancel' type='submit' name='action' value='cancel' formnovalidate>Cancel</button>"
        "</form>"
    )
    return _page("Cumulocity SSO", body)


def device_page(user_code: str, *, error: str = "") -> str:
    body = (
        f"<p>Approve the login of a device or command line tool.</p>{_error(error)}"
        "<form id='device' method='post' action='/sso/device'>"
        f"<label>Code <input id='user_code' name='user_code' value='{escape(user_code)}' required></label>"
        "<label>Username <input id='username' name='username'></label>"
        "<label>Password <input id='password' name='password' type='password'></label>"
        "<button id='approve' type='submit' name='action' value='approve'>Approve</button> "
        "<button id='deny' type='submit' name='action' value='deny'>Deny</button>"
        "</form>"
    )
    return _page("Device login", body)


def message_page(title: str, text: str) -> str:
    return _page(title, f"<p id='message'>{escape(text)}</p>")
