"""The near-duplicate index in the database: band keys, signatures and site line counts.

Tables (storage/models.py): ``lsh_bands`` (band key, article id: one row per LSH band
of an article's signatures), ``signatures`` (each indexed article's fingerprint, with
its site and when it was indexed) and ``site_lines`` (how many of a site's articles
carry a line, and when one last did). Every run, process and machine shares them.
What counts as a match, and what a match does, is storage/stories.py.

The statements are built once on the tables (not the mapped classes) and take their
values as parameters: SQLAlchemy then reuses the compiled SQL, and the ORM's
per-statement work (about a quarter of a millisecond each) is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.orm import Session

from extractors.neardup import DedupOptions, Fingerprint, band_keys
from storage.base import chunks, insert_for
from storage.models import Article, BandKey, Signature, SiteLine

#: Candidates verified per article at most: a template shared by thousands of
#: articles must not make one insert verify them all.
MAX_CANDIDATES = 200

_BANDS = cast(Table, BandKey.__table__)
_SIGNATURES = cast(Table, Signature.__table__)
_ARTICLES = cast(Table, Article.__table__)
_SITE_LINES = cast(Table, SiteLine.__table__)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An indexed article sharing a band key with the one being placed."""

    article_id: int
    story_id: int
    site: str
    fingerprint: bytes


#: Articles sharing most keys first (the closest), then the newest.
_CANDIDATE_IDS = (
    select(_BANDS.c.article_id)
    .where(
        _BANDS.c.band_key.in_(bindparam("keys", expanding=True)),
        _BANDS.c.article_id != bindparam("article_id"),
    )
    .group_by(_BANDS.c.article_id)
    .order_by(func.count().desc(), _BANDS.c.article_id.desc())
    .limit(bindparam("limit"))
    .subquery()
)
_CANDIDATES = (
    select(
        _SIGNATURES.c.article_id,
        _ARTICLES.c.story_id,
        _SIGNATURES.c.site,
        _SIGNATURES.c.fingerprint,
    )
    .join(_ARTICLES, _ARTICLES.c.id == _SIGNATURES.c.article_id)
    .where(_SIGNATURES.c.article_id.in_(select(_CANDIDATE_IDS.c.article_id)))
)


def find_candidates(session: Session, keys: Sequence[int], article_id: int) -> list[Candidate]:
    """Indexed articles sharing a band key with these keys (the article itself aside)."""
    if not keys:
        return []
    # A single-column IN list is planned as index point lookups (SQLite and PostgreSQL
    # alike); row values with VALUES would be a full scan on SQLite.
    rows = session.connection().execute(
        _CANDIDATES, {"keys": list(keys), "article_id": article_id, "limit": MAX_CANDIDATES}
    )
    return [Candidate(row[0], row[1], row[2], row[3]) for row in rows]


def index_article(
    session: Session,
    article_id: int,
    site: str,
    mark: Fingerprint,
    keys: Sequence[int],
    now: datetime,
) -> None:
    """Store an article's fingerprint and its band keys."""
    connection = session.connection()
    connection.execute(
        _SIGNATURES.insert(),
        {"article_id": article_id, "site": site, "fingerprint": mark.to_bytes(), "created_at": now},
    )
    if keys:
        connection.execute(
            _BANDS.insert(), [{"band_key": key, "article_id": article_id} for key in keys]
        )


def unindex_articles(session: Session, article_ids: Sequence[int], options: DedupOptions) -> int:
    """Remove articles' band rows and signatures; return the band rows removed.

    The band rows are found from the stored fingerprints (their keys are a function of
    them), one primary-key lookup each: the band table needs no index of its own.
    """
    connection = session.connection()
    removed = 0
    for part in chunks(article_ids):
        rows = connection.execute(
            select(_SIGNATURES.c.article_id, _SIGNATURES.c.fingerprint).where(
                _SIGNATURES.c.article_id.in_(list(part))
            )
        ).all()
        params = [
            {"key": key, "article_id": row[0]}
            for row in rows
            for key in set(band_keys(Fingerprint.from_bytes(row[1]), options))
        ]
        if params:
            result: Any = connection.execute(
                _BANDS.delete().where(
                    _BANDS.c.band_key == bindparam("key"),
                    _BANDS.c.article_id == bindparam("article_id"),
                ),
                params,
            )
            removed += int(result.rowcount or 0)
        connection.execute(_SIGNATURES.delete().where(_SIGNATURES.c.article_id.in_(list(part))))
    return removed


def count_lines(
    session: Session, site: str, hashes: Sequence[int], now: datetime, least: int
) -> frozenset[int]:
    """Count the article's lines for its site; return those that are the site's boilerplate."""
    if not hashes:
        return frozenset()
    stmt = insert_for(session, SiteLine)
    session.connection().execute(
        stmt.on_conflict_do_update(
            index_elements=["site", "line_hash"],
            set_={"count": _SITE_LINES.c.count + 1, "seen_at": stmt.excluded.seen_at},
        ),
        [{"site": site, "line_hash": value, "count": 1, "seen_at": now} for value in hashes],
    )
    return common_lines(session, site, hashes, least)


_COMMON_LINES = select(_SITE_LINES.c.line_hash).where(
    _SITE_LINES.c.site == bindparam("site"),
    _SITE_LINES.c.line_hash.in_(bindparam("hashes", expanding=True)),
    _SITE_LINES.c.count >= bindparam("least"),
)


def common_lines(session: Session, site: str, hashes: Sequence[int], least: int) -> frozenset[int]:
    """Which of these line hashes the site has used in ``least`` articles or more."""
    common: set[int] = set()
    for part in chunks(hashes):
        common.update(
            session.connection().scalars(
                _COMMON_LINES,
                {"site": site, "hashes": list(part), "least": least},
            )
        )
    return frozenset(common)


def lock_keys(session: Session, keys: Sequence[int]) -> None:
    """PostgreSQL: hold every band key until commit, so a copy stored meanwhile is seen."""
    if session.get_bind().dialect.name != "postgresql" or not keys:
        return
    # One statement, keys in order: two writers that share keys take them in the same order.
    session.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
        {"keys": list(keys)},
    )


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one pass of ``prune_index`` removed."""

    articles: int  # articles taken out of the index (signature and band rows)
    band_rows: int
    site_lines: int  # line counts no article had used since the window began

    def __bool__(self) -> bool:
        return bool(self.articles or self.site_lines)


def prune_index(
    session: Session, before: datetime, options: DedupOptions, *, chunk: int = 500
) -> Pruned:
    """Unindex up to ``chunk`` articles fingerprinted before ``before``, forget stale lines.

    Callers repeat it, one transaction each, until it removes nothing.
    """
    ids = session.scalars(
        select(_SIGNATURES.c.article_id)
        .where(_SIGNATURES.c.created_at < before)
        .order_by(_SIGNATURES.c.created_at)
        .limit(chunk)
    ).all()
    removed = unindex_articles(session, ids, options)
    stale = (
        select(_SITE_LINES.c.site, _SITE_LINES.c.line_hash)
        .where(_SITE_LINES.c.seen_at < before)
        .limit(chunk * 40)
    )
    lines = session.connection().execute(stale).all()
    if lines:
        session.connection().execute(
            _SITE_LINES.delete().where(
                _SITE_LINES.c.site == bindparam("s"), _SITE_LINES.c.line_hash == bindparam("h")
            ),
            [{"s": row[0], "h": row[1]} for row in lines],
        )
    return Pruned(len(ids), removed, len(lines))
