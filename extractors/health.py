"""A feed's health: what each fetch does to its state, and when it is fetched next. Pure.

    healthy       the last fetch worked
    degraded      failing, retried with bounded exponential backoff
    rate_limited  the server answered 429 (or asked to wait with Retry-After)
    blocked       refused: 401/403/451, a private address, robots or the like
    moved         answers with a permanent redirect, not yet adopted
    gone          410 Gone: probed rarely in case it comes back
    suspended     failing for days: probed now and then, recovers by itself

No state stops a feed: every one has a next fetch time and a reason (CommaFeed
keeps polling broken feeds with bounded backoff; Miniflux's "parsing_error_count"
stops them, which is what this avoids).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from extractors.errors import ErrorKind
from extractors.schedule import NextFetch, error_backoff, format_interval

FeedStatus = Literal["healthy", "degraded", "rate_limited", "blocked", "moved", "gone", "suspended"]

_BLOCKING_STATUSES = frozenset({401, 403, 451})


@dataclass(frozen=True, slots=True)
class HealthOptions:
    """Bounds of the error schedule and of the state changes."""

    error_base: timedelta = timedelta(minutes=5)
    error_cap: timedelta = timedelta(hours=6)
    suspend_after: timedelta = timedelta(days=3)
    probe_interval: timedelta = timedelta(hours=24)
    gone_probe_interval: timedelta = timedelta(days=7)
    #: Consecutive fetches that must see the same permanent redirect before the feed's
    #: URL is changed: a misconfigured server for an hour must not move a feed.
    adopt_redirect_after: int = 3
    rate_limit_pause: timedelta = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """The stored part of a feed's health."""

    status: FeedStatus = "healthy"
    error_count: int = 0
    failing_since: datetime | None = None
    redirect_url: str | None = None
    redirect_count: int = 0


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed fetch or parse, as the health rules need it."""

    reason: str
    kind: ErrorKind
    http_status: int | None = None
    retry_after: float | None = None
    blocked: bool = False  # refused before asking: private address, robots.txt


@dataclass(frozen=True, slots=True)
class HealthChange:
    """The new health, why, the next fetch, and a URL to adopt when the feed moved."""

    health: FeedHealth
    reason: str
    next_fetch: NextFetch
    adopt_url: str | None = None


def after_success(
    health: FeedHealth,
    schedule: NextFetch,
    *,
    url: str,
    moved_to: str | None,
    options: HealthOptions,
) -> HealthChange:
    """A fetch that worked (200 parsed, 304 or unchanged), maybe through a permanent redirect."""
    if moved_to is not None and moved_to != url:
        seen = health.redirect_count + 1 if health.redirect_url == moved_to else 1
        if seen >= options.adopt_redirect_after:
            return HealthChange(
                FeedHealth(),
                f"moved permanently from {url} to {moved_to}; adopted after {seen} "
                "fetches in a row saw the redirect",
                schedule,
                adopt_url=moved_to,
            )
        return HealthChange(
            FeedHealth(status="moved", redirect_url=moved_to, redirect_count=seen),
            f"permanent redirect to {moved_to} seen {seen} of "
            f"{options.adopt_redirect_after} times before it is adopted",
            schedule,
        )
    if health.error_count:
        reason = f"recovered after {health.error_count} failed fetches"
    else:
        reason = "fetched fine"
    return HealthChange(FeedHealth(), reason, schedule)


def after_failure(
    health: FeedHealth,
    failure: Failure,
    now: datetime,
    *,
    options: HealthOptions,
    rand: float,
) -> HealthChange:
    """A failed fetch or parse: the next state, with bounded backoff; never a dead end."""
    errors = health.error_count + 1
    since = health.failing_since or now
    failing = replace(health, error_count=errors, failing_since=since)
    code = failure.http_status

    if code == 410:
        wait = options.gone_probe_interval
        return HealthChange(
            replace(failing, status="gone"),
            f"410 Gone: the publisher removed the feed; checked again every "
            f"{format_interval(wait)} in case it returns",
            NextFetch(now + wait, f"gone; probe in {format_interval(wait)}"),
        )
    if now - since >= options.suspend_after:
        wait = options.probe_interval
        return HealthChange(
            replace(failing, status="suspended"),
            f"failing for {format_interval(now - since)} ({errors} errors; last: "
            f"{failure.reason}); probed every {format_interval(wait)} until it answers",
            NextFetch(now + wait, f"suspended; probe in {format_interval(wait)}"),
        )
    backoff = error_backoff(
        now,
        errors,
        retry_after=failure.retry_after,
        base=options.error_base,
        cap=options.error_cap,
        rand=rand,
    )
    if code == 429:
        if failure.retry_after is None:
            pause = options.rate_limit_pause
            backoff = NextFetch(
                max(backoff.at, now + pause),
                f"429 without Retry-After; wait {format_interval(pause)}",
            )
        return HealthChange(
            replace(failing, status="rate_limited"),
            f"rate limited by the server: {failure.reason}",
            backoff,
        )
    if failure.blocked or code in _BLOCKING_STATUSES:
        return HealthChange(
            replace(failing, status="blocked"), f"refused: {failure.reason}", backoff
        )
    return HealthChange(
        replace(failing, status="degraded"),
        f"{errors} failed fetch{'es' if errors > 1 else ''} in a row: {failure.reason}",
        backoff,
    )
