from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from extractors.health import Failure, HealthOptions, after_failure
from extractors.opml import Subscription
from storage.export import EXPORT_FIELDS, iter_articles
from storage.models import Article, Entry, Story
from storage.repository import Repository
from tests.storage.helpers import (
    FEED,
    NOW,
    article,
    body,
    entry,
    parsed,
    queued,
    record_parsed,
    record_unchanged,
    subscribe,
)


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(model)) or 0)


def test_add_feeds_is_idempotent(repo: Repository) -> None:
    assert repo.add_feeds([Subscription(FEED, "Ledger")], NOW) == [FEED]
    assert repo.add_feeds([Subscription(FEED), Subscription(FEED + "2")], NOW) == [FEED + "2"]
    assert [f.url for f in repo.list_feeds()] == [FEED, FEED + "2"]
    assert repo.list_feeds()[0].title == "Ledger"


def test_due_feeds_force_and_named(repo: Repository) -> None:
    feed_id = subscribe(repo)
    repo.add_feeds([Subscription(FEED + "2")], NOW)
    later = NOW + timedelta(minutes=15)
    record_unchanged(repo, feed_id, later)
    assert [f.url for f in repo.feeds_to_fetch(NOW)] == [FEED + "2"]
    assert {f.url for f in repo.feeds_to_fetch(NOW, force=True)} == {FEED, FEED + "2"}
    assert [f.url for f in repo.feeds_to_fetch(NOW, urls=[FEED], force=True)] == [FEED]
    assert {f.url for f in repo.feeds_to_fetch(later)} == {FEED, FEED + "2"}


def test_entries_are_stored_once(repo: Repository, engine: Engine) -> None:
    feed_id = subscribe(repo)
    first = record_parsed(
        repo,
        feed_id,
        parsed(entry(1), entry(2)),
        etag='"e1"',
        last_modified=None,
        body_hash="h1",
    )
    again = record_parsed(
        repo,
        feed_id,
        parsed(entry(1), entry(2), entry(3)),
        etag='"e2"',
        last_modified=None,
        body_hash="h2",
    )
    assert (first.seen, first.new, again.seen, again.new) == (2, 2, 3, 1)
    assert _count(engine, Entry) == 3
    (feed,) = repo.feeds_to_fetch(NOW, force=True)
    assert (feed.etag, feed.content_hash) == ('"e2"', "h2")


def test_store_article_and_exact_duplicates(repo: Repository, engine: Engine) -> None:
    e1, e2, e3 = queued(repo, 1, 2, 3)
    assert (
        repo.store_article(
            e1,
            article(body(1)),
            canonical_url=e1.canonical_url,
            final_url=e1.canonical_url,
            published_at=NOW,
            now=NOW,
        )
        == "stored"
    )
    # Same text, other punctuation and case: an exact duplicate in the first copy's story.
    copy = body(1).upper().replace(".", "!")
    assert (
        repo.store_article(
            e2,
            article(copy),
            canonical_url=e2.canonical_url,
            final_url=e2.canonical_url,
            published_at=NOW,
            now=NOW,
        )
        == "duplicate_content"
    )
    # Another entry that redirected to the first article's URL: linked, not stored again.
    assert (
        repo.store_article(
            e3,
            article(body(3)),
            canonical_url=e1.canonical_url,
            final_url=e1.canonical_url,
            published_at=NOW,
            now=NOW,
        )
        == "duplicate_url"
    )
    with engine.connect() as c:
        rows = c.execute(
            select(Article.id, Article.story_id, Article.duplicate_of).order_by(Article.id)
        ).all()
        states = c.execute(select(Entry.state, Entry.article_id).order_by(Entry.id)).all()
    assert len(rows) == 2
    (a1, s1, d1), (a2, s2, d2) = rows
    assert (d1, d2, s2) == (None, a1, s1)
    assert states == [("done", a1), ("done", a2), ("done", a1)]
    assert _count(engine, Story) == 1
    assert repo.entries_to_fetch(NOW, limit=10) == []


def test_new_entry_for_known_url_is_linked_without_fetching(repo: Repository) -> None:
    feed_a, feed_b = subscribe(repo), subscribe(repo, "https://other.example/rss")
    record_parsed(repo, feed_a, parsed(entry(1)), etag=None, last_modified=None, body_hash="a")
    (e1,) = repo.entries_to_fetch(NOW, limit=10)
    repo.store_article(
        e1,
        article(body(1)),
        canonical_url=e1.canonical_url,
        final_url=e1.url,
        published_at=None,
        now=NOW,
    )
    added = record_parsed(
        repo,
        feed_b,
        parsed(entry(1, key="other-guid")),
        etag=None,
        last_modified=None,
        body_hash="b",
    )
    assert (added.new, added.known_url) == (1, 1)
    assert repo.entries_to_fetch(NOW, limit=10) == []


def test_failures_back_off_then_give_up(repo: Repository, engine: Engine) -> None:
    (e1,) = queued(repo, 1)
    first = repo.record_entry_failure(
        e1.id, "fetch: 503 from news.example", "transient", NOW, rand=0.5
    )
    assert first.attempts == 1 and first.next_attempt_at == NOW + timedelta(minutes=5)
    assert repo.entries_to_fetch(NOW, limit=10) == []  # not due yet
    assert [e.id for e in repo.entries_to_fetch(NOW + timedelta(minutes=5), limit=10)] == [e1.id]
    second = repo.record_entry_failure(e1.id, "fetch: 503", "transient", NOW, rand=0.5)
    assert second.next_attempt_at == NOW + timedelta(minutes=10)
    # Permanent failures give up after max_permanent_attempts (3) in all.
    third = repo.record_entry_failure(
        e1.id, "fetch: 404 from news.example", "permanent", NOW, rand=0.5
    )
    assert third.given_up and third.next_attempt_at is None
    with engine.connect() as c:
        state, reason, attempts = c.execute(
            select(Entry.state, Entry.last_error, Entry.attempts)
        ).one()
    assert (state, attempts) == ("given_up", 3)
    assert reason == "gave up: fetch: 404 from news.example"
    assert repo.entries_to_fetch(NOW + timedelta(days=30), limit=10) == []


def test_feed_failure_is_recorded_and_cleared(repo: Repository) -> None:
    feed_id = subscribe(repo)
    failure = Failure("parse: not a feed", "permanent")
    change = repo.record_feed_failure(
        feed_id,
        failure.reason,
        failure.kind,
        NOW,
        lambda health: after_failure(health, failure, NOW, options=HealthOptions(), rand=0.5),
    )
    assert change.next_fetch.at == NOW + timedelta(minutes=5)
    (info,) = repo.list_feeds()
    assert (info.status, info.error_count, info.last_error) == ("degraded", 1, "parse: not a feed")
    assert info.failing_since == NOW and info.next_fetch_at == NOW + timedelta(minutes=5)
    record_parsed(repo, feed_id, parsed(entry(1)), etag=None, last_modified=None, body_hash="h")
    (info,) = repo.list_feeds()
    assert (info.status, info.error_count, info.last_error, info.pending) == (
        "healthy",
        0,
        None,
        1,
    )
    assert info.status_reason == "recovered after 1 failed fetches" and info.failing_since is None


def test_export_fields(repo: Repository, engine: Engine) -> None:
    (e1,) = queued(repo, 1)
    repo.store_article(
        e1,
        article(body(1), title="Budget vote"),
        canonical_url=e1.canonical_url,
        final_url=e1.url,
        published_at=NOW,
        now=NOW,
    )
    (record,) = list(iter_articles(engine))
    assert tuple(record) == EXPORT_FIELDS
    assert record["feed_url"] == FEED
    assert record["canonical_url"] == "https://news.example/story-1"
    assert record["url"] == "https://news.example/story-1?utm_source=rss"
    assert record["published_at"] == "2026-11-20T12:00:00Z"
    assert (record["title"], record["language"], record["duplicate_of"]) == (
        "Budget vote",
        "en",
        None,
    )
    assert list(iter_articles(engine, since=NOW + timedelta(seconds=1))) == []


def test_naive_datetimes_are_refused(repo: Repository) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        repo.add_feeds([Subscription(FEED)], NOW.replace(tzinfo=None))


def test_store_articles_isolates_a_refused_row(repo: Repository, engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    from storage.records import ArticleToStore

    e1, e2, e3 = queued(repo, 1, 2, 3)
    items = [
        ArticleToStore(e1, article(body(1)), e1.canonical_url, e1.url, None),
        # NULL canonical URL: the database refuses this row (NOT NULL).
        ArticleToStore(e2, article(body(2)), None, e2.url, None),  # type: ignore[arg-type]
        ArticleToStore(e3, article(body(1)), e3.canonical_url, e3.url, None),
    ]
    first, refused, third = repo.store_articles(items, NOW)
    assert (first, third) == ("stored", "duplicate_content")
    assert isinstance(refused, IntegrityError)
    assert _count(engine, Article) == 2
    assert _count(engine, Story) == 1  # the refused row's new story was rolled back with it
    assert [e.id for e in repo.entries_to_fetch(NOW, limit=10)] == [e2.id]


def test_a_moved_feed_adopts_its_new_url_unless_that_one_is_subscribed(repo: Repository) -> None:
    from extractors.health import FeedHealth, HealthChange
    from extractors.schedule import NextFetch
    from storage.records import FeedFetched

    old, taken = subscribe(repo), subscribe(repo, FEED + "?taken")
    other = subscribe(repo, FEED + "?other")

    def moving_to(url: str) -> HealthChange:
        return HealthChange(FeedHealth(), "moved", NextFetch(NOW, "test"), adopt_url=url)

    fetched = FeedFetched("not_modified", None, None)
    repo.record_feed_fetched(old, fetched, NOW, lambda _h: moving_to(FEED + "/new"))
    repo.record_feed_fetched(other, fetched, NOW, lambda _h: moving_to(FEED + "?taken"))
    by_id = {f.id: f for f in repo.list_feeds()}
    assert (by_id[old].url, by_id[old].moved_from) == (FEED + "/new", FEED)
    assert (by_id[other].url, by_id[other].status) == (FEED + "?other", "moved")
    assert by_id[other].status_reason is not None
    assert "subscribed already" in by_id[other].status_reason
    assert by_id[taken].url == FEED + "?taken"
