"""Per-domain request budgets and the robots.txt cache, shared through the database.

Every worker process of every machine asks the database before each request, so
the limits hold however the work is spread (NewsBlur shares its per-domain budget
through Redis; newsflow's shared state is its database). A request first takes a
*lease* (at most ``concurrency`` unexpired leases per domain) and a *slot* in time
(``next_request_at`` moves on by the domain's interval each time), both in one
short write transaction. Leases expire by themselves, so a worker killed mid-request
frees its place after ``lease_seconds``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.engine import READ_ONLY
from storage.models import HostBudget, HostLease, RobotsFile

_locks: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_locks_lock = threading.Lock()


def _process_lock(engine: Engine) -> threading.Lock:
    """One lock per engine in this process, shared by every BudgetStore on it."""
    with _locks_lock:
        return _locks.setdefault(engine, threading.Lock())


@dataclass(frozen=True, slots=True)
class Grant:
    """A request may start at ``start`` (now or a little later); release the lease after."""

    lease_id: int
    start: datetime
    step: float = 0.0  # seconds between starts the domain asks for (0: no rate limit)


@dataclass(frozen=True, slots=True)
class Wait:
    """Not now: ask again at ``until``."""

    until: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class RobotsRecord:
    status: int | None
    body: bytes
    expires_at: datetime


class BudgetStore:
    """The database side of the host budget and of the robots.txt cache."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        postgres = engine.dialect.name == "postgresql"
        self._insert: Any = postgresql.insert if postgres else sqlite.insert
        # SQLite has one writer at a time, and a thread that finds the database locked
        # sleeps in steps of up to 25 ms before it tries again: the budget's many short
        # transactions queue on a lock in the process instead. (PostgreSQL locks rows.)
        self._lock = nullcontext() if postgres else _process_lock(engine)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._lock, Session(self.engine) as session, session.begin():
            yield session

    def exchange(
        self,
        releases: Sequence[int],
        wanted: Mapping[str, int],
        now: datetime,
        *,
        concurrency: int,
        interval: float,
        lease_seconds: float,
        busy_poll: float = 0.2,
    ) -> dict[str, list[Grant] | Wait]:
        """Free finished leases, and grant up to ``wanted[domain]`` new ones per domain.

        One transaction for a whole round of a worker's requests: each domain gets
        as many grants as it has free places (``concurrency`` minus unexpired
        leases), their starts ``interval`` (or the Crawl-delay) apart, or a Wait
        saying until when it is paused or full.
        """
        decisions: dict[str, list[Grant] | Wait] = {}
        with self._write() as session:
            if releases:
                session.execute(delete(HostLease).where(HostLease.id.in_(list(releases))))
            for domain, count in wanted.items():
                decisions[domain] = self._grant(
                    session, domain, count, now, concurrency, interval, lease_seconds, busy_poll
                )
        return decisions

    def _grant(
        self,
        session: Session,
        domain: str,
        count: int,
        now: datetime,
        concurrency: int,
        interval: float,
        lease_seconds: float,
        busy_poll: float,
    ) -> list[Grant] | Wait:
        query = (
            select(
                HostBudget.next_request_at,
                HostBudget.paused_until,
                HostBudget.pause_reason,
                HostBudget.crawl_delay,
            )
            .where(HostBudget.domain == domain)
            # The row lock (PostgreSQL) or the write lock taken at BEGIN (SQLite)
            # serialises every worker's decision for this domain.
            .with_for_update()
        )
        budget = session.execute(query).first()
        if budget is None:
            self._ensure(session, domain, now)
            budget = session.execute(query).one()
        if budget.paused_until is not None and budget.paused_until > now:
            return Wait(budget.paused_until, budget.pause_reason or "paused")
        session.execute(
            delete(HostLease).where(HostLease.domain == domain, HostLease.expires_at <= now)
        )
        active = session.scalar(
            select(func.count()).select_from(HostLease).where(HostLease.domain == domain)
        )
        free = min(count, concurrency - (active or 0))
        if free <= 0:
            return Wait(
                now + timedelta(seconds=busy_poll),
                f"{concurrency} requests to {domain} already in flight",
            )
        step = timedelta(seconds=max(interval, budget.crawl_delay or 0.0))
        first = max(budget.next_request_at, now)
        starts = [first + step * n for n in range(free)]
        session.execute(
            update(HostBudget)
            .where(HostBudget.domain == domain)
            .values(next_request_at=starts[-1] + step)
        )
        lease = timedelta(seconds=lease_seconds)
        ids = sorted(
            session.execute(
                self._insert(HostLease.__table__)
                .values([{"domain": domain, "expires_at": start + lease} for start in starts])
                .returning(HostLease.id)
            ).scalars()
        )
        # Which lease gets which start does not matter: each expires lease_seconds
        # after one of the starts, all within the same round.
        seconds = step.total_seconds()
        return [
            Grant(lease_id, start, seconds) for lease_id, start in zip(ids, starts, strict=True)
        ]

    def _ensure(self, session: Session, domain: str, now: datetime) -> None:
        """The domain's budget row, created on first use."""
        session.execute(
            self._insert(HostBudget.__table__)
            .values(domain=domain, next_request_at=now)
            .on_conflict_do_nothing(index_elements=["domain"])
        )

    def pause(self, domain: str, until: datetime, reason: str, now: datetime) -> None:
        """Hold every request to ``domain`` back until ``until`` (a later pause wins)."""
        with self._write() as session:
            self._ensure(session, domain, now)
            session.execute(
                update(HostBudget)
                .where(
                    HostBudget.domain == domain,
                    (HostBudget.paused_until.is_(None)) | (HostBudget.paused_until < until),
                )
                .values(paused_until=until, pause_reason=reason)
            )

    def set_crawl_delay(self, domain: str, seconds: float | None, now: datetime) -> None:
        """The Crawl-delay a site's robots.txt asks for, applied to its domain's interval."""
        with self._write() as session:
            self._ensure(session, domain, now)
            session.execute(
                update(HostBudget).where(HostBudget.domain == domain).values(crawl_delay=seconds)
            )

    # -- robots.txt -------------------------------------------------------------------

    def robots(self, origin: str, now: datetime) -> RobotsRecord | None:
        """The cached robots.txt of an origin, unless it has expired."""
        with self.engine.connect().execution_options(**READ_ONLY) as connection:
            row = connection.execute(
                select(RobotsFile.status, RobotsFile.body, RobotsFile.expires_at).where(
                    RobotsFile.origin == origin, RobotsFile.expires_at > now
                )
            ).first()
        return RobotsRecord(row.status, row.body, row.expires_at) if row is not None else None

    def save_robots(
        self, origin: str, status: int | None, body: bytes, now: datetime, expires_at: datetime
    ) -> None:
        """Cache a robots.txt answer (last writer wins: they fetched the same file)."""
        values = {"status": status, "body": body, "fetched_at": now, "expires_at": expires_at}
        with self._write() as session:
            session.execute(
                self._insert(RobotsFile.__table__)
                .values(origin=origin, **values)
                .on_conflict_do_update(index_elements=["origin"], set_=values)
            )
