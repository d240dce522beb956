"""Reads and writes of feeds, entries, articles and stories.

Every write runs in one short transaction and is idempotent: inserts ignore
conflicts on the unique keys (models.py), so a retried task, a rerun or a second
run at the same time never doubles a row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from extractors.articles import Article as ExtractedArticle
from extractors.errors import ErrorKind
from extractors.feeds import ParsedFeed
from extractors.fingerprints import content_hash
from extractors.opml import Subscription
from storage.engine import READ_ONLY
from storage.models import Article, Base, ContentHash, Entry, Feed, Story
from storage.policy import RetryPolicy
from storage.records import (
    ArticleToStore,
    EntriesAdded,
    EntryWork,
    FailureRecorded,
    FeedInfo,
    FeedWork,
    StoreOutcome,
)

#: Rows per IN (...) list: well under SQLite's 32,766 bound parameters.
_CHUNK = 500


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _feed_work(feed: Feed) -> FeedWork:
    return FeedWork(feed.id, feed.url, feed.etag, feed.last_modified, feed.content_hash)


def _entry_work(entry: Entry) -> EntryWork:
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
    )


def _fetched_ok(now: datetime, next_fetch_at: datetime) -> dict[str, Any]:
    """Feed columns after a successful fetch: healthy, errors cleared, next fetch set."""
    return {
        "status": "ok",
        "last_fetched_at": now,
        "last_success_at": now,
        "next_fetch_at": next_fetch_at,
        "error_count": 0,
        "last_error": None,
        "last_error_kind": None,
    }


def _article_at(session: Session, canonical_url: str) -> int | None:
    """Id of the article stored under a canonical URL."""
    found: int | None = session.scalar(
        select(Article.id).where(Article.canonical_url == canonical_url)
    )
    return found


def _hash_owner(session: Session, text_hash: str) -> Row[int, int] | None:
    """(id, story_id) of the first article stored with a normalised-text hash."""
    return session.execute(
        select(Article.id, Article.story_id)
        .join(ContentHash, ContentHash.article_id == Article.id)
        .where(ContentHash.text_hash == text_hash)
    ).first()


class Repository:
    """newsflow's database, one short transaction per call."""

    def __init__(self, engine: Engine, policy: RetryPolicy | None = None) -> None:
        self.engine = engine
        self.policy = policy or RetryPolicy()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with (
            self.engine.connect().execution_options(**READ_ONLY) as connection,
            Session(bind=connection) as session,
        ):
            yield session

    def _insert(self, session: Session, model: type[Base]) -> Any:
        """INSERT with ON CONFLICT support for the session's dialect.

        Built on the table, not the mapped class: an ORM-enabled insert goes through
        SQLAlchemy's bulk-persistence layer, a tenth of the cost of storing an article.
        """
        dialect = session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        return module.insert(model.__table__)

    # -- feeds --------------------------------------------------------------------

    def add_feeds(self, subscriptions: Sequence[Subscription], now: datetime) -> list[str]:
        """Subscribe to feeds; return the URLs that were new (others are kept as they are)."""
        added: list[str] = []
        with self._write() as session:
            for sub in subscriptions:
                stmt = (
                    self._insert(session, Feed)
                    .values(
                        url=sub.url,
                        title=sub.title,
                        site_url=sub.site_url,
                        added_at=now,
                        next_fetch_at=now,
                        status="ok",
                        error_count=0,
                    )
                    .on_conflict_do_nothing(index_elements=["url"])
                    .returning(Feed.url)
                )
                added.extend(session.execute(stmt).scalars())
        return added

    def unknown_feeds(self, urls: Sequence[str]) -> list[str]:
        """Those of ``urls`` that are not subscribed, in order."""
        with self._read() as session:
            known = set(session.scalars(select(Feed.url).where(Feed.url.in_(list(urls)))))
        return [url for url in urls if url not in known]

    def list_feeds(self) -> list[FeedInfo]:
        """Every feed with its polling state and article counts, oldest first."""
        articles = (
            select(Article.feed_id, func.count().label("n")).group_by(Article.feed_id).subquery()
        )
        pending = (
            select(Entry.feed_id, func.count().label("n"))
            .where(Entry.state.in_(("pending", "failed")))
            .group_by(Entry.feed_id)
            .subquery()
        )
        stmt = (
            select(Feed, func.coalesce(articles.c.n, 0), func.coalesce(pending.c.n, 0))
            .outerjoin(articles, articles.c.feed_id == Feed.id)
            .outerjoin(pending, pending.c.feed_id == Feed.id)
            .order_by(Feed.id)
        )
        with self._read() as session:
            return [
                FeedInfo(
                    id=feed.id,
                    url=feed.url,
                    title=feed.title,
                    site_url=feed.site_url,
                    status=feed.status,
                    added_at=feed.added_at,
                    last_fetched_at=feed.last_fetched_at,
                    last_success_at=feed.last_success_at,
                    next_fetch_at=feed.next_fetch_at,
                    error_count=feed.error_count,
                    last_error=feed.last_error,
                    articles=n_articles,
                    pending=n_pending,
                )
                for feed, n_articles, n_pending in session.execute(stmt)
            ]

    def feeds_to_fetch(
        self, now: datetime, *, urls: Sequence[str] | None = None, force: bool = False
    ) -> list[FeedWork]:
        """Feeds due now (or the named ones, or all with ``force``), most overdue first."""
        stmt = select(Feed)
        if urls is not None:
            stmt = stmt.where(Feed.url.in_(list(urls)))
        if not force:
            stmt = stmt.where(or_(Feed.next_fetch_at.is_(None), Feed.next_fetch_at <= now))
        stmt = stmt.order_by(Feed.next_fetch_at, Feed.id)
        with self._read() as session:
            return [_feed_work(f) for f in session.scalars(stmt)]

    def feeds_by_id(self, feed_ids: Sequence[int]) -> list[FeedWork]:
        """Feeds by id, with their current validators."""
        with self._read() as session:
            stmt = select(Feed).where(Feed.id.in_(list(feed_ids))).order_by(Feed.id)
            return [_feed_work(f) for f in session.scalars(stmt)]

    def record_feed_unchanged(
        self,
        feed_id: int,
        now: datetime,
        next_fetch_at: datetime,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A 304, or a body identical to the last one: nothing to parse."""
        values = _fetched_ok(now, next_fetch_at)
        if etag is not None:
            values["etag"] = etag
        if last_modified is not None:
            values["last_modified"] = last_modified
        with self._write() as session:
            session.execute(update(Feed).where(Feed.id == feed_id).values(**values))

    def record_feed_parsed(
        self,
        feed_id: int,
        parsed: ParsedFeed,
        now: datetime,
        next_fetch_at: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        body_hash: str,
    ) -> EntriesAdded:
        """Store a fetched feed's state and its entries, new ones queued for fetching."""
        with self._write() as session:
            session.execute(
                update(Feed)
                .where(Feed.id == feed_id)
                .values(
                    title=parsed.title,
                    site_url=parsed.site_url,
                    etag=etag,
                    last_modified=last_modified,
                    content_hash=body_hash,
                    **_fetched_ok(now, next_fetch_at),
                )
            )
            new_ids = self._insert_entries(session, feed_id, parsed, now)
            known = self._link_known_urls(session, new_ids)
        return EntriesAdded(seen=len(parsed.entries), new=len(new_ids), known_url=known)

    def _insert_entries(
        self, session: Session, feed_id: int, parsed: ParsedFeed, now: datetime
    ) -> list[int]:
        rows = [
            {
                "feed_id": feed_id,
                "key": entry.key,
                "url": entry.link,
                "canonical_url": entry.canonical_url,
                "title": entry.title or None,
                "summary": entry.summary or None,
                "author": entry.author,
                "published_at": entry.published_at,
                "first_seen_at": now,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
            }
            for entry in parsed.entries
        ]
        new_ids: list[int] = []
        for chunk in _chunks(rows):
            stmt = (
                self._insert(session, Entry)
                .on_conflict_do_nothing(index_elements=["feed_id", "key"])
                .returning(Entry.id)
            )
            new_ids.extend(session.execute(stmt, list(chunk)).scalars())
        return new_ids

    def _link_known_urls(self, session: Session, entry_ids: Sequence[int]) -> int:
        """Entries whose canonical URL is already an article: done, nothing to fetch."""
        linked = 0
        for chunk in _chunks(entry_ids):
            pairs = session.execute(
                select(Entry.id, Article.id)
                .join(Article, Article.canonical_url == Entry.canonical_url)
                .where(Entry.id.in_(list(chunk)))
            ).all()
            for entry_id, article_id in pairs:
                self._finish_entry(session, entry_id, article_id)
                linked += 1
        return linked

    def record_feed_failure(
        self,
        feed_id: int,
        reason: str,
        kind: ErrorKind,
        now: datetime,
        *,
        rand: float | None = None,
    ) -> datetime:
        """A failed fetch or parse: keep the reason, back off; return the next fetch time."""
        with self._write() as session:
            feed = session.get_one(Feed, feed_id)
            feed.error_count += 1
            feed.status = "failing"
            feed.last_fetched_at = now
            feed.last_error = reason
            feed.last_error_kind = kind
            draw = random.random() if rand is None else rand
            feed.next_fetch_at = self.policy.feed_retry_at(feed.error_count, now, draw)
            return feed.next_fetch_at

    # -- entries and articles -------------------------------------------------------

    def entries_to_fetch(
        self, now: datetime, *, limit: int, feed_ids: Sequence[int] | None = None
    ) -> list[EntryWork]:
        """Entries whose page is due: new ones, and failed ones whose retry time has come."""
        stmt = (
            select(Entry)
            .where(Entry.state.in_(("pending", "failed")), Entry.next_attempt_at <= now)
            .order_by(Entry.next_attempt_at, Entry.id)
            .limit(limit)
        )
        if feed_ids is not None:
            stmt = stmt.where(Entry.feed_id.in_(list(feed_ids)))
        with self._read() as session:
            return [_entry_work(e) for e in session.scalars(stmt)]

    def entries_by_id(self, entry_ids: Sequence[int]) -> list[EntryWork]:
        """Entries still waiting for their page, by id (done ones are left out)."""
        with self._read() as session:
            stmt = select(Entry).where(
                Entry.id.in_(list(entry_ids)), Entry.state.in_(("pending", "failed"))
            )
            return [_entry_work(e) for e in session.scalars(stmt.order_by(Entry.id))]

    def store_articles(
        self, items: Sequence[ArticleToStore], now: datetime
    ) -> list[StoreOutcome | SQLAlchemyError]:
        """Store a batch in one transaction; each article in a savepoint of its own.

        Exact duplicates join the first copy's story. An article the database refuses
        gets its error back in its place; the others are stored all the same.
        """
        results: list[StoreOutcome | SQLAlchemyError] = []
        with self._write() as session:
            for item in items:
                try:
                    with session.begin_nested():
                        results.append(self._store_one(session, item, now))
                except SQLAlchemyError as exc:
                    results.append(exc)
        return results

    def store_article(
        self,
        entry: EntryWork,
        article: ExtractedArticle,
        *,
        canonical_url: str,
        final_url: str,
        published_at: datetime | None,
        now: datetime,
    ) -> StoreOutcome:
        """Store one extracted article for an entry (see store_articles)."""
        item = ArticleToStore(entry, article, canonical_url, final_url, published_at)
        with self._write() as session:
            return self._store_one(session, item, now)

    def _store_one(self, session: Session, item: ArticleToStore, now: datetime) -> StoreOutcome:
        entry, article, canonical_url = item.entry, item.article, item.canonical_url
        existing = _article_at(session, canonical_url)
        if existing is not None:
            self._finish_entry(session, entry.id, existing)
            return "duplicate_url"

        text_hash = content_hash(article.text)
        owner = _hash_owner(session, text_hash)
        title = article.title or entry.title
        if owner is not None:
            story_id, duplicate_of = owner.story_id, owner.id
        else:
            story_id = session.execute(
                self._insert(session, Story).values(created_at=now, title=title).returning(Story.id)
            ).scalar_one()
            duplicate_of = None

        article_id = session.execute(
            self._insert(session, Article)
            .values(
                canonical_url=canonical_url,
                url=item.final_url,
                feed_id=entry.feed_id,
                title=title,
                author=article.author or entry.author,
                published_at=item.published_at,
                fetched_at=now,
                language=article.language,
                site_name=article.site_name,
                description=article.description,
                image_url=article.image_url,
                text=article.text,
                text_hash=text_hash,
                story_id=story_id,
                duplicate_of=duplicate_of,
                extractor=article.extractor_version,
            )
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(Article.id)
        ).scalar()
        if article_id is None:
            # Another run stored this URL between our check and our insert.
            if duplicate_of is None:
                session.execute(delete(Story).where(Story.id == story_id))
            winner = _article_at(session, canonical_url)
            assert winner is not None
            self._finish_entry(session, entry.id, winner)
            return "duplicate_url"

        outcome: StoreOutcome = "duplicate_content" if duplicate_of is not None else "stored"
        if duplicate_of is None:
            claimed = session.execute(
                self._insert(session, ContentHash)
                .values(text_hash=text_hash, article_id=article_id)
                .on_conflict_do_nothing(index_elements=["text_hash"])
                .returning(ContentHash.article_id)
            ).scalar()
            if claimed is None:
                # Another run stored the same text first: become its duplicate.
                first = _hash_owner(session, text_hash)
                assert first is not None
                session.execute(
                    update(Article)
                    .where(Article.id == article_id)
                    .values(story_id=first.story_id, duplicate_of=first.id)
                )
                session.execute(delete(Story).where(Story.id == story_id))
                outcome = "duplicate_content"
        self._finish_entry(session, entry.id, article_id)
        return outcome

    def _finish_entry(self, session: Session, entry_id: int, article_id: int) -> None:
        session.execute(
            update(Entry)
            .where(Entry.id == entry_id)
            .values(
                state="done",
                article_id=article_id,
                next_attempt_at=None,
                last_error=None,
                last_error_kind=None,
            )
        )

    def record_entry_failure(
        self,
        entry_id: int,
        reason: str,
        kind: ErrorKind,
        now: datetime,
        *,
        retry_after: float | None = None,
        rand: float | None = None,
    ) -> FailureRecorded:
        """A failed page fetch or extraction: count it, schedule a retry or give up."""
        with self._write() as session:
            entry = session.get_one(Entry, entry_id)
            if entry.state == "done":  # stored meanwhile by another attempt or run
                return FailureRecorded(entry.attempts, None, given_up=False)
            entry.attempts += 1
            draw = random.random() if rand is None else rand
            when = self.policy.next_attempt(
                entry.attempts, kind, now, draw, retry_after=retry_after
            )
            entry.state = "failed" if when is not None else "given_up"
            entry.next_attempt_at = when
            entry.last_error = reason if when is not None else f"gave up: {reason}"
            entry.last_error_kind = kind
            return FailureRecorded(entry.attempts, when, given_up=when is None)
