"""Tenant options (``/tenant/options``) and the read-only system options (``/tenant/system/options``).

Options are ``category``/``key`` -> string ``value``; the values of ``credentials.*`` keys are never
shown again (``<<Encrypted>>``), as on Cumulocity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from c8ylink.tenant.state.documents import require_object
from c8ylink.tenant.state.errors import TenantApiError, missing_fields, not_found, validation_error
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.records import Document, RecordStore

ENCRYPTED = "<<Encrypted>>"
LOCAL_VERSION = "1018.0.0-c8ylink"  # the version clients show in their session banner
SYSTEM_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("system", "version", LOCAL_VERSION),
    ("password", "enforce.strength", "false"),
    ("password", "strength.min.length", "6"),
    ("two-factor-authentication", "enabled", "true"),
    ("two-factor-authentication", "strategy", "TOTP"),
    ("device-registration", "allow-bulk", "true"),
    ("alarm.type.mapping", "enabled", "false"),
)


def option_not_found(category: str, key: str) -> TenantApiError:
    return not_found("option", f"Unable to find option by given key: {category}/{key}")


def shown(option: Mapping[str, Any]) -> Document:
    """The option as clients see it (secret values hidden)."""
    value = ENCRYPTED if str(option["key"]).startswith("credentials.") else option["value"]
    return {"category": option["category"], "key": option["key"], "value": value}


def _checked_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise validation_error(f"{what} must be a non-empty string without '/'")
    return value


def _checked_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise validation_error("value must be a string")
    return value


class TenantOptions:
    def __init__(self, journal: Journal) -> None:
        self._store = RecordStore(journal, "tenantOption", resource="option", what="Option")

    def all(self) -> list[Document]:
        return sorted(self._store.all(), key=lambda o: (o["category"], o["key"]))

    def category(self, category: str) -> list[Document]:
        return [option for option in self.all() if option["category"] == category]

    def get(self, category: str, key: str) -> Document:
        found = self._store.find(f"{category}/{key}")
        if found is None:
            raise option_not_found(category, key)
        return found

    def put(self, category: str, key: str, value: object) -> Document:
        option = {
            "id": f"{_checked_name(category, 'category')}/{_checked_name(key, 'key')}",
            "category": category,
            "key": key,
            "value": _checked_value(value),
        }
        return self._store.put(option)

    def create(self, body: object) -> Document:
        fields = require_object(body, "option")
        missing = [name for name in ("category", "key", "value") if name not in fields]
        if missing:
            raise missing_fields(*missing)
        return self.put(fields["category"], fields["key"], fields["value"])

    def update(self, category: str, key: str, body: object) -> Document:
        fields = require_object(body, "option")
        self.get(category, key)
        if "value" not in fields:
            raise missing_fields("value")
        return self.put(category, key, fields["value"])

    def put_category(self, category: str, body: object) -> list[Document]:
        fields = require_object(body, "options")
        return [self.put(category, key, value) for key, value in fields.items()]

    def delete(self, category: str, key: str) -> None:
        self.get(category, key)
        self._store.delete(f"{category}/{key}")

    def restore(self, records: list[dict[str, Any]]) -> None:
        self._store.restore(records)


def system_option(category: str, key: str) -> Document:
    for entry in SYSTEM_OPTIONS:
        if entry[:2] == (category, key):
            return {"category": category, "key": key, "value": entry[2]}
    raise option_not_found(category, key)
