"""Plain records that cross the storage boundary (no ORM objects leave storage/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, TypeVar

from extractors.articles import Article as ExtractedArticle
from extractors.health import FeedHealth

T = TypeVar("T")


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
class PageArchive:
    """A fetched page's bytes, compressed, for the raw HTML archive."""

    body: bytes  # compressed with ``encoding``
    encoding: str  # "gzip"
    size: int  # bytes before compression
    content_type: str | None
    charset: str | None


@dataclass(frozen=True, slots=True)
class ArticleToStore:
    """An extracted article and where it came from, ready to be stored for its entry.

    ``canonical_url`` is the article's identity (extractors.urls.identity_url); the
    dates are the reconciled ones (extractors.dates.reconcile_dates).
    """

    entry: EntryWork
    article: ExtractedArticle
    canonical_url: str
    final_url: str
    published_at: datetime | None
    updated_at: datetime | None = None
    date_source: str | None = None  # "feed", "page", "feed+page", "none"
    date_notes: tuple[str, ...] = ()
    page_canonical_url: str | None = None  # what the page stated, used or not
    archive: PageArchive | None = None  # None: not archived (NEWSFLOW_ARCHIVE_DAYS=0)


#: stored: a new story; near_duplicate: stored, in the story of a near copy;
#: duplicate_content: stored, in the story of an exact copy; duplicate_url: not stored.
StoreOutcome = Literal["stored", "near_duplicate", "duplicate_url", "duplicate_content"]


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """An archived page to extract again, with what re-reconciling its dates needs."""

    article_id: int
    url: str  # final URL after redirects
    fetched_at: datetime
    content_type: str | None
    charset: str | None
    encoding: str
    body: bytes  # compressed
    size: int
    feed_published_at: datetime | None  # the earliest date its feed entries gave
    feed_summary: str | None = None  # the first entry's summary: evidence for extraction


@dataclass(frozen=True, slots=True)
class Reextracted:
    """An archived page extracted again: what its article should now say."""

    article_id: int
    article: ExtractedArticle
    canonical_url: str  # the identity the page now gives
    published_at: datetime | None
    updated_at: datetime | None
    date_source: str
    date_notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReextractOutcome:
    """What applying a re-extraction did to one article."""

    article_id: int
    result: Literal["updated", "unchanged", "missing"]  # missing: the article is gone
    #: The page now names another identity, held by another article: the old one stays.
    identity_kept: bool = False


@dataclass(frozen=True, slots=True)
class FailureRecorded:
    """What recording a failed attempt decided."""

    attempts: int
    next_attempt_at: datetime | None  # None: given up
    given_up: bool


@dataclass(frozen=True, slots=True)
class Claimed(Generic[T]):
    """Work claimed for one run, and how much more was due but held by other runs."""

    items: list[T]
    held_elsewhere: int
