"""Stories: near-duplicate matching through an LSH index kept in the database.

Every stored article is placed in one story, inside the transaction that stores it:

1. its lines are counted for its site (``site_lines``); lines the site has used in
   ``boilerplate_min`` articles or more are its boilerplate and are left out;
2. the rest is fingerprinted (extractors.neardup: MinHash of the text and of its
   opening, and the numbers it states);
3. its band keys are looked up in ``lsh_bands`` (one indexed point lookup per key),
   each candidate is verified (extractors.neardup.compare), and the article joins the
   story of its best verified match, recorded in ``story_evidence``; with no match it
   keeps the story it was given. Stories are never merged transitively here.

Two copies arriving at once must meet: on PostgreSQL the transaction takes an advisory
lock per band key (sorted, so two writers never wait on each other in a circle); on
SQLite every write transaction is BEGIN IMMEDIATE (storage/engine.py), one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, exists, func, select, text, update
from sqlalchemy.orm import Session

from extractors.combine import without_furniture
from extractors.neardup import (
    DedupOptions,
    Evidence,
    Fingerprint,
    band_keys,
    compare,
    fingerprint,
    line_hashes,
    strip_boilerplate,
)
from storage.base import chunks, insert_for
from storage.models import (
    Article,
    BandKey,
    ContentHash,
    Signature,
    SiteLine,
    Story,
    StoryEvidence,
)
from storage.records import StoreOutcome

#: Candidates verified per article at most, newest first: a template shared by
#: thousands of articles must not make one insert verify them all.
MAX_CANDIDATES = 200


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """How articles are matched into stories."""

    dedup: DedupOptions = field(default_factory=DedupOptions)
    #: A line seen in this many of a site's articles is that site's boilerplate.
    boilerplate_min: int = 3
    #: Similarity two articles of the same site need: one site's articles share its
    #: template, which the line counts only learn after a few articles, and a site
    #: seldom publishes one story twice; copies of a story come from other sites.
    same_site_threshold: float = 0.9
    #: Similarity short items (a brief, a title and snippet) need: in so few words a
    #: shared template ("the farmers market moves to ... Street") weighs too much.
    short_threshold: float = 0.8


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article went: the story, and the match that put it there (if any)."""

    story_id: int
    matched_id: int | None = None
    evidence: Evidence | None = None


def place_article(
    session: Session,
    article_id: int,
    story_id: int,
    *,
    site: str,
    title: str | None,
    body: str,
    now: datetime,
    options: StoryOptions,
) -> Placement:
    """Index a just-stored article and move it to the story of its best verified match."""
    hashes = sorted(set(line_hashes(body)))
    common = _count_lines(session, site, hashes, now, options.boilerplate_min)
    mark = _fingerprint(title, body, common, options)
    keys = sorted(set(band_keys(mark, options.dedup)))
    _lock(session, keys)
    best: tuple[int, int, Evidence] | None = None
    for candidate in find_candidates(session, keys, article_id):
        evidence = compare(mark, Fingerprint.from_bytes(candidate.fingerprint), options.dedup)
        if evidence is None or evidence.similarity < _needed(
            evidence, candidate.site == site, options
        ):
            continue
        if best is None or evidence.similarity > best[2].similarity:
            best = (candidate.article_id, candidate.story_id, evidence)
    index_article(session, article_id, site, mark, keys, now)
    if best is None:
        return Placement(story_id)
    matched_id, matched_story, evidence = best
    join_story(session, article_id, story_id, matched_story)
    record_evidence(session, article_id, matched_id, evidence.kind, evidence.similarity, now)
    return Placement(matched_story, matched_id, evidence)


@dataclass(frozen=True, slots=True)
class Settled:
    """Where a just-written article went, and why."""

    outcome: StoreOutcome  # "stored" (a story of its own), "duplicate_content", "near_duplicate"
    story_id: int
    matched_id: int | None = None  # the article it was matched to
    kind: str | None = None  # "exact", "near_duplicate", "lede", "short"
    similarity: float | None = None


def settle_article(
    session: Session,
    article_id: int,
    story_id: int,
    text_hash: str,
    *,
    duplicate_of: int | None,
    site: str,
    title: str | None,
    body: str,
    now: datetime,
    options: StoryOptions,
) -> Settled:
    """Put a just-written article in its story: an exact copy's, a near copy's, or its own.

    The one path every stored article takes (fetched pages, a stand-in's page, batch
    documents): the text-hash claim first, then the near-duplicate index.
    ``duplicate_of``: the copy it was written as (its text's owner, seen beforehand).
    """
    if duplicate_of is None and join_first_copy(session, article_id, text_hash, story_id) == (
        "stored"
    ):
        placed = place_article(
            session,
            article_id,
            story_id,
            site=site,
            title=title,
            body=body,
            now=now,
            options=options,
        )
        if placed.evidence is None:
            return Settled("stored", story_id)
        return Settled(
            "near_duplicate",
            placed.story_id,
            placed.matched_id,
            placed.evidence.kind,
            placed.evidence.similarity,
        )
    first, first_story = session.execute(
        select(Article.duplicate_of, Article.story_id).where(Article.id == article_id)
    ).one()
    assert first is not None  # join_first_copy made it a copy, or it was written as one
    record_evidence(session, article_id, first, "exact", 1.0, now)
    return Settled("duplicate_content", first_story, first, "exact", 1.0)


def reindex_article(
    session: Session,
    article_id: int,
    *,
    site: str,
    title: str | None,
    body: str,
    now: datetime,
    options: StoryOptions,
) -> None:
    """Fingerprint an article's new text in place of its old one; its story stays.

    For re-extraction: the article keeps its story (links to it hold), and copies that
    arrive later meet its new text. Its lines are not counted again (they were, once).
    """
    old = session.execute(
        select(_SIGNATURES.c.site, _SIGNATURES.c.created_at).where(
            _SIGNATURES.c.article_id == article_id
        )
    ).first()
    if old is not None:
        site = old.site
        unindex_articles(session, [article_id], options)
    hashes = sorted(set(line_hashes(body)))
    mark = _fingerprint(title, body, _common_lines(session, site, hashes, options), options)
    keys = sorted(set(band_keys(mark, options.dedup)))
    _lock(session, keys)
    index_article(session, article_id, site, mark, keys, old.created_at if old else now)


def _fingerprint(
    title: str | None, body: str, common: frozenset[int], options: StoryOptions
) -> Fingerprint:
    kept = without_furniture(strip_boilerplate(body, common), "")
    return fingerprint(title, kept, options.dedup)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An indexed article sharing a band key with the one being placed."""

    article_id: int
    story_id: int
    site: str
    fingerprint: bytes


# The index statements are built once on the tables (not the mapped classes) and take
# their values as parameters: SQLAlchemy then reuses the compiled SQL, and the ORM's
# per-statement work (a quarter of a millisecond each) is skipped.
_BANDS = cast(Table, BandKey.__table__)
_SIGNATURES = cast(Table, Signature.__table__)
_ARTICLES = cast(Table, Article.__table__)
_SITE_LINES = cast(Table, SiteLine.__table__)

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


def unindex_articles(session: Session, article_ids: Sequence[int], options: StoryOptions) -> int:
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
            for key in set(band_keys(Fingerprint.from_bytes(row[1]), options.dedup))
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


def hash_owner(session: Session, text_hash: str) -> Row[int, int] | None:
    """(id, story_id) of the first article stored with a normalised-text hash."""
    return session.execute(
        select(Article.id, Article.story_id)
        .join(ContentHash, ContentHash.article_id == Article.id)
        .where(ContentHash.text_hash == text_hash)
    ).first()


def drop_story_if_empty(session: Session, story_id: int) -> None:
    """Delete a story nothing belongs to any more."""
    session.execute(
        delete(Story).where(Story.id == story_id, ~exists().where(Article.story_id == story_id))
    )


def join_first_copy(
    session: Session, article_id: int, text_hash: str, story_id: int
) -> StoreOutcome:
    """Claim the text hash for a just-written article, or make it a copy of its owner."""
    claimed = session.execute(
        insert_for(session, ContentHash)
        .values(text_hash=text_hash, article_id=article_id)
        .on_conflict_do_nothing(index_elements=["text_hash"])
        .returning(ContentHash.article_id)
    ).scalar()
    if claimed is not None:
        return "stored"
    # Another article (maybe another run's, a moment ago) has this text: join it.
    first = hash_owner(session, text_hash)
    assert first is not None
    session.execute(
        update(Article)
        .where(Article.id == article_id)
        .values(story_id=first.story_id, duplicate_of=first.id)
    )
    drop_story_if_empty(session, story_id)
    return "duplicate_content"


def _needed(evidence: Evidence, same_site: bool, options: StoryOptions) -> float:
    """The similarity this kind of match needs beyond compare's own thresholds."""
    needed = options.short_threshold if evidence.kind == "short" else 0.0
    return max(needed, options.same_site_threshold) if same_site else needed


def join_story(session: Session, article_id: int, old_story: int, new_story: int) -> None:
    """Move an article to another story; its old story goes if nothing is left in it."""
    if old_story == new_story:
        return
    session.execute(update(Article).where(Article.id == article_id).values(story_id=new_story))
    drop_story_if_empty(session, old_story)


def record_evidence(
    session: Session,
    article_id: int,
    matched_id: int,
    kind: str,
    similarity: float,
    now: datetime,
) -> None:
    """Keep the match that explains an article's place in its story."""
    session.execute(
        insert_for(session, StoryEvidence)
        .values(
            article_id=article_id,
            matched_id=matched_id,
            kind=kind,
            similarity=round(similarity, 4),
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["article_id", "matched_id"])
    )


def _count_lines(
    session: Session, site: str, hashes: Sequence[int], now: datetime, boilerplate_min: int
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
    return _common_lines(session, site, hashes, StoryOptions(boilerplate_min=boilerplate_min))


_COMMON_LINES = select(_SITE_LINES.c.line_hash).where(
    _SITE_LINES.c.site == bindparam("site"),
    _SITE_LINES.c.line_hash.in_(bindparam("hashes", expanding=True)),
    _SITE_LINES.c.count >= bindparam("least"),
)


def _common_lines(
    session: Session, site: str, hashes: Sequence[int], options: StoryOptions
) -> frozenset[int]:
    """Which of these line hashes are the site's boilerplate."""
    common: set[int] = set()
    for part in chunks(hashes):
        common.update(
            session.connection().scalars(
                _COMMON_LINES,
                {"site": site, "hashes": list(part), "least": options.boilerplate_min},
            )
        )
    return frozenset(common)


def _lock(session: Session, keys: Sequence[int]) -> None:
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
    session: Session, before: datetime, options: StoryOptions, *, chunk: int = 500
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
