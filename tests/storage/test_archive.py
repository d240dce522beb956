"""The raw HTML archive, canonical identity, date provenance and pages that are not articles."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import Engine, func, select

from extractors.feeds import FeedEntry
from extractors.urls import identity_url
from storage.export import iter_articles
from storage.models import Article, ContentHash, Entry, Page, Story
from storage.records import ArticleToStore, EntryWork
from storage.repository import Repository
from tests.storage.helpers import (
    NOW,
    archive_of,
    article,
    body,
    entry,
    parsed,
    queued,
    record_parsed,
    subscribe,
)

HTML = (
    "<html><body><article>" + "<p>Ünïcode and the harbour board.</p>" * 40 + "</article>"
).encode()


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(model)) or 0)


def _fresh(repo: Repository, work: EntryWork) -> EntryWork:
    (fresh,) = repo.entries_by_id([work.id])  # with the stand-in it is linked to now
    return fresh


def test_a_stored_article_archives_its_page_compressed_and_exact(
    repo: Repository, engine: Engine
) -> None:
    (e1,) = queued(repo, 1)
    item = ArticleToStore(
        e1, article(body(1)), e1.canonical_url, e1.url, NOW, archive=archive_of(HTML)
    )
    assert repo.store_articles([item], NOW) == ["stored"]
    with engine.connect() as c:
        page = c.execute(select(Page)).one()
        article_id = c.scalar(select(Article.id))
    assert page.article_id == article_id
    assert (page.url, page.encoding, page.size, page.charset) == (
        e1.url,
        "gzip",
        len(HTML),
        "utf-8",
    )
    assert page.content_type == "text/html; charset=utf-8" and page.fetched_at == NOW
    assert len(page.body) < len(HTML) // 5  # compressed
    assert gzip.decompress(page.body) == HTML  # and exactly the bytes fetched


def test_no_archive_row_when_archiving_is_off_or_the_url_was_stored(
    repo: Repository, engine: Engine
) -> None:
    e1, e2 = queued(repo, 1, 2)
    first = ArticleToStore(e1, article(body(1)), e1.canonical_url, e1.url, None)
    # e2's page turned out to be e1's article: nothing new to archive.
    again = ArticleToStore(
        e2, article(body(1)), e1.canonical_url, e2.url, None, archive=archive_of(HTML)
    )
    assert repo.store_articles([first, again], NOW) == ["stored", "duplicate_url"]
    assert _count(engine, Page) == 0


def test_a_replaced_stand_in_gets_the_pages_archive(repo: Repository, engine: Engine) -> None:
    (e1,) = queued(repo, 1)
    repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    assert _count(engine, Page) == 0  # a feed's summary has no page
    item = ArticleToStore(
        _fresh(repo, e1), article(body(1)), e1.canonical_url, e1.url, None, archive=archive_of(HTML)
    )
    assert repo.store_articles([item], NOW) == ["stored"]
    with engine.connect() as c:
        (stand_in,) = c.scalars(select(Article.id)).all()
        assert c.execute(select(Page.article_id, Page.size)).one() == (stand_in, len(HTML))


def test_prune_deletes_only_pages_older_than_the_cut_in_chunks(
    repo: Repository, engine: Engine
) -> None:
    works = queued(repo, 1, 2, 3, 4, 5)
    for age, work in enumerate(works):
        item = ArticleToStore(work, article(body(work.id)), work.canonical_url, work.url, None)
        repo.store_articles([replace(item, archive=archive_of(HTML))], NOW - timedelta(days=age))
    assert repo.prune_archive(NOW - timedelta(days=1, hours=12), chunk=1) == 3
    with engine.connect() as c:
        kept = c.execute(select(Page.fetched_at).order_by(Page.fetched_at.desc())).scalars().all()
    assert kept == [NOW, NOW - timedelta(days=1)]
    assert _count(engine, Article) == 5  # articles stay; only their raw HTML goes
    assert repo.prune_archive(NOW - timedelta(days=1, hours=12)) == 0
    assert repo.prune_archive(NOW + timedelta(seconds=1), chunk=1000) == 2


def test_one_article_through_two_feeds_a_tracking_link_and_an_amp_url(
    repo: Repository, engine: Engine
) -> None:
    """The outlet's feed links with utm_ parameters; an aggregator links to the AMP copy,
    whose page declares the article's URL as canonical: one article, both entries on it."""
    (outlet,) = queued(repo, 1)
    aggregator = subscribe(repo, "https://aggregator.example/rss")
    amp = FeedEntry(
        key="agg-1",
        link="https://news.example/amp/story-1",
        canonical_url="https://news.example/amp/story-1",
        title="Story 1",
        summary="Summary 1",
        author=None,
        published_at=NOW,
    )
    record_parsed(repo, aggregator, parsed(amp))
    (via_amp,) = [e for e in repo.entries_to_fetch(NOW, limit=10) if e.id != outlet.id]
    canonical = "https://news.example/story-1"
    items = []
    for work, final in ((outlet, outlet.url), (via_amp, via_amp.url)):
        identity, note = identity_url(final, canonical)
        assert (identity, note) == (canonical, None)
        items.append(
            ArticleToStore(
                work, article(body(1)), identity, final, NOW, page_canonical_url=canonical
            )
        )
    assert repo.store_articles(items, NOW) == ["stored", "duplicate_url"]
    with engine.connect() as c:
        (row,) = c.execute(select(Article.id, Article.canonical_url, Article.url, Article.link))
        links = c.execute(select(Entry.state, Entry.article_id).order_by(Entry.id)).all()
    assert tuple(row[1:]) == (canonical, outlet.url, "https://news.example/story-1?utm_source=rss")
    assert links == [("done", row.id), ("done", row.id)]


def test_a_stand_in_moves_to_the_identity_its_page_declares(
    repo: Repository, engine: Engine
) -> None:
    """The entry's link is an AMP URL that failed first; its page, once fetched, names the
    article: the stand-in becomes that article in place, under the page's identity."""
    (e1,) = queued(repo, 1)
    repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    with engine.connect() as c:
        stand_in, stored_under = c.execute(select(Article.id, Article.canonical_url)).one()
    assert stored_under == e1.canonical_url
    declared = "https://news.example/articles/story-1"
    item = ArticleToStore(
        _fresh(repo, e1),
        article(body(1)),
        declared,
        e1.url,
        NOW,
        page_canonical_url=declared,
        archive=archive_of(HTML),
    )
    assert repo.store_articles([item], NOW) == ["stored"]
    with engine.connect() as c:
        row = c.execute(
            select(Article.id, Article.canonical_url, Article.text_source, Article.link)
        ).one()
        assert c.execute(select(Entry.state, Entry.article_id)).one() == ("done", stand_in)
        assert c.scalar(select(Page.article_id)) == stand_in
    assert tuple(row) == (stand_in, declared, "page", e1.url)
    # A later entry for the declared URL is the stored article, not a new fetch.
    other = subscribe(repo, "https://other.example/rss")
    direct = FeedEntry("o-1", declared, declared, "Story 1", "", None, NOW)
    assert record_parsed(repo, other, parsed(direct)).known_url == 1


def test_dates_provenance_and_metadata_are_stored_and_exported(
    repo: Repository, engine: Engine
) -> None:
    (e1,) = queued(repo, 1)
    page = replace(
        article(body(1)),
        tags=("harbour", "Ünïcode"),
        license="CC BY 4.0",
        method="readability",
        confidence=0.75,
        language_source="detected",
        canonical_url="https://news.example/story-1",
    )
    notes = ("feed date 2026-11-20T12:00:00Z and page date 2026-11-17T09:00:00Z disagree; x", "y")
    item = ArticleToStore(
        e1,
        page,
        e1.canonical_url,
        e1.url,
        NOW - timedelta(days=3),
        updated_at=NOW,
        date_source="page",
        date_notes=notes,
        page_canonical_url=page.canonical_url,
    )
    assert repo.store_articles([item], NOW) == ["stored"]
    with engine.connect() as c:
        tags, date_notes, extracted_at = c.execute(
            select(Article.tags, Article.date_notes, Article.extracted_at)
        ).one()
    assert json.loads(tags) == ["harbour", "Ünïcode"]
    assert date_notes.split("\n") == list(notes)  # a note may hold a semicolon
    assert extracted_at == NOW
    (record,) = iter_articles(engine)
    assert {k: record[k] for k in ("published_at", "updated_at", "date_source")} == {
        "published_at": "2026-11-17T12:00:00Z",
        "updated_at": "2026-11-20T12:00:00Z",
        "date_source": "page",
    }
    assert record["link"] == e1.url and record["page_canonical_url"] == page.canonical_url
    assert (record["method"], record["confidence"], record["language_source"]) == (
        "readability",
        0.75,
        "detected",
    )
    assert (record["tags"], record["license"]) == (["harbour", "Ünïcode"], "CC BY 4.0")
    assert record["date_notes"] == list(notes)


def test_a_stand_ins_dates_come_from_the_feed(repo: Repository, engine: Engine) -> None:
    (e1,) = queued(repo, 1)
    repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    (record,) = iter_articles(engine)
    assert (record["date_source"], record["published_at"]) == ("feed", "2026-11-20T12:00:00Z")
    assert (record["method"], record["confidence"], record["tags"]) == ("feed-summary", None, [])


def test_a_page_that_is_not_an_article_keeps_the_stand_in_and_is_never_due(
    repo: Repository, engine: Engine
) -> None:
    e1, e2 = queued(repo, 1, 2)
    reason = "extract: not an article (an index page: a list of links to articles)"
    repo.record_not_article(e1.id, reason, NOW)
    with engine.connect() as c:
        state, error, kind, due, linked = c.execute(
            select(
                Entry.state,
                Entry.last_error,
                Entry.last_error_kind,
                Entry.next_attempt_at,
                Entry.article_id,
            ).where(Entry.id == e1.id)
        ).one()
        source = c.scalar(select(Article.text_source).where(Article.id == linked))
    assert (state, error, kind, due, source) == ("not_article", reason, "permanent", None, "feed")
    assert [e.id for e in repo.entries_to_fetch(NOW + timedelta(days=365), limit=10)] == [e2.id]
    assert repo.entries_by_id([e1.id]) == []  # not even an in-run retry picks it up
    # A stand-in made by an earlier failure is kept, not doubled.
    repo.record_entry_failure(e2.id, "fetch: 503", "transient", NOW, rand=0.5)
    repo.record_not_article(e2.id, reason, NOW)
    assert _count(engine, Article) == 2
    (feed,) = repo.list_feeds()
    assert feed.pending == 0


def test_not_article_leaves_an_entry_stored_meanwhile_alone(
    repo: Repository, engine: Engine
) -> None:
    (e1,) = queued(repo, 1)
    repo.store_article(
        e1,
        article(body(1)),
        canonical_url=e1.canonical_url,
        final_url=e1.url,
        published_at=None,
        now=NOW,
    )
    repo.record_not_article(e1.id, "extract: not an article (video)", NOW)
    with engine.connect() as c:
        assert c.execute(select(Entry.state, Entry.last_error)).one() == ("done", None)
    assert _count(engine, Story) == 1 and _count(engine, ContentHash) == 1


def test_entries_of_other_feeds_with_other_keys_are_independent(repo: Repository) -> None:
    """record_not_article acts on one entry: the same URL in another feed is still due."""
    (e1,) = queued(repo, 1)
    other = subscribe(repo, "https://other.example/rss")
    record_parsed(repo, other, parsed(entry(1, key="other-guid")))
    repo.record_not_article(e1.id, "extract: not an article (video)", NOW)
    due = repo.entries_to_fetch(NOW, limit=10)
    assert [e.feed_id for e in due] == [other]


def test_a_canonical_naming_another_stored_article_does_not_swallow_this_one(
    repo: Repository, engine: Engine
) -> None:
    """A template that gives every page the same canonical URL: two stories stay two."""
    e1, e2 = queued(repo, 1, 2)
    shared = "https://news.example/latest"
    harbour = "The harbour board approved the new ferry timetable after a long debate. " * 6
    school = "Three schools in the north district will close early for the winter storm. " * 6
    first = ArticleToStore(e1, article(harbour), shared, e1.url, NOW)
    second = ArticleToStore(e2, article(school), shared, e2.url, NOW)
    assert repo.store_articles([first], NOW) == ["stored"]
    assert repo.store_articles([second], NOW) == ["stored"]
    with engine.connect() as c:
        urls = sorted(c.scalars(select(Article.canonical_url)))
    assert urls == sorted([shared, e2.canonical_url])
    # The same text under that canonical (an AMP or print copy) is still one article.
    e3 = replace(e2, id=e1.id)
    copy = ArticleToStore(e3, article(harbour + "Updated at noon."), shared, e3.url + "/amp", NOW)
    assert repo.store_articles([copy], NOW) == ["duplicate_url"]
