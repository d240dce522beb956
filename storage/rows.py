"""ORM rows turned into the plain records that leave storage/ (storage/records.py)."""

from __future__ import annotations

from extractors.health import FeedHealth, FeedStatus
from storage.models import Entry, Feed
from storage.records import EntryWork, FeedWork


def feed_health(feed: Feed) -> FeedHealth:
    """The feed's health as the pure scheduling rules see it."""
    status: FeedStatus = feed.status  # type: ignore[assignment]  # written from FeedStatus only
    return FeedHealth(
        status=status,
        error_count=feed.error_count,
        failing_since=feed.failing_since,
        redirect_url=feed.redirect_url,
        redirect_count=feed.redirect_count,
    )


def feed_work(feed: Feed) -> FeedWork:
    """A feed to fetch, with its validators and health."""
    return FeedWork(
        feed.id,
        feed.url,
        feed.etag,
        feed.last_modified,
        feed.content_hash,
        health=feed_health(feed),
        publish_interval=feed.publish_interval,
        last_entry_at=feed.last_entry_at,
    )


def entry_work(entry: Entry) -> EntryWork:
    """An entry whose page is to be fetched."""
    return EntryWork(
        entry.id,
        entry.feed_id,
        entry.url,
        entry.canonical_url,
        entry.title,
        entry.summary,
        entry.author,
        entry.published_at,
        entry.attempts,
        entry.article_id,
    )
