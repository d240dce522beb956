"""Claims: which run is fetching a feed or a page now, so concurrent runs split the work.

A run claims the due feeds and pages it is about to fetch: one short transaction
stamps ``claimed_until`` (now plus a lease) and ``claimed_by`` on them. Other runs'
claims pass over them until the lease ends, so two runs (two workers, or a scheduled
run overlapping a manual one) never fetch the same feed or page at the same time.

Recording an outcome (fetched, failed, deferred, stored) ends the claim, and a run
hands back whatever it claimed and did not get to (``release_claims``). A run that
dies leaves its claims to end with their lease; the work is picked up then, so
nothing is lost. Identity stays the database's job regardless: a claim that lapses
while its run is still busy costs a second fetch, never a second row.

On PostgreSQL the claim selects ``FOR UPDATE SKIP LOCKED``: claimers never wait for
each other, and a row another claimer has just stamped is re-checked and left out.
On SQLite writers take turns (BEGIN IMMEDIATE), so select-and-stamp is atomic already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.orm import Session

from storage.base import RELEASED, StoreBase, chunks
from storage.models import Entry, Feed
from storage.records import Claimed, EntryWork, FeedWork
from storage.rows import entry_work, feed_work


def _free(model: type[Feed] | type[Entry], now: datetime) -> ColumnElement[bool]:
    """No run holds the row, or its claim has run out."""
    return or_(model.claimed_until.is_(None), model.claimed_until <= now)


def due_feeds(now: datetime, urls: Sequence[str] | None, force: bool) -> Select[Feed]:
    """Feeds due now (or the named ones, or all with ``force``), most overdue first."""
    stmt = select(Feed)
    if urls is not None:
        stmt = stmt.where(Feed.url.in_(list(urls)))
    if not force:
        stmt = stmt.where(or_(Feed.next_fetch_at.is_(None), Feed.next_fetch_at <= now))
    return stmt.order_by(Feed.next_fetch_at, Feed.id)


def due_entries(now: datetime, feed_ids: Sequence[int] | None) -> Select[Entry]:
    """Entries whose page is due: new ones, and failed ones whose retry time has come."""
    stmt = select(Entry).where(Entry.state.in_(("pending", "failed")), Entry.next_attempt_at <= now)
    if feed_ids is not None:
        stmt = stmt.where(Entry.feed_id.in_(list(feed_ids)))
    return stmt.order_by(Entry.next_attempt_at, Entry.id)


class ClaimStore(StoreBase):
    """Due work, and claiming it for one run."""

    def feeds_to_fetch(
        self, now: datetime, *, urls: Sequence[str] | None = None, force: bool = False
    ) -> list[FeedWork]:
        """Feeds due now that no run holds (or the named ones, or all with ``force``)."""
        with self._read() as session:
            stmt = due_feeds(now, urls, force).where(_free(Feed, now))
            return [feed_work(f) for f in session.scalars(stmt)]

    def entries_to_fetch(
        self, now: datetime, *, limit: int, feed_ids: Sequence[int] | None = None
    ) -> list[EntryWork]:
        """Entries whose page is due and that no run holds, most overdue first."""
        with self._read() as session:
            stmt = due_entries(now, feed_ids).where(_free(Entry, now)).limit(limit)
            return [entry_work(e) for e in session.scalars(stmt)]

    def claim_feeds(
        self,
        now: datetime,
        *,
        owner: str,
        lease: timedelta,
        limit: int | None = None,
        urls: Sequence[str] | None = None,
        force: bool = False,
        due_by: datetime | None = None,
    ) -> Claimed[FeedWork]:
        """Claim feeds ``feeds_to_fetch`` would give (due by ``due_by``, default now), most
        overdue first, up to ``limit``, for ``owner`` until now + lease."""
        with self._write() as session:
            wanted = due_feeds(due_by or now, urls, force)
            claim = wanted if limit is None else wanted.limit(limit)
            rows = self._claim(session, Feed, claim, now, owner, lease)
            held = self._held(session, Feed, wanted, now, owner)
            return Claimed([feed_work(f) for f in rows], held)

    def claim_entries(
        self,
        now: datetime,
        *,
        owner: str,
        lease: timedelta,
        limit: int,
        feed_ids: Sequence[int] | None = None,
        due_by: datetime | None = None,
    ) -> Claimed[EntryWork]:
        """Claim up to ``limit`` pages due by ``due_by`` (default now), most overdue first,
        for ``owner`` until now + lease."""
        with self._write() as session:
            wanted = due_entries(due_by or now, feed_ids)
            rows = self._claim(session, Entry, wanted.limit(limit), now, owner, lease)
            held = self._held(session, Entry, wanted, now, owner)
            return Claimed([entry_work(e) for e in rows], held)

    def release_claims(self, owner: str) -> int:
        """Hand back every claim ``owner`` still holds (work it did not get to); how many."""
        released = 0
        with self._write() as session:
            for model in (Feed, Entry):
                result = session.execute(
                    update(model).where(model.claimed_by == owner).values(RELEASED)
                )
                released += int(getattr(result, "rowcount", 0) or 0)
        return released

    @staticmethod
    def _claim(
        session: Session,
        model: type[Feed] | type[Entry],
        wanted: Select[Any],
        now: datetime,
        owner: str,
        lease: timedelta,
    ) -> list[Any]:
        # Ids first, locked; rows another claimer holds are skipped, not waited for.
        ids = list(
            session.scalars(
                wanted.with_only_columns(model.id)
                .where(_free(model, now))
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        rows: list[Any] = []
        for chunk in chunks(ids):
            session.execute(
                update(model)
                .where(model.id.in_(list(chunk)))
                .values(claimed_until=now + lease, claimed_by=owner),
                execution_options={"synchronize_session": False},
            )
            rows.extend(session.scalars(select(model).where(model.id.in_(list(chunk)))))
        order = {item_id: position for position, item_id in enumerate(ids)}
        return sorted(rows, key=lambda row: order[row.id])

    @staticmethod
    def _held(
        session: Session,
        model: type[Feed] | type[Entry],
        wanted: Select[Any],
        now: datetime,
        owner: str,
    ) -> int:
        """Of the wanted rows, how many another run holds now."""
        others = (
            wanted.order_by(None)
            .limit(None)
            .where(model.claimed_until > now, model.claimed_by != owner)
        )
        count = session.scalar(select(func.count()).select_from(others.subquery()))
        return int(count or 0)
