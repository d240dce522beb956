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


def test_upgrade_from_0002_keeps_articles_and_their_links(db_url: str) -> None:
    """Articles, entries and hash claims survive (no table copy that cascades deletes);
    new columns start empty or from what the old schema knew; pages works at once."""
    import gzip

    from alembic import command
    from sqlalchemy import text

    from storage.engine import alembic_config, make_engine, migrate

    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0002")
    with engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO feeds (url, added_at, status, error_count) VALUES ('https://n.example/f', CURRENT_TIMESTAMP, 'healthy', 0)"
            )
        )
        run(text("INSERT INTO stories (id, created_at) VALUES (1, CURRENT_TIMESTAMP)"))
        for n, (extractor, source) in enumerate(
            [("trafilatura/2.0.0", "page"), ("feed-summary", "feed")], start=1
        ):
            run(
                text(
                    "INSERT INTO articles (id, canonical_url, url, feed_id, fetched_at, text, "
                    "text_hash, story_id, extractor, text_source) VALUES (:id, :url, :url, 1, "
                    "'2026-11-20 12:00:00', 'text', :hash, 1, :extractor, :source)"
                ),
                {
                    "id": n,
                    "url": f"https://n.example/{n}",
                    "hash": f"h{n}",
                    "extractor": extractor,
                    "source": source,
                },
            )
            run(
                text(
                    "INSERT INTO entries (feed_id, key, url, canonical_url, first_seen_at, state, "
                    "attempts, article_id) VALUES (1, :key, :url, :url, CURRENT_TIMESTAMP, 'done', 0, :id)"
                ),
                {"key": f"k{n}", "url": f"https://n.example/{n}", "id": n},
            )
        run(text("INSERT INTO content_hashes (text_hash, article_id) VALUES ('h1', 1)"))
    migrate(engine)
    with engine.connect() as connection:
        articles = connection.execute(
            text(
                "SELECT id, method, extracted_at IS NOT NULL, link, tags FROM articles ORDER BY id"
            )
        ).all()
        links = connection.execute(text("SELECT article_id FROM entries ORDER BY id")).all()
        claims = connection.execute(text("SELECT text_hash, article_id FROM content_hashes")).all()
    assert [tuple(r) for r in articles] == [
        (1, "trafilatura", True, None, None),
        (2, "feed-summary", True, None, None),
    ]
    assert [r[0] for r in links] == [1, 2]
    assert [tuple(r) for r in claims] == [("h1", 1)]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO pages (article_id, url, fetched_at, encoding, body, size) "
                "VALUES (1, 'https://n.example/1', CURRENT_TIMESTAMP, 'gzip', :body, 4)"
            ),
            {"body": gzip.compress(b"html", mtime=0)},
        )
        # An article's archive goes with it (ON DELETE CASCADE).
        connection.execute(text("DELETE FROM content_hashes"))
        connection.execute(text("UPDATE entries SET article_id = NULL"))
        connection.execute(text("DELETE FROM articles WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM pages")).scalar() == 0
    engine.dispose()


def test_upgrade_from_0004_keeps_the_story_index(db_url: str) -> None:
    """The band rows and line counts of the old layout are carried over, and the
    index keeps working: a copy of the indexed article still finds it."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import func, select, text

    from extractors.neardup import band_keys, fingerprint, line_hashes
    from storage.batch import Document
    from storage.engine import alembic_config, make_engine, migrate
    from storage.models import BandKey, SiteLine
    from storage.repository import Repository
    from tests.storage.test_stories import STORY, copy_of

    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004")
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        story = run("INSERT INTO stories (created_at) VALUES ('2026-11-20 12:00:00') RETURNING id")
        article = connection.execute(
            text(
                "INSERT INTO articles (canonical_url, url, fetched_at, text, text_hash, story_id, "
                "extractor, text_source) VALUES ('urn:a', 'urn:a', '2026-11-20 12:00:00', 'x', "
                "'h1', :story, 'document', 'page') RETURNING id"
            ),
            {"story": story.scalar_one()},
        ).scalar_one()
    # The old layout's rows as 0004 wrote them, keyed by the fingerprint of today's
    # code: the carried-over keys must be exactly the ones a copy looks up.
    mark = fingerprint(None, STORY)
    at = now.replace(tzinfo=None)
    with engine.begin() as connection:
        run = connection.execute
        run(
            text("INSERT INTO signatures VALUES (:id, 'a.example', :fp, :at)"),
            {"id": article, "fp": mark.to_bytes(), "at": at},
        )
        for key in set(band_keys(mark)):
            run(
                text("INSERT INTO lsh_bands VALUES (:k, :id, :at)"),
                {"k": key, "id": article, "at": at},
            )
        for value in set(line_hashes(STORY)):
            run(text("INSERT INTO site_lines VALUES ('a.example', :h, 3)"), {"h": value})
    migrate(engine)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(BandKey)) == 64
        lines = connection.execute(select(SiteLine.count, SiteLine.seen_at)).all()
    assert len(lines) == 5 and all(count == 3 and seen is not None for count, seen in lines)
    (copy,) = Repository(engine).add_documents(
        [Document("b", copy_of(STORY, outlet="Ledger"), site="b.example")], now
    )
    assert copy.duplicate_of == article and copy.kind == "near_duplicate"
    engine.dispose()
