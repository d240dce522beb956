"""When to try again: backoff across runs for failed feeds and article pages. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from extractors.errors import ErrorKind


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter, between runs."""

    base_delay: timedelta = timedelta(minutes=5)
    max_delay: timedelta = timedelta(hours=24)
    #: Attempts before an article page that keeps failing transiently is given up.
    max_attempts: int = 8
    #: Attempts before a page that keeps failing permanently (404, no text) is given up.
    max_permanent_attempts: int = 3
    #: First wait after a permanent failure: such pages rarely change within minutes.
    permanent_base_delay: timedelta = timedelta(hours=1)
    #: Fraction of the delay added or removed at random, so retries do not bunch up.
    jitter: float = 0.25

    def delay(self, attempts: int, kind: ErrorKind, rand: float) -> timedelta:
        """Wait after the ``attempts``-th consecutive failure; ``rand`` is uniform in [0, 1)."""
        base = self.permanent_base_delay if kind == "permanent" else self.base_delay
        exponent = min(max(attempts - 1, 0), 32)
        raw = min(base * (2**exponent), self.max_delay)
        factor = 1 + self.jitter * (2 * rand - 1)
        wait: timedelta = min(raw * factor, self.max_delay)
        return wait

    def next_attempt(
        self,
        attempts: int,
        kind: ErrorKind,
        now: datetime,
        rand: float,
        *,
        retry_after: float | None = None,
    ) -> datetime | None:
        """When to try again after ``attempts`` failures, or None to give up."""
        limit = self.max_permanent_attempts if kind == "permanent" else self.max_attempts
        if attempts >= limit:
            return None
        wait = self.delay(attempts, kind, rand)
        if retry_after is not None:
            # A server's Retry-After (RFC 9110, 10.2.3) is a floor, capped by max_delay.
            wait = max(wait, min(timedelta(seconds=retry_after), self.max_delay))
        return now + wait

    def feed_retry_at(self, errors: int, now: datetime, rand: float) -> datetime:
        """Next fetch of a feed after ``errors`` consecutive failures (feeds are never given up)."""
        return now + self.delay(errors, "transient", rand)
