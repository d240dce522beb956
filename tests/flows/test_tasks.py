"""Tasks through .fn(): the bodies the flow runs, without the Prefect engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from prefect.states import Completed, Failed

from extractors.errors import PermanentError, TransientError
from extractors.opml import Subscription
from flows import tasks
from flows.pipeline import repository
from flows.samplesite import SampleSite, SiteServer
from flows.settings import Settings
from tests.flows.routes import Reply, RouteServer

ARTICLE = (
    "<html><body><article>"
    + "".join(
        f"<p>Item {n}: the harbour board met on Tuesday and approved {n * 3} new berths.</p>"
        for n in range(1, 9)
    )
    + "</article></body></html>"
).encode()


def test_fetch_feeds_batch(flow_env: str, site: SampleSite, site_server: SiteServer) -> None:
    settings = Settings()
    repo = repository(settings)
    repo.add_feeds([Subscription(u) for u in site_server.feed_urls], datetime.now(UTC))
    outcomes = tasks.fetch_feeds_batch.fn(repo.feeds_to_fetch(datetime.now(UTC)), settings, 1)
    by_url = {o.url: o for o in outcomes}
    for feed in site.feeds:
        outcome = by_url[site_server.url(feed.path)]
        if feed.format == "malformed":
            assert (outcome.result, outcome.kind) == ("failed", "permanent")
        else:
            assert outcome.result == "parsed"
            assert outcome.entries_seen == len(feed.page_paths)
    # Run again: every feed answers 304 to its stored validators.
    again = tasks.fetch_feeds_batch.fn(
        repo.feeds_to_fetch(datetime.now(UTC), force=True), settings, 2
    )
    assert {o.result for o in again if o.kind is None} == {"not_modified"}


def test_retry_article_raises_while_transient(
    flow_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_TASK_RETRY_DELAY", "0")
    settings = Settings()
    repo = repository(settings)
    state = {"status": 503}
    with RouteServer() as server:
        server.route(
            "/a", lambda _h: Reply(state["status"], ARTICLE, {"Content-Type": "text/html"})
        )
        server.route(
            "/feed",
            Reply(
                200,
                f'<rss version="2.0"><channel><title>x</title><item>'
                f"<link>{server.base}/a</link></item></channel></rss>".encode(),
            ),
        )
        repo.add_feeds([Subscription(server.base + "/feed")], datetime.now(UTC))
        tasks.fetch_feeds_batch.fn(repo.feeds_to_fetch(datetime.now(UTC)), settings, 1)
        (entry,) = repo.entries_to_fetch(datetime.now(UTC), limit=5)
        with pytest.raises(TransientError, match="503"):
            tasks.retry_article.fn(entry.id, settings)
        state["status"] = 200
        outcome = tasks.retry_article.fn(entry.id, settings)
        assert outcome is not None
        assert outcome.result == "stored"
        assert tasks.retry_article.fn(entry.id, settings) is None  # nothing left to do
    (failed,) = [e for e in repository(settings).list_feeds()]
    assert failed.pending == 0


def test_retry_condition_is_transient_only() -> None:
    check: Any = tasks._only_transient
    assert check(None, None, Failed(data=TransientError("fetch: 503 from x")))
    assert not check(None, None, Failed(data=PermanentError("fetch: 404 from x")))
    assert not check(None, None, Failed(data=ValueError("bug")))
    assert not check(None, None, Completed(data=None))


def test_in_run_retry_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_TASK_RETRIES", "3")
    monkeypatch.setenv("NEWSFLOW_TASK_RETRY_DELAY", "1.5")
    configured = tasks.with_retries(tasks.retry_article, Settings())
    # The retry task's first run is the first retry; Prefect does the other two.
    assert configured.retries == 2
    assert configured.retry_delay_seconds == [3.0, 6.0]
    assert configured.retry_jitter_factor == 0.5


def test_feed_without_validators_is_not_reparsed_when_unchanged(flow_env: str) -> None:
    settings = Settings()
    repo = repository(settings)
    hits = []
    body = b'<rss version="2.0"><channel><title>x</title><item><link>http://a.example/1</link></item></channel></rss>'

    def feed(handler: Any) -> Reply:
        hits.append(handler.headers.get("If-None-Match"))
        return Reply(200, body)  # no ETag, no Last-Modified

    with RouteServer() as server:
        server.route("/feed", feed)
        repo.add_feeds([Subscription(server.base + "/feed")], datetime.now(UTC))
        work = repo.feeds_to_fetch(datetime.now(UTC))
        (first,) = tasks.fetch_feeds_batch.fn(work, settings, 1)
        (second,) = tasks.fetch_feeds_batch.fn(
            repo.feeds_to_fetch(datetime.now(UTC), force=True), settings, 2
        )
    assert (first.result, first.entries_new) == ("parsed", 1)
    assert (second.result, second.entries_seen) == ("unchanged", 0)
    assert hits == [None, None]
