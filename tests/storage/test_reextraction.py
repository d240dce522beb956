"""Reading archived pages back and applying re-extractions: text moves, story links hold."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import Engine, func, select

from extractors.articles import Article as ExtractedArticle
from storage.models import Article, ContentHash, Entry, Story
from storage.records import ArticleToStore, Reextracted
from storage.repository import Repository
from tests.storage.helpers import (
    NOW,
    archive_of,
    article,
    body,
    entry,
    parsed,
    queued,
    record_parsed,
    subscribe,
)


def _counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as c:
        return tuple(
            int(c.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Article, Story, ContentHash, Entry)
        )


def _store(repo: Repository, texts: list[str]) -> list[int]:
    """Store one article per text (each with its page archived); their ids."""
    works = queued(repo, *range(1, len(texts) + 1))
    items = [
        ArticleToStore(
            w,
            article(text, title=f"Title {n}"),
            w.canonical_url,
            w.url,
            NOW,
            date_source="feed",
            archive=archive_of(f"<p>{n}</p>".encode()),
        )
        for n, (w, text) in enumerate(zip(works, texts, strict=True), start=1)
    ]
    repo.store_articles(items, NOW)
    return [p.article_id for p in repo.archived_pages(None, None, 0, 100)]


def _again(article_id: int, page: ExtractedArticle, identity: str) -> Reextracted:
    return Reextracted(article_id, page, identity, NOW, None, "feed")


def _row(engine: Engine, article_id: int) -> dict[str, object]:
    with engine.connect() as c:
        return dict(c.execute(select(Article).where(Article.id == article_id)).one()._mapping)


def test_archived_pages_come_in_keyset_batches_with_the_feeds_earliest_date(
    repo: Repository,
) -> None:
    ids = _store(repo, [body(1), body(2), body(3)])
    first = repo.archived_pages(None, None, 0, 2)
    rest = repo.archived_pages(None, None, first[-1].article_id, 2)
    assert [p.article_id for p in first + rest] == ids
    assert repo.archived_pages(None, None, ids[-1], 2) == []
    page = first[0]
    assert gzip.decompress(page.body) == b"<p>1</p>" and page.encoding == "gzip"
    assert page.feed_published_at == NOW
    assert repo.archived_pages(NOW + timedelta(seconds=1), None, 0, 10) == []


def test_archived_pages_of_one_feed_include_articles_it_shares(
    repo: Repository,
) -> None:
    ids = _store(repo, [body(1), body(2)])
    other = subscribe(repo, "https://other.example/rss")
    earlier = replace(entry(2, key="o-2"), published_at=NOW - timedelta(hours=5))
    record_parsed(repo, other, parsed(earlier))  # linked at feed time to the stored article
    (shared,) = repo.archived_pages(None, other, 0, 10)
    assert shared.article_id == ids[1]
    assert shared.feed_published_at == NOW - timedelta(hours=5)  # the earliest of its entries


def test_the_same_extraction_changes_nothing(repo: Repository, engine: Engine) -> None:
    (article_id,) = _store(repo, [body(1)])
    before, counts = _row(engine, article_id), _counts(engine)
    page = article(body(1), title="Title 1")
    (outcome,) = repo.apply_reextraction(
        [_again(article_id, page, "https://news.example/story-1")], NOW + timedelta(days=1)
    )
    assert not isinstance(outcome, Exception)
    assert (outcome.result, outcome.identity_kept) == ("unchanged", False)
    assert _row(engine, article_id) == before  # not even extracted_at moves
    assert _counts(engine) == counts


def test_new_text_moves_the_hash_claim_and_keeps_story_links(
    repo: Repository, engine: Engine
) -> None:
    first, copy, other = _store(repo, [body(1), body(1), body(3)])
    before = {i: _row(engine, i) for i in (first, copy, other)}
    assert before[copy]["duplicate_of"] == first
    counts = _counts(engine)
    later = NOW + timedelta(days=1)
    better = replace(
        article(body(9), title="Better"),
        tags=("port",),
        method="readability",
        confidence=0.5,
        extractor_version="newsflow/9",
    )
    outcomes = repo.apply_reextraction(
        [
            _again(first, better, "https://news.example/story-1"),
            # Now the same text as `other`, whose claim stays where it is.
            _again(copy, article(body(3), title="Title 2"), "https://news.example/story-2"),
        ],
        later,
    )
    assert [o.result for o in outcomes if not isinstance(o, Exception)] == ["updated", "updated"]
    after = {i: _row(engine, i) for i in (first, copy, other)}
    for i in (first, copy, other):
        assert after[i]["story_id"] == before[i]["story_id"]
        assert after[i]["duplicate_of"] == before[i]["duplicate_of"]
    assert (after[first]["title"], after[first]["tags"], after[first]["method"]) == (
        "Better",
        '["port"]',
        "readability",
    )
    assert (after[first]["extractor"], after[first]["extracted_at"]) == (
        "newsflow/9",
        later,
    )
    assert after[other] == before[other]
    with engine.connect() as c:
        claims = dict(c.execute(select(ContentHash.text_hash, ContentHash.article_id)).all())
    assert claims == {after[first]["text_hash"]: first, after[other]["text_hash"]: other}
    assert _counts(engine)[:2] == counts[:2] and _counts(engine)[3] == counts[3]


def test_identity_moves_only_when_free(repo: Repository, engine: Engine) -> None:
    one, two = _store(repo, [body(1), body(2)])
    taken = "https://news.example/story-2"
    free = "https://news.example/articles/one"
    (kept,) = repo.apply_reextraction([_again(one, article(body(1), title="Title 1"), taken)], NOW)
    assert not isinstance(kept, Exception)
    assert (kept.result, kept.identity_kept) == ("unchanged", True)
    assert _row(engine, one)["canonical_url"] == "https://news.example/story-1"
    (moved,) = repo.apply_reextraction([_again(one, article(body(1), title="Title 1"), free)], NOW)
    assert not isinstance(moved, Exception)
    assert (moved.result, moved.identity_kept) == ("updated", False)
    assert _row(engine, one)["canonical_url"] == free
    assert _row(engine, two)["canonical_url"] == taken
    with engine.connect() as c:
        assert c.scalar(select(Entry.article_id).where(Entry.url.contains("story-1"))) == one


def test_a_vanished_article_is_reported_missing(repo: Repository) -> None:
    (outcome,) = repo.apply_reextraction([_again(999, article(body(1)), "https://x.example/")], NOW)
    assert not isinstance(outcome, Exception)
    assert outcome.result == "missing"


def test_new_text_is_fingerprinted_again_and_the_story_stays(
    repo: Repository, engine: Engine
) -> None:
    """Copies arriving after a re-extraction meet the article's new text, in its story;
    its old text is gone from the index."""
    from storage.batch import Document
    from storage.models import BandKey, Signature
    from tests.storage.test_stories import OTHER, STORY, copy_of

    (article_id,) = _store(repo, [STORY])
    story = _row(engine, article_id)["story_id"]
    (outcome,) = repo.apply_reextraction(
        [_again(article_id, article(OTHER, title="Title 1"), "https://news.example/story-1")],
        NOW + timedelta(days=1),
    )
    assert not isinstance(outcome, Exception) and outcome.result == "updated"
    assert _row(engine, article_id)["story_id"] == story
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Signature)) == 1
        assert c.scalar(select(func.count()).select_from(BandKey)) == 64
    later = NOW + timedelta(days=2)
    new_copy, old_copy = repo.add_documents(
        [
            Document("new", OTHER + "\nMore to follow.", site="ledger.example"),
            Document("old", copy_of(STORY, outlet="Ledger"), site="ledger.example"),
        ],
        later,
    )
    assert (new_copy.story_id, new_copy.duplicate_of) == (story, article_id)
    assert old_copy.duplicate_of is None and old_copy.story_id != story
