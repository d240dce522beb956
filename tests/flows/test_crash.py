"""A worker killed with SIGKILL mid-run loses nothing committed; the next run finishes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from extractors.urls import canonicalize_url
from flows import pipeline
from flows.resources import engine_for
from flows.samplesite import SampleSite, SiteServer
from flows.settings import Settings
from storage.models import Article, Entry

# The worker: fetch every feed, then every page, as one ingest run does (without the
# Prefect engine, whose start-up would dominate the test).
WORKER = """
from datetime import UTC, datetime
from flows import pipeline
from flows.settings import Settings
settings = Settings()
repo = pipeline.repository(settings)
pipeline.fetch_feeds(repo.feeds_to_fetch(datetime.now(UTC), force=True), settings)
pipeline.fetch_articles(repo.entries_to_fetch(datetime.now(UTC), limit=1000), settings)
"""


def _pages(url: str) -> set[str]:
    with engine_for(url).connect() as c:
        query = select(Article.canonical_url).where(Article.text_source == "page")
        return set(c.scalars(query))


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_loses_nothing_and_doubles_nothing(
    flow_env: str,
    site: SampleSite,
    site_server: SiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractors.opml import Subscription

    pipeline.repository(Settings()).add_feeds(
        [Subscription(u) for u in site_server.feed_urls], datetime.now(UTC)
    )
    # The one-shot 503 is spent first: whether the killed run got to that page depends
    # on timing, and this test is about the kill, not about retrying a 503 (tested in
    # test_ingest_flow).
    assert httpx.get(site_server.url(site.fault_paths["flaky"])).status_code == 503
    # Slow enough (4 pages a second) that the kill lands while pages are still coming.
    env = {**os.environ, "NEWSFLOW_HOST_RATE": "4", "NEWSFLOW_TOTAL_TIMEOUT": "5"}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, start_new_session=True, cwd=os.getcwd()
    )
    try:
        deadline = time.monotonic() + 120
        while not _pages(flow_env):
            assert worker.poll() is None, "the worker ended before it could be killed"
            assert time.monotonic() < deadline, "the worker stored nothing in time"
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    urls = {canonicalize_url(site_server.url(p.path)) for p in site.articles()}
    stored_before = _pages(flow_env)
    assert stored_before and stored_before < urls  # killed mid-run, after a commit

    # The next run: feeds answer 304, the pages still waiting are fetched, once each.
    site_server.clear_requests()
    settings = Settings()
    repo = pipeline.repository(settings)
    pipeline.fetch_feeds(repo.feeds_to_fetch(datetime.now(UTC), force=True), settings)
    pipeline.fetch_articles(repo.entries_to_fetch(datetime.now(UTC), limit=1000), settings)

    with engine_for(flow_env).connect() as c:
        canonical = list(
            c.scalars(select(Article.canonical_url).where(Article.text_source == "page"))
        )
        states = dict(c.execute(select(Entry.state, func.count()).group_by(Entry.state)).all())
    assert sorted(canonical) == sorted(urls)  # every article, none twice
    missing = site_server.url(site.fault_paths["missing"])
    assert states == {"done": states["done"], "failed": 1}  # only the 404 page waits
    # Picked up where it stopped: what was committed is not fetched again; the rest is.
    fetched = {canonicalize_url(site_server.url(r.path)) for r in site_server.requests}
    assert not fetched & stored_before
    assert urls - stored_before <= fetched
    assert canonicalize_url(missing) in fetched
