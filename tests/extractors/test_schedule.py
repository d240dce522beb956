from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.schedule import (
    CacheHints,
    NextFetch,
    ScheduleOptions,
    cache_hints,
    error_backoff,
    format_interval,
    next_fetch,
    publish_rhythm,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OPTIONS = ScheduleOptions()  # 5m .. 24h, default 15m, jitter 0.1
NO_HINTS = CacheHints()
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def schedule(
    *,
    rhythm: timedelta | None = None,
    last_published: datetime | None = None,
    hints: CacheHints = NO_HINTS,
    options: ScheduleOptions = OPTIONS,
    rand: float = 0.5,
) -> NextFetch:
    return next_fetch(
        NOW,
        rhythm=rhythm,
        last_published=last_published,
        hints=hints,
        options=options,
        rand=rand,
    )


# --- format_interval -------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (59.96, "1m"),
        (90, "1.5m"),
        (300, "5m"),
        (3599, "1h"),
        (5400, "1.5h"),
        (86_400, "24h"),
        (36 * 3600, "36h"),
        (2 * 86_400, "2d"),
        (3.5 * 86_400, "3.5d"),
        (-90, "-1.5m"),
    ],
)
def test_format_interval(seconds: float, text: str) -> None:
    assert format_interval(timedelta(seconds=seconds)) == text


# --- cache_hints -----------------------------------------------------------


def test_cache_control_max_age_any_case() -> None:
    hints = cache_hints({"CACHE-Control": "public, MAX-AGE=600"}, NOW)
    assert hints == CacheHints(max_age=600.0)


def test_s_maxage_wins_over_max_age() -> None:
    assert cache_hints({"cache-control": "max-age=60, s-maxage=900"}, NOW).max_age == 900.0


@pytest.mark.parametrize(
    ("value", "max_age"),
    [
        ('max-age="120"', 120.0),  # quoted-string form (RFC 9111, 5.2)
        ("max-age=abc", None),  # not a number: ignored
        ("max-age=1.5", None),
        ("max-age=", None),
        ("max-age", None),
        ("max-age=-5", 0.0),
        ("max-age=99999999999999999999", float(2**31)),  # RFC 9111, 1.2.2
        ("max-age=30, max-age=90", 30.0),  # first occurrence (RFC 9111, 4.2.1)
        ('private="a, max-age=5", max-age=70', 70.0),  # a comma inside quotes
        ("max-age=40; must-revalidate", 40.0),
        ("s-maxage=bad, max-age=50", 50.0),
    ],
)
def test_cache_control_values(value: str, max_age: float | None) -> None:
    assert cache_hints({"Cache-Control": value}, NOW).max_age == max_age


@pytest.mark.parametrize(
    ("value", "no_cache"),
    [
        ("no-cache", True),
        ("No-Store, max-age=60", True),
        ("max-age=60, no-cache", True),
        ('no-cache="Set-Cookie"', False),  # qualified: the rest is cacheable (5.2.2.4)
        ("public, max-age=60", False),
        ("no-transform", False),
    ],
)
def test_no_cache(value: str, no_cache: bool) -> None:
    assert cache_hints({"cache-control": value}, NOW).no_cache is no_cache


def test_expires_is_relative_to_the_servers_date() -> None:
    headers = {
        "Date": "Wed, 25 Nov 2026 10:00:00 GMT",  # the server's clock is 2h behind
        "Expires": "Wed, 25 Nov 2026 11:30:00 GMT",
    }
    assert cache_hints(headers, NOW).expires_in == 5400.0


def test_expires_without_date_is_relative_to_now() -> None:
    headers = {"expires": "Wed, 25 Nov 2026 12:10:00 GMT"}
    assert cache_hints(headers, NOW).expires_in == 600.0


@pytest.mark.parametrize("value", ["0", "-1", "yesterday", "", "Tue, 24 Nov 2026 12:00:00 GMT"])
def test_invalid_or_past_expires_means_expired(value: str) -> None:
    assert cache_hints({"Expires": value}, NOW).expires_in == 0.0


def test_asctime_expires_is_read_as_gmt() -> None:
    assert cache_hints({"Expires": "Wed Nov 25 13:00:00 2026"}, NOW).expires_in == 3600.0


def test_max_age_overrides_expires() -> None:
    # RFC 9111, 5.3: with max-age, Expires is ignored.
    headers = {"Cache-Control": "max-age=60", "Expires": "Thu, 26 Nov 2026 12:00:00 GMT"}
    assert cache_hints(headers, NOW) == CacheHints(max_age=60.0)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 30 ", 30.0),
        ("-5", 0.0),
        ("Wed, 25 Nov 2026 12:10:00 GMT", 600.0),
        ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("1.5", None),
    ],
)
def test_retry_after(value: str, seconds: float | None) -> None:
    assert cache_hints({"Retry-After": value}, NOW).retry_after == seconds


def test_retry_after_date_is_relative_to_the_servers_date() -> None:
    headers = {
        "date": "Wed, 25 Nov 2026 11:00:00 GMT",
        "retry-after": "Wed, 25 Nov 2026 11:05:00 GMT",
    }
    assert cache_hints(headers, NOW).retry_after == 300.0


def test_ttl_minutes_become_seconds() -> None:
    assert cache_hints({}, NOW, ttl_minutes=60).ttl == 3600.0
    assert cache_hints({}, NOW, ttl_minutes=-10).ttl == 0.0
    assert cache_hints({}, NOW) == CacheHints()


@given(
    headers=st.dictionaries(
        st.sampled_from(["Cache-Control", "expires", "Date", "RETRY-AFTER", "X-Other"]),
        st.text(max_size=40),
    ),
    ttl=st.none() | st.integers(min_value=-(10**6), max_value=10**12),
)
def test_cache_hints_never_raise_and_never_go_negative(
    headers: dict[str, str], ttl: int | None
) -> None:
    hints = cache_hints(headers, NOW, ttl_minutes=ttl)
    for value in (hints.max_age, hints.expires_in, hints.retry_after, hints.ttl):
        assert value is None or value >= 0


# --- publish_rhythm --------------------------------------------------------


def test_rhythm_is_the_median_gap() -> None:
    times = [NOW - k * 3 * HOUR for k in range(6)]
    assert publish_rhythm(times, NOW) == 3 * HOUR


def test_rhythm_median_resists_an_outlier() -> None:
    times = [NOW - HOUR, NOW - 2 * HOUR, NOW - 3 * HOUR, NOW - 4 * HOUR, NOW - 10 * DAY]
    assert publish_rhythm(times, NOW) == HOUR


def test_rhythm_needs_three_distinct_dates() -> None:
    assert publish_rhythm([NOW - HOUR, NOW - 2 * HOUR], NOW) is None
    assert publish_rhythm([NOW - HOUR, NOW - HOUR, NOW - 2 * HOUR], NOW) is None
    assert publish_rhythm([NOW - HOUR, NOW - HOUR, NOW - 2 * HOUR, NOW - 4 * HOUR], NOW) == (
        1.5 * HOUR
    )
    assert publish_rhythm([], NOW) is None


def test_rhythm_ignores_old_and_future_dates() -> None:
    recent = [NOW - 2 * HOUR, NOW - 4 * HOUR]
    # Older than 30 days, or more than an hour ahead: not counted.
    assert publish_rhythm([*recent, NOW - 31 * DAY, NOW + 2 * HOUR], NOW) is None
    # Up to an hour ahead is clock skew, and counts.
    assert publish_rhythm([*recent, NOW + 30 * MIN], NOW) == timedelta(minutes=135)


def test_rhythm_reads_naive_times_as_utc() -> None:
    naive = [datetime(2026, 11, 25, hour) for hour in (6, 8, 10)]  # noqa: DTZ001
    assert publish_rhythm(naive, NOW) == 2 * HOUR


# --- next_fetch: the base interval ----------------------------------------


def test_rhythm_fetches_twice_per_expected_post() -> None:
    result = schedule(rhythm=3 * HOUR)
    assert result == NextFetch(NOW + 90 * MIN, "publishes about every 3h; next in 1.5h")


def test_unknown_rhythm_uses_the_default() -> None:
    assert schedule() == NextFetch(NOW + 15 * MIN, "rhythm unknown; default 15m")
    recent = schedule(last_published=NOW - 2 * DAY)
    assert recent == NextFetch(NOW + 15 * MIN, "rhythm unknown; default 15m")


def test_a_quiet_feed_slows_down() -> None:
    result = schedule(last_published=NOW - 10 * DAY)
    assert result == NextFetch(NOW + 6 * HOUR, "no post for 10 days; next in 6h")


def test_a_dead_feed_takes_the_slowest_schedule() -> None:
    result = schedule(last_published=NOW - 45 * DAY)
    assert result == NextFetch(NOW + DAY, "no post for 45 days; slowest schedule (24h)")


def test_rhythm_wins_over_the_age_of_the_last_post() -> None:
    assert schedule(rhythm=2 * HOUR, last_published=NOW - 45 * DAY).at == NOW + HOUR


# --- next_fetch: floors ----------------------------------------------------


@pytest.mark.parametrize(
    ("hints", "after", "reason"),
    [
        (CacheHints(ttl=3600.0), HOUR, "RSS ttl 60m"),
        (CacheHints(max_age=7200.0), 2 * HOUR, "Cache-Control max-age 2h"),
        (CacheHints(expires_in=1800.0), 30 * MIN, "Expires in 30m"),
        (CacheHints(retry_after=600.0), 15 * MIN, "rhythm unknown; default 15m"),
        (CacheHints(retry_after=1200.0), 20 * MIN, "Retry-After 20m"),
        # The largest floor decides.
        (
            CacheHints(ttl=3600.0, max_age=7200.0, retry_after=1200.0),
            2 * HOUR,
            "Cache-Control max-age 2h",
        ),
    ],
)
def test_floors_raise_the_interval(hints: CacheHints, after: timedelta, reason: str) -> None:
    assert schedule(hints=hints) == NextFetch(NOW + after, reason)


def test_a_floor_below_the_base_changes_nothing() -> None:
    result = schedule(rhythm=4 * HOUR, hints=CacheHints(max_age=60.0, ttl=600.0))
    assert result == NextFetch(NOW + 2 * HOUR, "publishes about every 4h; next in 2h")


def test_no_cache_drops_the_header_floors_only() -> None:
    headers_only = CacheHints(max_age=7200.0, expires_in=7200.0, no_cache=True)
    assert schedule(hints=headers_only).reason == "rhythm unknown; default 15m"
    with_ttl = CacheHints(max_age=7200.0, ttl=3600.0, no_cache=True)
    assert schedule(hints=with_ttl).reason == "RSS ttl 60m"
    with_retry = CacheHints(max_age=7200.0, retry_after=3600.0, no_cache=True)
    assert schedule(hints=with_retry).reason == "Retry-After 1h"


def test_headers_to_schedule() -> None:
    hints = cache_hints({"Cache-Control": "max-age=3600"}, NOW, ttl_minutes=30)
    assert schedule(rhythm=20 * MIN, hints=hints) == NextFetch(
        NOW + HOUR, "Cache-Control max-age 1h"
    )


# --- next_fetch: clamps and jitter ------------------------------------------


def test_raised_to_the_minimum() -> None:
    result = schedule(rhythm=4 * MIN)
    assert result == NextFetch(
        NOW + 5 * MIN, "publishes about every 4m; next in 2m (raised to the 5m minimum)"
    )


def test_capped_at_the_maximum() -> None:
    assert schedule(hints=CacheHints(retry_after=2 * 86_400.0)) == NextFetch(
        NOW + DAY, "Retry-After 2d (capped at the 24h maximum)"
    )
    assert schedule(rhythm=3 * DAY).reason == (
        "publishes about every 3d; next in 36h (capped at the 24h maximum)"
    )


def test_jitter_spreads_by_its_fraction() -> None:
    assert schedule(rhythm=2 * HOUR, rand=0.0).at == NOW + 54 * MIN
    assert schedule(rhythm=2 * HOUR, rand=0.75).at == NOW + 63 * MIN
    assert schedule(rhythm=2 * HOUR, rand=0.5).at == NOW + HOUR


def test_jitter_never_goes_below_the_minimum_or_a_servers_floor() -> None:
    assert schedule(rhythm=MIN, rand=0.0).at == NOW + 5 * MIN
    assert schedule(hints=CacheHints(retry_after=3600.0), rand=0.0).at == NOW + HOUR
    # The floor holds even when the rhythm, not the floor, decided.
    assert schedule(rhythm=2 * HOUR, hints=CacheHints(max_age=3500.0), rand=0.0).at == (
        NOW + timedelta(seconds=3500)
    )


def test_jitter_may_pass_the_maximum_by_its_fraction() -> None:
    at = schedule(last_published=NOW - 90 * DAY, rand=0.999).at
    assert NOW + DAY < at < NOW + DAY * 1.1


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="schedule:"):
        ScheduleOptions(min_interval=HOUR, max_interval=MIN)
    with pytest.raises(ValueError, match="jitter"):
        ScheduleOptions(jitter=1.0)


_seconds = st.floats(min_value=0, max_value=10 * 86_400, allow_nan=False)
_hints = st.builds(
    CacheHints,
    max_age=st.none() | _seconds,
    expires_in=st.none() | _seconds,
    retry_after=st.none() | _seconds,
    ttl=st.none() | _seconds,
    no_cache=st.booleans(),
)
_rhythm = st.none() | st.timedeltas(min_value=timedelta(0), max_value=90 * DAY)
_age = st.none() | st.timedeltas(min_value=-DAY, max_value=400 * DAY)
_options = st.builds(
    ScheduleOptions,
    min_interval=st.timedeltas(min_value=timedelta(0), max_value=HOUR),
    max_interval=st.timedeltas(min_value=HOUR, max_value=7 * DAY),
    default_interval=st.timedeltas(min_value=timedelta(0), max_value=3 * DAY),
    jitter=st.floats(min_value=0, max_value=0.5),
)
_rand = st.floats(min_value=0, max_value=1, exclude_max=True)


@given(rhythm=_rhythm, age=_age, hints=_hints, options=_options, rand=_rand)
def test_next_fetch_stays_within_bounds(
    rhythm: timedelta | None,
    age: timedelta | None,
    hints: CacheHints,
    options: ScheduleOptions,
    rand: float,
) -> None:
    last = None if age is None else NOW - age
    at = schedule(rhythm=rhythm, last_published=last, hints=hints, options=options, rand=rand).at
    j = options.jitter
    assert NOW + options.min_interval * (1 - j) <= at <= NOW + options.max_interval * (1 + j)
    # The documented, tighter bounds: never below the minimum, nor below a floor.
    assert at >= NOW + options.min_interval
    if hints.retry_after is not None:
        asked = min(timedelta(seconds=hints.retry_after), options.max_interval)
        assert at >= NOW + asked


@given(rhythm=_rhythm, age=_age, hints=_hints, rands=st.tuples(_rand, _rand))
def test_next_fetch_is_monotonic_in_rand(
    rhythm: timedelta | None, age: timedelta | None, hints: CacheHints, rands: tuple[float, float]
) -> None:
    last = None if age is None else NOW - age
    low, high = sorted(rands)
    early = schedule(rhythm=rhythm, last_published=last, hints=hints, rand=low).at
    late = schedule(rhythm=rhythm, last_published=last, hints=hints, rand=high).at
    assert early <= late


@given(
    rhythms=st.tuples(
        st.timedeltas(min_value=timedelta(0), max_value=90 * DAY),
        st.timedeltas(min_value=timedelta(0), max_value=90 * DAY),
    ),
    hints=_hints,
    rand=_rand,
)
def test_a_slower_rhythm_never_fetches_sooner(
    rhythms: tuple[timedelta, timedelta], hints: CacheHints, rand: float
) -> None:
    fast, slow = sorted(rhythms)
    assert schedule(rhythm=fast, hints=hints, rand=rand).at <= (
        schedule(rhythm=slow, hints=hints, rand=rand).at
    )


@given(waits=st.tuples(_seconds, _seconds), rhythm=_rhythm, rand=_rand)
def test_a_longer_retry_after_never_fetches_sooner(
    waits: tuple[float, float], rhythm: timedelta | None, rand: float
) -> None:
    short, long = sorted(waits)
    assert schedule(rhythm=rhythm, hints=CacheHints(retry_after=short), rand=rand).at <= (
        schedule(rhythm=rhythm, hints=CacheHints(retry_after=long), rand=rand).at
    )


# --- error_backoff ---------------------------------------------------------


def backoff(
    errors: int, *, retry_after: float | None = None, rand: float = 0.5, jitter: float = 0.25
) -> NextFetch:
    return error_backoff(
        NOW,
        errors,
        retry_after=retry_after,
        base=5 * MIN,
        cap=2 * HOUR,
        rand=rand,
        jitter=jitter,
    )


@pytest.mark.parametrize(
    ("errors", "after", "reason"),
    [
        (1, 5 * MIN, "error 1 in a row; retry in 5m"),
        (2, 10 * MIN, "error 2 in a row; retry in 10m"),
        (3, 20 * MIN, "error 3 in a row; retry in 20m"),
        (5, 80 * MIN, "error 5 in a row; retry in 1.3h"),
        (6, 2 * HOUR, "error 6 in a row; retry in 2h"),
        (10_000, 2 * HOUR, "error 10000 in a row; retry in 2h"),
        (0, 5 * MIN, "error 1 in a row; retry in 5m"),
    ],
)
def test_backoff_doubles_up_to_the_cap(errors: int, after: timedelta, reason: str) -> None:
    assert backoff(errors) == NextFetch(NOW + after, reason)


def test_retry_after_is_a_floor_within_the_cap() -> None:
    assert backoff(2, retry_after=600.0) == NextFetch(
        NOW + 10 * MIN, "error 2 in a row; retry in 10m"
    )
    assert backoff(2, retry_after=1500.0) == NextFetch(
        NOW + 25 * MIN, "server asked to retry after 25m"
    )
    assert backoff(1, retry_after=3 * 86_400.0) == NextFetch(
        NOW + 2 * HOUR, "server asked to retry after 3d (capped at 2h)"
    )


def test_backoff_jitter() -> None:
    assert backoff(3, rand=0.0).at == NOW + 15 * MIN
    assert backoff(3, rand=0.75).at == NOW + timedelta(minutes=22.5)
    # Never past the cap, never before the server's Retry-After.
    assert backoff(6, rand=0.99).at == NOW + 2 * HOUR
    assert backoff(3, retry_after=1140.0, rand=0.0).at == NOW + 19 * MIN


@given(
    errors=st.integers(min_value=-3, max_value=200),
    retry_after=st.none() | _seconds,
    rand=_rand,
    jitter=st.floats(min_value=0, max_value=0.9),
)
def test_backoff_stays_within_bounds(
    errors: int, retry_after: float | None, rand: float, jitter: float
) -> None:
    at = backoff(errors, retry_after=retry_after, rand=rand, jitter=jitter).at
    expected = min(5 * MIN * 2 ** min(max(errors, 1) - 1, 20), 2 * HOUR)
    assert NOW + expected * (1 - jitter) - timedelta(microseconds=1) <= at <= NOW + 2 * HOUR
    if retry_after is not None:
        assert at >= NOW + min(timedelta(seconds=retry_after), 2 * HOUR)
