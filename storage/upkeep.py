"""Database upkeep: the housekeeping each backend asks its long-lived users to run.

SQLite: ``PRAGMA optimize`` refreshes the query planner's statistics where they have
gone stale (https://sqlite.org/pragma.html#pragma_optimize), and
``PRAGMA wal_checkpoint(TRUNCATE)`` copies the write-ahead log into the database and
empties it, so the ``-wal`` file does not stay as large as its largest burst of writes
(https://sqlite.org/wal.html#avoiding_excessively_large_wal_files).

PostgreSQL: ``ANALYZE`` of newsflow's tables. Autovacuum already vacuums, and VACUUM
cannot run inside a transaction block anyway; ANALYZE refreshes the statistics after
a prune removed many rows at once.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

from sqlalchemy import Engine, text

from storage.models import Base

#: ``PRAGMA optimize`` flags: 0x10000 checks every table, not only those this connection
#: queried, as SQLite advises for a connection that has run few queries; 0x02 is the
#: default analysis. Versions before 3.46 ignore the bit they do not know.
SQLITE_OPTIMIZE = "PRAGMA optimize=0x10002"
SQLITE_CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"

#: How long the checkpoint waits for readers and writers to finish, in milliseconds:
#: a TRUNCATE checkpoint holds off new writers while it waits (it runs as FULL does),
#: so it must not wait as long as a writer would (storage/engine.py sets 60 s).
CHECKPOINT_WAIT_MS = 5000


@dataclass(frozen=True, slots=True)
class Upkeep:
    """What the upkeep ran, and whether the SQLite checkpoint had to stop short."""

    backend: str
    statements: tuple[str, ...]
    checkpoint_busy: bool = False  # readers or a writer kept the log from being emptied

    def describe(self) -> str:
        """One line for summaries."""
        if self.backend == "postgresql":
            done = f"ANALYZE of {len(self.statements)} tables"
        else:
            done = ", ".join(self.statements)
        busy = " (the log was busy: emptied next time)" if self.checkpoint_busy else ""
        return f"{self.backend}: {done}{busy}"


def optimize(engine: Engine) -> Upkeep:
    """Run the backend's own upkeep on the database: statistics, and the SQLite log."""
    backend = engine.dialect.name
    if backend == "sqlite":
        return _sqlite(engine)
    if backend == "postgresql":
        return _postgresql(engine)
    return Upkeep(backend, ())


def _sqlite(engine: Engine) -> Upkeep:
    # Outside any transaction: a checkpoint run by a connection inside one fails with
    # SQLITE_LOCKED. The engine's connections run the sqlite3 module in autocommit
    # mode (isolation_level None, storage/engine.py), and only SQLAlchemy's "begin"
    # event issues BEGIN, so the raw DBAPI connection runs each PRAGMA on its own.
    with closing(engine.raw_connection()) as connection:
        cursor = connection.cursor()
        try:
            cursor.execute(SQLITE_OPTIMIZE)
            cursor.fetchall()
            cursor.execute("PRAGMA busy_timeout")
            (wait,) = cursor.fetchone() or (60000,)
            cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            try:
                cursor.execute(SQLITE_CHECKPOINT)
                # (busy, frames in the log, frames checkpointed); busy is 1 when the
                # wait ran out: https://sqlite.org/pragma.html#pragma_wal_checkpoint
                row = cursor.fetchone()
            finally:
                cursor.execute(f"PRAGMA busy_timeout={int(wait)}")
        finally:
            cursor.close()
    busy = bool(row and row[0])
    return Upkeep("sqlite", (SQLITE_OPTIMIZE, SQLITE_CHECKPOINT), checkpoint_busy=busy)


def _postgresql(engine: Engine) -> Upkeep:
    statements: list[str] = []
    # AUTOCOMMIT: each ANALYZE commits on its own, so its lock on a table (SHARE UPDATE
    # EXCLUSIVE, which writers do not wait for) is held for that table only.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        preparer = connection.dialect.identifier_preparer
        for table in Base.metadata.sorted_tables:
            statement = f"ANALYZE {preparer.format_table(table)}"
            connection.execute(text(statement))
            statements.append(statement)
    return Upkeep("postgresql", tuple(statements))
