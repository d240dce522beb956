"""Engines and migrations: SQLite by default, PostgreSQL by URL alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"

#: Any constant works: it names the advisory lock migrations hold on PostgreSQL.
_MIGRATION_LOCK_ID = 0x6E657773  # "news"

#: Execution option that opens a SQLite read transaction (BEGIN DEFERRED) instead of
#: a write transaction, so long reads (exports) do not hold the writer lock.
READ_ONLY = {"newsflow_read_only": True}


class DatabaseUnavailable(Exception):
    """The database URL is invalid or the database cannot be opened or migrated."""


def normalize_database_url(url: str) -> str:
    """Map plain ``postgresql://`` URLs to the psycopg 3 driver newsflow installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe_database(url: str) -> str:
    """Where the data lives, for people: a file path or the URL without its password."""
    try:
        parsed = make_url(normalize_database_url(url))
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, with WAL, a busy timeout and write transactions."""
    normalized = normalize_database_url(url)
    try:
        parsed = make_url(normalized)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"database: invalid database URL {url!r}: {exc}") from exc
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                path = Path(parsed.database)
                if not path.parent.exists():
                    try:
                        path.parent.mkdir(parents=True, exist_ok=True)
                    except OSError as exc:
                        raise DatabaseUnavailable(
                            f"database: cannot create folder {path.parent}: {exc.strerror}"
                        ) from exc
            engine = create_engine(parsed, connect_args={"timeout": 60})
            _configure_sqlite(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        if backend == "postgresql":
            raise DatabaseUnavailable(
                "database: the PostgreSQL driver is missing (pip install 'newsflow[postgres]')"
            ) from exc
        raise DatabaseUnavailable(
            f"database: unsupported database {backend!r} in {url!r} "
            "(use sqlite:///path/to/file.sqlite or postgresql://user:password@host/name)"
        ) from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, so it can be BEGIN IMMEDIATE:
        # a transaction that will write takes the write lock up front and waits
        # (busy_timeout) instead of failing with "database is locked" when it upgrades
        # a read lock (https://www.sqlite.org/lang_transaction.html).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("newsflow_read_only")
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration pointing at newsflow's migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    cfg = alembic_config(engine)
    try:
        with engine.begin() as connection:
            # One migrator at a time: SQLite's BEGIN IMMEDIATE already holds the write
            # lock; PostgreSQL takes a transaction-scoped advisory lock.
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
                )
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseUnavailable(
            f"database: cannot open {describe_database(str(engine.url))}: {reason}"
        ) from exc


def open_database(url: str) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision."""
    engine = make_engine(url)
    try:
        migrate(engine)
    except DatabaseUnavailable:
        engine.dispose()
        raise
    return engine
