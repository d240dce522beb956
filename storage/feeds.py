"""Feeds: subscriptions, what is due, and what each fetch did to a feed's state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extractors.feeds import ParsedFeed
from extractors.health import FeedHealth, HealthChange
from extractors.opml import Subscription
from storage.base import RELEASED, StoreBase, chunks, finish_entry
from storage.models import Article, Entry, Feed
from storage.records import EntriesAdded, FeedFetched, FeedInfo, FeedWork
from storage.rows import feed_health, feed_work

Decide = Callable[[FeedHealth], HealthChange]


def _apply(feed: Feed, change: HealthChange) -> None:
    health = change.health
    feed.status = health.status
    feed.status_reason = change.reason
    feed.error_count = health.error_count
    feed.failing_since = health.failing_since
    feed.redirect_url = health.redirect_url
    feed.redirect_count = health.redirect_count
    feed.next_fetch_at = change.next_fetch.at
    feed.schedule_reason = change.next_fetch.reason


class FeedStore(StoreBase):
    """Subscribed feeds and their polling state."""

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
                        status="healthy",
                        status_reason="new: not fetched yet",
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

    def list_feeds(self, *, urls: Sequence[str] | None = None) -> list[FeedInfo]:
        """Every feed (or the named ones) with its state and article counts, oldest first."""
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
        if urls is not None:
            stmt = stmt.where(Feed.url.in_(list(urls)))
        with self._read() as session:
            return [
                FeedInfo(
                    id=feed.id,
                    url=feed.url,
                    title=feed.title,
                    site_url=feed.site_url,
                    status=feed.status,
                    status_reason=feed.status_reason,
                    schedule_reason=feed.schedule_reason,
                    added_at=feed.added_at,
                    last_fetched_at=feed.last_fetched_at,
                    last_success_at=feed.last_success_at,
                    next_fetch_at=feed.next_fetch_at,
                    error_count=feed.error_count,
                    failing_since=feed.failing_since,
                    last_error=feed.last_error,
                    moved_from=feed.moved_from,
                    publish_interval=feed.publish_interval,
                    fetch_count=feed.fetch_count,
                    not_modified_count=feed.not_modified_count,
                    unchanged_count=feed.unchanged_count,
                    bytes_saved=feed.bytes_saved,
                    articles=n_articles,
                    pending=n_pending,
                )
                for feed, n_articles, n_pending in session.execute(stmt)
            ]

    def feeds_by_id(self, feed_ids: Sequence[int]) -> list[FeedWork]:
        """Feeds by id, with their current validators."""
        with self._read() as session:
            stmt = select(Feed).where(Feed.id.in_(list(feed_ids))).order_by(Feed.id)
            return [feed_work(f) for f in session.scalars(stmt)]

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
        for chunk in chunks(rows):
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
        for chunk in chunks(entry_ids):
            pairs = session.execute(
                select(Entry.id, Article.id)
                .join(Article, Article.canonical_url == Entry.canonical_url)
                # A feed-summary stand-in does not count: its page is still wanted.
                .where(Entry.id.in_(list(chunk)), Article.text_source == "page")
            ).all()
            for entry_id, article_id in pairs:
                finish_entry(session, entry_id, article_id)
                linked += 1
        return linked

    def record_feed_fetched(
        self,
        feed_id: int,
        fetched: FeedFetched,
        now: datetime,
        decide: Decide,
        *,
        parsed: ParsedFeed | None = None,
    ) -> tuple[HealthChange, EntriesAdded | None]:
        """A fetch that worked: validators, counts, health, schedule, and new entries.

        ``decide`` turns the feed's current health into the new one inside the
        transaction, so two runs fetching one feed cannot both count a redirect.
        """
        with self._write() as session:
            feed = session.get_one(Feed, feed_id, with_for_update=True)
            change = decide(feed_health(feed))
            _apply(feed, change)
            feed.last_fetched_at = feed.last_success_at = now
            feed.last_error = feed.last_error_kind = None
            feed.claimed_until = feed.claimed_by = None
            feed.fetch_count += 1
            if fetched.etag is not None or fetched.result == "parsed":
                feed.etag = fetched.etag
            if fetched.last_modified is not None or fetched.result == "parsed":
                feed.last_modified = fetched.last_modified
            if fetched.result == "not_modified":
                feed.not_modified_count += 1
                feed.bytes_saved += feed.last_body_bytes or 0
            elif fetched.result == "unchanged":
                feed.unchanged_count += 1
            else:
                feed.content_hash = fetched.body_hash
                feed.last_body_bytes = fetched.body_bytes
                feed.publish_interval = fetched.publish_interval
                if fetched.last_entry_at is not None:
                    feed.last_entry_at = fetched.last_entry_at
            if change.adopt_url is not None:
                self._adopt(session, feed, change.adopt_url)
            added = None
            if parsed is not None:
                feed.title, feed.site_url = parsed.title, parsed.site_url
                new_ids = self._insert_entries(session, feed_id, parsed, now)
                known = self._link_known_urls(session, new_ids)
                added = EntriesAdded(seen=len(parsed.entries), new=len(new_ids), known_url=known)
        return change, added

    def _adopt(self, session: Session, feed: Feed, url: str) -> None:
        """Point the feed at where it moved, unless that URL is subscribed already."""
        old = feed.url
        try:
            with session.begin_nested():
                session.execute(update(Feed).where(Feed.id == feed.id).values(url=url))
        except IntegrityError:
            feed.status = "moved"
            feed.status_reason = (
                f"moved permanently to {url}, which is subscribed already as another feed; "
                "this one is kept for its history"
            )
            return
        session.refresh(feed, ["url"])
        feed.moved_from = old

    def record_feed_failure(
        self, feed_id: int, reason: str, kind: str, now: datetime, decide: Decide
    ) -> HealthChange:
        """A failed fetch or parse: keep the reason; ``decide`` sets health and backoff."""
        with self._write() as session:
            feed = session.get_one(Feed, feed_id, with_for_update=True)
            change = decide(feed_health(feed))
            _apply(feed, change)
            feed.last_fetched_at = now
            feed.claimed_until = feed.claimed_by = None
            feed.fetch_count += 1
            feed.last_error = reason
            feed.last_error_kind = kind
            return change

    def defer_feed(self, feed_id: int, until: datetime, reason: str) -> None:
        """Put a feed off without counting a failure: its domain asked us to wait."""
        with self._write() as session:
            session.execute(
                update(Feed)
                .where(Feed.id == feed_id)
                .values(next_fetch_at=until, schedule_reason=f"put off: {reason}", **RELEASED)
            )

    def feed_by_url(self, url: str) -> FeedInfo | None:
        """One feed as `newsflow feeds show` prints it."""
        found = self.list_feeds(urls=[url])
        return found[0] if found else None
