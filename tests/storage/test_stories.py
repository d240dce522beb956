"""Stories: copies of one story meet in the shared index; different stories stay apart."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from extractors.neardup import DedupOptions
from storage.batch import Document
from storage.engine import make_engine
from storage.lsh import prune_index
from storage.models import Article, BandKey, Signature, SiteLine, Story, StoryEvidence
from storage.repository import Repository
from tests.storage.helpers import NOW

PARAGRAPHS = [
    "The port authority of Harbor City voted on Tuesday to spend 48 million dollars on new "
    "cranes for the eastern terminal, ending a two-year dispute with the dockworkers' union.",
    "Board chair Marta Quintero said the cranes would arrive in 2027 and would double the "
    "number of containers the terminal can move in a day, from 1,200 to 2,400.",
    "The union had argued that automated cranes would cost 300 jobs. Under the deal, no "
    "worker will be laid off and 85 crane operators will be retrained at the port's expense.",
    "Shipping lines welcomed the vote. Ships now wait an average of 3.5 days for a berth, "
    "the longest delay of any port on the coast, according to the authority's own figures.",
    "Opponents on the city council said the money should go to dredging the harbour "
    "channel instead, and promised to raise the matter again at the budget hearing in March.",
]
STORY = "\n".join(PARAGRAPHS)
OTHER = "\n".join(
    [
        "Three schools in the northern district of Lindenport closed early on Friday after a "
        "burst water main flooded the streets around the central bus station.",
        "Engineers from the water company worked through the night. A spokesperson said "
        "supply would be restored to 6,000 homes by Saturday morning at the latest.",
        "Parents were asked to collect children before noon. The district's superintendent "
        "said classes would resume on Monday unless the boiler rooms were damaged.",
        "It was the second main to burst this winter; the council has budgeted 12 million "
        "for pipe replacement over the next five years, a sum critics call far too small.",
    ]
)
BOILERPLATE = [
    "Sign up for our morning newsletter and never miss a story.",
    "Read more: the ten best beaches on the coast this summer",
    "© 2026 Harbour Courier. All rights reserved.",
]


def copy_of(text: str, *, outlet: str) -> str:
    """A syndicated copy: a dateline, the outlet's template, the last paragraph cut."""
    paragraphs = text.split("\n")[:-1]
    return "\n".join([f"HARBOR CITY ({outlet}) -", *paragraphs, *BOILERPLATE])


def placed(repo: Repository, *documents: Document) -> list[tuple[int, int | None, str | None]]:
    return [(p.story_id, p.duplicate_of, p.kind) for p in repo.add_documents(documents, NOW)]


def test_copies_join_one_story_and_the_evidence_explains_it(
    repo: Repository, engine: Engine
) -> None:
    (first,) = repo.add_documents([Document("a", STORY, site="wire.example")], NOW)
    copy = Document("b", copy_of(STORY, outlet="Courier"), site="courier.example", title="Cranes")
    (second,) = repo.add_documents([copy], NOW)
    assert second.story_id == first.story_id
    assert second.duplicate_of == first.article_id and second.kind == "near_duplicate"
    assert second.similarity is not None and 0.5 <= second.similarity < 1.0
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Story)) == 1
        evidence = c.execute(select(StoryEvidence.kind, StoryEvidence.matched_id)).all()
    assert evidence == [("near_duplicate", first.article_id)]
    detail = repo.story(first.story_id)
    assert detail is not None and [a.id for a in detail.articles] == [
        first.article_id,
        second.article_id,
    ]
    assert detail.articles[0].kind is None and detail.articles[1].kind == "near_duplicate"


def test_different_stories_stay_apart(repo: Repository) -> None:
    results = placed(
        repo,
        Document("a", STORY, site="wire.example"),
        Document("b", OTHER, site="wire.example"),
    )
    assert results[0][0] != results[1][0]
    assert results[1][1:] == (None, None)


def test_an_exact_copy_is_evidence_too(repo: Repository) -> None:
    (a, b) = repo.add_documents(
        [Document("a", STORY, site="x.example"), Document("b", STORY + " ", site="y.example")], NOW
    )
    assert (b.story_id, b.duplicate_of, b.kind, b.similarity) == (
        a.story_id,
        a.article_id,
        "exact",
        1.0,
    )


def test_a_rerun_of_the_same_input_adds_nothing(repo: Repository, engine: Engine) -> None:
    documents = [Document("a", STORY), Document("b", copy_of(STORY, outlet="Courier"))]
    first = repo.add_documents(documents, NOW)
    again = repo.add_documents(documents, NOW)
    assert [p.story_id for p in again] == [p.story_id for p in first]
    assert [p.article_id for p in again] == [p.article_id for p in first]
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Article)) == 2


def _count(engine: Engine, table: type[object]) -> int:
    with engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(table)) or 0)


def test_the_index_window_is_pruned(repo: Repository, engine: Engine) -> None:
    repo.add_documents([Document("a", STORY)], NOW)
    with engine.begin() as c, Session(bind=c) as session:
        assert not prune_index(session, NOW - timedelta(days=1), DedupOptions())
        pruned = prune_index(session, NOW + timedelta(seconds=1), DedupOptions())
        # Every band row the article had, found again from its stored fingerprint.
        assert pruned.articles == 1 and pruned.band_rows == 64 and pruned.site_lines == 5
    assert _count(engine, BandKey) == _count(engine, Signature) == _count(engine, SiteLine) == 0
    # An article past the window starts a new story: the index no longer holds its twin.
    (late,) = repo.add_documents([Document("b", copy_of(STORY, outlet="Courier"))], NOW)
    assert late.duplicate_of is None


def test_pruning_removes_the_old_articles_rows_only(repo: Repository, engine: Engine) -> None:
    repo.add_documents([Document("old", STORY, site="a.example")], NOW - timedelta(days=40))
    repo.add_documents([Document("new", OTHER, site="a.example")], NOW)
    rows = _count(engine, BandKey)
    assert repo.prune_story_index(NOW - timedelta(days=30)) == 64
    assert _count(engine, BandKey) == rows - 64 and _count(engine, Signature) == 1
    # The recent article is still found: a copy of it joins its story.
    (copy,) = repo.add_documents([Document("copy", OTHER + "\nMore to follow.")], NOW)
    assert copy.kind == "near_duplicate"
    # Lines only the old article used are forgotten; the recent article's stay counted.
    with engine.connect() as c:
        kept = c.scalar(
            select(func.count()).select_from(SiteLine).where(SiteLine.site == "a.example")
        )
    assert kept == len(OTHER.splitlines())


def test_copies_of_the_sample_article_join_one_story(repo: Repository, corpora: Path) -> None:
    text = (corpora / "sample-article.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    body = "\n".join(lines[1:])
    variants = [
        body,  # the original
        "\n".join(lines[1:-2]),  # trimmed
        body.replace("Wednesday", "Thursday")
        + "\nCorrection: an earlier version misdated the call.",
        "\n".join(["By Staff Reporter", *lines[1:], *BOILERPLATE]),  # byline and template
        "\n".join(lines[1:6]),  # the lede only
    ]
    results = repo.add_documents(
        [Document(str(n), v, site=f"outlet{n}.example") for n, v in enumerate(variants)], NOW
    )
    assert len({p.story_id for p in results}) == 1, [(p.kind, p.similarity) for p in results]
    (other,) = repo.add_documents([Document("x", OTHER, site="outlet9.example")], NOW)
    assert other.story_id != results[0].story_id


def _insert_copy(url: str, outlet: str, ready: object) -> int:
    ready.wait()  # type: ignore[attr-defined]
    repo = Repository(make_engine(url))
    (placed_,) = repo.add_documents(
        [Document(outlet, copy_of(STORY, outlet=outlet), site=f"{outlet}.example")], NOW
    )
    return placed_.story_id


def test_two_processes_storing_copies_at_once_end_in_one_story(
    db_url: str, repo: Repository
) -> None:
    """Neither copy is in the index when both start: serialising what could match makes
    the second see the first (an advisory lock per band key on PostgreSQL, BEGIN
    IMMEDIATE on SQLite)."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        ready = manager.Event()
        with context.Pool(2) as pool:
            results = [
                pool.apply_async(_insert_copy, (db_url, outlet, ready))
                for outlet in ("courier", "ledger")
            ]
            ready.set()
            stories = {r.get(timeout=120) for r in results}
    assert len(stories) == 1


def test_the_repository_prunes_its_story_index(repo: Repository, engine: Engine) -> None:
    repo.add_documents([Document("a", STORY), Document("b", OTHER)], NOW)
    assert repo.prune_story_index(NOW) == 0
    assert repo.prune_story_index(NOW + timedelta(days=1)) > 0
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(BandKey)) == 0
        # Stories and evidence stay: only the index forgets.
        assert c.scalar(select(func.count()).select_from(Story)) == 2


BRIEF = (
    "The {town} farmers market moves to {street} Street from Saturday, organiser {name} said. "
    "Opening hours, 10 a.m. to 2 p.m., are unchanged."
)


def test_templated_briefs_on_other_sites_stay_apart_and_copies_meet(repo: Repository) -> None:
    """Short items share most of their words through a template: they need a close match."""
    one = BRIEF.format(town="Pine Hollow", street="Linden", name="Dmitri Delgado")
    # Same town and hours, another street and organiser: about 0.7 alike, another story.
    other = BRIEF.format(town="Pine Hollow", street="Wharf", name="Vera Drummond")
    a, b, c = repo.add_documents(
        [
            Document("a", one, site="river.example", title="Market moves"),
            Document("b", other, site="highland.example", title="Market moves"),
            Document(
                "c",
                one.replace("organiser", "the organiser"),
                site="coast.example",
                title="Market moves",
            ),
        ],
        NOW,
    )
    assert b.story_id != a.story_id
    assert (c.story_id, c.kind) == (a.story_id, "short")


def test_a_sites_cookie_notice_does_not_make_its_articles_one_story(repo: Repository) -> None:
    notice = (
        "We and our 548 partners store and access information on your device, such as "
        "cookies, to personalise content and adverts. You can accept all cookies or reject them."
    )
    first, second = repo.add_documents(
        [
            Document("a", f"{notice}\n{STORY}", site="eastern.example"),
            Document("b", f"{notice}\n{OTHER}", site="eastern.example"),
        ],
        NOW,
    )
    assert first.story_id != second.story_id


def test_a_near_copy_on_the_same_site_needs_a_closer_match(repo: Repository) -> None:
    """A site's pages share its template: a copy about 0.86 alike, which would join from
    another site (short items need 0.8), stays apart on the same site (0.9 needed)."""
    one = BRIEF.format(town="Pine Hollow", street="Linden", name="Dmitri Delgado")
    near = one.replace("from Saturday", "from this Saturday")
    first, same_site = repo.add_documents(
        [
            Document("a", one, site="river.example", title="Market moves"),
            Document("b", near, site="river.example", title="Market moves"),
        ],
        NOW,
    )
    assert same_site.story_id != first.story_id and same_site.duplicate_of is None
    (elsewhere,) = repo.add_documents(
        [Document("c", near, site="coast.example", title="Market moves")], NOW
    )
    assert elsewhere.kind == "exact"  # b's text: exact claims come before similarity
