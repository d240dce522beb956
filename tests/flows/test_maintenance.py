"""The maintenance flow and `newsflow maintenance` on a real SQLite file and a real Prefect
API: what is past retention goes, what is recent stays, a failed step fails the run
without hiding the others, and a second run removes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from flows.cli import app
from flows.maintenance import STEPS, MaintenanceError, MaintenanceSummary, maintenance
from flows.pipeline import repository
from flows.resources import engine_for
from flows.settings import Settings
from storage.engine import open_database
from storage.models import Article, Base, Page, Signature
from storage.records import ArticleToStore
from storage.upkeep import SQLITE_CHECKPOINT, SQLITE_OPTIMIZE, optimize
from tests.flows.artifacts import latest_artifact
from tests.storage.helpers import archive_of, article, body, queued

runner = CliRunner()

HTML = b"<html><body><article><p>The harbour board met on Tuesday.</p></article></body></html>"

#: Days before now each seeded article was stored: two past the 30-day defaults, two not.
AGES = (60, 45, 1, 0)


def _seed(now: datetime) -> list[int]:
    """Four archived articles stored ``AGES`` days ago, in the index; their ids."""
    repo = repository(Settings())
    for work, age in zip(queued(repo, 1, 2, 3, 4), AGES, strict=True):
        item = ArticleToStore(
            work,
            article(body(work.id)),
            work.canonical_url,
            work.url,
            None,
            archive=archive_of(HTML),
        )
        assert repo.store_articles([item], now - timedelta(days=age)) == ["stored"]
    with engine_for(Settings().database_url).connect() as c:
        stored = c.scalars(select(Article.id).order_by(Article.fetched_at.desc())).all()
    return list(stored)


def _kept(engine: Engine) -> tuple[list[int], list[int]]:
    """Article ids that still have an archived page, and a signature in the index."""
    with engine.connect() as c:
        pages = c.scalars(select(Page.article_id).order_by(Page.article_id)).all()
        signed = c.scalars(select(Signature.article_id).order_by(Signature.article_id)).all()
    return list(pages), list(signed)


def _artifact() -> str:
    return latest_artifact("maintenance-summary")


@pytest.mark.usefixtures("prefect_api")
def test_old_pages_and_index_rows_go_recent_ones_stay_and_a_rerun_removes_nothing(
    flow_env: str,
) -> None:
    newest_first = _seed(datetime.now(UTC))
    engine = engine_for(flow_env)
    recent, old = sorted(newest_first[:2]), newest_first[2:]
    assert _kept(engine) == (sorted(newest_first), sorted(newest_first))
    sqlite = engine.dialect.name == "sqlite"
    wal = Path(str(engine.url.database) + "-wal")
    if sqlite:
        assert wal.stat().st_size > 0

    first = maintenance()

    assert not first.failed
    assert first.pages_pruned == len(old)
    assert first.index_rows_pruned > 0
    assert _kept(engine) == (recent, recent)
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Article)) == len(AGES)  # articles stay
    if sqlite:  # the checkpoint emptied the write-ahead log
        assert wal.stat().st_size == 0
        assert first.upkeep == f"sqlite: {SQLITE_OPTIMIZE}, {SQLITE_CHECKPOINT}"
    else:
        assert first.upkeep.startswith("postgresql: ANALYZE of ")
    markdown = _artifact()
    assert "| Archived pages removed (past NEWSFLOW_ARCHIVE_DAYS) | 2 |" in markdown
    assert (
        f"| Story index rows removed (past NEWSFLOW_DEDUP_WINDOW) | {first.index_rows_pruned} |"
        in markdown
    )
    assert "Failed steps" not in markdown

    second = maintenance()

    assert (second.pages_pruned, second.index_rows_pruned, second.failures) == (0, 0, ())
    assert _kept(engine) == (recent, recent)
    assert "| Archived pages removed (past NEWSFLOW_ARCHIVE_DAYS) | 0 |" in _artifact()


@pytest.mark.usefixtures("prefect_api")
def test_a_failed_step_fails_the_run_and_the_others_still_run(flow_env: str) -> None:
    newest_first = _seed(datetime.now(UTC))
    engine = engine_for(flow_env)
    with engine.begin() as c:
        # prune-archive now fails in the database (and only it: the table is still there).
        c.execute(text("ALTER TABLE pages RENAME COLUMN fetched_at TO fetched"))

    state = maintenance(return_state=True)

    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, MaintenanceError)
    summary = error.summary
    assert [step for step, _ in summary.failures] == ["prune-archive"]
    assert "fetched_at" in summary.failures[0][1]
    assert str(error).startswith("maintenance: 1 of 3 steps failed: prune-archive: ")
    # The index was still pruned and the database still tidied.
    assert summary.index_rows_pruned > 0
    assert summary.upkeep.startswith(f"{engine.dialect.name}: ")
    assert _signed(engine) == sorted(newest_first[:2])
    markdown = _artifact()
    assert "| Archived pages removed (past NEWSFLOW_ARCHIVE_DAYS) | failed |" in markdown
    assert "| prune-archive | " in markdown and "fetched_at" in markdown

    result = runner.invoke(app, ["maintenance"])
    assert result.exit_code == 1, result.output
    assert "archive: failed pages past NEWSFLOW_ARCHIVE_DAYS removed" in result.stdout
    assert "story index: 0 rows past NEWSFLOW_DEDUP_WINDOW removed" in result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: maintenance: 1 of 3 steps failed: prune-archive: ")
    assert "Traceback" not in result.output


def _signed(engine: Engine) -> list[int]:
    with engine.connect() as c:
        return list(c.scalars(select(Signature.article_id).order_by(Signature.article_id)))


@pytest.mark.usefixtures("prefect_api")
def test_the_command_runs_the_flow_with_the_settings_retention(
    flow_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest_first = _seed(datetime.now(UTC))
    engine = engine_for(flow_env)
    # Settings decide how old is too old: no archive at all, an index of the last 12 hours.
    monkeypatch.setenv("NEWSFLOW_ARCHIVE_DAYS", "0")
    monkeypatch.setenv("NEWSFLOW_DEDUP_WINDOW", "12h")

    result = runner.invoke(app, ["maintenance"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "archive: 4 pages past NEWSFLOW_ARCHIVE_DAYS removed"
    assert "story index: " in result.stdout
    assert f"database: {engine.dialect.name}: " in result.stdout
    assert _kept(engine) == ([], [newest_first[0]])  # only the article stored today
    again = runner.invoke(app, ["maintenance"])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:2] == [
        "archive: 0 pages past NEWSFLOW_ARCHIVE_DAYS removed",
        "story index: 0 rows past NEWSFLOW_DEDUP_WINDOW removed",
    ]


def test_the_command_has_help() -> None:
    result = runner.invoke(app, ["maintenance", "--help"])
    assert result.exit_code == 0, result.output
    assert "retention" in result.output


def test_an_unreachable_database_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", f"sqlite:///{blocker}/sub/db.sqlite")
    result = runner.invoke(app, ["maintenance"])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: database: ")


def test_upkeep_on_the_test_database(db_url: str) -> None:
    """SQLite empties its log; PostgreSQL has statistics for every newsflow table."""
    engine = open_database(db_url)
    try:
        _store_one(engine)
        upkeep = optimize(engine)
        if engine.dialect.name == "sqlite":
            assert upkeep.statements == (SQLITE_OPTIMIZE, SQLITE_CHECKPOINT)
            assert not upkeep.checkpoint_busy
            assert engine.url.database
            assert Path(engine.url.database + "-wal").stat().st_size == 0
            # The connection went back to the pool with its 60 s busy timeout.
            with engine.connect() as c:
                assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
        else:
            tables = [t.name for t in Base.metadata.sorted_tables]
            assert len(upkeep.statements) == len(tables)
            assert upkeep.describe() == f"postgresql: ANALYZE of {len(tables)} tables"
            with engine.connect() as c:
                # reltuples is -1 until a table is first analyzed or vacuumed (PostgreSQL 14+).
                never = c.scalars(
                    text(
                        "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples < 0 "
                        "AND relname = ANY(:names)"
                    ),
                    {"names": tables},
                ).all()
            assert never == []
    finally:
        engine.dispose()


def _store_one(engine: Engine) -> None:
    from storage.repository import Repository

    repo = Repository(engine)
    (work,) = queued(repo, 1)
    item = ArticleToStore(
        work, article(body(1)), work.canonical_url, work.url, None, archive=archive_of(HTML)
    )
    assert repo.store_articles([item], datetime.now(UTC)) == ["stored"]
    if engine.dialect.name == "sqlite":
        assert engine.url.database
        assert Path(engine.url.database + "-wal").stat().st_size > 0


#: One-line reasons, "|" and all (the table must escape it).
_reasons = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=40
)


@given(
    failed=st.lists(st.sampled_from(STEPS), unique=True),
    reasons=st.lists(_reasons, min_size=3, max_size=3),
    counts=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
)
def test_the_summary_marks_exactly_the_failed_steps(
    failed: list[str], reasons: list[str], counts: tuple[int, int]
) -> None:
    summary = MaintenanceSummary(
        pages_pruned=counts[0],
        index_rows_pruned=counts[1],
        upkeep="" if "optimize-database" in failed else "sqlite: PRAGMA optimize",
        failures=tuple(zip(failed, reasons, strict=False)),
    )
    table = summary.markdown().split("\n\n")[1].splitlines()[2:]
    assert len(table) == len(STEPS)
    assert sum(row.endswith("| failed |") for row in table) == len(failed)
    assert summary.failed == bool(failed)
    lines = summary.lines()
    assert len(lines) == len(STEPS) + len(failed) + 1
    for step, reason in summary.failures:
        assert f"failed: {step}: {reason}" in lines
    # A reason's "|" cannot break the artifact's table: every failure row has two cells.
    rows = summary.markdown().split("## Failed steps")[-1].splitlines()[4:]
    for row in rows[: len(failed)]:
        assert row.replace("\\|", "").count("|") == 3
    if failed:
        assert str(MaintenanceError(summary)).startswith(
            f"maintenance: {len(failed)} of {len(STEPS)} steps failed: {failed[0]}: "
        )
