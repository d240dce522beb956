from __future__ import annotations

import multiprocessing
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.engine import DatabaseUnavailable, open_database
from storage.models import Base


def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert {"feeds", "entries", "articles", "stories", "content_hashes"} <= set(
        inspect(engine).get_table_names()
    )


def test_migrate_is_idempotent(db_url: str) -> None:
    open_database(db_url).dispose()
    engine = open_database(db_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
    engine.dispose()


def _open(url: str) -> None:
    open_database(url).dispose()


def test_processes_starting_at_once_migrate_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_open, args=(url,)) for _ in range(3)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0]


def test_unreachable_database_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for url, reason in [
        ("nosuchdb://x", "unsupported database"),
        ("::not a url::", "invalid database URL"),
        (f"sqlite:///{blocker}/sub/db.sqlite", "cannot create folder"),
        ("postgresql://u:secret@127.0.0.1:1/db", "cannot open"),
    ]:
        try:
            open_database(url)
        except DatabaseUnavailable as exc:
            assert reason in str(exc)
            assert "secret" not in str(exc)
        else:
            raise AssertionError(f"{url} opened")


def test_upgrade_from_the_first_schema_keeps_feeds_and_renames_their_states(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.engine import alembic_config, make_engine, migrate

    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
    with engine.begin() as connection:
        for n, status in enumerate(("ok", "failing"), start=1):
            connection.execute(
                text(
                    "INSERT INTO feeds (url, added_at, status, error_count) "
                    "VALUES (:url, CURRENT_TIMESTAMP, :status, 0)"
                ),
                {"url": f"https://news.example/{n}.xml", "status": status},
            )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, fetch_count, redirect_count FROM feeds ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [("healthy", 0, 0), ("degraded", 0, 0)]
    engine.dispose()
