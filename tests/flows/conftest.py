from __future__ import annotations

from collections.abc import Iterator

import pytest


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
