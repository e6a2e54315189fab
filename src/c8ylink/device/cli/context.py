"""What every `tedge` subcommand receives: the config dir, the environment, the console, the clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from c8ylink.core.clock import Clock, SystemClock
from c8ylink.infra.cli.steps import Console

DEFAULT_CONFIG_DIR = Path("/etc/tedge")


@dataclass
class TedgeContext:
    config_dir: Path
    env: Mapping[str, str]
    console: Console = field(default_factory=Console)
    debug: bool = False
    log_level: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_environment(
        cls,
        config_dir: str | None,
        env: Mapping[str, str],
        *,
        debug: bool = False,
        log_level: str | None = None,
    ) -> TedgeContext:
        chosen = config_dir or env.get("TEDGE_CONFIG_DIR") or str(DEFAULT_CONFIG_DIR)
        return cls(
            config_dir=Path(chosen).absolute(),
            env=dict(env),
            console=Console(env=env),
            debug=debug,
            log_level=log_level,
        )
