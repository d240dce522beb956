"""Being a good citizen of the web: the shared per-domain budget, and robots.txt.

`Politeness` is what a `Fetcher` asks before each request. Its state lives in the
database (storage.budget), so the limits hold across every worker process:

- ``slot(url)``: wait for the URL's registrable domain (``a.example.com`` and
  ``b.example.com`` share one budget) to allow one more request: at most
  ``concurrency`` in flight and one start per ``1/rate`` seconds (or per the
  site's Crawl-delay). A domain paused by a 429 or a Retry-After waits too. Waiting
  is not an error; a wait longer than ``max_wait`` raises HostBusyError, and the
  caller puts the item off until then without counting a failed attempt.
- ``pause(url, seconds, reason)``: hold the whole domain back.
- ``check_robots(fetcher, url)``: robots.txt, fetched through the same fetcher
  (so through the same address guard and budget), cached in the database for a day.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from extractors.errors import HostBusyError, NewsflowError, RobotsDisallowedError
from extractors.robots import RobotsRules, parse_robots, robots_url
from extractors.urls import budget_key
from flows.settings import Settings
from storage.budget import BudgetStore, Grant, Wait

if TYPE_CHECKING:
    from flows.fetch import Fetcher

#: How long a lease may pass from one finished request to the next without the database,
#: and how long a finished request's lease waits for the next one before it goes back.
HANDOVER_SECONDS = 1.0
PARK_SECONDS = 0.02
#: RFC 9309, 2.4: a crawler should not use a cached robots.txt for more than 24 hours.
ROBOTS_TTL = timedelta(hours=24)
#: A robots.txt that could not be fetched (5xx, unreachable) is asked for again sooner.
ROBOTS_ERROR_TTL = timedelta(minutes=30)
#: RFC 9309, 2.5: crawlers may cap what they read; Google reads 500 KiB.
ROBOTS_MAX_BYTES = 512_000
#: A Crawl-delay above this is treated as this (a site asking one request an hour
#: would make a news feed useless; the per-item backoff still applies).
MAX_CRAWL_DELAY = 60.0


@dataclass(frozen=True, slots=True)
class PolitenessOptions:
    """What the budget and the robots check need from the settings."""

    user_agent: str
    concurrency: int = 2
    rate: float = 2.0  # requests per second per domain; 0: no rate limit
    max_wait: float = 30.0
    lease_seconds: float = 120.0  # longer than any request may take
    robots: bool = True
    default_pause: float = 60.0  # a 429 without Retry-After pauses the domain this long


def _now() -> datetime:
    return datetime.now(UTC)


class Politeness:
    """The per-domain budget and robots.txt, backed by the database.

    Requests ask for their slots through one exchange loop per instance: each round
    frees the leases of finished requests and grants the waiting ones in a single
    transaction, instead of two transactions per request.
    """

    def __init__(self, store: BudgetStore, options: PolitenessOptions) -> None:
        self.store = store
        self.options = options
        self._interval = 1.0 / options.rate if options.rate > 0 else 0.0
        self._waiting: dict[str, list[asyncio.Future[Grant | Wait]]] = {}
        self._finished: list[int] = []
        self._parked: dict[str, list[Grant]] = {}
        self._paused_until: dict[str, datetime] = {}
        self._exchanging: asyncio.Task[None] | None = None
        # Per-batch memo of parsed robots.txt files, and one fetch per origin at a time.
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one of the domain's request places for the duration of a request."""
        domain = budget_key(url)
        give_up_at = time.monotonic() + self.options.max_wait
        while True:
            decision = await self._ask(domain)
            if isinstance(decision, Grant):
                break
            wait = max(0.0, (decision.until - _now()).total_seconds())
            if time.monotonic() + wait > give_up_at:
                raise HostBusyError(
                    f"budget: {domain}: {decision.reason}; put off for {wait:.0f}s",
                    wait_seconds=wait,
                )
            await asyncio.sleep(wait)
        try:
            delay = (decision.start - _now()).total_seconds()
            if delay > 0:
                await asyncio.sleep(delay)
            yield
        finally:
            self._done(domain, decision)

    def _done(self, domain: str, grant: Grant) -> None:
        """A request is over: keep its lease a moment for the next one, or hand it back.

        Where no rate or Crawl-delay spaces the starts (so no new start time is needed
        from the database), the lease is parked for PARK_SECONDS: the next request for
        the domain in this process takes it without a database round. A lease is passed
        on for at most HANDOVER_SECONDS from its grant, so that a pause set by another
        worker is seen soon; all along it stays counted in the database, so the
        concurrency cap holds.
        """
        now = _now()
        fresh = (now - grant.start).total_seconds() < HANDOVER_SECONDS
        paused = domain in self._paused_until and self._paused_until[domain] > now
        if grant.step > 0 or not fresh or paused:
            self._finished.append(grant.lease_id)
            self._exchange_soon()
            return
        self._parked.setdefault(domain, []).append(grant)
        asyncio.get_running_loop().call_later(PARK_SECONDS, self._unpark, domain, grant)

    def _unpark(self, domain: str, grant: Grant) -> None:
        parked = self._parked.get(domain, [])
        if grant in parked:
            parked.remove(grant)
            self._finished.append(grant.lease_id)
            self._exchange_soon()

    async def close(self) -> None:
        """Free every lease still held: wait for the last exchange round."""
        for parked in self._parked.values():
            self._finished.extend(grant.lease_id for grant in parked)
        self._parked.clear()
        if self._finished:
            self._exchange_soon()
        while self._exchanging is not None and not self._exchanging.done():
            await asyncio.shield(self._exchanging)

    def _ask(self, domain: str) -> asyncio.Future[Grant | Wait]:
        future: asyncio.Future[Grant | Wait] = asyncio.get_running_loop().create_future()
        parked = self._parked.get(domain)
        if parked:
            future.set_result(parked.pop())
            return future
        self._waiting.setdefault(domain, []).append(future)
        self._exchange_soon()
        return future

    def _exchange_soon(self) -> None:
        if self._exchanging is None or self._exchanging.done():
            self._exchanging = asyncio.get_running_loop().create_task(self._exchange())

    async def _exchange(self) -> None:
        # Rounds follow each other while there is work: what arrives during one round's
        # transaction goes into the next.
        while self._waiting or self._finished:
            waiting, self._waiting = self._waiting, {}
            finished, self._finished = self._finished, []
            now = _now()
            try:
                decisions = await asyncio.to_thread(
                    self.store.exchange,
                    finished,
                    {domain: len(futures) for domain, futures in waiting.items()},
                    now,
                    concurrency=self.options.concurrency,
                    interval=self._interval,
                    lease_seconds=self.options.lease_seconds,
                )
            except Exception as exc:  # the database failed: every asker fails with it
                for futures in waiting.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for domain, futures in waiting.items():
                unused = _answer(futures, decisions[domain], now, domain, self.options.concurrency)
                self._finished.extend(unused)

    async def pause(self, url: str, seconds: float, reason: str) -> None:
        """Hold every request to the URL's domain back for ``seconds``."""
        now = _now()
        until = now + timedelta(seconds=seconds)
        domain = budget_key(url)
        # No request to a paused domain from here, not even on a parked lease.
        self._paused_until[domain] = until
        self._drop_parked(domain)
        await asyncio.to_thread(self.store.pause, domain, until, reason, now)

    async def check_robots(self, fetcher: Fetcher, url: str) -> None:
        """Raise RobotsDisallowedError unless the site's robots.txt allows ``url``."""
        if not self.options.robots:
            return
        rules = await self._rules(fetcher, url)
        agent = self.options.user_agent
        if not rules.allows(url, agent):
            raise RobotsDisallowedError(rules.reason(url, agent))

    async def _rules(self, fetcher: Fetcher, url: str) -> RobotsRules:
        location = robots_url(url)
        rules = self._robots.get(location)
        if rules is not None:
            return rules
        lock = self._robots_locks.setdefault(location, asyncio.Lock())
        async with lock:
            rules = self._robots.get(location)
            if rules is None:
                rules = await self._load(fetcher, location, url)
                self._robots[location] = rules
        return rules

    async def _load(self, fetcher: Fetcher, location: str, url: str) -> RobotsRules:
        now = _now()
        cached = await asyncio.to_thread(self.store.robots, location, now)
        if cached is not None:
            return parse_robots(cached.status, cached.body)
        status: int | None
        try:
            response = await fetcher.get(
                location, accept="text/plain", robots=False, max_bytes=ROBOTS_MAX_BYTES
            )
            status, body = response.status, response.content
        except NewsflowError as exc:
            # A 4xx means "no rules" and a 5xx "keep out for now" (RFC 9309, 2.3.1);
            # an unreachable file is treated like a 5xx.
            status, body = exc.status, b""
        rules = parse_robots(status, body)
        ttl = ROBOTS_TTL if status is not None and status < 500 else ROBOTS_ERROR_TTL
        await asyncio.to_thread(self.store.save_robots, location, status, body, now, now + ttl)
        delay = rules.crawl_delay(self.options.user_agent)
        domain = budget_key(url)
        await asyncio.to_thread(
            self.store.set_crawl_delay, domain, min(delay, MAX_CRAWL_DELAY) if delay else None, now
        )
        if delay:
            self._drop_parked(domain)  # granted without the delay: the next start must wait
        return rules

    def _drop_parked(self, domain: str) -> None:
        """Hand back the domain's parked leases: its next request must ask the database."""
        parked = self._parked.pop(domain, [])
        if parked:
            self._finished.extend(grant.lease_id for grant in parked)
            self._exchange_soon()


def _answer(
    futures: list[asyncio.Future[Grant | Wait]],
    decision: list[Grant] | Wait,
    now: datetime,
    domain: str,
    concurrency: int,
) -> list[int]:
    """Hand a round's grants to the askers in order; the rest wait for a free place.

    Returns the leases nobody took (their askers were cancelled meanwhile).
    """
    if isinstance(decision, Wait):
        for future in futures:
            if not future.done():
                future.set_result(decision)
        return []
    busy = Wait(now + timedelta(seconds=0.2), f"{concurrency} requests to {domain} in flight")
    grants = iter(decision)
    for future in futures:
        if not future.done():
            future.set_result(next(grants, busy))
    return [grant.lease_id for grant in grants]


def politeness_for(settings: Settings, store: BudgetStore) -> Politeness:
    """The politeness a batch of work uses, from the settings."""
    return Politeness(
        store,
        PolitenessOptions(
            user_agent=settings.agent,
            concurrency=settings.per_host_concurrency,
            rate=settings.host_rate,
            max_wait=settings.host_wait_max,
            # A request holds its lease at most total_timeout; the margin covers clocks.
            lease_seconds=settings.total_timeout + 10,
            robots=settings.robots,
        ),
    )
