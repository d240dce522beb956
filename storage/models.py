"""The schema, as SQLAlchemy 2 typed models. Alembic migrations create it.

Identity is the database's job (unique keys, inserts that ignore conflicts):

- ``feeds.url`` is unique;
- ``entries (feed_id, key)`` is unique: an item of a feed, keyed by GUID or canonical link;
- ``articles.canonical_url`` is unique: one article per canonical URL, whatever feeds
  or tracking parameters led to it;
- ``content_hashes.text_hash`` is the primary key: the first article with a given
  normalised text owns it; later ones are exact duplicates of it and join its story;
- ``pages.article_id`` is the primary key: one archived page (the raw HTML) per article.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

URL_LENGTH = 2048  # extractors.urls.MAX_URL_LENGTH


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored
    as naive UTC and given their zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Feed(Base):
    """A subscribed feed and the state of its polling."""

    __tablename__ = "feeds"
    __table_args__ = (
        # Only rows a run holds: a run hands its claims back by owner at its end.
        Index(
            "ix_feeds_claimed_by",
            "claimed_by",
            sqlite_where=text("claimed_by IS NOT NULL"),
            postgresql_where=text("claimed_by IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Conditional GET validators (RFC 9110, 8.8) and the last body's hash.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Health (extractors.health.FeedStatus): healthy, degraded, rate_limited, blocked,
    # moved, gone, suspended; with the reason, and why the next fetch is when it is.
    status: Mapped[str] = mapped_column(String(16), default="healthy")
    status_reason: Mapped[str | None] = mapped_column(Text)
    schedule_reason: Mapped[str | None] = mapped_column(Text)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_kind: Mapped[str | None] = mapped_column(String(16))
    # A permanent redirect is adopted only once seen redirect_count times in a row.
    redirect_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    redirect_count: Mapped[int] = mapped_column(Integer, default=0)
    moved_from: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    # The feed's own rhythm: median seconds between its posts (None: unknown).
    publish_interval: Mapped[float | None] = mapped_column(Float)
    last_entry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Conditional GET bookkeeping.
    fetch_count: Mapped[int] = mapped_column(Integer, default=0)
    not_modified_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    bytes_saved: Mapped[int] = mapped_column(BigInteger, default=0)
    last_body_bytes: Mapped[int | None] = mapped_column(Integer)
    # A run fetching the feed now (storage.claims): others pass it over until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class Story(Base):
    """A news story: one article, or several copies of the same story."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(Text)


class Entry(Base):
    """A feed item, and the work queue for fetching its article page."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "key"),
        Index("ix_entries_state_next_attempt_at", "state", "next_attempt_at"),
        Index(
            "ix_entries_claimed_by",
            "claimed_by",
            sqlite_where=text("claimed_by IS NOT NULL"),
            postgresql_where=text("claimed_by IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(URL_LENGTH))
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    canonical_url: Mapped[str] = mapped_column(String(URL_LENGTH), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "pending" -> "done" (article stored or already known), or "failed" (retried at
    # next_attempt_at) -> ... -> "given_up" (with last_error as the reason), or
    # "not_article" (the page is an index, a video, a paywall or consent wall: never
    # fetched again; last_error says what it is, and the feed's summary stands in).
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_kind: Mapped[str | None] = mapped_column(String(16))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    # A run fetching the page now (storage.claims): others pass it over until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class Article(Base):
    """An article's clean text and metadata."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The article's identity: the page's own canonical URL when it can name the
    # article (extractors.urls.identity_url), else the final URL; canonicalised.
    canonical_url: Mapped[str] = mapped_column(String(URL_LENGTH), unique=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))  # final URL after redirects
    link: Mapped[str | None] = mapped_column(String(URL_LENGTH))  # the feed entry's link
    # What the page stated as its canonical URL (canonicalised), used or not.
    page_canonical_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where published_at came from (extractors.dates.Dating): "feed", "page",
    # "feed+page" (both agree) or "none"; date_notes says why a date was set aside.
    date_source: Mapped[str | None] = mapped_column(String(16))
    date_notes: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    language_source: Mapped[str | None] = mapped_column(String(16))  # "page" or "detected"
    site_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    tags: Mapped[str | None] = mapped_column(Text)  # a JSON list of strings
    license: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    # The extractor's version string; method is the strategy that gave the text
    # ("trafilatura", "readability", ..., "feed-summary"), confidence how far to trust it.
    extractor: Mapped[str] = mapped_column(String(64))  # extractors.articles.EXTRACTOR_VERSION
    method: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    extracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "page": extracted from the article page; "feed": the feed's own summary, kept
    # while the page cannot be fetched (replaced by the page's text once it can).
    text_source: Mapped[str] = mapped_column(String(16), default="page")


class ContentHash(Base):
    """First article seen with a given normalised text."""

    __tablename__ = "content_hashes"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))


class Page(Base):
    """An article's page as fetched: the raw HTML, compressed, for re-extraction.

    gzip (stdlib, level 6, mtime 0 so equal pages give equal bytes), not zstd:
    installing the ``zstandard`` package would make httpx advertise zstd in
    Accept-Encoding, which the fetcher's bounded decoder does not inflate, and gzip
    needs no new dependency. ``encoding`` names the compression, so another can follow.
    """

    __tablename__ = "pages"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(URL_LENGTH))  # final URL after redirects
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    content_type: Mapped[str | None] = mapped_column(Text)
    charset: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(16))  # "gzip"
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)  # bytes before compression


class HostBudget(Base):
    """A registrable domain's request budget, shared by every worker process.

    ``next_request_at`` is the earliest time the next request may start (each request
    moves it on by the domain's interval); ``paused_until`` holds the whole domain
    back after a 429 or a Retry-After.
    """

    __tablename__ = "host_budgets"

    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_request_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    crawl_delay: Mapped[float | None] = mapped_column(Float)


class HostLease(Base):
    """A request in flight to a domain; expires by itself if its worker dies."""

    __tablename__ = "host_leases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RobotsFile(Base):
    """A site's robots.txt as last fetched (RFC 9309: cache for up to 24 hours)."""

    __tablename__ = "robots_files"

    origin: Mapped[str] = mapped_column(String(300), primary_key=True)
    status: Mapped[int | None] = mapped_column(Integer)  # None: unreachable
    body: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Signature(Base):
    """An article's near-duplicate fingerprint (extractors.neardup.Fingerprint, as bytes)."""

    __tablename__ = "signatures"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    site: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class BandKey(Base):
    """One LSH band of an article's signature: articles sharing a key are candidates.

    The index lives here, in the database, so every run, process and machine shares
    it. It is the largest table of all (64 rows per article), so a row is only its key:
    SQLite keeps it WITHOUT ROWID (the primary key is the table), and there is no
    second index. Rows are pruned through the article's signature, whose stored
    fingerprint gives its keys back (storage.lsh.prune_index); candidates are
    ordered by article id, which grows with time. No foreign key: a check per row
    would cost 64 lookups per insert, and only articles never placed are ever deleted.
    """

    __tablename__ = "lsh_bands"
    __table_args__ = ({"sqlite_with_rowid": False},)

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SiteLine(Base):
    """How many of a site's articles carry a line: lines seen often are its boilerplate.

    ``seen_at`` is when the line was last seen: lines not seen within the dedup window
    are pruned (a paragraph is seen once and never again; a template line keeps coming).
    """

    __tablename__ = "site_lines"
    __table_args__ = ({"sqlite_with_rowid": False},)

    site: Mapped[str] = mapped_column(String(255), primary_key=True)
    line_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StoryEvidence(Base):
    """A verified match that put an article into a story: what explains the story."""

    __tablename__ = "story_evidence"
    __table_args__ = (UniqueConstraint("article_id", "matched_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    matched_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # exact, near_duplicate, lede, short
    similarity: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
