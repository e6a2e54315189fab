"""A go-c8y-cli session as plain data (go-c8y-cli.md §1.2), and its JSON document both ways.

``parse_session_document`` reads keys case-insensitively (viper may have lower-cased them) and keeps
unknown keys so that a file written by go-c8y-cli survives a round trip through us;
``format_session_document`` writes the upstream key spelling and the ``$schema`` stamp.

Settings (``settings.*``) stay a nested mapping as in the file; ``get_setting`` finds a dotted key in
nested objects or as a literal dotted key (``{"settings": {"session.mode": "prod"}}`` as the user docs
show), case-insensitively; ``with_setting`` writes it nested.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from c8ylink.core.errors import SessionError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

SCHEMA_URL = "https://raw.githubusercontent.com/reubenmiller/go-c8y-cli/v2/tools/schema/session.schema.json"

# canonical top-level key -> dataclass attribute
_FIELDS: dict[str, str] = {
    "host": "host",
    "domain": "domain",
    "tenant": "tenant",
    "username": "username",
    "password": "password",
    "token": "token",
    "totp": "totp",
    "certificate": "certificate",
    "certificate_key": "certificate_key",
    "version": "version",
    "description": "description",
    "useTenantPrefix": "use_tenant_prefix",
    "loginType": "login_type",
    "mode": "mode",
    "authorized": "authorized",
    "sessionUri": "session_uri",
}
_ALIASES = {"certificatekey": "certificate_key", "user": "username"}
_LOOKUP = {key.lower(): key for key in _FIELDS} | dict(_ALIASES)
_STRING_FIELDS = set(_FIELDS) - {"useTenantPrefix", "authorized"}


class Session(NamedTuple):
    """Everything a session file (or another provider) says. Secrets are masked in ``repr``.
    A record (``core.records``): ``session._replace(token=...)`` makes a changed copy."""

    host: str = ""
    tenant: str = ""
    username: str = ""
    password: str = ""
    token: str = ""
    totp: str = ""
    totp_secret: str = ""
    certificate: str = ""
    certificate_key: str = ""
    domain: str = ""
    version: str = ""
    description: str = ""
    use_tenant_prefix: bool = True
    login_type: str = ""
    mode: str = ""
    authorized: bool = False
    session_uri: str = ""
    settings: Mapping[str, Any] = {}  # never changed in place (with_setting copies)
    extra: Mapping[str, Any] = {}
    path: str = ""  # the file it came from ("" for env/stdin sessions)

    def setting(self, key: str, default: Any = None) -> Any:
        return get_setting(self.settings, key, default)

    def with_setting(self, key: str, value: Any) -> Session:
        return self._replace(settings=with_setting(self.settings, key, value))

    def __repr__(self) -> str:
        secrets = ("password", "token", "totp", "totp_secret")
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name not in secrets)
        return f"Session({shown})"


def _tenant_value(value: Any) -> str:
    text = _text(value)
    return "" if text == "null" else text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_bool(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return default
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    return default


def _kind(value: Any) -> str:
    return "object" if isinstance(value, Mapping) else "array"


def _login_type(value: Any, path: str) -> str:
    """The file's ``loginType`` as written, when it is one go-c8y-cli knows (or empty/auto)."""
    from c8ylink.operator.login_types import parse_login_type

    text = _text(value)
    try:
        parse_login_type(text)
    except SessionError as exc:
        raise SessionError(f"{path or 'session'}: {exc}") from None
    return text


def parse_session_document(document: Mapping[str, Any], *, path: str = "") -> Session:
    """A ``Session`` from a session file's JSON object (keys case-insensitive, unknown keys kept)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    settings: Mapping[str, Any] = {}
    for key, value in document.items():
        lowered = key.lower()
        if lowered == "$schema":
            continue
        if lowered == "settings":
            if value is not None and not isinstance(value, Mapping):
                raise SessionError(f"{path or 'session'}: 'settings' must be a JSON object")
            settings = dict(value or {})
            continue
        if lowered == "credential":
            secret = get_setting(value if isinstance(value, Mapping) else {}, "totp.secret", "")
            values["totp_secret"] = _text(secret)
            if isinstance(value, Mapping):
                extra[key] = value
            continue
        canonical = _LOOKUP.get(lowered)
        if canonical is None:
            extra[key] = value
            continue
        attribute = _FIELDS[canonical]
        if isinstance(value, Mapping | list):
            raise SessionError(f"{path or 'session'}: {key!r} must be a string, not a JSON {_kind(value)}")
        if canonical == "useTenantPrefix":
            values[attribute] = parse_bool(value, True)
        elif canonical == "authorized":
            values[attribute] = parse_bool(value, False)
        elif canonical == "tenant":
            values[attribute] = _tenant_value(value)
        elif canonical == "loginType":
            values[attribute] = _login_type(value, path)
        else:
            values[attribute] = _text(value)
    return Session(settings=settings, extra=extra, path=path, **values)


def format_session_document(session: Session) -> dict[str, Any]:
    """The JSON object go-c8y-cli writes (``$schema`` first, empty optional strings left out)."""
    document: dict[str, Any] = {"$schema": SCHEMA_URL}
    for key, attribute in _FIELDS.items():
        value = getattr(session, attribute)
        if key == "useTenantPrefix":
            document[key] = bool(value)
        elif key == "authorized":
            if value:
                document[key] = True
        elif key in _STRING_FIELDS and value:
            document[key] = value
    extra = dict(session.extra)
    credential = next((k for k in extra if k.lower() == "credential"), None)
    if session.totp_secret:
        node = dict(extra.pop(credential)) if credential else {}
        document["credential"] = with_setting(node, "totp.secret", session.totp_secret)
    elif credential:
        document["credential"] = with_setting(extra.pop(credential), "totp.secret", None)
    document.update(extra)
    document["settings"] = dict(session.settings)
    return document


# -- settings: nested objects, dotted keys, case-insensitive --------------------------------------------
def get_setting(settings: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """The value of dotted ``key`` in ``settings`` (nested and/or literal dotted keys), else ``default``."""
    found = _find(settings, key.lower().split("."))
    return default if found is _MISSING else found


_MISSING = object()


def _find(node: Any, parts: list[str]) -> Any:
    if not parts:
        return node
    if not isinstance(node, Mapping):
        return _MISSING
    lowered = {str(k).lower(): v for k, v in node.items()}
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in lowered:
            found = _find(lowered[candidate], parts[size:])
            if found is not _MISSING:
                return found
    return _MISSING


def with_setting(settings: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``settings`` with dotted ``key`` set (nested); ``value=None`` removes it."""
    parts = key.split(".")
    head = parts[0]
    existing = next((k for k in settings if str(k).lower() == head.lower()), head)
    if len(parts) == 1:
        result = dict(settings)
        result.pop(existing, None)
        if value is not None:
            result[existing] = value
        return result
    # a literal dotted key ("session.mode") is replaced by the nested form
    result = {k: v for k, v in settings.items() if str(k).lower() != key.lower()}
    child = result.get(existing)
    updated = with_setting(child if isinstance(child, Mapping) else {}, ".".join(parts[1:]), value)
    if updated:
        result[existing] = updated
    else:
        result.pop(existing, None)
    return result


# -- host ---------------------------------------------------------------------------------------------
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def normalize_host(host: str) -> str:
    """go-c8y-cli's host rule: ``https://`` unless a scheme is given; a path is a prefix (no trailing /).

    Refuses what cannot be a Cumulocity base URL, with what to do: a scheme other than http(s), a query
    or fragment, user info, an empty host name or an invalid port.
    """
    text = host.strip()
    shown = mask_url_credentials(text)
    if not text:
        raise SessionError("invalid session. host is empty: set --host (e.g. https://t12345.cumulocity.com)")
    if not _SCHEME.match(text):
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise SessionError(f"invalid host {shown!r}: the scheme must be https:// or http://")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise SessionError(
            f"invalid host {shown!r}: remove the query/fragment (only scheme, host, port, path)"
        )
    if "@" in parts.netloc:
        raise SessionError(f"invalid host {shown!r}: put credentials in --username/--password, not the URL")
    try:
        port = parts.port
    except ValueError:
        raise SessionError(f"invalid host {shown!r}: the port is not a number in 1-65535") from None
    if not parts.hostname or (port is not None and not 0 < port < 65536):
        raise SessionError(f"invalid host {shown!r}: no host name (e.g. https://t12345.cumulocity.com)")
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def mask_url_credentials(url: str) -> str:
    """``url`` with the password of its user info (``https://user:secret@host``) replaced by ``***``,
    for error messages; anything else unchanged."""
    begin = url.find("://") + 3 if "://" in url else 0
    ends = [i for i in (url.find(c, begin) for c in "/?#") if i != -1]
    authority_end = min(ends) if ends else len(url)
    at = url.rfind("@", begin, authority_end)
    if at == -1:
        return url
    user, _, _ = url[begin:at].partition(":")
    return f"{url[:begin]}{user}:***{url[at:]}"


def host_name(host: str) -> str:
    """The host part without scheme and port (session names, the banner)."""
    try:
        return urlsplit(normalize_host(host)).hostname or host
    except SessionError:
        return host


def host_domain(host: str) -> str:
    """``host[:port]`` of the base URL (``C8Y_DOMAIN``)."""
    return urlsplit(normalize_host(host)).netloc


_NAME_DROP = re.compile(r"[^A-Za-z0-9_#(). !,;'@%=&-]")


def default_session_name(host: str, username: str) -> str:
    """``<hostname>-<username>`` or ``<hostname>``, unsafe characters dropped, ``.json`` appended."""
    base = host_name(host)
    name = f"{base}-{username}" if username else base
    return session_file_name(name)


def session_file_name(name: str) -> str:
    cleaned = _NAME_DROP.sub("", name).strip()
    if not cleaned or cleaned in (".", ".."):
        raise SessionError(f"invalid session name {name!r}: use letters, digits and -_.()@")
    return cleaned if cleaned.lower().endswith(".json") else cleaned + ".json"
