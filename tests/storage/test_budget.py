"""The shared per-domain budget and robots.txt cache, on a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from storage.budget import BudgetStore, Grant, Wait
from tests.storage.helpers import NOW


def acquire(
    store: BudgetStore,
    domain: str,
    now: datetime,
    *,
    concurrency: int,
    interval: float,
    lease_seconds: float,
) -> Grant | Wait:
    """One request's exchange: a grant or a wait."""
    decision = store.exchange(
        (),
        {domain: 1},
        now,
        concurrency=concurrency,
        interval=interval,
        lease_seconds=lease_seconds,
    )[domain]
    return decision[0] if isinstance(decision, list) else decision


def _grant(decision: Grant | Wait) -> Grant:
    assert isinstance(decision, Grant), decision
    return decision


def test_rate_spaces_request_starts(engine: Engine) -> None:
    store = BudgetStore(engine)
    starts = [
        _grant(
            acquire(store, "example.com", NOW, concurrency=10, interval=0.5, lease_seconds=60)
        ).start
        for _ in range(3)
    ]
    assert starts == [NOW, NOW + timedelta(seconds=0.5), NOW + timedelta(seconds=1)]
    # Another domain has a budget of its own.
    other = _grant(acquire(store, "other.org", NOW, concurrency=10, interval=0.5, lease_seconds=60))
    assert other.start == NOW


def test_concurrency_cap_and_release(engine: Engine) -> None:
    store = BudgetStore(engine)
    first = _grant(acquire(store, "example.com", NOW, concurrency=2, interval=0, lease_seconds=60))
    _grant(acquire(store, "example.com", NOW, concurrency=2, interval=0, lease_seconds=60))
    busy = acquire(store, "example.com", NOW, concurrency=2, interval=0, lease_seconds=60)
    assert isinstance(busy, Wait) and "2 requests to example.com already in flight" in busy.reason
    # A finished request hands its lease back in the next exchange.
    freed = store.exchange(
        [first.lease_id], {"example.com": 1}, NOW, concurrency=2, interval=0, lease_seconds=60
    )
    assert isinstance(freed["example.com"], list) and len(freed["example.com"]) == 1


def test_a_dead_workers_lease_expires(engine: Engine) -> None:
    store = BudgetStore(engine)
    _grant(acquire(store, "example.com", NOW, concurrency=1, interval=0, lease_seconds=30))
    assert isinstance(
        acquire(store, "example.com", NOW, concurrency=1, interval=0, lease_seconds=30), Wait
    )
    later = NOW + timedelta(seconds=31)  # never released: its worker was killed
    _grant(acquire(store, "example.com", later, concurrency=1, interval=0, lease_seconds=30))


def test_pause_holds_the_whole_domain_and_a_later_pause_wins(engine: Engine) -> None:
    store = BudgetStore(engine)
    until = NOW + timedelta(minutes=2)
    store.pause("example.com", until, "429 from a.example.com", NOW)
    store.pause("example.com", NOW + timedelta(minutes=1), "shorter", NOW)  # ignored
    waiting = acquire(store, "example.com", NOW, concurrency=5, interval=0, lease_seconds=60)
    assert waiting == Wait(until, "429 from a.example.com")
    _grant(acquire(store, "example.com", until, concurrency=5, interval=0, lease_seconds=60))


def test_crawl_delay_slows_the_rate(engine: Engine) -> None:
    store = BudgetStore(engine)
    store.set_crawl_delay("example.com", 5.0, NOW)
    a = _grant(acquire(store, "example.com", NOW, concurrency=5, interval=0.5, lease_seconds=60))
    b = _grant(acquire(store, "example.com", NOW, concurrency=5, interval=0.5, lease_seconds=60))
    assert b.start - a.start == timedelta(seconds=5)


def test_robots_cache_expires_and_is_replaced(engine: Engine) -> None:
    store = BudgetStore(engine)
    origin = "https://example.com/robots.txt"
    assert store.robots(origin, NOW) is None
    store.save_robots(origin, 200, b"User-agent: *\nDisallow: /x", NOW, NOW + timedelta(hours=24))
    cached = store.robots(origin, NOW + timedelta(hours=1))
    assert cached is not None and (cached.status, cached.body) == (
        200,
        b"User-agent: *\nDisallow: /x",
    )
    assert store.robots(origin, NOW + timedelta(hours=25)) is None
    store.save_robots(origin, 503, b"", NOW, NOW + timedelta(minutes=30))
    again = store.robots(origin, NOW)
    assert again is not None and again.status == 503


def test_one_exchange_frees_finished_leases_and_grants_a_round(engine: Engine) -> None:
    store = BudgetStore(engine)
    options = {"concurrency": 3, "interval": 1.0, "lease_seconds": 60}
    first = store.exchange((), {"a.com": 5, "b.org": 1}, NOW, **options)
    grants = first["a.com"]
    assert isinstance(grants, list) and len(grants) == 3  # no more than the free places
    assert [g.start for g in grants] == [NOW + timedelta(seconds=n) for n in range(3)]
    assert isinstance(first["b.org"], list) and len(first["b.org"]) == 1
    full = store.exchange((), {"a.com": 1}, NOW, **options)["a.com"]
    assert isinstance(full, Wait)
    # Two requests finished: their places are free again in the same transaction.
    again = store.exchange([grants[0].lease_id, grants[1].lease_id], {"a.com": 4}, NOW, **options)
    later = again["a.com"]
    assert isinstance(later, list) and len(later) == 2
    assert later[0].start == NOW + timedelta(seconds=3)  # the rate carries on
