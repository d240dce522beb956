from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.resources import forget_engine
from flows.samplesite import SampleSite, SiteServer, build_site


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One throw-away Prefect API for every flow test in the session, no heartbeats."""
    import prefect.settings
    from prefect.testing.utilities import prefect_test_harness

    # Heartbeats detect crashed runs of long-lived deployments; a test run only pays
    # for them. None turns them off (an environment variable cannot say None).
    off = {prefect.settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    with (
        prefect.settings.temporary_settings(updates=off),
        prefect_test_harness(server_startup_timeout=120),
    ):
        yield


@pytest.fixture(scope="session")
def site() -> SampleSite:
    return build_site(outlets=4, articles_per_outlet=6, seed=7)


@pytest.fixture
def site_server(site: SampleSite) -> Iterator[SiteServer]:
    with SiteServer(site, host="127.0.0.1", port=0, slow_seconds=0.3) as server:
        yield server


@pytest.fixture
def flow_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Settings for a flow run: a fresh database (a SQLite file, or the wiped
    NEWSFLOW_TEST_DATABASE_URL), loopback allowed, quick retries."""
    url = db_url
    forget_engine(url)  # one PostgreSQL URL serves every test, wiped in between
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    monkeypatch.setenv("NEWSFLOW_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSFLOW_TASK_RETRY_DELAY", "0.2")
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "1")
    monkeypatch.setenv("NEWSFLOW_READ_TIMEOUT", "5")
    # One loopback site is one domain: no request rate, or runs take seconds per page.
    monkeypatch.setenv("NEWSFLOW_HOST_RATE", "0")
    return url
