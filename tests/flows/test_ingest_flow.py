"""Whole ingest runs under Prefect against the sample news site, with real SQLite files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from extractors.opml import Subscription
from extractors.urls import canonicalize_url
from flows.ingest import FAILURES_STATE, ingest
from flows.pipeline import repository
from flows.resources import engine_for
from flows.samplesite import SampleSite, SiteServer
from flows.settings import Settings
from storage.export import iter_articles
from storage.models import Article, Entry
from tests.flows.artifacts import latest_artifact

pytestmark = pytest.mark.usefixtures("prefect_api")


def _subscribe(server: SiteServer) -> None:
    repository(Settings()).add_feeds([Subscription(u) for u in server.feed_urls], datetime.now(UTC))


def _count(url: str, model: type) -> int:
    with engine_for(url).connect() as c:
        return int(c.scalar(select(func.count()).select_from(model)) or 0)


def _by_source(url: str) -> dict[str, int]:
    with engine_for(url).connect() as c:
        rows = c.execute(select(Article.text_source, func.count()).group_by(Article.text_source))
        return {source: n for source, n in rows}


def test_first_run_stores_articles_and_rerun_adds_nothing(
    flow_env: str, site: SampleSite, site_server: SiteServer
) -> None:
    _subscribe(site_server)
    first = ingest()
    broken = [f for f in site.feeds if f.format == "malformed"]
    assert first.feeds_due == len(site.feeds)
    assert len(first.feed_failures) == len(broken)
    assert all(f.reason.startswith("parse: ") for f in first.feed_failures)
    # Every servable article is stored once: the 404 fails; the 503-once page is
    # stored by an in-run retry; URLs seen twice (tracking parameters) count once.
    articles = site.articles()
    urls = {canonicalize_url(site_server.url(p.path)) for p in articles}
    assert _by_source(flow_env) == {"page": len(urls), "feed": 1}
    assert first.articles_stored + first.duplicates_same_text == len(urls)
    missing = site_server.url(site.fault_paths["missing"])
    assert [f.url for f in first.page_failures] == [missing]
    assert first.page_failures[0].reason.startswith("fetch: 404")
    # Until its page can be fetched, the missing article is its feed's summary, flagged.
    with engine_for(flow_env).connect() as c:
        stand_in = c.execute(
            select(Article.canonical_url, Article.extractor).where(Article.text_source == "feed")
        ).one()
    assert tuple(stand_in) == (canonicalize_url(missing), "feed-summary")
    assert first.duplicates_same_url > 0  # aggregator links to outlet pages
    # Every story with a fetched page gained it in this first run; the stages add up.
    with engine_for(flow_env).connect() as c:
        stories = c.scalar(
            select(func.count(func.distinct(Article.story_id))).where(Article.text_source == "page")
        )
    assert first.stories_touched == stories > 0
    assert [name for name, _ in first.stages] == ["feeds", "pages", "upkeep"]
    assert all(seconds >= 0 for _, seconds in first.stages)
    assert sum(seconds for _, seconds in first.stages) <= first.seconds
    assert first.failure_reasons() == [("fetch: 404", 1), ("parse: no entries", 1)]

    site_server.clear_requests()
    state = ingest(force=True, return_state=True)
    second = state.result()
    # The broken feed failed again: the run says so in its state, not only in logs.
    assert (state.is_completed(), state.name) == (True, FAILURES_STATE)
    assert state.message == second.headline() and "1 failed" in state.message
    assert second.nothing_new and second.stories_touched == 0
    assert second.feeds_not_modified == len(site.feeds) - len(broken)
    assert _by_source(flow_env) == {"page": len(urls), "feed": 1}
    pages = [r for r in site_server.requests if not r.path.endswith((".xml", ".rdf"))]
    assert pages == []  # a rerun fetches no article page
    assert all(r.if_none_match for r in site_server.requests if "broken" not in r.path)
    # The run's summary is in the Prefect UI as an artifact (the latest under its key).
    data = latest_artifact("ingest-summary")
    assert f"| Feeds not modified (304) | {second.feeds_not_modified} |" in data
    assert "| Articles stored | 0 |" in data
    # And every feed's health as a table: the broken feed first, with its reason.
    health = json.loads(latest_artifact("feed-health"))
    assert len(health) == len(site.feeds)
    assert [row["feed"] for row in health[: len(broken)]] == [
        site_server.url(f.path) for f in broken
    ]
    assert health[0]["status"] != "healthy" and health[0]["errors"] == 2
    assert "failed fetches in a row: parse: " in str(health[0]["reason"])
    assert all(row["status"] == "healthy" for row in health[len(broken) :])
    # A run where nothing failed (the broken feed is not due yet) is plainly Completed.
    assert ingest(return_state=True).name == "Completed"


def test_exact_duplicates_share_a_story(
    flow_env: str, site: SampleSite, site_server: SiteServer
) -> None:
    _subscribe(site_server)
    ingest()
    by_url = {a["canonical_url"]: a for a in iter_articles(engine_for(flow_env))}
    copies = [p for p in site.articles() if p.kind == "exact-copy"]
    assert copies
    for page in copies:
        stored = by_url[canonicalize_url(site_server.url(page.path))]
        sources = [
            p
            for p in site.articles()
            if p.story == page.story and p.paragraphs == page.paragraphs and p.path != page.path
        ]
        first_copy = [by_url[canonicalize_url(site_server.url(p.path))] for p in sources]
        assert any(stored["story_id"] == other["story_id"] for other in first_copy)
        assert stored["duplicate_of"] is not None or all(
            other["duplicate_of"] == stored["id"] for other in first_copy
        )
    # Different stories never share a story id through exact matching.
    story_of_page = {p.story for p in site.articles()}
    assert len({a["story_id"] for a in by_url.values()}) >= len(story_of_page) - len(copies)


def test_503_once_page_is_stored_on_the_next_run_without_in_run_retries(
    flow_env: str, site: SampleSite, site_server: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_TASK_RETRIES", "0")
    monkeypatch.setenv("NEWSFLOW_RETRY_BASE_DELAY", "0.5s")
    _subscribe(site_server)
    first = ingest()
    flaky = site_server.url(site.fault_paths["flaky"])
    failed = {f.url: f for f in first.page_failures}
    assert failed[flaky].reason == "fetch: 503 from 127.0.0.1"
    assert failed[flaky].kind == "transient"
    assert failed[flaky].retry_at is not None
    import time

    time.sleep(1.0)  # the retry (0.5s +-25% jitter) is due
    second = ingest()
    assert flaky not in {f.url for f in second.page_failures}
    with engine_for(flow_env).connect() as c:
        state, attempts = c.execute(
            select(Entry.state, Entry.attempts).where(Entry.url == flaky)
        ).one()
    assert (state, attempts) == ("done", 1)


def test_named_feeds_only(
    flow_env: str, site: SampleSite, site_server: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _subscribe(site_server)
    monkeypatch.setenv("NEWSFLOW_MAX_ARTICLES_PER_RUN", "1")
    ingest()  # every feed parsed, one page fetched: a backlog of due pages
    monkeypatch.delenv("NEWSFLOW_MAX_ARTICLES_PER_RUN")
    feed = site.feeds[1]
    site_server.clear_requests()
    summary = ingest(feeds=[site_server.url(feed.path)], force=True)
    assert summary.feeds_due == 1
    requested = [r.path.split("?")[0] for r in site_server.requests]
    assert requested[0] == feed.path
    pages = requested[1:]
    assert pages
    assert set(pages) <= set(feed.page_paths)


def test_per_host_limit_holds_across_batches(
    flow_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tests.flows.routes import Reply, RouteServer

    monkeypatch.setenv("NEWSFLOW_ARTICLE_BATCH_SIZE", "3")
    monkeypatch.setenv("NEWSFLOW_PER_HOST_CONCURRENCY", "2")
    lock = threading.Lock()
    in_flight = peak = 0
    paragraph = (
        "<p>" + "The harbour board met on Tuesday and approved the new budget. " * 6 + "</p>"
    )

    def page(_handler: object) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        import time

        time.sleep(0.15)
        with lock:
            in_flight -= 1
        return Reply(
            200,
            f"<html><body><article>{paragraph * 3}</article></body></html>".encode(),
            {"Content-Type": "text/html"},
        )

    with RouteServer() as server:
        items = "".join(
            f"<item><title>t{n}</title><link>{server.base}/p{n}</link></item>" for n in range(12)
        )
        server.route(
            "/feed",
            Reply(
                200, f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
            ),
        )
        for n in range(12):
            server.route(f"/p{n}", page)
        repository(Settings()).add_feeds([Subscription(server.base + "/feed")], datetime.now(UTC))
        summary = ingest()
    assert summary.articles_stored + summary.duplicates_same_text == 12
    assert peak == 2


def test_prefect_retries_transient_pages_only(
    flow_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import Counter

    from tests.flows.routes import Reply, RouteServer

    monkeypatch.setenv("NEWSFLOW_TASK_RETRIES", "3")
    monkeypatch.setenv("NEWSFLOW_TASK_RETRY_DELAY", "0.1")
    hits: Counter[str] = Counter()

    def article(n: int) -> bytes:
        body = "".join(
            f"<p>Paragraph {i} of story {n}: the council voted {i + n} to 2.</p>" for i in range(8)
        )
        return f"<html><body><article>{body}</article></body></html>".encode()

    def answer(path: str, fails: int, status: int, n: int) -> Any:
        def reply(_handler: object) -> Reply:
            hits[path] += 1
            if hits[path] <= fails:
                return Reply(status, b"try later")
            return Reply(200, article(n), {"Content-Type": "text/html"})

        return reply

    with RouteServer() as server:
        server.route("/twice", answer("/twice", 2, 503, 1))
        server.route("/always", answer("/always", 99, 503, 2))
        server.route("/gone", answer("/gone", 99, 404, 3))
        items = "".join(
            f"<item><link>{server.base}{p}</link></item>" for p in ("/twice", "/always", "/gone")
        )
        server.route(
            "/feed",
            Reply(
                200, f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
            ),
        )
        repository(Settings()).add_feeds([Subscription(server.base + "/feed")], datetime.now(UTC))
        summary = ingest()
    assert summary.articles_stored == 1
    assert hits == {"/twice": 3, "/always": 4, "/gone": 1}
    with engine_for(flow_env).connect() as c:
        rows = dict(c.execute(select(Entry.url, Entry.attempts)).all())
    assert rows == {server.base + "/twice": 2, server.base + "/always": 4, server.base + "/gone": 1}
    failures = {f.url: f for f in summary.page_failures}
    assert failures[server.base + "/always"].kind == "transient"
    assert failures[server.base + "/gone"].kind == "permanent"


def test_cli_export_and_feeds_list_after_a_run(
    flow_env: str, site: SampleSite, site_server: SiteServer
) -> None:
    import json

    from typer.testing import CliRunner

    from flows.cli import app
    from storage.export import EXPORT_FIELDS

    _subscribe(site_server)
    ingest()
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--since", "1h"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == _count(flow_env, Article)
    required = {
        "id",
        "url",
        "canonical_url",
        "feed_url",
        "title",
        "author",
        "published_at",
        "fetched_at",
        "language",
        "text",
        "story_id",
        "duplicate_of",
        "text_source",
    }
    for record in records:
        assert tuple(record) == EXPORT_FIELDS
        assert required <= set(record)
        assert record["feed_url"] in site_server.feed_urls
        assert record["text"] and record["text_source"] in ("page", "feed")
        assert record["language"] == ("en" if record["text_source"] == "page" else None)
        assert record["published_at"].endswith("Z")
    assert any(r["duplicate_of"] for r in records)
    assert runner.invoke(app, ["export", "--since", "2999-01-01"]).stdout == ""
    listed = runner.invoke(app, ["feeds", "list"])
    assert listed.exit_code == 0
    assert "degraded" in listed.stdout and "parse: no entries" in listed.stdout
