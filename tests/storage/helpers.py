"""Builders for storage tests: parsed feeds and extracted articles made by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.articles import Article
from extractors.feeds import FeedEntry, ParsedFeed
from extractors.opml import Subscription
from storage.records import EntryWork
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


def body(n: int) -> str:
    return f"Story number {n}. " + "The council met on Tuesday and voted on the budget. " * 8


def subscribe(repo: Repository, url: str = FEED) -> int:
    """Subscribe to a feed; its id."""
    repo.add_feeds([Subscription(url)], NOW)
    (work,) = [f for f in repo.feeds_to_fetch(NOW, force=True) if f.url == url]
    return work.id


def queued(repo: Repository, *numbers: int) -> list[EntryWork]:
    """Entries ``numbers`` of a subscribed feed, stored and waiting for their pages."""
    repo.record_feed_parsed(
        subscribe(repo),
        parsed(*(entry(n) for n in numbers)),
        NOW,
        NOW,
        etag=None,
        last_modified=None,
        body_hash="h",
    )
    return repo.entries_to_fetch(NOW, limit=10)
