"""The feed's summary stands in for an article whose page fails, and gives way to the page."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine, func, select

from storage.models import Article, Entry, Story
from storage.records import EntryWork
from storage.repository import Repository
from tests.storage.helpers import (
    NOW,
    article,
    body,
    entry,
    parsed,
    queued,
    record_parsed,
    subscribe,
)


def _articles(engine: Engine) -> list[tuple[int, str, str, int]]:
    with engine.connect() as c:
        rows = c.execute(
            select(
                Article.id, Article.canonical_url, Article.text_source, Article.story_id
            ).order_by(Article.id)
        ).all()
    return [tuple(r) for r in rows]


def _store(repo: Repository, work: EntryWork, text: str, *, canonical: str | None = None) -> str:
    (fresh,) = repo.entries_by_id([work.id])  # with the stand-in it is linked to now
    return repo.store_article(
        fresh,
        article(text),
        canonical_url=canonical or fresh.canonical_url,
        final_url=fresh.url,
        published_at=None,
        now=NOW,
    )


def test_a_failed_page_keeps_the_feeds_summary_until_the_page_replaces_it_in_place(
    repo: Repository, engine: Engine
) -> None:
    (e1,) = queued(repo, 1)
    repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    ((stand_in, url, source, story),) = _articles(engine)
    assert (url, source) == (e1.canonical_url, "feed")
    with engine.connect() as c:
        text, extractor = c.execute(select(Article.text, Article.extractor)).one()
        linked, state = c.execute(select(Entry.article_id, Entry.state)).one()
    assert text == "Story 1\n\nSummary 1" and extractor == "feed-summary"
    assert (linked, state) == (stand_in, "failed")  # still waiting for its page
    # A second failure does not add a second stand-in.
    repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    assert len(_articles(engine)) == 1

    assert _store(repo, e1, body(1)) == "stored"
    assert _articles(engine) == [(stand_in, url, "page", story)]  # same id, same story
    with engine.connect() as c:
        assert c.execute(select(Entry.state)).scalar_one() == "done"


def test_a_replaced_stand_in_joins_the_first_copy_of_its_text(
    repo: Repository, engine: Engine
) -> None:
    e1, e2 = queued(repo, 1, 2)
    assert _store(repo, e1, body(7)) == "stored"
    repo.record_entry_failure(e2.id, "fetch: 503", "transient", NOW, rand=0.5)
    assert _store(repo, e2, body(7)) == "duplicate_content"
    (first, _, _, story), (second, _, source, joined) = _articles(engine)
    assert (source, joined) == ("page", story)
    with engine.connect() as c:
        assert c.scalar(select(Article.duplicate_of).where(Article.id == second)) == first
        assert c.scalar(select(func.count()).select_from(Story)) == 1  # its own story went


def test_two_feeds_failing_on_one_url_share_one_stand_in(repo: Repository, engine: Engine) -> None:
    (e1,) = queued(repo, 1)
    other = subscribe(repo, "https://other.example/rss")
    record_parsed(repo, other, parsed(entry(1, key="other-guid")))
    e2 = next(e for e in repo.entries_to_fetch(NOW, limit=10) if e.id != e1.id)
    for work in (e1, e2):
        repo.record_entry_failure(work.id, "fetch: 503", "transient", NOW, rand=0.5)
    ((stand_in, _, _, _),) = _articles(engine)
    with engine.connect() as c:
        assert c.scalars(select(Entry.article_id)).all() == [stand_in, stand_in]


def test_a_stand_in_gives_way_to_an_article_already_stored_under_the_pages_url(
    repo: Repository, engine: Engine
) -> None:
    """The page redirected to a URL stored before: the stand-in goes, links follow."""
    e1, e2 = queued(repo, 1, 2)
    assert _store(repo, e2, body(2)) == "stored"
    repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    assert [source for _, _, source, _ in _articles(engine)] == ["page", "feed"]
    redirected = replace(e1, article_id=None)  # the URL the page really lives at
    assert _store(repo, redirected, body(2), canonical=e2.canonical_url) == "duplicate_url"
    ((kept, _, source, _),) = _articles(engine)
    assert source == "page"
    with engine.connect() as c:
        assert c.scalars(select(Entry.article_id).order_by(Entry.id)).all() == [kept, kept]
        assert c.scalar(select(func.count()).select_from(Story)) == 1
