"""Changes to a configuration document: ``set``, ``unset``, ``add``, ``remove``.

The document is any nested ``MutableMapping`` (a tomlkit document keeps comments and order; a ``dict``
works in tests); ``new_table`` makes an empty table of the document's kind. Every change also moves
keys whose name changed (``mqtt.port`` -> ``mqtt.bind.port``) and writes the schema's version marker.
``current`` is the file-only view (no environment) that ``add``/``remove`` start from, as upstream.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.settings.schema import KeyRef, Schema
from c8ylink.core.settings.types import ParseContext, merge_items, remove_items

Document = MutableMapping[str, Any]
NewTable = Callable[[], MutableMapping[str, Any]]


class DocumentEdit:
    """The four verbs on one document.

    ``current`` gives the file-only view that ``add``/``remove`` start from; it is called only when
    needed, so an invalid value elsewhere in the file does not stop ``set`` from fixing it.
    """

    def __init__(
        self, schema: Schema, current: Callable[[], Settings], ctx: ParseContext, new_table: NewTable
    ) -> None:
        self.schema, self.current, self.ctx, self.new_table = schema, current, ctx, new_table

    def set(self, doc: Document, ref: KeyRef, text: str) -> None:
        value = ref.key.type.parse(text, self.ctx)
        if ref.key.derived is not None:
            _refuse_ignored_write(self.current(), ref, ref.key.type.to_text(value))
        _write(self.schema, doc, ref, ref.key.type.to_toml(value), self.new_table)

    def unset(self, doc: Document, ref: KeyRef) -> None:
        migrate_document(self.schema, doc, self.new_table)
        remove_path(doc, self.schema.toml_path(ref))
        _write_marker(self.schema, doc, self.new_table)

    def add(self, doc: Document, ref: KeyRef, text: str) -> None:
        """Lists: the union of the current value (default included) and the new items; scalars: ``set``."""
        key_type = ref.key.type
        if not key_type.is_list:
            self.set(doc, ref, text)
            return
        merged = merge_items(self._present(ref) or (), key_type.parse(text, self.ctx))
        _write(self.schema, doc, ref, key_type.to_toml(merged), self.new_table)

    def remove(self, doc: Document, ref: KeyRef, text: str) -> None:
        """Lists: drop the given items; scalars: unset when the current value equals the given one."""
        key_type = ref.key.type
        removed = key_type.parse(text, self.ctx)
        present = self._present(ref)
        if present is None:
            return
        if key_type.is_list:
            _write(self.schema, doc, ref, key_type.to_toml(remove_items(present, removed)), self.new_table)
        elif key_type.to_text(present) == key_type.to_text(removed):
            self.unset(doc, ref)

    def _present(self, ref: KeyRef) -> Any:
        try:
            return self.current().lookup(ref)
        except ConfigError:
            return None


def _refuse_ignored_write(current: Settings, ref: KeyRef, text: str) -> None:
    derived = ref.key.derived
    if derived is None or not derived.conflict:
        return
    value = current.derive(ref)
    if value is not None and value != text:
        source = current.lookup(current.related(ref, derived.source))
        raise ConfigError(derived.conflict.format(key=ref.name, value=value, source=source))


def _write(schema: Schema, doc: Document, ref: KeyRef, value: Any, new_table: NewTable) -> None:
    migrate_document(schema, doc, new_table)
    _write_marker(schema, doc, new_table)
    set_path(doc, schema.toml_path(ref), value, new_table)


def _write_marker(schema: Schema, doc: Document, new_table: NewTable) -> None:
    if schema.marker is not None:
        name, value = schema.marker
        path = tuple(name.split("."))
        if get_path(doc, path) != value:
            set_path(doc, path, value, new_table)


def migrate_document(schema: Schema, doc: Document, new_table: NewTable) -> None:
    """Move values stored under old names to their current key (an error when both are present)."""
    moved = dict(schema.moved)
    for key in schema.keys:
        moved.update(dict.fromkeys(key.deprecated, key.name))
    for old, new in moved.items():
        old_path, new_path = tuple(old.split(".")), tuple(new.split("."))
        value = get_path(doc, old_path)
        if value is None:
            continue
        if get_path(doc, new_path) is not None:
            raise ConfigError(
                f"Cannot migrate '{old}' to '{new}': target key already exists. "
                "Please manually remove one of them from the configuration file."
            )
        remove_path(doc, old_path)
        set_path(doc, new_path, value, new_table)


def get_path(doc: Document, path: tuple[str, ...]) -> Any:
    node: Any = doc
    for part in path:
        if not isinstance(node, MutableMapping) or part not in node:
            return None
        node = node[part]
    return node


def set_path(doc: Document, path: tuple[str, ...], value: Any, new_table: NewTable) -> None:
    node: MutableMapping[str, Any] = doc
    for index, part in enumerate(path[:-1]):
        child = node.get(part)
        if not isinstance(child, MutableMapping):
            if child is not None:
                dotted = ".".join(path[: index + 1])
                raise ConfigError(f"Cannot write '{'.'.join(path)}': '{dotted}' holds a value, not a table")
            child = new_table()
            node[part] = child
            child = node[part]
        node = child
    node[path[-1]] = value


def remove_path(doc: Document, path: tuple[str, ...]) -> bool:
    """Remove the value at ``path`` and the tables that this leaves empty; ``False`` if it was not there."""
    parents: list[MutableMapping[str, Any]] = []
    node: Any = doc
    for part in path[:-1]:
        if not isinstance(node, MutableMapping) or not isinstance(node.get(part), MutableMapping):
            return False
        parents.append(node)
        node = node[part]
    if not isinstance(node, MutableMapping) or path[-1] not in node:
        return False
    del node[path[-1]]
    for depth in range(len(parents) - 1, -1, -1):
        table = parents[depth][path[depth]]
        if len(table) == 0:
            del parents[depth][path[depth]]
        else:
            break
    return True
