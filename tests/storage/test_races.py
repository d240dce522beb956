"""The two lost-race branches of storing an article, driven deterministically.

Another run stores the same URL, or the same text, between our lookup and our
insert. Only PostgreSQL can get there: its second writer proceeds under READ
COMMITTED and then waits on the first one's uncommitted unique key. SQLite's
BEGIN IMMEDIATE serialises writers, so there the lookups always see the winner.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from storage.models import Article, Entry, Story
from storage.records import ArticleToStore, StoreOutcome
from storage.repository import Repository
from tests.storage.helpers import NOW, article, body, queued


@pytest.fixture(autouse=True)
def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (NEWSFLOW_TEST_DATABASE_URL): SQLite serialises writers")


def _race(
    repo: Repository, engine: Engine, first: ArticleToStore, second: ArticleToStore
) -> StoreOutcome:
    """Store ``first`` in an open transaction, start ``second``, commit ``first`` once
    ``second`` waits on a lock; return what storing ``second`` did."""
    results: list[StoreOutcome | Exception] = []
    with Session(engine) as session, session.begin():
        # The first run, between its insert and its commit (storage's own step).
        assert repo._store_one(session, first, NOW) == "stored"
        worker = threading.Thread(target=lambda: results.extend(repo.store_articles([second], NOW)))
        worker.start()
        deadline = time.monotonic() + 20
        with engine.connect() as probe:
            while not probe.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ):
                assert time.monotonic() < deadline, "the second writer never waited"
                # pg_stat_activity is read once per transaction (a snapshot): end it,
                # or a writer that connects after the first look is never seen.
                probe.rollback()
                time.sleep(0.02)
    worker.join(20)
    (outcome,) = results
    assert not isinstance(outcome, Exception), outcome
    return outcome


def test_same_text_stored_by_another_run_first(repo: Repository, engine: Engine) -> None:
    e1, e2 = queued(repo, 1, 2)
    one = ArticleToStore(e1, article(body(7)), e1.canonical_url, e1.url, None)
    two = ArticleToStore(e2, article(body(7)), e2.canonical_url, e2.url, None)
    assert _race(repo, engine, one, two) == "duplicate_content"
    with engine.connect() as c:
        rows = c.execute(
            select(Article.id, Article.story_id, Article.duplicate_of).order_by(Article.id)
        ).all()
        stories = c.scalar(select(func.count()).select_from(Story))
    (first_id, first_story, first_dup), (_, second_story, second_dup) = rows
    assert (first_dup, second_dup, second_story) == (None, first_id, first_story)
    assert stories == 1  # the loser's own story was removed


def test_same_url_stored_by_another_run_first(repo: Repository, engine: Engine) -> None:
    e1, e2 = queued(repo, 1, 2)
    one = ArticleToStore(e1, article(body(1)), "https://news.example/shared", e1.url, None)
    two = ArticleToStore(e2, article(body(2)), "https://news.example/shared", e2.url, None)
    assert _race(repo, engine, one, two) == "duplicate_url"
    with engine.connect() as c:
        (winner,) = c.execute(select(Article.id)).scalars().all()
        links = c.execute(select(Entry.state, Entry.article_id).order_by(Entry.id)).all()
        stories = c.scalar(select(func.count()).select_from(Story))
    assert links == [("done", winner), ("done", winner)]
    assert stories == 1


def test_batches_holding_copies_in_opposite_order_do_not_deadlock(
    repo: Repository, engine: Engine
) -> None:
    """Two runs store batches at once, each with copies of the other's texts in the
    opposite order: a run must not keep one article's locks while it stores the next."""
    rounds = 12
    entries = queued(repo, *range(1, 4 * rounds + 1))
    entries += repo.entries_to_fetch(NOW, limit=10 * rounds)  # queued() lists the first ten
    by_id = {e.id: e for e in entries}
    work = sorted(by_id.values(), key=lambda e: e.id)
    errors: list[Exception] = []
    for n in range(rounds):
        a1, a2, b1, b2 = work[4 * n : 4 * n + 4]
        x, y = article(body(100 + 2 * n)), article(body(101 + 2 * n))
        batches = [
            [ArticleToStore(a1, x, a1.canonical_url, a1.url, None),
             ArticleToStore(a2, y, a2.canonical_url, a2.url, None)],
            [ArticleToStore(b1, y, b1.canonical_url, b1.url, None),
             ArticleToStore(b2, x, b2.canonical_url, b2.url, None)],
        ]  # fmt: skip
        start = threading.Barrier(2)

        def store(batch: list[ArticleToStore], start: threading.Barrier = start) -> None:
            start.wait(10)
            errors.extend(r for r in repo.store_articles(batch, NOW) if isinstance(r, Exception))

        threads = [threading.Thread(target=store, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Article)) == 4 * rounds
        assert c.scalar(select(func.count()).select_from(Story)) == 2 * rounds
