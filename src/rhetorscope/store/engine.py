"""Connections, the schema version check and migrations, and safe write transactions.

SQLite is the default and the hard case: several processes may write to one
file. Every connection uses WAL (readers never block the writer), a long busy
timeout, and write transactions start with `BEGIN IMMEDIATE`, so a writer takes
the lock before reading what it is about to change and two ingests cannot
interleave half-batches. A write that still meets "database is locked" is
retried. PostgreSQL needs none of this: it is a server with row locks.

Read-only commands open the database read-only (SQLite `mode=ro`, and
`immutable` on a read-only folder, where SQLite could not create the WAL index;
a read-only transaction on PostgreSQL), so they work on a read-only mount and
can never change the corpus. Every database failure that is not a bug (a file
that is not a database, a damaged one, a full disk, a read-only file for a
write) becomes one `StoreError` line, by `_explain` on the engine's errors.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError

from rhetorscope.errors import RhetorscopeError

SCHEMA_REVISION = "0007"
BUSY_TIMEOUT_S = 60
_WRITE_RETRIES = 8
_MIGRATIONS = Path(__file__).with_name("migrations")

T = TypeVar("T")


class StoreError(RhetorscopeError):
    """The corpus database cannot be opened or used as asked."""


def default_db_url() -> str:
    """`RHETORSCOPE_DB` (a path or a URL), else `corpus.sqlite` in the user data directory."""
    configured = os.environ.get("RHETORSCOPE_DB")
    if configured:
        return to_url(configured)
    from platformdirs import user_data_dir

    return to_url(str(Path(user_data_dir("rhetorscope")) / "corpus.sqlite"))


def to_url(db: str) -> str:
    """Accept a plain file path as well as a SQLAlchemy URL (`postgresql://…`)."""
    if "://" in db:
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            return "postgresql+psycopg://" + db.split("://", 1)[1]
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL; None for another database or an in-memory one."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    return path if path and path != ":memory:" else None


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    """An engine set up for concurrent use: WAL and IMMEDIATE writes on SQLite; read-only when asked."""
    serializer = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    where = _display(url)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path and not readonly:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for {path}: {exc.strerror}",
                                 "give a writable --db path") from None
            if not all(os.access(p, os.W_OK) for p in (path, Path(path).parent) if os.path.exists(p)):
                raise StoreError(f"the corpus database {path} is read-only",
                                 "commands that write (ingest) need a writable copy; search, repeats, trends, "
                                 "export and serve can read it as it is")
        if path and readonly:
            url = _readonly_sqlite_url(path)
        engine = create_engine(url, json_serializer=serializer,
                               connect_args={"timeout": BUSY_TIMEOUT_S, "isolation_level": None})
        event.listen(engine, "connect", functools.partial(_sqlite_connect, readonly=readonly))
        event.listen(engine, "begin", _sqlite_begin)
    else:
        if url.startswith("postgresql"):
            try:
                import psycopg  # noqa: F401
            except ImportError:
                raise StoreError("PostgreSQL support is not installed",
                                 "pip install 'rhetorscope[postgres]'") from None
        # connect_args replace the URL's own `options` (e.g. `-csearch_path=…`), so those are kept in front
        own = make_url(url).query.get("options", "")
        own = " ".join(own) if isinstance(own, tuple) else own
        options = ({"connect_args": {"options": f"{own} -c default_transaction_read_only=on".strip()}}
                   if readonly else {})
        engine = create_engine(url, json_serializer=serializer, pool_pre_ping=True, **options)
    event.listen(engine, "handle_error", functools.partial(_explain, where=where))
    return engine


def _readonly_sqlite_url(path: str) -> str:
    """`mode=ro`; plus `immutable` where the folder is read-only and SQLite could not create the WAL index."""
    query = "mode=ro"
    folder_writable = os.access(Path(path).parent, os.W_OK)
    if not folder_writable and not Path(path + "-shm").exists():
        query += "&immutable=1"
    return f"sqlite:///file:{urllib.parse.quote(path)}?{query}&uri=true"


def _sqlite_connect(dbapi_connection, _record, *, readonly: bool) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    if not readonly:  # both write the file; a corpus is in WAL mode already when it is read
        cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect only on a new file, before WAL is set
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


#: Fragments of database error messages, and what they mean for the user.
_EXPLANATIONS = (
    (("file is not a database", "not a database"), "is not an SQLite database",
     "give the path of a rhetorscope corpus, or a new file name"),
    (("malformed", "disk i/o error", "database disk image", "no such table", "no such column"),
     "is damaged or incomplete", "restore it from a backup, or ingest into a new --db"),
    (("database or disk is full", "no space left"), "cannot grow: the disk is full",
     "free some space and rerun; what was written before is kept"),
    (("readonly database", "read-only", "read only"), "is read-only",
     "use a writable copy for commands that write (ingest), or check the permissions"),
    (("unable to open database file",), "cannot be opened", "check the --db path and its permissions"),
    (("could not connect", "connection refused", "connection failed", "does not exist", "authentication failed"),
     "cannot be reached", "check the --db URL and that the server is running"),
)


def _explain(context: ExceptionContext, *, where: str) -> None:
    """Turn an environmental database error into one `StoreError` line; lock waits stay (they are retried)."""
    message = str(context.original_exception).strip().splitlines()[0] if str(context.original_exception) else ""
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return
    for fragments, what, hint in _EXPLANATIONS:
        if any(f in lowered for f in fragments):
            raise StoreError(f"the corpus database {where} {what} ({message})", hint) from None


def _sqlite_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is over, then deliver them.

    A KeyboardInterrupt raised between `BEGIN IMMEDIATE` and the connection's
    return to the pool can leave that connection holding SQLite's write lock.
    The process then waits on itself: its next write, the one that marks the
    run interrupted, waits out the busy timeout. A write transaction is short, so
    the signal waits for it. Signal handlers belong to the main thread; other
    threads run the block as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {signum: signal.signal(signum, lambda number, _frame: held.append(number))
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held:
            signal.raise_signal(held[0])


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One atomic write: all of it lands or none of it (Ctrl-C and kill included)."""
    with _interrupts_held(), engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


def retry_locked(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work` in a write transaction, retrying while another process holds the SQLite lock."""
    for attempt in range(_WRITE_RETRIES):
        try:
            with write_transaction(engine) as conn:
                return work(conn)
        except OperationalError as exc:
            if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                raise
            if attempt == _WRITE_RETRIES - 1:
                raise StoreError("the database stayed locked by another process",
                                 "wait for the other rhetorscope command to finish and retry") from None
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def stored_revision(conn: Connection) -> str | None:
    """The schema revision recorded in the database, or None for an empty one."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, url: str, *, readonly: bool = False) -> None:
    """Bring the schema to this version's revision; refuse a database made by a newer rhetorscope.

    A read-only store changes nothing: it only checks that the database is a
    corpus of this revision.
    """
    with engine.connect() as conn:
        try:
            current = stored_revision(conn)
            tables = [] if current is not None else inspect(conn).get_table_names()
        except OperationalError as exc:
            raise StoreError(f"cannot open the corpus database {_display(url)}: {exc.orig}",
                             "check the --db path or URL") from None
        conn.rollback()
    if current is None and tables:
        listed = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(f"{_display(url)} is a database but not a rhetorscope corpus (it has the tables {listed} "
                         "and no schema version)", "give the path of a rhetorscope corpus, or a new file name")
    _check_revision(current, url)
    if current == SCHEMA_REVISION:
        return
    if readonly:
        raise StoreError(f"{_display(url)} is an empty database, not a rhetorscope corpus",
                         "ingest documents into it first (`rhetorscope ingest FILES --db …`)")

    def upgrade(conn: Connection) -> None:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7263541)"))
        current = stored_revision(conn)
        _check_revision(current, url)
        if current == SCHEMA_REVISION:
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, SCHEMA_REVISION)

    retry_locked(engine, upgrade)
    return_free_pages(engine)


def return_free_pages(engine: Engine) -> None:
    """Give an SQLite file's free pages back to the file system (it is created with incremental auto-vacuum).

    An ingest's index merge and a migration that rebuilds a table free pages, which the file would
    otherwise keep. `executescript` steps the pragma to the end; `execute()` would free a single page.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.connection.dbapi_connection.executescript("PRAGMA incremental_vacuum")  # type: ignore[union-attr]


def _known_revisions() -> set[str]:
    return {p.name.split("_", 1)[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*.py")}


def _check_revision(current: str | None, url: str) -> None:
    if current is None or current == SCHEMA_REVISION:
        return
    if current.isdigit() and int(current) > int(SCHEMA_REVISION):
        raise StoreError(
            f"the corpus database {_display(url)} has schema version {current}, newer than this "
            f"rhetorscope understands ({SCHEMA_REVISION})",
            "upgrade rhetorscope, or use another --db",
        )
    if current not in _known_revisions():
        raise StoreError(f"the corpus database {_display(url)} has an unknown schema version {current!r}",
                         "it was not made by rhetorscope, or was changed by hand; use another --db")


def _display(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True).replace("sqlite:///", "")
