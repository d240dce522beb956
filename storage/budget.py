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

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.engine import READ_ONLY
from storage.models import HostBudget, HostLease, RobotsFile


@dataclass(frozen=True, slots=True)
class Grant:
    """A request may start at ``start`` (now or a little later); release the lease after."""

    lease_id: int
    start: datetime


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
        module = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = module.insert

    def acquire(
        self,
        domain: str,
        now: datetime,
        *,
        concurrency: int,
        interval: float,
        lease_seconds: float,
        busy_poll: float = 0.2,
    ) -> Grant | Wait:
        """A lease and a start time for one request to ``domain``, or when to ask again."""
        with Session(self.engine) as session, session.begin():
            self._ensure(session, domain, now)
            # The row lock (PostgreSQL) or the write lock taken at BEGIN (SQLite)
            # serialises every worker's decision for this domain.
            budget = session.execute(
                select(HostBudget).where(HostBudget.domain == domain).with_for_update()
            ).scalar_one()
            if budget.paused_until is not None and budget.paused_until > now:
                return Wait(budget.paused_until, budget.pause_reason or "paused")
            session.execute(
                delete(HostLease).where(HostLease.domain == domain, HostLease.expires_at <= now)
            )
            active = session.scalar(
                select(func.count()).select_from(HostLease).where(HostLease.domain == domain)
            )
            if (active or 0) >= concurrency:
                return Wait(
                    now + timedelta(seconds=busy_poll),
                    f"{concurrency} requests to {domain} already in flight",
                )
            step = max(interval, budget.crawl_delay or 0.0)
            start = max(budget.next_request_at, now)
            budget.next_request_at = start + timedelta(seconds=step)
            lease_id = session.execute(
                self._insert(HostLease.__table__)
                .values(domain=domain, expires_at=start + timedelta(seconds=lease_seconds))
                .returning(HostLease.id)
            ).scalar_one()
            return Grant(lease_id, start)

    def _ensure(self, session: Session, domain: str, now: datetime) -> None:
        """The domain's budget row, created on first use."""
        session.execute(
            self._insert(HostBudget.__table__)
            .values(domain=domain, next_request_at=now)
            .on_conflict_do_nothing(index_elements=["domain"])
        )

    def release(self, lease_id: int) -> None:
        """The request is over: free its place."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(HostLease).where(HostLease.id == lease_id))

    def pause(self, domain: str, until: datetime, reason: str, now: datetime) -> None:
        """Hold every request to ``domain`` back until ``until`` (a later pause wins)."""
        with Session(self.engine) as session, session.begin():
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
        with Session(self.engine) as session, session.begin():
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
        with Session(self.engine) as session, session.begin():
            session.execute(
                self._insert(RobotsFile.__table__)
                .values(origin=origin, **values)
                .on_conflict_do_update(index_elements=["origin"], set_=values)
            )
