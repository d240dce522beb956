"""The served deployments on a real Prefect server: runs triggered with parameters through
the API (what the UI's Run and Custom run send) and the `prefect` command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prefect.exceptions import PrefectHTTPStatusError
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from extractors.opml import Subscription
from extractors.urls import canonicalize_url
from flows.ingest import FAILURES_STATE
from flows.pipeline import repository
from flows.resources import engine_for
from flows.samplesite import Feed, SampleSite, SiteServer
from flows.settings import Settings
from storage.models import Article, Entry
from storage.models import Feed as FeedRow
from tests.flows.served import (
    NEVER_DURING_A_TEST,
    Served,
    flow_run_id_in,
    markdown_counts,
    serve_env,
    serving,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def served(
    prefect_server: str, flow_env: str, site_server: SiteServer, tmp_path: Path
) -> Iterator[Served]:
    """`newsflow serve` on the session's server, for a database subscribed to the site."""
    repository(Settings()).add_feeds(
        [Subscription(url) for url in site_server.feed_urls], datetime.now(UTC)
    )
    env = serve_env(prefect_server, tmp_path / "prefect", NEWSFLOW_DATA_DIR=str(tmp_path / "data"))
    with serving(prefect_server, env, tmp_path / "serve.log") as process:
        yield process


def _healthy_outlet_feeds(site: SampleSite) -> list[Feed]:
    """Outlet feeds none of whose pages is one of the site's faults."""
    faults = set(site.fault_paths.values())
    outlets = {outlet.slug for outlet in site.outlets}
    found = [f for f in site.feeds if f.outlet in outlets and not faults & set(f.page_paths)]
    assert len(found) >= 2, "the sample site has fewer than two healthy outlet feeds"
    return found


def _stored(url: str) -> dict[str, tuple[str, str]]:
    """canonical_url -> (text source, URL of the feed that brought it), for every article."""
    with engine_for(url).connect() as c:
        rows = c.execute(
            select(Article.canonical_url, Article.text_source, FeedRow.url).join(
                FeedRow, Article.feed_id == FeedRow.id, isouter=True
            )
        ).all()
    stored = {canonical: (source, feed) for canonical, source, feed in rows}
    assert len(stored) == len(rows), "an article stored twice"
    return stored


def _count(url: str, model: type) -> int:
    with engine_for(url).connect() as c:
        return int(c.scalar(select(func.count()).select_from(model)) or 0)


def test_api_runs_ingest_with_parameters_then_maintenance(
    served: Served, flow_env: str, site: SampleSite, site_server: SiteServer
) -> None:
    feed = _healthy_outlet_feeds(site)[0]
    feed_url = site_server.url(feed.path)
    # The deployment was registered by `serve` with its schedule and the flow's parameters.
    deployment = served.deployment("ingest/ingest")
    (schedule,) = deployment.schedules
    assert getattr(schedule.schedule, "cron", None) == NEVER_DURING_A_TEST
    assert {"feeds", "force"} <= set((deployment.parameter_openapi_schema or {})["properties"])

    flow_run = served.run("ingest/ingest", {"feeds": [feed_url], "force": True})

    assert flow_run.state is not None
    assert (flow_run.state.type.value, flow_run.state.name) == ("COMPLETED", "Completed"), (
        flow_run.state.message
    )
    assert flow_run.parameters == {"feeds": [feed_url], "force": True}
    # That feed's articles, and nothing from the other feeds.
    expected = {canonicalize_url(site_server.url(path)) for path in feed.page_paths}
    stored = _stored(flow_env)
    assert set(stored) == expected
    assert set(stored.values()) == {("page", feed_url)}
    # The run's summary in the UI tells the same numbers as the database.
    counts = markdown_counts(served.artifact(flow_run.id, "ingest-summary"))
    assert counts["Feeds due"] == counts["Feeds fetched and parsed"] == 1
    assert counts["Feeds failed"] == counts["Pages failed"] == 0
    assert counts["Entries seen"] == counts["New entries"] == len(feed.page_paths)
    assert counts["Articles stored"] + counts["Exact duplicates stored (same text)"] == len(stored)
    with engine_for(flow_env).connect() as c:
        stories = c.scalar(select(func.count(func.distinct(Article.story_id))))
    assert counts["Stories that gained an article"] == stories
    # The feed-health table lists every subscribed feed; only this one was fetched.
    health = {row["feed"]: row for row in json.loads(served.artifact(flow_run.id, "feed-health"))}
    assert set(health) == set(site_server.feed_urls)
    assert health[feed_url]["status"] == "healthy"
    assert health[feed_url]["articles"] == len(stored)
    assert [url for url, row in health.items() if row["last fetched"] != "-"] == [feed_url]
    # The cron schedule started nothing: any other run of the deployment is still waiting.
    others = [r for r in served.runs_of("ingest/ingest") if r.id != flow_run.id]
    assert all(r.state_type is not None and r.state_type.value == "SCHEDULED" for r in others)

    # Maintenance, on demand through the API, over the database the run filled.
    flow_run = served.run("maintenance/maintenance")
    assert flow_run.state is not None
    assert flow_run.state.is_completed(), flow_run.state.message
    summary = served.artifact(flow_run.id, "maintenance-summary")
    assert summary.startswith("# Maintenance summary")
    backend = make_url(flow_env).get_backend_name()
    assert f"| Database upkeep | {backend}: " in summary, summary
    assert markdown_counts(summary)["Archived pages removed (past NEWSFLOW_ARCHIVE_DAYS)"] == 0
    assert "Failed steps" not in summary
    assert set(_stored(flow_env)) == expected  # upkeep removes no article


def test_cli_runs_with_and_without_parameters(
    served: Served, flow_env: str, site: SampleSite, site_server: SiteServer
) -> None:
    feed = _healthy_outlet_feeds(site)[1]
    feed_url = site_server.url(feed.path)
    status, output = served.prefect(
        "deployment",
        "run",
        "ingest/ingest",
        "--param",
        f"feeds={json.dumps([feed_url])}",
        "--param",
        "force=true",
        "--watch",
        "--watch-timeout",
        "120",
    )
    assert status == 0, output
    assert "finished successfully in 'Completed'" in output, output
    named = served.flow_run(flow_run_id_in(output))
    assert named.parameters == {"feeds": [feed_url], "force": True}
    expected = {canonicalize_url(site_server.url(path)) for path in feed.page_paths}
    assert set(_stored(flow_env)) == expected
    counts = markdown_counts(served.artifact(named.id, "ingest-summary"))
    assert (counts["Feeds due"], counts["New entries"]) == (1, len(feed.page_paths))

    # A run with no parameters (the UI's Run): every due feed, the faults included.
    status, output = served.prefect("deployment", "run", "ingest/ingest", "--watch")
    assert status == 0, output
    assert f"finished successfully in {FAILURES_STATE!r}" in output, output
    full = served.flow_run(flow_run_id_in(output))
    assert full.parameters == {}
    assert full.state is not None and full.state.name == FAILURES_STATE
    # The headline is the state's message: the malformed feed and the missing page.
    assert "1 failed" in str(full.state.message) and "1 pages failed" in str(full.state.message)
    # Every article once: pages for all but the missing one, which its feed's summary
    # stands in for; nothing stored twice under another URL.
    missing = canonicalize_url(site_server.url(site.fault_paths["missing"]))
    articles = {canonicalize_url(site_server.url(page.path)) for page in site.articles()}
    stored = _stored(flow_env)
    assert set(stored) == articles | {missing}
    assert {url for url, (source, _) in stored.items() if source == "feed"} == {missing}
    counts = markdown_counts(served.artifact(full.id, "ingest-summary"))
    assert counts["Feeds due"] == len(site.feeds) - 1  # the named feed is not due yet
    assert (counts["Feeds failed"], counts["Pages failed"]) == (1, 1)


def test_unknown_feed_fails_the_run_and_stores_nothing(
    served: Served, flow_env: str, site_server: SiteServer
) -> None:
    unknown = "http://127.0.0.1:1/not-subscribed.xml"
    flow_run = served.run("ingest/ingest", {"feeds": [unknown]})
    assert flow_run.state is not None
    assert flow_run.state.is_failed(), (flow_run.state, served.output())
    assert unknown in str(flow_run.state.message), flow_run.state.message
    assert (_count(flow_env, Article), _count(flow_env, Entry)) == (0, 0)
    assert site_server.requests == []
    # A parameter of the wrong type (a string for the list of feeds) is refused by the
    # server against the deployment's parameter schema: no run is created.
    before = len(served.runs_of("ingest/ingest"))
    with pytest.raises(PrefectHTTPStatusError, match="feeds"):
        served.run("ingest/ingest", {"feeds": site_server.feed_urls[0]})
    assert len(served.runs_of("ingest/ingest")) == before


def test_a_restart_keeps_the_maintenance_schedule(
    prefect_server: str, flow_env: str, tmp_path: Path
) -> None:
    # Prefect replaces a served deployment's schedules (and their scheduled runs) each
    # time `serve` starts. An interval schedule without an anchor date starts over from
    # that moment, so a process restarted more often than NEWSFLOW_MAINTENANCE_INTERVAL
    # (nightly, or at each deploy) would never run maintenance.
    env = serve_env(prefect_server, tmp_path / "prefect", NEWSFLOW_DATA_DIR=str(tmp_path / "data"))
    schedules = []
    for start in range(2):
        with serving(prefect_server, env, tmp_path / f"serve-{start}.log") as served:
            (schedule,) = served.deployment("maintenance/maintenance").schedules
            schedules.append(schedule.schedule)
    assert schedules[1] == schedules[0], f"moved by a restart: {schedules}"
