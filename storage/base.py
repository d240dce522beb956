"""What every store shares: short transactions, dialect-aware inserts, chunking."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from extractors.articles import Article as ExtractedArticle
from storage.engine import READ_ONLY
from storage.models import Base, Entry
from storage.policy import RetryPolicy

T = TypeVar("T")
R = TypeVar("R")

#: The columns of a feed or entry no run holds (storage/claims.py).
RELEASED: dict[str, Any] = {"claimed_until": None, "claimed_by": None}

#: Rows per IN (...) list: well under SQLite's 32,766 bound parameters.
_CHUNK = 500


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def notes_text(notes: Sequence[str]) -> str | None:
    """Date notes as stored: one per line (a note may hold a semicolon); None for none."""
    return "\n".join(notes) or None


def tags_text(tags: Sequence[str]) -> str:
    """Tags as stored: a JSON list of strings."""
    return json.dumps(list(tags), ensure_ascii=False)


def page_metadata(article: ExtractedArticle) -> dict[str, object]:
    """The article columns the page's metadata decides: storing and re-extraction alike."""
    return {
        "language": article.language,
        "language_source": article.language_source,
        "site_name": article.site_name,
        "description": article.description,
        "image_url": article.image_url,
        "tags": tags_text(article.tags),
        "license": article.license,
    }


def finish_entry(session: Session, entry_id: int, article_id: int) -> None:
    """An entry whose article is stored: done, nothing left to retry."""
    session.execute(
        update(Entry)
        .where(Entry.id == entry_id)
        .values(
            state="done",
            article_id=article_id,
            next_attempt_at=None,
            last_error=None,
            last_error_kind=None,
            **RELEASED,
        )
    )


def insert_for(bind: Session | Connection, model: type[Base]) -> Any:
    """INSERT with ON CONFLICT support for the dialect of a session or connection.

    Built on the table, not the mapped class: an ORM-enabled insert goes through
    SQLAlchemy's bulk-persistence layer, a tenth of the cost of storing an article.
    """
    dialect = bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect
    module = postgresql if dialect.name == "postgresql" else sqlite
    return module.insert(model.__table__)


class StoreBase:
    """One short transaction per call."""

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
        return insert_for(session, model)

    def _write_each(
        self, items: Sequence[T], write: Callable[[Session, T], R]
    ) -> list[R | SQLAlchemyError]:
        """Write each item on its own; a refused item gets its error, the others are written.

        SQLite: one transaction, a savepoint per item (writers take turns anyway, and
        one commit for the lot is cheaper). PostgreSQL: a transaction per item, since a
        transaction keeps its row and advisory locks until it ends: two runs storing
        batches at once, each holding an earlier article's locks while it waits for a
        lock the other holds, would deadlock (copies of one text in both batches do it).
        """
        results: list[R | SQLAlchemyError] = []
        if self.engine.dialect.name == "postgresql":
            for item in items:
                try:
                    with self._write() as session:
                        results.append(write(session, item))
                except SQLAlchemyError as exc:
                    results.append(exc)
            return results
        with self._write() as session:
            for item in items:
                try:
                    with session.begin_nested():
                        results.append(write(session, item))
                except SQLAlchemyError as exc:
                    results.append(exc)
        return results
