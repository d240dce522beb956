"""Stories as people read them: `newsflow stories list` and `stories show ID`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select

from storage.base import StoreBase
from storage.lsh import prune_index
from storage.models import Article, Story, StoryEvidence
from storage.stories import StoryOptions


@dataclass(frozen=True, slots=True)
class StoryLine:
    """A story in a list: its size and when it last grew."""

    id: int
    title: str | None
    created_at: datetime
    articles: int
    sites: int
    latest_at: datetime


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """An article of a story, and the match that put it there."""

    id: int
    title: str | None
    url: str
    site: str | None
    published_at: datetime | None
    fetched_at: datetime
    matched_id: int | None
    kind: str | None  # exact, near_duplicate, lede, short; None: the story's first article
    similarity: float | None


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """A story with every article and the evidence for each."""

    id: int
    title: str | None
    created_at: datetime
    articles: tuple[StoryArticle, ...]


class StoryStore(StoreBase):
    """Reads of stories and their evidence."""

    stories: StoryOptions

    def list_stories(
        self, *, since: datetime | None = None, limit: int = 50, min_articles: int = 1
    ) -> list[StoryLine]:
        """Stories that grew since ``since``, latest first."""
        latest = func.max(Article.fetched_at)
        stmt = (
            select(
                Story.id,
                Story.title,
                Story.created_at,
                func.count(Article.id),
                func.count(func.distinct(Article.site_name)),
                latest,
            )
            .join(Article, Article.story_id == Story.id)
            .group_by(Story.id, Story.title, Story.created_at)
            .having(func.count(Article.id) >= min_articles)
            .order_by(latest.desc(), Story.id.desc())
            .limit(limit)
        )
        if since is not None:
            stmt = stmt.having(latest >= since)
        with self._read() as session:
            return [StoryLine(*row) for row in session.execute(stmt)]

    def story(self, story_id: int) -> StoryDetail | None:
        """One story, its articles in the order they came, with their evidence."""
        with self._read() as session:
            head = session.execute(
                select(Story.id, Story.title, Story.created_at).where(Story.id == story_id)
            ).first()
            if head is None:
                return None
            rows = session.execute(
                select(
                    Article.id,
                    Article.title,
                    Article.url,
                    Article.site_name,
                    Article.published_at,
                    Article.fetched_at,
                    StoryEvidence.matched_id,
                    StoryEvidence.kind,
                    StoryEvidence.similarity,
                )
                .outerjoin(StoryEvidence, StoryEvidence.article_id == Article.id)
                .where(Article.story_id == story_id)
                .order_by(Article.id)
            )
            articles = tuple(StoryArticle(*row) for row in rows)
        return StoryDetail(head.id, head.title, head.created_at, articles)

    def prune_story_index(self, before: datetime) -> int:
        """Drop the index entries of articles stored before ``before``; band rows removed.

        Site line counts no article has used since ``before`` go too. One transaction per
        chunk, so a long prune never holds the write lock for long.
        """
        band_rows = 0
        while True:
            with self._write() as session:
                pruned = prune_index(session, before, self.stories.dedup)
            band_rows += pruned.band_rows
            if not pruned:
                return band_rows

    def stories_touched(self, since: datetime) -> int:
        """Stories that gained an article (a fetched page) since ``since``."""
        with self._read() as session:
            return int(
                session.scalar(
                    select(func.count(distinct(Article.story_id))).where(
                        Article.fetched_at >= since, Article.text_source == "page"
                    )
                )
                or 0
            )

    def article_urls(self, article_ids: list[int]) -> dict[int, str]:
        """Canonical URLs of articles by id."""
        with self._read() as session:
            rows = session.execute(
                select(Article.id, Article.canonical_url).where(Article.id.in_(article_ids))
            )
            return {row[0]: row[1] for row in rows}
