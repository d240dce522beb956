"""Documents from outside any feed (``newsflow dedup``), stored and placed in stories.

The same path as fetched articles: the same tables, the same exact-text claims and the
same shared near-duplicate index, so a batch run and the ingest runs meet each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from extractors.fingerprints import content_hash
from extractors.urls import budget_key
from storage.base import StoreBase, insert_for, tags_text
from storage.models import Article, Story
from storage.stories import StoryOptions, hash_owner, settle_article

#: The identity of a document given without a URL.
URN = "urn:newsflow:document:"
#: The method recorded on documents: their text came as it is.
METHOD = "document"


@dataclass(frozen=True, slots=True)
class Document:
    """One input line of ``newsflow dedup``."""

    id: str
    text: str
    url: str | None = None
    site: str | None = None
    title: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a document went: its article, story, and the copy it matched (if any)."""

    article_id: int
    story_id: int
    duplicate_of: int | None  # the article it matched (exact or near), None: a new story
    similarity: float | None
    kind: str | None  # "exact", "near_duplicate", "lede", "short", "same_url"


class BatchStore(StoreBase):
    """Adds documents in batches, each document on its own (StoreBase._write_each)."""

    stories: StoryOptions

    def add_documents(self, documents: Sequence[Document], now: datetime) -> list[Placed]:
        """Store documents in order and place each in a story; a known one is found again."""
        results = self._write_each(
            documents, lambda session, document: self._add_one(session, document, now)
        )
        placed: list[Placed] = []
        for document, result in zip(documents, results, strict=True):
            if not isinstance(result, Placed):
                raise RuntimeError(f"dedup: document {document.id} was refused: {result}")
            placed.append(result)
        return placed

    def _add_one(self, session: Any, document: Document, now: datetime) -> Placed:
        identity = document.url or f"{URN}{document.id}"
        known = session.execute(
            select(Article.id, Article.story_id).where(Article.canonical_url == identity)
        ).first()
        if known is not None:  # a rerun of the same input: nothing is added
            return Placed(known.id, known.story_id, None, None, "same_url")
        text_hash = content_hash(document.text)
        owner = hash_owner(session, text_hash)
        if owner is not None:
            story_id, duplicate_of = owner.story_id, owner.id
        else:
            story_id = session.execute(
                insert_for(session, Story)
                .values(created_at=now, title=document.title)
                .returning(Story.id)
            ).scalar_one()
            duplicate_of = None
        article_id = session.execute(
            insert_for(session, Article)
            .values(
                canonical_url=identity,
                url=identity,
                feed_id=None,
                title=document.title,
                published_at=document.published_at,
                fetched_at=now,
                site_name=document.site,
                text=document.text,
                text_hash=text_hash,
                story_id=story_id,
                duplicate_of=duplicate_of,
                extractor=METHOD,
                method=METHOD,
                text_source="page",
                tags=tags_text(()),
                extracted_at=now,
            )
            .returning(Article.id)
        ).scalar_one()
        site = document.site or (budget_key(document.url) if document.url else "")
        settled = settle_article(
            session,
            article_id,
            story_id,
            text_hash,
            duplicate_of=duplicate_of,
            site=site,
            title=document.title,
            body=document.text,
            now=now,
            options=self.stories,
        )
        return Placed(
            article_id, settled.story_id, settled.matched_id, settled.similarity, settled.kind
        )
