"""Builders for storage tests: parsed feeds and extracted articles made by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.articles import Article
from extractors.feeds import FeedEntry, ParsedFeed

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


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
