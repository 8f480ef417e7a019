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
        given = {key: value for key, value in overrides.items() if value is not None}
        if self.data_dir is not None:
            given.setdefault("data_dir", self.data_dir)
        return load_settings(**given)


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of the running command."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliState) else CliState()
