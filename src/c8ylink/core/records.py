"""``NamedTuple`` without importing ``typing`` at run time.

The settings engine is on the start-up path of every ``tedge`` command, and on this kind of machine
``import typing`` alone costs about as much as starting the interpreter (it pulls in ``re`` and more).
Modules on that path declare their small value classes exactly as with ``typing.NamedTuple``, but take
the class from here at run time, so the type checker still sees the real thing::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from c8ylink.core.records import NamedTuple

    class HostPort(NamedTuple):
        host: str
        port: int = 443

        def __str__(self) -> str: ...

The class built here is a ``collections.namedtuple`` with the annotated fields (in order), their
defaults, and every method, property and docstring of the class body: the same behaviour as
``typing.NamedTuple`` for the features used in this code base (no generics, no multiple inheritance).
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# attributes of a class body that belong to the class machinery, not to the record
_MACHINERY = frozenset({"__annotations__", "__module__", "__qualname__", "__dict__", "__weakref__"})


class _RecordMeta(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> Any:
        if not bases:  # the ``NamedTuple`` base itself
            return super().__new__(mcs, name, bases, namespace)
        fields = list(namespace.get("__annotations__", {}))
        defaults = [namespace[field] for field in fields if field in namespace]
        if any(field not in namespace for field in fields[len(fields) - len(defaults) :]):
            raise TypeError(f"{name}: fields without a default cannot follow fields with one")
        module = namespace.get("__module__")
        record = collections.namedtuple(name, fields, defaults=defaults, module=module)  # type: ignore[misc]
        record.__qualname__ = namespace.get("__qualname__", name)
        for attribute, value in namespace.items():
            if attribute not in _MACHINERY and attribute not in fields:
                setattr(record, attribute, value)
        return record


class NamedTuple(metaclass=_RecordMeta):
    """Base class: ``class X(NamedTuple): a: int; b: str = ""`` builds a ``collections.namedtuple``."""
