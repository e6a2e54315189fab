"""A settings schema declared as data: ``Key`` entries and the ``Schema`` that looks them up.

A key has a dotted name (``c8y.bridge.topic_prefix``), a value type, a doc line, examples, an optional
note, and either no default, a default (``Literal``, ``InConfigDir``, ``FromKey``, ``Computed``) or a
value ``Derived`` from another key by a function the caller supplies (``device.id`` from the
certificate). Keys under a *multi group* (``c8y``) exist once per profile as well:
``c8y.profiles.<name>.<rest>``.

Key names are matched the way tedge matches them: exact dotted names, or any spelling that equals a
key once every ``.`` becomes ``_`` (``c8y_root_cert_path``, ``c8y.root.cert.path``; these get a
deprecation warning), or an old name that moved (``mqtt.port`` -> ``mqtt.bind.port``).
"""

from __future__ import annotations

from c8ylink.core.settings.errors import KeyParseError, ProfileError

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from typing import NamedTuple

    from c8ylink.core.settings.types import ValueType
else:
    from c8ylink.core.records import NamedTuple


class Literal(NamedTuple):
    """A fixed default, written as command-line text and parsed with the key's type."""

    text: str


class InConfigDir(NamedTuple):
    """A default path inside the configuration directory, e.g. ``device-certs/tedge.csr``."""

    relative: str


class FromKey(NamedTuple):
    """The default is another key's value (``c8y.http`` <- ``c8y.url``).

    Inside a multi group the other key is taken from the same profile when it is in the same group.
    When the other key has no value, neither has this one, and the error names the other key.
    ``host_only``: take only the host of the other key's ``host:port`` value, so that this key's own
    default port applies (``c8y.mtls`` is ``c8y.http``'s host on port 8443).
    """

    key: str
    host_only: bool = False


class DefaultContext(NamedTuple):
    config_dir: str


class Computed(NamedTuple):
    """A default computed from the context (the configuration directory); ``describe`` is for docs."""

    compute: Callable[[DefaultContext], str]
    describe: str = ""


Default = Literal | InConfigDir | FromKey | Computed


class Derived(NamedTuple):
    """The value is computed by the deriver called ``deriver`` from the value of ``source`` (a key, taken
    from the same profile). It wins over an explicit value; the explicit value, then the default, are
    used only when the derivation fails (e.g. its source does not exist). ``missing`` explains how to get
    a value; ``conflict`` (``{key}``, ``{value}``, ``{source}`` replaced) refuses a write that would be
    ignored because the derived value wins.
    """

    deriver: str
    source: str
    missing: str
    conflict: str = ""


class Key:
    """One configuration key. (A plain class, not a dataclass: a schema has a hundred keys and is
    built at start-up of every ``tedge`` command.)

    ``deprecated``: older names of this key, accepted everywhere with a warning. ``secret``: masked
    in listings. ``readonly`` keys can be read but not written (``write_error`` says why).
    """

    __slots__ = (
        "default", "deprecated", "derived", "doc", "examples", "name", "normalized", "note", "readonly",
        "secret", "type", "write_error",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        type: ValueType,
        doc: str,
        examples: tuple[str, ...] = (),
        *,
        note: str | None = None,
        default: Default | None = None,
        derived: Derived | None = None,
        readonly: bool = False,
        write_error: str = "",
        secret: bool = False,
        deprecated: tuple[str, ...] = (),
    ) -> None:
        self.name, self.type, self.doc, self.examples, self.note = name, type, doc, examples, note
        self.default, self.derived, self.readonly, self.write_error = default, derived, readonly, write_error
        self.secret, self.deprecated = secret, deprecated
        self.normalized = name.replace(".", "_")

    def __repr__(self) -> str:
        return f"Key({self.name!r})"


class KeyRef(NamedTuple):
    """A key, and the profile it is read for (``None`` = the default profile or a key without profiles)."""

    key: Key
    profile: str | None = None
    group: str | None = None  # the multi group the profile belongs to

    @property
    def name(self) -> str:
        if self.profile is None or self.group is None:
            return self.key.name
        rest = self.key.name[len(self.group) + 1 :]
        return f"{self.group}.profiles.{self.profile}.{rest}"

    def __str__(self) -> str:
        return self.name


class ParsedKey(NamedTuple):
    ref: KeyRef
    warning: str | None = None


PROFILE_CHARS_ERROR = "Profile names can only contain letters, numbers, `-` or `_`"


def parse_profile_name(text: str) -> str:
    """A profile name: letters, digits, ``-`` and ``_``, at least one alphanumeric; lower-cased."""
    if not all(c.isalnum() or c in "-_" for c in text):
        raise ProfileError(PROFILE_CHARS_ERROR)
    if not text:
        raise ProfileError("Profile names cannot be empty")
    if not any(c.isalnum() for c in text):
        raise ProfileError("Profile names must contain at least one letter or number")
    return text.lower()


class Schema:
    """The declared keys of one configuration file, in listing order.

    ``multi``: groups whose keys also exist per profile. ``moved``: old dotted names -> new key names
    (migrated in files, accepted on the command line). ``marker``: a ``(dotted key, value)`` the file
    carries once migrated (tedge's ``config.version = "2"``). ``unknown_key``: the error text for an
    unknown name (``{key}`` is replaced).
    """

    def __init__(
        self,
        keys: tuple[Key, ...],
        *,
        multi: tuple[str, ...] = (),
        moved: Mapping[str, str] | None = None,
        marker: tuple[str, str] | None = None,
        unknown_key: str = "Unknown config key: '{key}'",
        env_prefix: str = "",
        env_ignore: frozenset[str] = frozenset(),
    ) -> None:
        self.keys, self.multi, self.moved, self.marker = keys, multi, dict(moved or {}), marker
        self.unknown_key, self.env_prefix, self.env_ignore = unknown_key, env_prefix, env_ignore
        self._by_name = {key.name: key for key in keys}
        if len(self._by_name) != len(keys):
            raise ValueError("duplicate key names in schema")
        # lower-cased: environment variable names are matched case-insensitively (camelCase keys too)
        self._by_normalized = {key.normalized.lower(): key for key in keys}
        for key in keys:
            for old in key.deprecated:
                self._by_normalized.setdefault(old.replace(".", "_").lower(), key)
        for old, new in self.moved.items():
            self._by_normalized.setdefault(old.replace(".", "_").lower(), self._by_name[new])

    def key(self, name: str) -> Key:
        """The key with this exact canonical name (``KeyError`` for programming mistakes)."""
        return self._by_name[name]

    def ref(self, name: str, profile: str | None = None) -> KeyRef:
        """A reference to a canonical key name, for ``profile`` when the key has profiles."""
        key = self.key(name)
        group = self.group_of(key)
        if profile is not None and group is None:
            raise ProfileError(f"You've supplied a profile, but {name} is not a profiled configuration")
        return KeyRef(key, profile, group)

    def group_of(self, key: Key) -> str | None:
        for group in self.multi:
            if key.name.startswith(group + "."):
                return group
        return None

    def group_keys(self, group: str) -> Iterator[Key]:
        return (key for key in self.keys if key.name.startswith(group + "."))

    def parse_key(self, text: str, *, writing: bool = False) -> ParsedKey:
        """The key a user means by ``text``; ``KeyParseError`` when none (or a read-only key to write)."""
        parsed = self._parse_profiled(text) or self._parse_plain(text)
        if parsed is None:
            raise KeyParseError(text, self.unknown_key.format(key=text))
        if writing and parsed.ref.key.readonly:
            raise KeyParseError(text, parsed.ref.key.write_error or f"'{parsed.ref.key.name}' is read-only")
        return parsed

    def _parse_plain(self, text: str) -> ParsedKey | None:
        if text in self._by_name:
            key = self._by_name[text]
            return ParsedKey(KeyRef(key, None, self.group_of(key)))
        key_or_none = self._by_normalized.get(text.replace(".", "_"))
        if key_or_none is None:
            return None
        warning = f"The key '{text}' is deprecated. Use '{key_or_none.name}' instead."
        return ParsedKey(KeyRef(key_or_none, None, self.group_of(key_or_none)), warning)

    def _parse_profiled(self, text: str) -> ParsedKey | None:
        for group in self.multi:
            dotted = f"{group}.profiles."
            if text.startswith(dotted) and "." in text[len(dotted) :]:
                name, rest = text[len(dotted) :].split(".", 1)
                return self._profiled(group, name, rest, text, exact=True)
            underscored = f"{group}_profiles_"
            normalized = text.replace(".", "_")
            if normalized.startswith(underscored):
                return self._split_underscored(group, text, normalized[len(underscored) :])
        return None

    def _split_underscored(self, group: str, text: str, remainder: str) -> ParsedKey | None:
        for index, char in enumerate(remainder):
            if char != "_" or index == 0:
                continue
            found = self._profiled(group, remainder[:index], remainder[index + 1 :], text, exact=False)
            if found is not None:
                return found
        return None

    def _profiled(self, group: str, name: str, rest: str, text: str, *, exact: bool) -> ParsedKey | None:
        key = self._by_name.get(f"{group}.{rest}") if exact else None
        warning = None
        if key is None:
            key = self._by_normalized.get(f"{group}_{rest.replace('.', '_')}")
            if key is None or self.group_of(key) != group:
                return None
        try:
            profile = parse_profile_name(name)
        except ProfileError as exc:
            raise KeyParseError(
                text, f"Invalid profile name `{name}` for the multi-profile property {group}: {exc}"
            ) from None
        ref = KeyRef(key, profile, group)
        if not exact or text != ref.name:
            warning = f"The key '{text}' is deprecated. Use '{ref.name}' instead."
        return ParsedKey(ref, warning)

    def with_profile(self, ref: KeyRef, profile: str) -> KeyRef:
        """``ref`` for ``profile`` (``--profile``); an error when the key has no profiles or has one."""
        if ref.group is None:
            raise ProfileError(f"You've supplied a profile, but {ref.name} is not a profiled configuration")
        if ref.profile is not None and ref.profile != profile:
            raise ProfileError(
                f"Multiple profiles selected: the key '{ref.name}' names profile '{ref.profile}' "
                f"and --profile names '{profile}'. Use one or the other."
            )
        return KeyRef(ref.key, profile, ref.group)

    def env_name(self, ref: KeyRef) -> str:
        return self.env_prefix + ref.name.replace(".", "_").replace("-", "_").upper()

    def parse_env_name(self, variable: str) -> KeyRef | None:
        """The key an environment variable overrides (``TEDGE_C8Y_URL``), case-insensitively."""
        rest = variable[len(self.env_prefix) :].lower()
        try:
            parsed = self._parse_profiled(rest) or self._parse_plain(rest)
        except KeyParseError:
            return None
        return parsed.ref if parsed else None

    def toml_path(self, ref: KeyRef) -> tuple[str, ...]:
        parts = tuple(ref.key.name.split("."))
        if ref.profile is None or ref.group is None:
            return parts
        depth = len(ref.group.split("."))
        return (*parts[:depth], "profiles", ref.profile, *parts[depth:])

    def listing(self, profiles: Mapping[str, Sequence[str]]) -> Iterator[KeyRef]:
        """Every readable key in listing order; after a multi group's keys, the same keys per profile."""
        keys = list(self.keys)
        for index, key in enumerate(keys):
            group = self.group_of(key)
            yield KeyRef(key, None, group)
            next_group = self.group_of(keys[index + 1]) if index + 1 < len(keys) else None
            if group is not None and next_group != group:
                for profile in profiles.get(group, ()):
                    for member in self.group_keys(group):
                        yield KeyRef(member, profile, group)
