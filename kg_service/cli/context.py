"""State shared by the ``kg`` subcommands: the global options, turned into settings on demand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from kg_service.config import Settings, load_settings


@dataclass
class CliState:
    """Global options given before the subcommand."""

    data_dir: Path | None = None

    def settings(self, **overrides: object) -> Settings:
        """Settings from the environment, with command-line options taking precedence."""
        if self.data_dir is not None:
            overrides.setdefault("data_dir", self.data_dir)
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of the running command."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliState) else CliState()
