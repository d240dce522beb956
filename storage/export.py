"""Articles as plain dicts for `newsflow export`: the stable interface other tools read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from storage.engine import READ_ONLY
from storage.models import Article, Feed

#: The export's fields, in order. Documented in README.md; add fields, never rename.
EXPORT_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "feed_url",
    "title",
    "author",
    "published_at",
    "fetched_at",
    "language",
    "site_name",
    "description",
    "image_url",
    "text",
    "story_id",
    "duplicate_of",
    "text_source",
    "link",
    "page_canonical_url",
    "updated_at",
    "date_source",
    "date_notes",
    "language_source",
    "method",
    "confidence",
    "tags",
    "license",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def iter_articles(
    engine: Engine, *, since: datetime | None = None, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """Every article fetched at or after ``since`` (all without it), oldest first."""
    columns = [
        Feed.url.label("feed_url") if name == "feed_url" else getattr(Article, name)
        for name in EXPORT_FIELDS
    ]
    stmt = (
        select(*columns)
        .outerjoin(Feed, Feed.id == Article.feed_id)
        .order_by(Article.id)
        .execution_options(yield_per=batch)
    )
    if since is not None:
        stmt = stmt.where(Article.fetched_at >= since)
    with engine.connect().execution_options(**READ_ONLY) as connection:
        for row in connection.execute(stmt):
            record = dict(row._mapping)
            for name in ("published_at", "fetched_at", "updated_at"):
                record[name] = _iso(record[name])
            record["tags"] = json.loads(record["tags"]) if record["tags"] else []
            # Stored one note per line: the notes themselves contain "; ".
            notes = record["date_notes"]
            record["date_notes"] = notes.splitlines() if notes else []
            yield record
