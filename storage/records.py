"""Plain records that cross the storage boundary (no ORM objects leave storage/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from extractors.articles import Article as ExtractedArticle
from extractors.health import FeedHealth


@dataclass(frozen=True, slots=True)
class FeedWork:
    """A feed to fetch, with what conditional GET and its schedule need."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    health: FeedHealth = field(default_factory=FeedHealth)
    publish_interval: float | None = None  # seconds between posts, when known
    last_entry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedFetched:
    """A fetch that worked: 200 (parsed), 304, or the same bytes as last time."""

    result: Literal["parsed", "not_modified", "unchanged"]
    etag: str | None
    last_modified: str | None
    body_hash: str | None = None
    body_bytes: int | None = None
    publish_interval: float | None = None
    last_entry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A feed as `newsflow feeds list` shows it."""

    id: int
    url: str
    title: str | None
    site_url: str | None
    status: str
    status_reason: str | None
    schedule_reason: str | None
    added_at: datetime
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    next_fetch_at: datetime | None
    error_count: int
    failing_since: datetime | None
    last_error: str | None
    moved_from: str | None
    publish_interval: float | None
    fetch_count: int
    not_modified_count: int
    unchanged_count: int
    bytes_saved: int
    articles: int
    pending: int


@dataclass(frozen=True, slots=True)
class EntryWork:
    """An entry whose article page is due to be fetched."""

    id: int
    feed_id: int
    url: str
    canonical_url: str
    title: str | None
    summary: str | None
    author: str | None
    published_at: datetime | None
    attempts: int
    article_id: int | None = None  # a feed-summary stand-in, while the page is missing


@dataclass(frozen=True, slots=True)
class EntriesAdded:
    """What storing a feed's entries did."""

    seen: int  # entries in the feed
    new: int  # entries not stored before
    known_url: int  # new entries whose article was already stored (another feed, other URL)


@dataclass(frozen=True, slots=True)
class ArticleToStore:
    """An extracted article and where it came from, ready to be stored for its entry."""

    entry: EntryWork
    article: ExtractedArticle
    canonical_url: str
    final_url: str
    published_at: datetime | None


StoreOutcome = Literal["stored", "duplicate_url", "duplicate_content"]


@dataclass(frozen=True, slots=True)
class FailureRecorded:
    """What recording a failed attempt decided."""

    attempts: int
    next_attempt_at: datetime | None  # None: given up
    given_up: bool
