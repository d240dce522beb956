"""The Prefect UI in headless Chromium: an ingest run, its state and its artifacts.

Playwright is imported inside the tests: without it the `chromium` fixture skips them
(or fails them under NEWSFLOW_E2E=1) instead of the module failing to import.
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect import State

from extractors.opml import Subscription
from flows.ingest import FAILURES_STATE, ingest
from flows.pipeline import repository
from flows.samplesite import SampleSite, SiteServer
from flows.settings import Settings
from flows.summary import IngestSummary, feed_health_table

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _ingest_on(api_url: str) -> tuple[State[Any], UUID, str]:
    """Run ingest in this process against that server: its final state, run id and name."""
    from prefect import get_client
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        state = ingest(return_state=True)
        # A background worker sends the run's logs in batches: send the rest now, so
        # the page shows every line when it first loads.
        APILogHandler().flush()
        run_id = state.state_details.flow_run_id
        assert run_id is not None
        with get_client(sync_client=True) as client:
            name = client.read_flow_run(run_id).name
    return state, run_id, name


def _assert_png(path: Path) -> None:
    """A real screenshot: a PNG as wide as the window and at least as tall, not a blank."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert width == 1400 and height >= 1000, (width, height)
    # A blank 1400x1000 PNG is about 6 kB; a page of text and tables is well over 50 kB.
    assert len(data) > 50_000, len(data)


def test_ingest_run_state_and_summary_in_the_ui(
    chromium: Path,
    prefect_server: str,
    flow_env: str,
    site: SampleSite,
    site_server: SiteServer,
    screenshot_dir: Path,
) -> None:
    from playwright.sync_api import expect

    from tests.e2e.browser import UI_TIMEOUT_MS, screenshot, ui_page

    repository(Settings()).add_feeds(
        [Subscription(u) for u in site_server.feed_urls], datetime.now(UTC)
    )
    state, run_id, run_name = _ingest_on(prefect_server)
    summary = state.result()
    assert isinstance(summary, IngestSummary)
    # The sample site has a malformed feed and a missing page: the run ends with failures.
    assert (state.is_completed(), state.name) == (True, FAILURES_STATE)
    assert summary.entries_new > 0 and summary.articles_stored > 0
    health, _ = feed_health_table(repository(Settings()).list_feeds())
    ui = prefect_server.removesuffix("/api")
    shots = []

    with ui_page(chromium, prefect_server) as (page, watch):
        # /v2 is the UI Prefect 3.9 opens by default (its "/" redirects there).
        page.goto(f"{ui}/v2/runs/flow-run/{run_id}")
        # A single-page app: wait for what a person looks for, not for load events.
        expect(page.get_by_text(run_name, exact=True)).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.get_by_text(FAILURES_STATE, exact=True)).to_be_visible(timeout=UI_TIMEOUT_MS)
        # The Logs tab opens first: the run's headline as the flow logged it.
        expect(page.get_by_text(summary.headline(), exact=True)).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        shots.append(screenshot(page, screenshot_dir / "ingest-run.png"))

        # The summary artifact, reached from the run's Artifacts tab.
        page.get_by_role("tab", name="Artifacts").click()
        page.get_by_text("ingest-summary", exact=True).click()
        expect(page).to_have_url(re.compile(r"/v2/artifacts/artifact/"), timeout=UI_TIMEOUT_MS)
        expect(page.get_by_role("heading", name="Ingest summary")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        expect(page.get_by_role("link", name=run_name, exact=True)).to_be_visible()
        for label, value in (
            ("Feeds due", summary.feeds_due),
            ("Feeds failed", len(summary.feed_failures)),
            ("New entries", summary.entries_new),
            ("Articles stored", summary.articles_stored),
            ("Pages failed", len(summary.page_failures)),
        ):
            row = page.get_by_role("row").filter(
                has=page.get_by_role("cell", name=label, exact=True)
            )
            expect(row.get_by_role("cell").last).to_have_text(str(value))
        for failure in summary.feed_failures + summary.page_failures:
            expect(page.get_by_role("link", name=failure.url, exact=True)).to_be_visible()
        shots.append(screenshot(page, screenshot_dir / "ingest-summary.png"))

        # The feed-health table artifact: every feed, those in trouble first.
        page.go_back()
        page.get_by_text("feed-health", exact=True).click()
        expect(page.get_by_role("cell", name=str(health[0]["feed"]))).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        rows = page.get_by_role("row")
        # The header and one row per feed (the UI pages tables at 10 rows; the site has 6).
        expect(rows).to_have_count(len(site.feeds) + 1)
        for number, expected in enumerate(health, start=1):
            expect(rows.nth(number)).to_contain_text(str(expected["feed"]))
            expect(rows.nth(number)).to_contain_text(str(expected["status"]))
        shots.append(screenshot(page, screenshot_dir / "feed-health.png"))

    assert watch.trouble == []
    for shot in shots:
        _assert_png(shot)


def test_an_unreachable_api_counts_as_trouble(chromium: Path, prefect_server: str) -> None:
    """The filter on browser errors still catches the UI failing to reach its API."""
    from playwright.sync_api import Route

    from tests.e2e.browser import ui_page

    ui = prefect_server.removesuffix("/api")

    def refuse(route: Route) -> None:
        route.abort("connectionrefused")

    with ui_page(chromium, prefect_server) as (page, watch):
        # As when the server is down or the UI's API URL points nowhere.
        page.route(f"{prefect_server}/**", refuse)
        with page.expect_event("requestfailed", lambda r: r.url.startswith(prefect_server)):
            page.goto(f"{ui}/v2/runs")
    assert any(
        line.startswith("request failed: ") and line.endswith("net::ERR_CONNECTION_REFUSED")
        for line in watch.trouble
    ), watch.trouble
    # Console errors and uncaught errors ("TypeError: Failed to fetch") may come too,
    # all of them about the refused connections.
    refused = re.compile(r"ERR_CONNECTION_REFUSED|Failed to fetch")
    assert all(refused.search(line) for line in watch.trouble), watch.trouble
