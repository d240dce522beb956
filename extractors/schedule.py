"""When to fetch a feed next, and why: the feed's own rhythm, bounded by what it asks.

The base interval follows the feed's publishing rhythm (CommaFeed and NewsBlur
schedule from it too); what the server and the feed say about freshness (RSS
``<ttl>``, Cache-Control, Expires, Retry-After) is a floor; the options bound it;
jitter spreads feeds so they do not come due together. Callers pass ``now`` and a
uniform ``rand`` in [0, 1); ``rand=0.5`` means no jitter.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeGuard

#: RFC 9111, 1.2.2: a delta-seconds too large to represent is 2**31 seconds.
_MAX_DELTA_SECONDS = 2**31
_RHYTHM_WINDOW = timedelta(days=30)
_FUTURE_SLACK = timedelta(hours=1)
_QUIET_AFTER = timedelta(days=7)
_STALE_AFTER = timedelta(days=30)

# RFC 9111, 5.2: directive = token [ "=" ( token / quoted-string ) ], comma-separated.
_DIRECTIVE_RE = re.compile(r'([^\s,=";]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"?|[^\s,;]*))?')
_DELTA_RE = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """Bounds of the adaptive feed schedule."""

    min_interval: timedelta = timedelta(minutes=5)
    max_interval: timedelta = timedelta(hours=24)  # a live feed is fetched at least this often
    default_interval: timedelta = timedelta(minutes=15)  # when the rhythm is unknown
    jitter: float = 0.1  # +/- fraction

    def __post_init__(self) -> None:
        if not timedelta(0) <= self.min_interval <= self.max_interval:
            raise ValueError("schedule: need 0 <= min_interval <= max_interval")
        if not 0.0 <= self.jitter < 1.0:
            raise ValueError(f"schedule: jitter must be in [0, 1), not {self.jitter}")


@dataclass(frozen=True, slots=True)
class CacheHints:
    """What the server and the feed say about freshness, in seconds."""

    max_age: float | None = None  # Cache-Control max-age (s-maxage wins if present)
    expires_in: float | None = None  # from now per Expires (relative to Date if given)
    retry_after: float | None = None
    ttl: float | None = None  # RSS <ttl> (minutes in the feed)
    no_cache: bool = False  # Cache-Control no-cache/no-store: no floor from headers


@dataclass(frozen=True, slots=True)
class NextFetch:
    """When to fetch next, and a short sentence saying why."""

    at: datetime
    reason: str


def format_interval(td: timedelta) -> str:
    """A compact duration: 45s, 5m, 1.5h, 24h, 2d."""
    seconds = td.total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    # Hours up to two days read better than days ("24h", "36h"), as schedules think in hours.
    # Rounded before choosing the unit, so 59.97s reads "1m", not "60s".
    for unit, size, below in (("s", 1, 60), ("m", 60, 3600), ("h", 3600, 172_800)):
        if round(seconds / size, 1) * size < below:
            return f"{sign}{_number(seconds / size)}{unit}"
    return f"{sign}{_number(seconds / 86_400)}d"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _aware(value: datetime) -> datetime:
    # A naive time is read as UTC, as HTTP-dates (RFC 9110, 5.6.7) and feeds are.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _http_date(value: str) -> datetime | None:
    """An HTTP-date (IMF-fixdate, RFC 850 or asctime: RFC 9110, 5.6.7), or None."""
    try:
        return _aware(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _delta_seconds(value: str) -> float | None:
    """delta-seconds (RFC 9111, 1.2.2), negative read as 0, or None when not a number."""
    text = value.strip()
    if not _DELTA_RE.fullmatch(text):
        return None
    return float(min(max(int(text), 0), _MAX_DELTA_SECONDS))


def _seconds_until(when: datetime, reference: datetime) -> float:
    return min(max((when - reference).total_seconds(), 0.0), float(_MAX_DELTA_SECONDS))


def _cache_control(value: str) -> dict[str, str | None]:
    """Directives by lower-cased name; the first occurrence wins (RFC 9111, 4.2.1)."""
    directives: dict[str, str | None] = {}
    for match in _DIRECTIVE_RE.finditer(value):
        name, argument = match.group(1).lower(), match.group(2)
        if argument is not None and argument.startswith('"'):
            inner = argument[1:-1] if len(argument) > 1 and argument.endswith('"') else argument[1:]
            argument = re.sub(r"\\(.)", r"\1", inner)
        directives.setdefault(name, argument)
    return directives


def cache_hints(
    headers: Mapping[str, str], now: datetime, ttl_minutes: int | None = None
) -> CacheHints:
    """Freshness hints from response headers (RFC 9111, RFC 9110) and the feed's <ttl>."""
    now = _aware(now)
    lowered = {name.lower(): value for name, value in headers.items()}
    directives = _cache_control(lowered.get("cache-control", ""))
    max_age = None
    # s-maxage overrides max-age (RFC 9111, 5.2.2.10); bad numbers are ignored.
    for name in ("s-maxage", "max-age"):
        argument = directives.get(name)
        if argument is not None:
            max_age = _delta_seconds(argument)
            if max_age is not None:
                break
    # Unqualified no-cache only: no-cache="Set-Cookie" leaves the rest of the response
    # cacheable (RFC 9111, 5.2.2.4). no-store forbids keeping it at all (5.2.2.5).
    no_cache = "no-store" in directives or ("no-cache" in directives and not directives["no-cache"])
    date = _http_date(lowered["date"]) if "date" in lowered else None
    reference = date or now
    expires_in = None
    # RFC 9111, 5.3: with max-age present, Expires is ignored; an invalid Expires
    # (such as "0") means already expired.
    if max_age is None and "expires" in lowered:
        expires = _http_date(lowered["expires"])
        expires_in = 0.0 if expires is None else _seconds_until(expires, reference)
    retry_after = None
    if "retry-after" in lowered:
        # RFC 9110, 10.2.3: delay-seconds or an HTTP-date (read against the server's
        # Date when it sent one, which cancels clock skew).
        raw = lowered["retry-after"]
        retry_after = _delta_seconds(raw)
        if retry_after is None:
            when = _http_date(raw)
            retry_after = None if when is None else _seconds_until(when, reference)
    ttl = None if ttl_minutes is None else min(max(ttl_minutes, 0) * 60.0, _MAX_DELTA_SECONDS)
    return CacheHints(max_age, expires_in, retry_after, ttl, no_cache)


def publish_rhythm(published: Iterable[datetime], now: datetime) -> timedelta | None:
    """The median gap between the feed's recent distinct publication times, or None."""
    now = _aware(now)
    earliest, latest = now - _RHYTHM_WINDOW, now + _FUTURE_SLACK
    # Dates further ahead than an hour are mistakes or embargoes, not the rhythm.
    times = sorted({t for t in map(_aware, published) if earliest <= t <= latest})
    if len(times) < 3:
        return None
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    return timedelta(seconds=statistics.median(gaps))


def _known(value: float | None) -> TypeGuard[float]:
    return value is not None and not math.isnan(value)


def _floor(hints: CacheHints) -> tuple[float, str] | None:
    """The largest wait the server or the feed asks for, and its name."""
    candidates: list[tuple[float, str]] = []
    if _known(hints.ttl):
        candidates.append((hints.ttl, f"RSS ttl {_number(hints.ttl / 60)}m"))
    if not hints.no_cache:
        if _known(hints.max_age):
            label = format_interval(timedelta(seconds=min(hints.max_age, _MAX_DELTA_SECONDS)))
            candidates.append((hints.max_age, f"Cache-Control max-age {label}"))
        if _known(hints.expires_in):
            label = format_interval(timedelta(seconds=min(hints.expires_in, _MAX_DELTA_SECONDS)))
            candidates.append((hints.expires_in, f"Expires in {label}"))
    if _known(hints.retry_after):
        label = format_interval(timedelta(seconds=min(hints.retry_after, _MAX_DELTA_SECONDS)))
        candidates.append((hints.retry_after, f"Retry-After {label}"))
    return max(candidates, key=lambda c: c[0]) if candidates else None


def _base(
    now: datetime, rhythm: timedelta | None, last_published: datetime | None, o: ScheduleOptions
) -> tuple[float, str]:
    if rhythm is not None:
        # Twice per expected post: a new entry waits half a rhythm on average.
        base = rhythm / 2
        return base.total_seconds(), (
            f"publishes about every {format_interval(rhythm)}; next in {format_interval(base)}"
        )
    if last_published is not None:
        age = _aware(now) - _aware(last_published)
        days = int(age.total_seconds() // 86_400)
        if age > _STALE_AFTER:
            slowest = format_interval(o.max_interval)
            return o.max_interval.total_seconds(), (
                f"no post for {days} days; slowest schedule ({slowest})"
            )
        if age > _QUIET_AFTER:
            quiet = o.max_interval / 4
            return quiet.total_seconds(), (
                f"no post for {days} days; next in {format_interval(quiet)}"
            )
    default = o.default_interval
    return default.total_seconds(), f"rhythm unknown; default {format_interval(default)}"


def next_fetch(
    now: datetime,
    *,
    rhythm: timedelta | None,
    last_published: datetime | None,
    hints: CacheHints,
    options: ScheduleOptions,
    rand: float,
) -> NextFetch:
    """When to fetch the feed next: its rhythm, raised to what it asks, within the bounds.

    Jitter scales the interval by up to +/- ``options.jitter`` but never brings it
    below ``min_interval`` nor below a wait the server or the feed asked for; above
    ``max_interval`` it may go by the jitter fraction at most, so feeds resting on the
    slowest schedule still spread out.
    """
    seconds, reason = _base(now, rhythm, last_published, options)
    floor = _floor(hints)
    asked = 0.0
    if floor is not None:
        asked = floor[0]
        if asked > seconds:
            # The server (or the feed) asks for at most one fetch per this long.
            seconds, reason = floor
    lowest, highest = options.min_interval.total_seconds(), options.max_interval.total_seconds()
    if seconds < lowest:
        seconds = lowest
        reason += f" (raised to the {format_interval(options.min_interval)} minimum)"
    elif seconds > highest:
        seconds = highest
        reason += f" (capped at the {format_interval(options.max_interval)} maximum)"
    jittered = seconds * (1.0 + options.jitter * (2.0 * rand - 1.0))
    jittered = max(jittered, lowest, min(asked, highest))
    return NextFetch(now + timedelta(seconds=jittered), reason)


def error_backoff(
    now: datetime,
    errors: int,
    *,
    retry_after: float | None,
    base: timedelta,
    cap: timedelta,
    rand: float,
    jitter: float = 0.25,
) -> NextFetch:
    """When to try again after ``errors`` failures in a row: exponential, jittered, capped."""
    cap_seconds = cap.total_seconds()
    # Capped before multiplying: 2**errors overflows a timedelta long before errors is large.
    exponent = min(max(errors, 1) - 1, 64)
    delay = min(base.total_seconds() * 2.0**exponent, cap_seconds)
    reason = (
        f"error {max(errors, 1)} in a row; retry in {format_interval(timedelta(seconds=delay))}"
    )
    asked = 0.0
    if _known(retry_after):
        # RFC 9110, 10.2.3: the server said how long to wait; never sooner, but no
        # later than the cap.
        asked = min(retry_after, cap_seconds)
    if _known(retry_after) and retry_after > delay:
        delay = asked
        shown = format_interval(timedelta(seconds=min(retry_after, _MAX_DELTA_SECONDS)))
        reason = f"server asked to retry after {shown}"
        if retry_after > cap_seconds:
            reason += f" (capped at {format_interval(cap)})"
    jittered = delay * (1.0 + jitter * (2.0 * rand - 1.0))
    jittered = min(max(jittered, asked), cap_seconds)
    return NextFetch(now + timedelta(seconds=jittered), reason)
