"""The raw HTML archive (the pages table) and re-extraction from it.

A page is archived in the transaction that stores its article (repository.py),
pruned once older than NEWSFLOW_ARCHIVE_DAYS, and read back in keyset order to
extract it again with the current extractor. Applying a re-extraction rebuilds an
article's text and metadata, moves its content-hash claim and fingerprints the new
text for the story index; it never changes the article's story or what it is a copy
of, and never adds an article, story or entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from extractors.fingerprints import content_hash
from extractors.urls import budget_key
from storage.base import StoreBase, insert_for, notes_text, page_metadata
from storage.models import Article, ContentHash, Entry, Page
from storage.records import ArchivedPage, PageArchive, Reextracted, ReextractOutcome
from storage.stories import StoryOptions, reindex_article

#: The article columns a re-extraction may rewrite (canonical_url aside).
_REBUILT = (
    "text",
    "text_hash",
    "title",
    "author",
    "published_at",
    "updated_at",
    "date_source",
    "date_notes",
    "language",
    "language_source",
    "site_name",
    "description",
    "image_url",
    "tags",
    "license",
    "page_canonical_url",
    "method",
    "confidence",
    "extractor",
)


def write_page(
    session: Session, article_id: int, url: str, archive: PageArchive, now: datetime
) -> None:
    """Archive an article's page, replacing what was archived for it before."""
    values: dict[str, Any] = {
        "url": url,
        "fetched_at": now,
        "content_type": archive.content_type,
        "charset": archive.charset,
        "encoding": archive.encoding,
        "body": archive.body,
        "size": archive.size,
    }
    session.execute(
        insert_for(session, Page)
        .values(article_id=article_id, **values)
        .on_conflict_do_update(index_elements=["article_id"], set_=values)
    )


def _rebuilt_values(current: Any, item: Reextracted) -> dict[str, Any]:
    article = item.article
    return {
        "text": article.text,
        "text_hash": content_hash(article.text),
        # As when stored: the page's title and author, else what is there (the feed's).
        "title": article.title or current.title,
        "author": article.author or current.author,
        "published_at": item.published_at,
        "updated_at": item.updated_at,
        "date_source": item.date_source,
        "date_notes": notes_text(item.date_notes),
        **page_metadata(article),
        "page_canonical_url": article.canonical_url,
        "method": article.method,
        "confidence": article.confidence,
        "extractor": article.extractor_version,
    }


class ArchiveStore(StoreBase):
    """Archived pages: pruning, reading back, and applying what extracting them again gave."""

    stories: StoryOptions

    def prune_archive(self, before: datetime, *, chunk: int = 1000) -> int:
        """Delete pages archived before ``before``, ``chunk`` per transaction; how many."""
        deleted = 0
        while True:
            with self._write() as session:
                ids = session.scalars(
                    select(Page.article_id)
                    .where(Page.fetched_at < before)
                    .order_by(Page.article_id)
                    .limit(chunk)
                ).all()
                if ids:
                    session.execute(delete(Page).where(Page.article_id.in_(ids)))
            deleted += len(ids)
            if len(ids) < chunk:
                return deleted

    def archived_pages(
        self,
        since: datetime | None,
        feed_id: int | None,
        after_id: int,
        limit: int,
    ) -> list[ArchivedPage]:
        """Up to ``limit`` archived pages with article ids above ``after_id``, in id order.

        ``since``: only pages fetched at or after it; ``feed_id``: only articles one of
        that feed's entries led to.
        """
        feed_date = (
            select(func.min(Entry.published_at))
            .where(Entry.article_id == Page.article_id)
            .correlate(Page)
            .scalar_subquery()
        )
        feed_summary = (
            select(Entry.summary)
            .where(Entry.article_id == Page.article_id)
            .order_by(Entry.id)
            .limit(1)
            .correlate(Page)
            .scalar_subquery()
        )
        stmt = (
            select(
                Page.article_id,
                Page.url,
                Page.fetched_at,
                Page.content_type,
                Page.charset,
                Page.encoding,
                Page.body,
                Page.size,
                feed_date.label("feed_published_at"),
                feed_summary.label("feed_summary"),
            )
            .where(Page.article_id > after_id)
            .order_by(Page.article_id)
            .limit(limit)
        )
        if since is not None:
            stmt = stmt.where(Page.fetched_at >= since)
        if feed_id is not None:
            stmt = stmt.where(
                exists().where(Entry.article_id == Page.article_id, Entry.feed_id == feed_id)
            )
        with self._read() as session:
            return [ArchivedPage(**row._mapping) for row in session.execute(stmt)]

    def apply_reextraction(
        self, results: Sequence[Reextracted], now: datetime
    ) -> list[ReextractOutcome | SQLAlchemyError]:
        """Apply a batch of re-extractions, each on its own (StoreBase._write_each)."""
        return self._write_each(results, lambda session, item: self._apply_one(session, item, now))

    def _apply_one(self, session: Session, item: Reextracted, now: datetime) -> ReextractOutcome:
        columns = [getattr(Article, name) for name in ("canonical_url", "url", *_REBUILT)]
        current = session.execute(
            select(Article.id, *columns).where(Article.id == item.article_id)
        ).first()
        if current is None:
            return ReextractOutcome(item.article_id, "missing")
        wanted = _rebuilt_values(current, item)
        identity_kept = False
        if item.canonical_url != current.canonical_url:
            holder = session.scalar(
                select(Article.id).where(Article.canonical_url == item.canonical_url)
            )
            if holder is None:
                wanted["canonical_url"] = item.canonical_url
            else:
                identity_kept = True  # two articles never share an identity
        changed = {name: value for name, value in wanted.items() if current._mapping[name] != value}
        if not changed:
            return ReextractOutcome(item.article_id, "unchanged", identity_kept)
        if "text_hash" in changed:
            # The claim follows the text: the old one goes, the new one is taken if free.
            # story_id and duplicate_of stay: the story links people may rely on hold.
            session.execute(delete(ContentHash).where(ContentHash.article_id == item.article_id))
            session.execute(
                insert_for(session, ContentHash)
                .values(text_hash=changed["text_hash"], article_id=item.article_id)
                .on_conflict_do_nothing(index_elements=["text_hash"])
            )
        session.execute(
            update(Article).where(Article.id == item.article_id).values(**changed, extracted_at=now)
        )
        if "text" in changed:
            # Later copies must meet the new text; the story stays (see reindex_article).
            reindex_article(
                session,
                item.article_id,
                site=budget_key(current.url),
                title=wanted["title"],
                body=wanted["text"],
                now=now,
                options=self.stories,
            )
        return ReextractOutcome(item.article_id, "updated", identity_kept)
