"""Stories: near-duplicate matching through an LSH index kept in the database.

Every stored article is placed in one story, inside the transaction that stores it:

1. its lines are counted for its site (``site_lines``); lines the site has used in
   ``boilerplate_min`` articles or more are its boilerplate and are left out;
2. the rest is fingerprinted (extractors.neardup: MinHash of the text and of its
   opening, and the numbers it states);
3. its band keys are looked up in ``lsh_bands`` (storage/lsh.py: the index's tables),
   each candidate is verified (extractors.neardup.compare), and the article joins the
   story of its best verified match, recorded in ``story_evidence``; with no match it
   keeps the story it was given. Stories are never merged transitively here.

Two copies arriving at once must meet: on PostgreSQL the transaction takes an advisory
lock per band key (sorted, so two writers never wait on each other in a circle); on
SQLite every write transaction is BEGIN IMMEDIATE (storage/engine.py), one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, delete, exists, select, update
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
from storage.base import insert_for
from storage.lsh import (
    common_lines,
    count_lines,
    find_candidates,
    index_article,
    lock_keys,
    unindex_articles,
)
from storage.models import Article, ContentHash, Signature, Story, StoryEvidence
from storage.records import StoreOutcome


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
class Settled:
    """Where a just-written article went, and why."""

    outcome: StoreOutcome  # "stored" (a story of its own), "duplicate_content", "near_duplicate"
    story_id: int
    matched_id: int | None = None  # the article it was matched to
    kind: str | None = None  # "exact", "near_duplicate", "lede", "short"
    similarity: float | None = None


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
) -> Settled:
    """Index a just-stored article and move it to the story of its best verified match."""
    hashes = _line_hashes(body)
    common = count_lines(session, site, hashes, now, options.boilerplate_min)
    mark, keys = _fingerprint_locked(session, title, body, common, options)
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
        return Settled("stored", story_id)
    matched_id, matched_story, evidence = best
    join_story(session, article_id, story_id, matched_story)
    record_evidence(session, article_id, matched_id, evidence.kind, evidence.similarity, now)
    return Settled("near_duplicate", matched_story, matched_id, evidence.kind, evidence.similarity)


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
        return place_article(
            session,
            article_id,
            story_id,
            site=site,
            title=title,
            body=body,
            now=now,
            options=options,
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
        select(Signature.site, Signature.created_at).where(Signature.article_id == article_id)
    ).first()
    if old is not None:
        site = old.site
        unindex_articles(session, [article_id], options.dedup)
    common = common_lines(session, site, _line_hashes(body), options.boilerplate_min)
    mark, keys = _fingerprint_locked(session, title, body, common, options)
    index_article(session, article_id, site, mark, keys, old.created_at if old else now)


def _line_hashes(body: str) -> list[int]:
    return sorted(set(line_hashes(body)))


def _fingerprint_locked(
    session: Session,
    title: str | None,
    body: str,
    common: frozenset[int],
    options: StoryOptions,
) -> tuple[Fingerprint, list[int]]:
    """The fingerprint of the text without its site's boilerplate, and its band keys,
    each locked until commit (PostgreSQL) so a copy stored meanwhile is seen."""
    kept = without_furniture(strip_boilerplate(body, common), "")
    mark = fingerprint(title, kept, options.dedup)
    keys = sorted(set(band_keys(mark, options.dedup)))
    lock_keys(session, keys)
    return mark, keys


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
