"""A feed's health: each state, its reason, its next fetch, and recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from extractors.health import (
    Failure,
    FeedHealth,
    HealthOptions,
    after_failure,
    after_success,
)
from extractors.schedule import NextFetch

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OPTIONS = HealthOptions()
URL = "https://news.example/feed.xml"
SCHEDULE = NextFetch(NOW + timedelta(minutes=30), "publishes about every 1h; next in 30m")


def fail(health: FeedHealth, failure: Failure, now: datetime = NOW) -> FeedHealth:
    return after_failure(health, failure, now, options=OPTIONS, rand=0.5).health


def test_errors_degrade_then_back_off_exponentially_within_bounds() -> None:
    health = FeedHealth()
    waits = []
    for _ in range(10):
        change = after_failure(
            health, Failure("fetch: 500 from x", "transient", 500), NOW, options=OPTIONS, rand=0.5
        )
        health = change.health
        waits.append(change.next_fetch.at - NOW)
    assert health.status == "degraded" and health.error_count == 10
    assert waits[:3] == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert max(waits) == OPTIONS.error_cap
    assert change.reason == "10 failed fetches in a row: fetch: 500 from x"


def test_recovery_clears_errors_and_says_so() -> None:
    broken = fail(FeedHealth(), Failure("fetch: 500", "transient", 500))
    change = after_success(broken, SCHEDULE, url=URL, moved_to=None, options=OPTIONS)
    assert change.health == FeedHealth()
    assert change.reason == "recovered after 1 failed fetches"
    assert change.next_fetch == SCHEDULE


def test_429_is_rate_limited_and_honours_retry_after() -> None:
    failure = Failure("fetch: 429 from x", "transient", 429, retry_after=3600)
    change = after_failure(FeedHealth(), failure, NOW, options=OPTIONS, rand=0.5)
    assert change.health.status == "rate_limited"
    assert change.next_fetch.at == NOW + timedelta(hours=1)
    without = after_failure(
        FeedHealth(), Failure("fetch: 429", "transient", 429), NOW, options=OPTIONS, rand=0.5
    )
    assert without.next_fetch.at == NOW + OPTIONS.rate_limit_pause


def test_blocked_and_gone() -> None:
    assert fail(FeedHealth(), Failure("fetch: 403 from x", "permanent", 403)).status == "blocked"
    assert fail(FeedHealth(), Failure("fetch: private", "permanent", blocked=True)).status == (
        "blocked"
    )
    gone = after_failure(
        FeedHealth(), Failure("fetch: 410 from x", "permanent", 410), NOW, options=OPTIONS, rand=0.5
    )
    assert gone.health.status == "gone" and "410 Gone" in gone.reason
    assert gone.next_fetch.at == NOW + OPTIONS.gone_probe_interval


def test_failing_for_days_suspends_but_keeps_probing_and_recovers() -> None:
    health = fail(FeedHealth(), Failure("fetch: 500", "transient", 500))
    assert health.failing_since == NOW
    later = NOW + OPTIONS.suspend_after
    change = after_failure(
        health, Failure("fetch: 500", "transient", 500), later, options=OPTIONS, rand=0.5
    )
    assert change.health.status == "suspended"
    assert change.next_fetch.at == later + OPTIONS.probe_interval
    assert change.reason.startswith("failing for 3d (2 errors; last: fetch: 500)")
    back = after_success(change.health, SCHEDULE, url=URL, moved_to=None, options=OPTIONS)
    assert back.health.status == "healthy"


def test_permanent_redirect_is_adopted_only_after_several_sightings() -> None:
    target = "https://news.example/new.xml"
    health = FeedHealth()
    for seen in (1, 2):
        change = after_success(health, SCHEDULE, url=URL, moved_to=target, options=OPTIONS)
        health = change.health
        assert (health.status, health.redirect_count, change.adopt_url) == ("moved", seen, None)
    # A different target restarts the count.
    other = after_success(
        health, SCHEDULE, url=URL, moved_to=target + "?v=2", options=OPTIONS
    ).health
    assert other.redirect_count == 1
    adopted = after_success(health, SCHEDULE, url=URL, moved_to=target, options=OPTIONS)
    assert adopted.adopt_url == target and adopted.health.status == "healthy"
    assert "moved permanently" in adopted.reason
