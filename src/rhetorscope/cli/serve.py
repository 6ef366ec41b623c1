"""`rhetorscope serve`: the web app and REST API on this machine.

FastAPI and uvicorn are imported inside the command, so they never slow down
`rhetorscope analyze`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from rhetorscope.errors import InputError


def serve(
    db: Annotated[str | None, typer.Option(help="Corpus database: a file path or postgresql:// URL "
                                                "(default: $RHETORSCOPE_DB or the user data folder).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on; anything but loopback exposes the app.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int | None, typer.Option(help="Analyze worker processes (default 2, or "
                                                     "$RHETORSCOPE_WORKERS).", min=1, max=64)] = None,
    queue: Annotated[int, typer.Option(help="Analyze requests that may wait for a worker; more get 429.",
                                       min=0, max=10_000)] = 32,
    max_body_mb: Annotated[float | None, typer.Option(help="Largest request body in MB (default 5, or "
                                                            "$RHETORSCOPE_MAX_BODY_MB).")] = None,
    create: Annotated[bool, typer.Option("--create", help="Create an empty corpus at --db if there is none.")]
    = False,
    analyze_timeout: Annotated[float | None, typer.Option(help="Stop an analysis after this many seconds "
                                                              "(default 120, or $RHETORSCOPE_ANALYZE_TIMEOUT).",
                                                         min=1)] = None,
    worker_memory_mb: Annotated[float | None, typer.Option(help="Stop an analysis whose worker passes this many MB "
                                                                "(default 2048, or $RHETORSCOPE_WORKER_MEMORY_MB; "
                                                                "0: no limit).", min=0)] = None,
) -> None:
    """Start the web app: Analyze, Corpus, Trends and Repeats pages, and the REST API under /api/v1.

    Set RHETORSCOPE_TOKEN to require that token on requests that start work.
    """
    import uvicorn

    from rhetorscope.web import Settings, create_app
    from rhetorscope.web.app import check_store
    from rhetorscope.web.settings import MB

    if max_body_mb is not None and max_body_mb <= 0:
        raise InputError("--max-body-mb must be positive", "give a size in MB, e.g. 5")
    settings = Settings.from_env(db=db, host=host, workers=workers, queue=queue, create_db=create,
                                 max_body_bytes=int(max_body_mb * MB) if max_body_mb else None,
                                 analyze_timeout_s=analyze_timeout,
                                 worker_memory_bytes=int(worker_memory_mb * MB) if worker_memory_mb is not None
                                 else None)
    check_store(settings)  # a bad --db is one line here, not a traceback from inside the server
    if not settings.loopback:
        typer.echo(f"warning: listening on {host}; anyone who can reach this machine can use the app"
                   + ("" if settings.token else " (set RHETORSCOPE_TOKEN to require a token)"), err=True)
    # uvicorn stops on SIGTERM and Ctrl-C; the grace period bounds how long requests in flight may keep it up,
    # then the pool kills its workers.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", server_header=False,
                timeout_graceful_shutdown=int(settings.shutdown_grace_s))
