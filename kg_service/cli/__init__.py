"""The ``kg`` command: thin commands over the same services the API uses.

Exit codes (scripts in departments depend on them): 0 success or conforms, 1 problems found (rejected,
non-conforming, breaking change), 2 could not run (usage, configuration, I/O). Every ``KGServiceError`` is
printed in English and Korean with a hint, never as a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg_service import __version__
from kg_service.cli.context import CliState
from kg_service.errors import EXIT_COULD_NOT_RUN, KGServiceError

app = typer.Typer(
    name="kg",
    help="Seoul urban CPS knowledge-graph service (서울시 도시 CPS 지식그래프 서비스).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kg-service {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory (default: KG_DATA_DIR or .kg-data).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Seoul urban CPS knowledge-graph service (서울시 도시 CPS 지식그래프 서비스)."""
    ctx.obj = CliState(data_dir=data_dir)


_registered: list[bool] = []


def _register_commands() -> None:
    if _registered:
        return
    _registered.append(True)
    from kg_service.cli import (
        demo,
        mapping_commands,
        neo4j,
        ontology,
        serve,
        store_commands,
        submission_commands,
        tokens,
    )

    store_commands.register(app)
    mapping_commands.register(app)
    submission_commands.register(app)
    serve.register(app)
    app.add_typer(tokens.app, name="token")
    app.add_typer(neo4j.app, name="neo4j")
    app.add_typer(ontology.app, name="ontology")
    app.add_typer(demo.app, name="demo")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kg`` console script; returns the exit code."""
    _register_commands()
    try:
        # Outside standalone mode click returns a typer.Exit's code instead of raising it.
        result = app(args=argv, prog_name="kg", standalone_mode=False)
    except KGServiceError as exc:
        print_error(exc)
        return EXIT_COULD_NOT_RUN
    except OSError as exc:
        where = f" ({str(exc.filename)[:200]})" if exc.filename else ""
        print_error(
            KGServiceError(
                f"file system error: {exc.strerror or exc}{where}",
                f"파일 시스템 오류: {exc.strerror or exc}{where}",
                hint="check the path, its permissions and free disk space",
            )
        )
        return EXIT_COULD_NOT_RUN
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted (중단됨)", err=True)
        return EXIT_COULD_NOT_RUN
    except Exception as exc:
        # Usage errors from the command-line parser (typer vendors click, so match by behaviour).
        show = getattr(exc, "show", None)
        if callable(show) and hasattr(exc, "exit_code"):
            show()
            return EXIT_COULD_NOT_RUN
        raise
    return result if isinstance(result, int) else 0


def print_error(exc: KGServiceError) -> None:
    """Print an error for a person: English, Korean, and what to do."""
    typer.echo(f"error: {exc.message}", err=True)
    typer.echo(f"오류: {exc.message_ko}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
