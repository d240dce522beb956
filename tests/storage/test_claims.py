"""Claims split due feeds and pages between runs; outcomes, hand-backs and leases end them."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

from sqlalchemy import Engine, select, text, update

from extractors.errors import ErrorKind
from extractors.opml import Subscription
from storage.base import RELEASED
from storage.engine import open_database
from storage.models import Entry, Feed
from storage.repository import Repository
from tests.storage.helpers import NOW, _healthy, article, body, parsed, queued, record_parsed

LEASE = timedelta(minutes=30)


def _feeds(repo: Repository, n: int) -> list[str]:
    urls = [f"https://news{i}.example/feed.xml" for i in range(n)]
    repo.add_feeds([Subscription(u) for u in urls], NOW)
    return urls


def test_a_claimed_feed_is_passed_over_until_its_lease_ends(repo: Repository) -> None:
    urls = _feeds(repo, 3)
    first = repo.claim_feeds(NOW, owner="run-a", lease=LEASE)
    assert sorted(f.url for f in first.items) == sorted(urls)
    assert first.held_elsewhere == 0
    # Another run at the same moment gets nothing, and is told why.
    second = repo.claim_feeds(NOW, owner="run-b", lease=LEASE)
    assert (second.items, second.held_elsewhere) == ([], 3)
    assert repo.feeds_to_fetch(NOW) == []
    # Even forced or named: a feed being fetched is not fetched twice at once.
    forced = repo.claim_feeds(NOW, owner="run-b", lease=LEASE, urls=urls[:1], force=True)
    assert (forced.items, forced.held_elsewhere) == ([], 1)
    # run-a died: its claims end with the lease, and the work is taken up then.
    later = NOW + LEASE + timedelta(seconds=1)
    taken = repo.claim_feeds(later, owner="run-b", lease=LEASE)
    assert sorted(f.url for f in taken.items) == sorted(urls)


def test_recording_an_outcome_or_handing_back_ends_the_claim(repo: Repository) -> None:
    urls = _feeds(repo, 3)
    claimed = {f.url: f for f in repo.claim_feeds(NOW, owner="run-a", lease=LEASE).items}
    failed, deferred, untouched = (claimed[u] for u in urls)
    repo.record_feed_failure(failed.id, "fetch: 500", "transient", NOW, _healthy(NOW))
    repo.defer_feed(deferred.id, NOW, "429")
    # Both are free again (due now by the schedules recorded); the third is still held.
    other = repo.claim_feeds(NOW, owner="run-b", lease=LEASE)
    assert {f.url for f in other.items} == {failed.url, deferred.url}
    assert other.held_elsewhere == 1
    assert repo.release_claims("run-b") == 2
    # run-a hands back what it did not get to: only its own claims.
    assert repo.release_claims("run-a") == 1
    assert {f.url for f in repo.feeds_to_fetch(NOW)} == {untouched.url, failed.url, deferred.url}


def _holders(engine: Engine) -> dict[str, list[str | None]]:
    with engine.connect() as c:
        return {
            "feeds": list(c.scalars(select(Feed.claimed_by).order_by(Feed.id))),
            "entries": list(c.scalars(select(Entry.claimed_by).order_by(Entry.id))),
        }


def test_every_recorded_outcome_ends_its_claim(repo: Repository, engine: Engine) -> None:
    """Without the run handing anything back: a fetched feed, a stored page, a page that
    is not an article and a page put off are free for other runs at once."""
    stored, not_article, put_off, untouched = queued(repo, 1, 2, 3, 4)
    (feed,) = repo.claim_feeds(NOW, owner="run-a", lease=LEASE, force=True).items
    repo.claim_entries(NOW, owner="run-a", lease=LEASE, limit=10)
    record_parsed(repo, feed.id, parsed())
    repo.store_article(
        stored,
        article(body(1)),
        canonical_url=stored.canonical_url,
        final_url=stored.url,
        published_at=None,
        now=NOW,
    )
    repo.record_not_article(not_article.id, "index page", NOW)
    repo.defer_entries({put_off.id: NOW})
    assert _holders(engine) == {"feeds": [None], "entries": [None, None, None, "run-a"]}
    assert [e.id for e in repo.entries_to_fetch(NOW, limit=10)] == [put_off.id]
    assert untouched.id not in {e.id for e in repo.entries_to_fetch(NOW, limit=10)}


def test_two_runs_split_the_due_pages(repo: Repository) -> None:
    entries = queued(repo, 1, 2, 3, 4, 5)
    a = repo.claim_entries(NOW, owner="run-a", lease=LEASE, limit=2)
    b = repo.claim_entries(NOW, owner="run-b", lease=LEASE, limit=10)
    # Most overdue first, each page to one run only, and none left out.
    assert [e.id for e in a.items] == [e.id for e in entries[:2]]
    assert {e.id for e in b.items} == {e.id for e in entries[2:]}
    assert (a.held_elsewhere, b.held_elsewhere) == (0, 2)
    # A page failure releases its claim and schedules the retry; a handed back page is due.
    kind: ErrorKind = "transient"
    repo.record_entry_failure(a.items[0].id, "fetch: timeout", kind, NOW, rand=0.5)
    repo.release_claims("run-a")
    after_retry_delay = NOW + timedelta(minutes=20)  # run-b still holds its pages
    assert {e.id for e in repo.entries_to_fetch(after_retry_delay, limit=10)} == {
        a.items[0].id,
        a.items[1].id,
    }


def _claimer(url: str, owner: str, start: object, out: object) -> None:
    engine = open_database(url)
    repo = Repository(engine)
    start.wait(30)  # type: ignore[attr-defined]
    got: list[int] = []
    while True:
        claim = repo.claim_entries(NOW, owner=owner, lease=LEASE, limit=2)
        if not claim.items:
            break
        got += [e.id for e in claim.items]
    engine.dispose()
    out.put((owner, got))  # type: ignore[attr-defined]


def test_processes_claiming_at_once_never_share_a_page(db_url: str, repo: Repository) -> None:
    queued(repo, *range(1, 201))
    assert len(repo.entries_to_fetch(NOW, limit=500)) == 200
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    workers = [
        context.Process(target=_claimer, args=(db_url, f"run-{n}", start, out)) for n in range(4)
    ]
    for w in workers:
        w.start()
    start.set()
    results = dict(out.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    claimed = [entry_id for got in results.values() for entry_id in got]
    assert len(claimed) == len(set(claimed)) == 200


def test_handing_back_reads_only_the_rows_a_run_holds(engine: Engine) -> None:
    """release_claims runs at the end of every run: an index lookup of the held rows, not
    a scan of the whole (ever-growing) entries table."""
    for model in (Feed, Entry):
        stmt = update(model).where(model.claimed_by == "run-a").values(RELEASED)
        compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        with engine.connect() as c:
            plan = " ".join(str(row) for row in c.execute(text(explain + str(compiled))))
        assert f"ix_{model.__tablename__}_claimed_by" in plan, plan
