"""``kg serve``: run the API (GraphQL, SPARQL, health, metrics) with uvicorn.

``kg serve [--host H] [--port P] [--demo] [--allow-remote-demo]``. The serving process opens the store
read-write (so ``kg init`` and submissions from the CLI must wait until it stops). Demo mode (``--demo`` or
``KG_DEMO=1``) turns authentication off and says so loudly in the log; because anyone who can reach the port
then has admin rights, it refuses a host other than loopback unless ``--allow-remote-demo`` is given.

Exit codes: 0 stopped normally; 2 could not start (bad settings, store locked or missing, port in use).
"""

from __future__ import annotations

import contextlib
import copy
import signal
import threading
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from kg_service.cli.context import state
from kg_service.config import Settings
from kg_service.errors import EXIT_COULD_NOT_RUN, ConfigurationError, KGServiceError


def register(app: typer.Typer) -> None:
    """Add ``kg serve`` to the root command."""
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind (default: KG_HOST or 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: KG_PORT or 8000).")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Demo mode: authentication OFF (also KG_DEMO=1).")
    ] = False,
    allow_remote_demo: Annotated[
        bool, typer.Option("--allow-remote-demo", help="Allow demo mode on a non-loopback address.")
    ] = False,
) -> None:
    """Serve the GraphQL API. GraphQL API 서버를 실행합니다."""
    from kg_service.cli import print_error

    try:
        run_server(state(ctx).settings(host=host, port=port, demo=True if demo else None), allow_remote_demo)
    except KGServiceError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_COULD_NOT_RUN) from exc


def run_server(settings: Settings, allow_remote_demo: bool = False) -> None:
    """Open the store read-write and serve the app until interrupted (Ctrl-C or SIGTERM).

    Raises:
        ConfigurationError: demo mode on a non-loopback host without ``allow_remote_demo``, or the server
            could not start (for example the port is in use).
        StoreLockedError: another process has the store open.
    """
    import uvicorn

    from kg_service.api.app import create_app, is_loopback_host
    from kg_service.store.embedded import EmbeddedStore

    if settings.demo and not is_loopback_host(settings.host) and not allow_remote_demo:
        raise ConfigurationError(
            f"demo mode has no authentication; refusing to listen on {settings.host}",
            f"데모 모드는 인증이 없으므로 {settings.host}에서 수신하지 않습니다",
            hint="use --host 127.0.0.1, or add --allow-remote-demo if everyone on that network may be admin",
        )
    store = EmbeddedStore.open(settings.store_dir)
    try:
        app = create_app(settings, store)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            http="h11",
            ws="none",
            lifespan="on",
            server_header=False,
            log_level=settings.log_level.lower(),
            log_config=uvicorn_log_config(settings.log_level),
        )
        server = uvicorn.Server(config)
        # uvicorn exits the process when it cannot bind; report that our way instead (below).
        with contextlib.suppress(SystemExit), _stop_signals_end_normally():
            server.run()
    finally:
        store.close()
    if not server.started:
        raise ConfigurationError(
            f"the server could not start on {settings.host}:{settings.port}",
            f"{settings.host}:{settings.port}에서 서버를 시작할 수 없습니다",
            hint="the log above says why (often: the port is in use; choose another with --port)",
        )


@contextlib.contextmanager
def _stop_signals_end_normally() -> Iterator[None]:
    """After a graceful shutdown uvicorn re-raises the signal that stopped it, for the program around it.
    Here that program is ``kg serve``, and Ctrl-C or SIGTERM is the normal way to stop it: while the server
    runs, those signals' handlers (restored by uvicorn before it re-raises) do nothing, so the store is closed
    and the command exits 0 instead of dying by the signal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {stop: signal.signal(stop, _ignore_signal) for stop in stops}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def _ignore_signal(signum: int, frame: object) -> None:
    """A signal handler that does nothing (see :func:`_stop_signals_end_normally`)."""


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging configuration, with the service's own ``kg_service`` logger added at ``level``."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["kg_service"] = {"handlers": ["default"], "level": level, "propagate": False}
    return config
