"""Two `prefect worker start` processes on one server and one database, ingesting the
sample site at the same time: every page fetched once, every article stored once, and
the site's request budget kept by both workers together.

The deployments come from deploy/prefect.yaml, registered the way deploy/compose.yaml's
job registers them (`prefect work-pool create`, `prefect deploy --all`).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import func, select

from extractors.opml import Subscription
from extractors.urls import canonicalize_url
from flows.pipeline import repository
from flows.resources import engine_for
from flows.samplesite import SiteServer, build_site
from flows.settings import Settings
from storage.models import Article, Entry, Feed
from tests.flows.served import (
    delete_deployments,
    markdown_counts,
    prefect_cli,
    run_artifact,
    serve_env,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect", "--no-prompt"]  # worker processes
WORKERS = 2
HOST_LIMIT = 2  # NEWSFLOW_PER_HOST_CONCURRENCY: the whole site is one domain (127.0.0.1)


def _env(api_url: str, home: Path) -> dict[str, str]:
    return serve_env(
        api_url,
        home,
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="1",
        NEWSFLOW_HOME=str(ROOT),  # prefect.yaml's pull step: where the flows' code is
        NEWSFLOW_PER_HOST_CONCURRENCY=str(HOST_LIMIT),
        # Small rounds, so the two runs take turns at the backlog.
        NEWSFLOW_FEED_BATCH_SIZE="1",
        NEWSFLOW_ARTICLE_BATCH_SIZE="2",
    )


def _prefect(env: dict[str, str], *args: str) -> None:
    status, output = prefect_cli(env, *args)
    assert status == 0, output


@pytest.fixture
def workers(prefect_server: str, flow_env: str, tmp_path: Path) -> Iterator[list[Path]]:
    """The pool and the deployments of prefect.yaml, and two workers polling the pool."""
    env = _env(prefect_server, tmp_path / "prefect")
    _prefect(env, "work-pool", "create", "newsflow", "--type", "process", "--overwrite")
    _prefect(env, "deploy", "--all", "--prefect-file", "deploy/prefect.yaml")
    logs = [tmp_path / f"worker-{n}.log" for n in range(WORKERS)]
    processes = []
    for n, log in enumerate(logs):
        with log.open("w") as sink:
            processes.append(
                subprocess.Popen(
                    [
                        *PREFECT,
                        "worker",
                        "start",
                        "--pool",
                        "newsflow",
                        "--limit",
                        "1",
                        "--name",
                        f"test-worker-{n}",
                    ],
                    env=env,
                    cwd=tmp_path,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        yield logs  # what each worker printed
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
            delete_deployments()


def _trigger_and_wait(api_url: str, count: int) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        runs = [run_deployment("ingest/ingest", timeout=0) for _ in range(count)]
        deadline = time.monotonic() + 300
        with get_client(sync_client=True) as client:
            while True:
                runs = [client.read_flow_run(run.id) for run in runs]
                if all(run.state and run.state.is_final() for run in runs):
                    return runs
                assert time.monotonic() < deadline, [r.state for r in runs]
                time.sleep(1)


def _resume_when_shared(server: SiteServer, url: str) -> None:
    deadline = time.monotonic() + 120
    holders = select(func.count(Feed.claimed_by.distinct()))
    while time.monotonic() < deadline:
        with engine_for(url).connect() as c:
            if c.scalar(holders) == WORKERS:
                break
        time.sleep(0.2)
    server.resume()


def _summary(api_url: str, flow_run_id: Any) -> dict[str, int]:
    """The numbers of a run's ingest-summary artifact, as the UI shows them."""
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        return markdown_counts(run_artifact(flow_run_id, "ingest-summary"))


def test_two_workers_split_one_site_and_store_every_article_once(
    prefect_server: str, flow_env: str, workers: list[Path]
) -> None:
    site = build_site(outlets=6, articles_per_outlet=6, seed=11)
    with SiteServer(site, slow_seconds=0.3, delay_seconds=0.15) as server:
        repository(Settings()).add_feeds(
            [Subscription(u) for u in server.feed_urls], datetime.now(UTC)
        )
        # The site stalls until both runs hold feeds of their own: then each has its
        # share however long one worker takes to start its run.
        server.hold()
        threading.Thread(target=_resume_when_shared, args=(server, flow_env), daemon=True).start()
        runs = _trigger_and_wait(prefect_server, WORKERS)
        requests = server.requests
        peak = server.peak_in_flight

    logs = "\n".join(log.read_text() for log in workers)
    assert [run.state.type.value for run in runs] == ["COMPLETED"] * WORKERS, logs
    # The runs overlapped (so each had a worker of its own: a worker takes one run at
    # a time), and they split the feeds between them.
    (first, second) = sorted(runs, key=lambda run: run.start_time)
    assert second.start_time < first.end_time, "the runs did not overlap"
    summaries = [_summary(prefect_server, run.id) for run in runs]
    assert all(summary["Feeds due"] > 0 for summary in summaries), summaries
    assert sum(summary["Feeds due"] for summary in summaries) == len(site.feeds)

    # Every page and every feed was fetched once (the 503-once page twice: its retry).
    counts = Counter(r.path for r in requests if r.method == "GET")
    # robots.txt is cached in the database, but two runs may both read it first.
    once_only = set(counts) - {site.fault_paths["flaky"], "/robots.txt"}
    twice = {path: counts[path] for path in once_only if counts[path] > 1}
    assert twice == {}, f"fetched more than once: {twice}"
    assert {server.url(path) for path in counts} >= set(server.feed_urls)
    # The two workers together kept to the site's limit of requests in flight.
    assert peak <= HOST_LIMIT
    assert peak == HOST_LIMIT  # ... and used it (the limit is not trivially met)

    # Every article once; nothing left pending or claimed.
    expected = {canonicalize_url(server.url(page.path)) for page in site.articles()}
    with engine_for(flow_env).connect() as c:
        rows = c.execute(select(Article.canonical_url, Article.text_source)).all()
        missing = expected - {url for url, source in rows if source == "page"}
        states = c.execute(
            select(Entry.canonical_url, Entry.state, Entry.last_error, Entry.attempts).where(
                Entry.canonical_url.in_(missing)
            )
        ).all()
        assert not missing, (states, summaries)
        assert len(rows) == len({url for url, _ in rows})
        assert sum(source == "feed" for _, source in rows) == 1  # the 404 page's stand-in
        pending = select(func.count()).select_from(Entry).where(Entry.state == "pending")
        assert c.scalar(pending) == 0
        for model in (Feed, Entry):
            held = select(func.count()).select_from(model).where(model.claimed_by.is_not(None))
            assert c.scalar(held) == 0
