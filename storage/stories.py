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
from typing import Any

from sqlalchemy import Row, delete, exists, func, select, text, update
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
    common = _count_lines(session, site, hashes, options.boilerplate_min)
    kept = without_furniture(strip_boilerplate(body, common), "")
    mark = fingerprint(title, kept, options.dedup)
    keys = sorted(set(band_keys(mark, options.dedup)))
    _lock(session, keys)
    best: tuple[int, int, Evidence] | None = None
    for candidate_id, candidate_story, candidate_site, data in _candidates(
        session, keys, article_id
    ):
        evidence = compare(mark, Fingerprint.from_bytes(data), options.dedup)
        if evidence is not None and evidence.similarity < _needed(
            evidence, candidate_site == site, options
        ):
            continue
        if evidence is not None and (best is None or evidence.similarity > best[2].similarity):
            best = (candidate_id, candidate_story, evidence)
    session.execute(
        insert_for(session, Signature).values(
            article_id=article_id, site=site, fingerprint=mark.to_bytes(), created_at=now
        )
    )
    if keys:
        session.execute(
            insert_for(session, BandKey).on_conflict_do_nothing(),
            [{"band_key": key, "article_id": article_id, "created_at": now} for key in keys],
        )
    if best is None:
        return Placement(story_id)
    matched_id, matched_story, evidence = best
    join_story(session, article_id, story_id, matched_story)
    record_evidence(session, article_id, matched_id, evidence.kind, evidence.similarity, now)
    return Placement(matched_story, matched_id, evidence)


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
    session: Session, site: str, hashes: Sequence[int], boilerplate_min: int
) -> frozenset[int]:
    """Count the article's lines for its site; return those that are the site's boilerplate."""
    if not hashes:
        return frozenset()
    stmt = insert_for(session, SiteLine)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["site", "line_hash"], set_={"count": SiteLine.count + 1}
        ),
        [{"site": site, "line_hash": value, "count": 1} for value in hashes],
    )
    common: set[int] = set()
    for part in chunks(hashes):
        common.update(
            session.scalars(
                select(SiteLine.line_hash).where(
                    SiteLine.site == site,
                    SiteLine.line_hash.in_(list(part)),
                    SiteLine.count >= boilerplate_min,
                )
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


def _candidates(
    session: Session, keys: Sequence[int], article_id: int
) -> list[tuple[int, int, str, bytes]]:
    """(article id, story, site, fingerprint) of articles sharing a band key, newest first."""
    if not keys:
        return []
    # A single-column IN list is planned as index point lookups (SQLite and PostgreSQL
    # alike); row values with VALUES would be a full scan on SQLite.
    ids = (
        select(BandKey.article_id)
        .where(BandKey.band_key.in_(list(keys)), BandKey.article_id != article_id)
        .group_by(BandKey.article_id)
        .order_by(func.max(BandKey.created_at).desc(), BandKey.article_id.desc())
        .limit(MAX_CANDIDATES)
        .subquery()
    )
    rows = session.execute(
        select(Signature.article_id, Article.story_id, Signature.site, Signature.fingerprint)
        .join(Article, Article.id == Signature.article_id)
        .where(Signature.article_id.in_(select(ids.c.article_id)))
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def prune_index(session: Session, before: datetime) -> int:
    """Drop band keys and signatures older than the dedup window; return band rows removed."""
    result: Any = session.execute(delete(BandKey).where(BandKey.created_at < before))
    session.execute(delete(Signature).where(Signature.created_at < before))
    return int(result.rowcount or 0)
