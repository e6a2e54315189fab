"""go-c8y-cli's command aliases: ``settings.aliases`` of the session file and ``settings.commonAliases``
of the global ``settings.json``, expanded when the first word of a command line is not a command.

    expand_alias({"recent": "operations list --dateFrom=-1h"}, ["recent", "-o", "csv"])
        -> AliasExpansion(args=["operations", "list", "--dateFrom=-1h", "-o", "csv"])
    expand_alias({"byType": 'alarms list --type="$1"'}, ["byType", "c8y_Temp"])
        -> AliasExpansion(args=["alarms", "list", "--type=c8y_Temp"])
    expand_alias({"audit": "!c8y auditrecords list | grep $1"}, ["audit", "deleted"])
        -> AliasExpansion(shell="c8y auditrecords list | grep $1", shell_args=["deleted"])

``$1``, ``$2``... take the arguments after the alias name; the arguments after the last placeholder used
(or all of them, when the expansion has no ``$``) are appended. An expansion starting with ``!`` runs
through ``sh -c`` with the arguments as ``$1``...; it receives only what it names (``$@`` for all).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.errors import UsageError
from c8ylink.core.exit_codes import C8yExit

SESSION_KEY = "aliases"
COMMON_KEY = "commonAliases"
_LINGERING = re.compile(r"\$\d")
INVALID = int(C8yExit.INVALID_ALIAS)  # an alias that cannot be expanded (107, as upstream)


class AliasError(UsageError):
    exit_code = int(C8yExit.USER)


@dataclass(frozen=True, slots=True)
class AliasExpansion:
    args: list[str] = field(default_factory=list)
    shell: str = ""  # a shell alias: the script for ``sh -c``
    shell_args: list[str] = field(default_factory=list)

    def shell_command(self, sh: str = "sh") -> list[str]:
        """``sh -c SCRIPT -- ARGS...`` (``--`` becomes ``$0``, the arguments ``$1``...)."""
        return [sh, "-c", self.shell, *(["--", *self.shell_args] if self.shell_args else [])]


def aliases_of(settings: Mapping[str, Any]) -> dict[str, str]:
    """The aliases in one settings layer (``{}`` when it has none or they are not name -> text)."""
    from c8ylink.operator.sessions.model import get_setting

    found = {}
    for key in (COMMON_KEY, SESSION_KEY):  # in one file, the session aliases win
        value = get_setting(settings, key, {})
        if isinstance(value, Mapping):
            found.update({str(name): text for name, text in value.items() if isinstance(text, str)})
    return found


def merge_aliases(session: Mapping[str, Any], global_file: Mapping[str, Any]) -> dict[str, str]:
    """The global file's aliases, then the session's (which win on the same name)."""
    return {**aliases_of(global_file), **aliases_of(session)}


def expand_alias(aliases: Mapping[str, str], args: Sequence[str]) -> AliasExpansion | None:
    """The expansion of ``args[0]`` when it names an alias (case-insensitive), else None."""
    if not args:
        return None
    lowered = {name.lower(): text for name, text in aliases.items()}
    expansion = lowered.get(args[0].lower())
    if expansion is None:
        return None
    rest = list(args[1:])
    if expansion.startswith("!"):
        return AliasExpansion(shell=expansion[1:], shell_args=rest)
    extra: list[str] = []
    for index, value in enumerate(rest, 1):
        if "$" not in expansion:
            extra.append(value)
        else:
            expansion = expansion.replace(f"${index}", value)
    if _LINGERING.search(expansion):
        raise AliasError(f"not enough arguments for alias {args[0]}: {expansion}", exit_code=INVALID)
    try:
        words = shlex.split(expansion)
    except ValueError as exc:
        raise AliasError(f"cannot read alias {args[0]}: {exc}", exit_code=INVALID) from None
    return AliasExpansion(args=[*words, *extra])


def check_new_alias(name: str, expansion: str, commands: frozenset[str]) -> str:
    """The expansion to store (``!`` added for ``--shell``), or ``AliasError`` as upstream refuses it."""
    if name in commands:
        raise AliasError(f'could not create alias: "{name}" is already a c8y command')
    if not expansion.startswith("!"):
        try:
            words = shlex.split(expansion)
        except ValueError as exc:
            raise AliasError(f"could not create alias: {exc}") from None
        if not words or words[0] not in commands:
            raise AliasError(f"could not create alias: {expansion} does not correspond to a c8y command")
    return expansion
