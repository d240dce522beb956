"""Two runs storing the same feed and articles at the same moment never double a row."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from extractors.opml import Subscription
from storage.engine import open_database
from storage.models import Article, Entry, Story
from storage.repository import Repository
from tests.storage.helpers import NOW, article, body, entry, parsed, record_parsed

N = 40


def _worker(url: str, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    repo = Repository(open_database(url))
    repo.add_feeds([Subscription("https://news.example/feed.xml")], NOW)
    (feed,) = repo.feeds_to_fetch(NOW, force=True)
    start.wait(30)
    # Every story has a syndicated twin (same text, other URL): exact duplicates race too.
    record_parsed(
        repo,
        feed.id,
        parsed(*(entry(n) for n in range(2 * N))),
        etag=None,
        last_modified=None,
        body_hash="h",
    )
    for work in repo.entries_by_id(list(range(1, 2 * N + 1))):
        n = int(work.canonical_url.rsplit("-", 1)[1])
        repo.store_article(
            work,
            article(body(n % N)),
            canonical_url=work.canonical_url,
            final_url=work.url,
            published_at=None,
            now=NOW,
        )


def test_two_processes_store_everything_once(db_url: str) -> None:
    url = db_url
    open_database(url).dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_worker, args=(url, start)) for _ in range(2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    engine = open_database(url)
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Entry)) == 2 * N
        assert c.scalar(select(func.count()).select_from(Article)) == 2 * N
        assert c.scalar(select(func.count()).select_from(Story)) == N
        assert (
            c.scalar(
                select(func.count()).select_from(Article).where(Article.duplicate_of.is_(None))
            )
            == N
        )
        assert c.scalar(select(func.count()).select_from(Entry).where(Entry.state != "done")) == 0
    engine.dispose()
