"""The ingest flow: due feeds -> new entries -> article pages -> articles and stories."""

from __future__ import annotations

import itertools
import os
import socket
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.urls import budget_key
from flows import tasks
from flows.pipeline import FeedOutcome, PageOutcome, repository
from flows.settings import Settings
from flows.summary import IngestSummary, feed_health_table
from storage.engine import describe_database
from storage.records import Claimed, EntryWork, FeedWork
from storage.repository import Repository

#: Batch tasks at once: each keeps up to NEWSFLOW_CONCURRENCY requests in flight and
#: feeds the extraction processes, which is enough to keep two cores busy.
PARALLEL_BATCHES = 4

#: Failures logged one per line; the rest are counted (the summary artifact lists all).
LOGGED_FAILURES = 20

#: The state name of a run that stored what it could while some feeds or pages failed.
FAILURES_STATE = "Completed with failures"

T = TypeVar("T")
R = TypeVar("R")


class UnknownFeedError(ValueError):
    """A feed named for a run is not subscribed."""


def batches_by_domain(items: Sequence[T], size: int, host: Callable[[T], str]) -> list[list[T]]:
    """Split work into batches of about ``size`` items, each domain's items in one batch.

    The per-domain budget is shared through the database, so splitting a domain would
    not break it; keeping a domain's work together keeps its waiting in one task
    instead of several tasks polling the budget at once. A domain with more than
    ``size`` items gets a batch of its own; smaller ones share batches.
    """
    by_host: dict[str, list[T]] = {}
    for item in items:
        by_host.setdefault(host(item), []).append(item)
    result: list[list[T]] = []
    current: list[T] = []
    for group in sorted(by_host.values(), key=len, reverse=True):
        if len(group) >= size:
            result.append(group)
        elif len(current) + len(group) > size:
            result.append(current)
            current = list(group)
        else:
            current.extend(group)
    if current:
        result.append(current)
    return result


def _gather(futures: Sequence[PrefectFuture[list[R]]]) -> list[R]:
    results: list[R] = []
    for future in futures:
        results.extend(future.result())
    return results


def _retry_each(task_: Any, ids: Sequence[int], settings: Settings) -> list[Any]:
    """Run the retry task per id; an item still failing after its retries is left to later runs."""
    if settings.task_retries < 1 or not ids:
        return []
    retrying = tasks.with_retries(task_, settings)
    futures = [retrying.submit(item_id, settings) for item_id in ids]
    outcomes = []
    for future in futures:
        state = future.wait() or future.state
        if state.is_completed():
            outcome = future.result()
            if outcome is not None:
                outcomes.append(outcome)
    return outcomes


def claim_owner() -> str:
    """Who holds this run's claims: the flow run's id, or host and process outside a run."""
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return str(run_id) if run_id else f"{socket.gethostname()[:40]}:{os.getpid()}"


@flow(
    name="ingest",
    task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_BATCHES),  # type: ignore[arg-type]  # Prefect's generics
    log_prints=False,
)
def ingest(feeds: list[str] | None = None, force: bool = False) -> IngestSummary:
    """Fetch due feeds (or the named ones; all with ``force``) and store their new articles.

    Runs at the same time split the work: each claims the feeds and pages it fetches
    (storage/claims.py), and passes over those another run holds.
    """
    settings = Settings()
    logger = get_run_logger()
    started = time.monotonic()
    repo = repository(settings)
    now = datetime.now(UTC)

    if feeds:
        unknown = repo.unknown_feeds(feeds)
        if unknown:
            raise UnknownFeedError(f"ingest: not subscribed: {', '.join(unknown)}")
    owner = claim_owner()
    try:
        feed_outcomes, page_outcomes, held, stages = _fetch(repo, settings, owner, feeds, force)
    finally:
        # Work claimed and not reached (a batch that raised) goes back at once; a run
        # that dies leaves it to NEWSFLOW_CLAIM_LEASE.
        repo.release_claims(owner)

    mark = time.monotonic()
    pruned = tasks.prune_archive(settings)
    tasks.prune_story_index(settings)
    stages.append(("upkeep", time.monotonic() - mark))

    summary = IngestSummary.build(
        feed_outcomes,
        page_outcomes,
        database=describe_database(settings.database_url),
        seconds=time.monotonic() - started,
        archive_pruned=pruned,
        stories_touched=repo.stories_touched(now),
        stages=stages,
        held_elsewhere=held,
    )
    logger.info(summary.headline())
    for line in summary.failure_lines(limit=LOGGED_FAILURES):
        logger.warning(line)
    create_markdown_artifact(
        key="ingest-summary", markdown=summary.markdown(), description="What this ingest run did"
    )
    rows, left_out = feed_health_table(repo.list_feeds())
    create_table_artifact(
        key="feed-health",
        table=rows,
        description="Every feed's health after this run, those needing attention first"
        + (f" ({left_out} healthy feeds not shown)" if left_out else ""),
    )
    if summary.failures:
        # The run did its work, so it is Completed; but the UI must show at a glance
        # that some feeds or pages failed: a state of that name, with the headline.
        # Callers still get the summary (Prefect returns the state's data).
        return cast(
            IngestSummary,
            Completed(data=summary, name=FAILURES_STATE, message=summary.headline()),
        )
    return summary


def in_rounds(
    claim: Callable[[int], Claimed[T]],
    work: Callable[[list[T]], list[R]],
    *,
    round_size: int,
    limit: int | None = None,
) -> tuple[list[R], int]:
    """Claim work a round at a time and do it, until nothing is left or ``limit`` items.

    Claiming a round at a time, not everything at the start, is what lets runs on
    several workers share one backlog: each takes the next round when it gets to it.
    Returns the outcomes and the most items seen held by other runs at a claim.
    """
    outcomes: list[R] = []
    held = taken = 0
    while limit is None or taken < limit:
        claimed = claim(round_size if limit is None else min(round_size, limit - taken))
        held = max(held, claimed.held_elsewhere)
        if not claimed.items:
            break
        taken += len(claimed.items)
        outcomes += work(claimed.items)
    return outcomes, held


def _fetch(
    repo: Repository, settings: Settings, owner: str, feeds: list[str] | None, force: bool
) -> tuple[list[FeedOutcome], list[PageOutcome], tuple[int, int], list[tuple[str, float]]]:
    """The feeds stage, then the pages stage, on the work this run can claim.

    Work due when the run started is claimed round by round (each round as many batch
    tasks as run at once); what a round reschedules is due after the start, so it is
    left to later runs. A forced run claims its feeds in one round (they are due
    whatever their schedule).
    """
    logger = get_run_logger()
    lease, started = settings.claim_lease, datetime.now(UTC)
    stages: list[tuple[str, float]] = []
    mark = time.monotonic()
    feed_batches, page_batches = itertools.count(1), itertools.count(1)

    def fetch_feeds(items: list[FeedWork]) -> list[FeedOutcome]:
        batches = batches_by_domain(items, settings.feed_batch_size, lambda f: budget_key(f.url))
        return _gather(
            [tasks.fetch_feeds_batch.submit(b, settings, next(feed_batches)) for b in batches]
        )

    feed_ids: list[int] = []

    def claim_feeds(size: int | None) -> Claimed[FeedWork]:
        claimed = repo.claim_feeds(
            datetime.now(UTC),
            owner=owner,
            lease=lease,
            limit=size,
            urls=feeds or None,
            force=force,
            due_by=started,
        )
        feed_ids.extend(f.id for f in claimed.items)
        return claimed

    if force:
        claimed = claim_feeds(None)
        feed_outcomes, feeds_held = fetch_feeds(claimed.items), claimed.held_elsewhere
    else:
        feed_outcomes, feeds_held = in_rounds(
            claim_feeds, fetch_feeds, round_size=PARALLEL_BATCHES * settings.feed_batch_size
        )
    logger.info("%d feeds fetched", len(feed_outcomes))
    if feeds_held:
        logger.info("%d more due feeds were being fetched by another run", feeds_held)
    transient = [o.feed_id for o in feed_outcomes if o.result == "failed" and o.kind == "transient"]
    feed_outcomes += _retry_each(
        tasks.retry_feed, transient[: settings.retry_tasks_per_run], settings
    )
    stages.append(("feeds", time.monotonic() - mark))
    mark = time.monotonic()

    pages_started = datetime.now(UTC)

    def fetch_pages(items: list[EntryWork]) -> list[PageOutcome]:
        batches = batches_by_domain(items, settings.article_batch_size, lambda e: budget_key(e.url))
        return _gather(
            [tasks.fetch_articles_batch.submit(b, settings, next(page_batches)) for b in batches]
        )

    def claim_pages(size: int) -> Claimed[EntryWork]:
        # A run for named feeds fetches their pages only; otherwise every due page.
        return repo.claim_entries(
            datetime.now(UTC),
            owner=owner,
            lease=lease,
            limit=size,
            feed_ids=feed_ids if feeds else None,
            due_by=pages_started,
        )

    page_outcomes, pages_held = in_rounds(
        claim_pages,
        fetch_pages,
        round_size=PARALLEL_BATCHES * settings.article_batch_size,
        limit=settings.max_articles_per_run,
    )
    logger.info("%d article pages fetched", len(page_outcomes))
    if pages_held:
        logger.info("%d more due pages were being fetched by another run", pages_held)
    budget = max(0, settings.retry_tasks_per_run - len(transient))
    retry_ids = [
        o.entry_id for o in page_outcomes if o.result == "failed" and o.kind == "transient"
    ]
    page_outcomes += _retry_each(tasks.retry_article, retry_ids[:budget], settings)
    stages.append(("pages", time.monotonic() - mark))
    return feed_outcomes, page_outcomes, (feeds_held, pages_held), stages
