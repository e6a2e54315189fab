"""Layered resolution: defaults < file < environment, per key and per profile.

``build_settings`` takes the parsed file (a nested mapping, or ``None`` when there is no file), the
environment mapping, the configuration directory, the working directory and the derivers, and returns a
``Settings`` view. Nothing here touches the file system or ``os.environ``: the caller passes them in.

Environment overrides (``TEDGE_<KEY>``, case-insensitive after the prefix): an empty value resets the
key to its default; a value starting with ``"`` or ``[`` is first tried as a TOML literal; a value that
does not parse is an error naming the variable; an unknown key is a warning.
"""

from __future__ import annotations

from c8ylink.core.errors import C8yLinkError, ConfigError, ConfigNotSetError
from c8ylink.core.settings.errors import (
    DerivationSourceMissing,
    DerivedValueMissingError,
    ProfileError,
    ValueParseError,
)
from c8ylink.core.settings.schema import (
    Computed,
    DefaultContext,
    FromKey,
    InConfigDir,
    Key,
    KeyRef,
    Literal,
    Schema,
    parse_profile_name,
)
from c8ylink.core.settings.types import ParseContext, rust_debug_str

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from typing import Any

    Deriver = Callable[[Any], str]
    """Computes a derived value from its source key's value; raises ``DerivationSourceMissing`` when the
    source does not exist and another ``C8yLinkError`` when it exists but cannot be used."""


class Settings:
    """Effective values of a schema's keys. Values are computed on first use and cached."""

    def __init__(
        self,
        schema: Schema,
        explicit: Mapping[str, Any],
        profiles: Mapping[str, tuple[str, ...]],
        *,
        config_dir: str,
        cwd: str = "/",
        derivers: Mapping[str, Deriver] | None = None,
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.schema = schema
        self.explicit = dict(explicit)
        self.profiles = dict(profiles)
        self.warnings = warnings
        self.default_context = DefaultContext(config_dir)
        self.parse_context = ParseContext(cwd)
        self._derivers = dict(derivers or {})
        self._cache: dict[str, Any | C8yLinkError] = {}

    def value(self, name: str, profile: str | None = None) -> Any:
        """The effective value of the canonical key ``name`` (for ``profile``)."""
        return self.lookup(self.schema.ref(name, profile))

    def lookup(self, ref: KeyRef) -> Any:
        """The effective value; ``ConfigNotSetError`` (naming the key to set) when there is none."""
        cached = self._cache.get(ref.name, _MISSING)
        if cached is _MISSING:
            try:
                cached = self._compute(ref)
            except C8yLinkError as exc:
                cached = exc
            self._cache[ref.name] = cached
        if isinstance(cached, C8yLinkError):
            raise cached
        return cached

    def display(self, ref: KeyRef) -> str:
        return ref.key.type.display(self.lookup(ref))

    def listing(self) -> Iterator[KeyRef]:
        return self.schema.listing(self.profiles)

    def profile_names(self, group: str) -> tuple[str, ...]:
        return self.profiles.get(group, ())

    def check_profile(self, ref: KeyRef) -> None:
        if ref.profile is None or ref.group is None:
            return
        if ref.profile not in self.profile_names(ref.group):
            raise ProfileError(f"Unknown profile `{ref.profile}` for the multi-profile property {ref.group}")

    def derive(self, ref: KeyRef) -> str | None:
        """The derived value of a derived key, ``None`` when the derivation is not possible."""
        derived = ref.key.derived
        if derived is None:
            return None
        try:
            return self._derive(ref)
        except C8yLinkError:
            return None

    def _compute(self, ref: KeyRef) -> Any:
        self.check_profile(ref)
        derived = ref.key.derived
        if derived is not None:
            try:
                return self._derive(ref)
            except DerivationSourceMissing:
                if ref.name in self.explicit or ref.key.default is not None:
                    return self._explicit_or_default(ref)
                raise DerivedValueMissingError(ref.name, derived.missing) from None
            except C8yLinkError as exc:
                if ref.name in self.explicit or ref.key.default is not None:
                    return self._explicit_or_default(ref)
                raise ConfigError(f"Derivation for `{ref.name}` failed: {exc}") from None
        return self._explicit_or_default(ref)

    def _derive(self, ref: KeyRef) -> str:
        assert ref.key.derived is not None
        deriver = self._derivers.get(ref.key.derived.deriver)
        if deriver is None:
            raise DerivationSourceMissing(f"no deriver '{ref.key.derived.deriver}'")
        source = self.related(ref, ref.key.derived.source)
        return deriver(self.lookup(source))

    def _explicit_or_default(self, ref: KeyRef) -> Any:
        if ref.name in self.explicit:
            return self.explicit[ref.name]
        default = ref.key.default
        key_type = ref.key.type
        if default is None:
            raise ConfigNotSetError(ref.name)
        if isinstance(default, Literal):
            return key_type.parse(default.text, self.parse_context)
        if isinstance(default, InConfigDir):
            path = f"{self.default_context.config_dir.rstrip('/')}/{default.relative}"
            return key_type.parse(path, self.parse_context)
        if isinstance(default, Computed):
            return key_type.parse(default.compute(self.default_context), self.parse_context)
        assert isinstance(default, FromKey)
        source = self.related(ref, default.key)
        value = self.lookup(source)
        if default.host_only and hasattr(value, "host"):
            return key_type.parse(str(value.host), self.parse_context)
        if source.key.type == key_type:
            return value
        return key_type.parse(source.key.type.to_text(value), self.parse_context)

    def related(self, ref: KeyRef, name: str) -> KeyRef:
        """Key ``name`` taken from the same profile as ``ref`` when both are in the same multi group."""
        key = self.schema.key(name)
        group = self.schema.group_of(key)
        profile = ref.profile if group is not None and group == ref.group else None
        return KeyRef(key, profile, group)


_MISSING: Any = object()


def build_settings(
    schema: Schema,
    *,
    file_data: Mapping[str, Any] | None,
    file_name: str,
    env: Mapping[str, str],
    config_dir: str,
    cwd: str = "/",
    derivers: Mapping[str, Deriver] | None = None,
) -> Settings:
    """Layer the file and the environment over the schema's defaults."""
    ctx = ParseContext(cwd)
    layer = _Layer(schema, ctx)
    if file_data:
        layer.load_file(file_data, file_name)
    layer.load_env(env)
    return Settings(
        schema,
        layer.values,
        {group: tuple(sorted(names)) for group, names in layer.profiles.items()},
        config_dir=config_dir,
        cwd=cwd,
        derivers=derivers,
        warnings=tuple(layer.warnings),
    )


class _Layer:
    """The explicit values of one source after another (file, then environment)."""

    def __init__(self, schema: Schema, ctx: ParseContext) -> None:
        self.schema = schema
        self.ctx = ctx
        self.values: dict[str, Any] = {}
        self.profiles: dict[str, set[str]] = {group: set() for group in schema.multi}
        self.warnings: list[str] = []
        self._names = frozenset(key.name for key in schema.keys)

    def load_file(self, data: Mapping[str, Any], file_name: str) -> None:
        for path, raw in _leaves(data):
            ref = self._file_ref(path, data, file_name)
            if ref is None:
                continue
            try:
                self.values[ref.name] = ref.key.type.from_toml(raw, self.ctx)
            except ValueParseError as exc:
                raise ConfigError(f"Invalid value for '{ref.name}' in {file_name}") from exc
        for group in self.schema.multi:
            profiles = _get(data, (*group.split("."), "profiles"))
            if profiles is not None and not isinstance(profiles, dict):
                raise ConfigError(
                    f"Invalid value for '{group}.profiles' in {file_name}"
                ) from ValueParseError(f"invalid type: {_toml_kind(profiles)}, expected a table of profiles")
            for name in _table(data, (*group.split("."), "profiles")):
                self.profiles[group].add(self._profile_name(name, group, file_name))

    def _file_ref(self, path: tuple[str, ...], data: Mapping[str, Any], file_name: str) -> KeyRef | None:
        dotted = ".".join(path)
        if self.schema.marker is not None and dotted == self.schema.marker[0]:
            return None
        for group in self.schema.multi:
            depth = len(group.split("."))
            if path[:depth] == tuple(group.split(".")) and path[depth : depth + 1] == ("profiles",):
                if len(path) < depth + 3:
                    break
                profile = self._profile_name(path[depth + 1], group, file_name)
                rest = ".".join(path[depth + 2 :])
                key = self._file_key(f"{group}.{rest}", data, file_name)
                if key is not None and self.schema.group_of(key) == group:
                    return KeyRef(key, profile, group)
                break
        else:
            key = self._file_key(dotted, data, file_name)
            if key is not None:
                return KeyRef(key, None, self.schema.group_of(key))
        for end in range(1, len(path)):  # a table where a key's value belongs
            prefix = ".".join(path[:end])
            if prefix in self._names:
                raise ConfigError(f"Invalid value for '{prefix}' in {file_name}") from ValueParseError(
                    "invalid type: table, expected a value"
                )
        if any(key.name.startswith(dotted + ".") for key in self.schema.keys):
            raise ConfigError(f"Invalid value for '{dotted}' in {file_name}") from ValueParseError(
                f"invalid type: {_toml_kind(_get(data, path))}, expected a table"
            )
        self.warnings.append(f'Unknown configuration field "{dotted}" from toml file {file_name}')
        return None

    def _file_key(self, dotted: str, data: Mapping[str, Any], file_name: str) -> Key | None:
        schema = self.schema
        try:
            return schema.key(dotted)
        except KeyError:
            pass
        target = schema.moved.get(dotted)
        if target is None:
            target = next((key.name for key in schema.keys if dotted in key.deprecated), None)
        if target is None:
            return None
        if _get(data, tuple(target.split("."))) is not None:
            raise ConfigError(
                f"Cannot migrate '{dotted}' to '{target}': target key already exists. "
                f"Please manually remove one of them from {file_name}."
            )
        return schema.key(target)

    def _profile_name(self, name: str, group: str, file_name: str) -> str:
        try:
            return parse_profile_name(name)
        except ProfileError as exc:
            raise ConfigError(
                f"Invalid profile name `{name}` for the multi-profile property {group} in {file_name}: {exc}"
            ) from None

    def load_env(self, env: Mapping[str, str]) -> None:
        prefix = self.schema.env_prefix
        if not prefix:
            return
        for variable in sorted(env):
            if not variable.startswith(prefix) or variable[len(prefix) :] in self.schema.env_ignore:
                continue
            ref = self.schema.parse_env_name(variable)
            if ref is None or ref.key.readonly:
                name = variable[len(prefix) :].lower()
                self.warnings.append(
                    f'Unknown configuration field "{name}" from environment variable {variable}'
                )
                continue
            self._apply_env(ref, variable, env[variable])

    def _apply_env(self, ref: KeyRef, variable: str, text: str) -> None:
        if text == "":
            self.values.pop(ref.name, None)
            return
        if text.startswith(('"', "[")):
            import tomllib

            try:
                raw = tomllib.loads(f"value = {text}")["value"]
                self._store(ref, ref.key.type.from_toml(raw, self.ctx))
                return
            except (tomllib.TOMLDecodeError, ValueParseError):
                pass  # not a TOML literal of the right type: parse the text as given
        try:
            value = ref.key.type.parse(text, self.ctx)
        except ValueParseError as exc:
            raise ConfigError(
                f"Failed to set value for {ref.name} to {rust_debug_str(text)} from environment variable "
                f"{variable}"
            ) from exc
        self._store(ref, value)

    def _store(self, ref: KeyRef, value: Any) -> None:
        self.values[ref.name] = value
        if ref.profile is not None and ref.group is not None:
            self.profiles[ref.group].add(ref.profile)


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every non-table value of a nested mapping with its path."""
    for name, value in data.items():
        path = (*prefix, str(name))
        if isinstance(value, dict):
            yield from _leaves(value, path)
        else:
            yield path, value


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _table(data: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any]:
    node = _get(data, path)
    return node if isinstance(node, dict) else {}


def _toml_kind(value: Any) -> str:
    """The TOML type of a value, as an error names it."""
    if isinstance(value, bool):
        return "boolean"
    kinds = ((str, "string"), (int, "integer"), (float, "float"), (list, "array"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "date-time")
