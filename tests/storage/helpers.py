"""Builders for storage tests: parsed feeds and extracted articles made by hand."""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from datetime import UTC, datetime

from extractors.articles import Article
from extractors.feeds import FeedEntry, ParsedFeed
from extractors.health import FeedHealth, HealthChange, HealthOptions, after_success
from extractors.opml import Subscription
from extractors.schedule import NextFetch
from storage.records import EntriesAdded, EntryWork, FeedFetched, PageArchive
from storage.repository import Repository

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FEED = "https://news.example/feed.xml"


def entry(n: int, *, host: str = "news.example", key: str | None = None) -> FeedEntry:
    url = f"https://{host}/story-{n}"
    return FeedEntry(
        key=key or f"guid-{n}",
        link=url + "?utm_source=rss",
        canonical_url=url,
        title=f"Story {n}",
        summary=f"Summary {n}",
        author="Ana Ruiz",
        published_at=NOW,
    )


def parsed(*entries: FeedEntry) -> ParsedFeed:
    return ParsedFeed(
        title="The Daily Ledger",
        site_url="https://news.example/",
        version="rss20",
        ttl_minutes=None,
        entries=tuple(entries),
        skipped=0,
        total_entries=len(entries),
    )


def article(text: str, *, title: str = "A story") -> Article:
    return Article(
        text=text,
        title=title,
        author="Ana Ruiz",
        published_at=None,
        language="en",
        site_name="Ledger",
        description=None,
        image_url=None,
        tags=(),
        canonical_url=None,
        license=None,
        method="trafilatura",
        extractor_version="trafilatura/test",
    )


def archive_of(html: bytes) -> PageArchive:
    """A page's bytes as the pipeline archives them (gzip, mtime 0)."""
    return PageArchive(
        gzip.compress(html, mtime=0), "gzip", len(html), "text/html; charset=utf-8", "utf-8"
    )


_WORDS = [
    "council",
    "budget",
    "harbour",
    "ferry",
    "school",
    "storm",
    "bridge",
    "election",
    "museum",
    "hospital",
    "railway",
    "festival",
    "drought",
    "market",
    "tunnel",
    "library",
    "strike",
    "airport",
    "orchestra",
    "vineyard",
    "glacier",
    "reservoir",
    "stadium",
    "courthouse",
    "lighthouse",
    "refinery",
    "observatory",
    "monastery",
    "brewery",
]


def body(n: int) -> str:
    """An article text of its own for each n (other n: another story, not a near copy)."""
    pick = random.Random(n)
    sentences = [
        f"The {pick.choice(_WORDS)} and the {pick.choice(_WORDS)} met the {pick.choice(_WORDS)} "
        f"on day {pick.randint(1, 9999)} about the {pick.choice(_WORDS)}."
        for _ in range(8)
    ]
    return f"Story number {n}. " + " ".join(sentences)


def subscribe(repo: Repository, url: str = FEED) -> int:
    """Subscribe to a feed; its id."""
    repo.add_feeds([Subscription(url)], NOW)
    (work,) = [f for f in repo.feeds_to_fetch(NOW, force=True) if f.url == url]
    return work.id


def queued(repo: Repository, *numbers: int) -> list[EntryWork]:
    """Entries ``numbers`` of a subscribed feed, stored and waiting for their pages."""
    record_parsed(
        repo,
        subscribe(repo),
        parsed(*(entry(n) for n in numbers)),
        etag=None,
        last_modified=None,
        body_hash="h",
    )
    return repo.entries_to_fetch(NOW, limit=10)


def _healthy(now: datetime) -> Callable[[FeedHealth], HealthChange]:
    return lambda health: after_success(
        health, NextFetch(now, "test"), url="", moved_to=None, options=HealthOptions()
    )


def record_parsed(
    repo: Repository,
    feed_id: int,
    feed: ParsedFeed,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str = "h",
    now: datetime = NOW,
) -> EntriesAdded:
    """Store a parsed feed as a working fetch would; what its entries did."""
    fetched = FeedFetched("parsed", etag, last_modified, body_hash=body_hash, body_bytes=100)
    _change, added = repo.record_feed_fetched(feed_id, fetched, now, _healthy(now), parsed=feed)
    assert added is not None
    return added


def record_unchanged(repo: Repository, feed_id: int, next_fetch_at: datetime) -> None:
    """A 304 for a feed, next fetched at ``next_fetch_at``."""
    fetched = FeedFetched("not_modified", None, None)
    repo.record_feed_fetched(
        feed_id,
        fetched,
        NOW,
        lambda h: after_success(
            h, NextFetch(next_fetch_at, "test"), url="", moved_to=None, options=HealthOptions()
        ),
    )
