"""Reads and writes of entries, articles and stories (feeds: storage/feeds.py).

Every write runs in one short transaction and is idempotent: inserts ignore
conflicts on the unique keys (models.py), so a retried task, a rerun or a second
run at the same time never doubles a row.

While an entry's page cannot be fetched, the feed's own summary stands in for the
article (``text_source = "feed"``), so the story is in the database from the
first run; once the page is fetched, the stand-in becomes the real article in
place (same id, so links to it hold). A page that is not an article (an index, a
video, a paywall) leaves the stand-in for good.

An article's raw HTML is archived (storage/archive.py) in the transaction that
stores the article.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, Row, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from extractors.articles import Article as ExtractedArticle
from extractors.combine import shingles
from extractors.errors import ErrorKind
from extractors.fingerprints import content_hash
from extractors.urls import budget_key, canonicalize_url
from storage.archive import ArchiveStore, write_page
from storage.base import RELEASED, finish_entry, notes_text, page_metadata
from storage.batch import BatchStore
from storage.claims import ClaimStore
from storage.feeds import FeedStore
from storage.models import Article, Entry, Story
from storage.policy import RetryPolicy
from storage.records import (
    ArticleToStore,
    EntryWork,
    FailureRecorded,
    StoreOutcome,
)
from storage.rows import entry_work
from storage.stories import StoryOptions, drop_story_if_empty, hash_owner, settle_article
from storage.storyview import StoryStore

#: The extractor name recorded on a feed-summary stand-in.
FEED_SUMMARY = "feed-summary"


def _article_at(session: Session, canonical_url: str) -> Row[int, str] | None:
    """(id, text_source) of the article stored under a canonical URL."""
    return session.execute(
        select(Article.id, Article.text_source).where(Article.canonical_url == canonical_url)
    ).first()


#: Share of the shorter text's shingles the other must hold to be the same article.
SAME_ARTICLE = 0.5


def _same_text(session: Session, article_id: int, text: str) -> bool:
    """Whether a stored article's text is (mostly) this text: an AMP or print copy is."""
    stored = session.execute(select(Article.text).where(Article.id == article_id)).scalar_one()
    a, b = shingles(stored), shingles(text)
    smaller = min(sum(a.values()), sum(b.values()))
    return smaller > 0 and sum((a & b).values()) >= SAME_ARTICLE * smaller


class Repository(ArchiveStore, BatchStore, StoryStore, FeedStore, ClaimStore):
    """newsflow's database, one short transaction per call."""

    def __init__(
        self,
        engine: Engine,
        policy: RetryPolicy | None = None,
        stories: StoryOptions | None = None,
    ) -> None:
        super().__init__(engine, policy)
        self.stories = stories or StoryOptions()

    def entries_by_id(self, entry_ids: Sequence[int]) -> list[EntryWork]:
        """Entries still waiting for their page, by id (done ones are left out)."""
        with self._read() as session:
            stmt = select(Entry).where(
                Entry.id.in_(list(entry_ids)), Entry.state.in_(("pending", "failed"))
            )
            return [entry_work(e) for e in session.scalars(stmt.order_by(Entry.id))]

    def store_articles(
        self, items: Sequence[ArticleToStore], now: datetime
    ) -> list[StoreOutcome | SQLAlchemyError]:
        """Store a batch, each article on its own (StoreBase._write_each).

        Exact duplicates join the first copy's story. An article the database refuses
        gets its error back in its place; the others are stored all the same.
        """
        return self._write_each(items, lambda session, item: self._store_one(session, item, now))

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
        entry, canonical_url = item.entry, item.canonical_url
        existing = _article_at(session, canonical_url)
        stand_in = entry.article_id
        if existing is not None and existing.text_source == "page":
            own = canonicalize_url(item.final_url)
            if own != canonical_url and not _same_text(session, existing.id, item.article.text):
                # The page's canonical names a stored article with other text (a template
                # that gives every page one canonical URL): this one keeps the URL it was
                # fetched from, rather than being dropped as a copy.
                return self._store_one(session, replace(item, canonical_url=own), now)
            if stand_in is not None and stand_in != existing.id:
                self._merge_stand_in(session, stand_in, existing.id)
            finish_entry(session, entry.id, existing.id)
            return "duplicate_url"
        if existing is not None:  # a stand-in under this URL, maybe another entry's
            if stand_in is not None and stand_in != existing.id:
                self._merge_stand_in(session, stand_in, existing.id)
            stand_in = existing.id
        if stand_in is not None:
            return self._replace_stand_in(session, stand_in, item, now)
        return self._insert_article(session, item, now)

    def _insert_article(
        self, session: Session, item: ArticleToStore, now: datetime, *, source: str = "page"
    ) -> StoreOutcome:
        entry, article, canonical_url = item.entry, item.article, item.canonical_url
        text_hash = content_hash(article.text)
        # A stand-in never claims a text hash: a summary is not the article.
        owner = hash_owner(session, text_hash) if source == "page" else None
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
                **self._article_values(item, text_hash, now),
                canonical_url=canonical_url,
                feed_id=entry.feed_id,
                story_id=story_id,
                duplicate_of=duplicate_of,
                text_source=source,
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
            if source == "page":
                finish_entry(session, entry.id, winner.id)
            else:
                self._link_stand_in(session, entry.id, winner.id)
            return "duplicate_url"
        if source != "page":
            self._link_stand_in(session, entry.id, article_id)
            return "stored"
        outcome = self._settle(session, article_id, story_id, text_hash, duplicate_of, item, now)
        finish_entry(session, entry.id, article_id)
        if item.archive is not None:
            write_page(session, article_id, item.final_url, item.archive, now)
        return outcome

    def _settle(
        self,
        session: Session,
        article_id: int,
        story_id: int,
        text_hash: str,
        duplicate_of: int | None,
        item: ArticleToStore,
        now: datetime,
    ) -> StoreOutcome:
        """Put a just-stored article in its story: an exact copy's, a near copy's, or its own."""
        return settle_article(
            session,
            article_id,
            story_id,
            text_hash,
            duplicate_of=duplicate_of,
            site=budget_key(item.final_url),
            title=item.article.title or item.entry.title,
            body=item.article.text,
            now=now,
            options=self.stories,
        ).outcome

    def _article_values(
        self, item: ArticleToStore, text_hash: str, now: datetime
    ) -> dict[str, object]:
        article, entry = item.article, item.entry
        return {
            "url": item.final_url,
            "link": entry.url,
            "page_canonical_url": item.page_canonical_url,
            "title": article.title or entry.title,
            "author": article.author or entry.author,
            "published_at": item.published_at,
            "updated_at": item.updated_at,
            "date_source": item.date_source,
            "date_notes": notes_text(item.date_notes),
            "fetched_at": now,
            **page_metadata(article),
            "text": article.text,
            "text_hash": text_hash,
            "extractor": article.extractor_version,
            "method": article.method,
            # A feed's summary is not an extraction: there is nothing to trust or doubt.
            "confidence": None if article.method == FEED_SUMMARY else article.confidence,
            "extracted_at": now,
        }

    def _replace_stand_in(
        self, session: Session, article_id: int, item: ArticleToStore, now: datetime
    ) -> StoreOutcome:
        """The page is here: the feed-summary stand-in becomes the article, in place."""
        text_hash = content_hash(item.article.text)
        story_id = session.execute(
            select(Article.story_id).where(Article.id == article_id)
        ).scalar_one()
        values = self._article_values(item, text_hash, now)
        if _article_at(session, item.canonical_url) is None:
            values["canonical_url"] = item.canonical_url  # the page's, once it is known
        session.execute(
            update(Article)
            .where(Article.id == article_id)
            .values(**values, text_source="page", duplicate_of=None)
        )
        outcome = self._settle(session, article_id, story_id, text_hash, None, item, now)
        finish_entry(session, item.entry.id, article_id)
        if item.archive is not None:
            write_page(session, article_id, item.final_url, item.archive, now)
        # Other entries waiting on the same stand-in now find the page's article.
        return outcome

    def _merge_stand_in(self, session: Session, stand_in: int, article_id: int) -> None:
        """Entries linked to a stand-in point at the real article; the stand-in goes."""
        story_id = session.execute(
            select(Article.story_id).where(Article.id == stand_in, Article.text_source != "page")
        ).scalar()
        if story_id is None:
            return
        session.execute(
            update(Entry).where(Entry.article_id == stand_in).values(article_id=article_id)
        )
        session.execute(delete(Article).where(Article.id == stand_in))
        drop_story_if_empty(session, story_id)

    def _link_stand_in(self, session: Session, entry_id: int, article_id: int) -> None:
        session.execute(update(Entry).where(Entry.id == entry_id).values(article_id=article_id))

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
        """A failed page fetch or extraction: count it, schedule a retry or give up.

        Until the page is fetched (and for good when it is given up), the feed's own
        title and summary stand in for the article, flagged ``text_source = "feed"``.
        """
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
            entry.claimed_until = entry.claimed_by = None
            recorded = FailureRecorded(entry.attempts, when, given_up=when is None)
            if entry.article_id is None:
                self._stand_in(session, entry_work(entry), now)
            return recorded

    def record_not_article(self, entry_id: int, reason: str, now: datetime) -> None:
        """The entry's page is not an article: never fetched again; the feed's summary stays."""
        with self._write() as session:
            entry = session.get_one(Entry, entry_id)
            if entry.state == "done":  # stored meanwhile by another attempt or run
                return
            entry.attempts += 1
            entry.state = "not_article"
            entry.next_attempt_at = None
            entry.last_error = reason
            entry.last_error_kind = "permanent"
            entry.claimed_until = entry.claimed_by = None
            if entry.article_id is None:
                self._stand_in(session, entry_work(entry), now)

    def _stand_in(self, session: Session, entry: EntryWork, now: datetime) -> None:
        text = "\n\n".join(part for part in (entry.title, entry.summary) if part)
        if not text.strip():
            return  # nothing the feed said; the entry's record keeps the link
        existing = _article_at(session, entry.canonical_url)
        if existing is not None:
            self._link_stand_in(session, entry.id, existing.id)
            return
        summary = ExtractedArticle(
            text=text,
            title=entry.title,
            author=entry.author,
            published_at=entry.published_at,
            language=None,
            site_name=None,
            description=None,
            image_url=None,
            tags=(),
            canonical_url=None,
            license=None,
            method=FEED_SUMMARY,
            extractor_version=FEED_SUMMARY,
        )
        item = ArticleToStore(
            entry,
            summary,
            entry.canonical_url,
            entry.url,
            entry.published_at,
            date_source="feed" if entry.published_at is not None else "none",
        )
        with session.begin_nested():
            self._insert_article(session, item, now, source="feed")

    def defer_entries(self, until: Mapping[int, datetime]) -> None:
        """Put pages off (entry id -> when) without counting an attempt: their host said wait."""
        with self._write() as session:
            for entry_id, when in until.items():
                session.execute(
                    update(Entry)
                    .where(Entry.id == entry_id, Entry.state.in_(("pending", "failed")))
                    .values(next_attempt_at=when, **RELEASED)
                )
