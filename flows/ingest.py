"""The ingest flow: due feeds -> new entries -> article pages -> articles and stories."""

from __future__ import annotations

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


# Four batch tasks at once: each keeps up to NEWSFLOW_CONCURRENCY requests in flight
# and feeds the extraction processes, which is enough to keep two cores busy.
@flow(
    name="ingest",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]  # Prefect's generics
    log_prints=False,
)
def ingest(feeds: list[str] | None = None, force: bool = False) -> IngestSummary:
    """Fetch due feeds (or the named ones; all with ``force``) and store their new articles."""
    settings = Settings()
    logger = get_run_logger()
    started = time.monotonic()
    repo = repository(settings)
    now = datetime.now(UTC)

    if feeds:
        unknown = repo.unknown_feeds(feeds)
        if unknown:
            raise UnknownFeedError(f"ingest: not subscribed: {', '.join(unknown)}")
    due = repo.feeds_to_fetch(now, urls=feeds or None, force=force)
    stages: list[tuple[str, float]] = []
    mark = time.monotonic()
    logger.info("%d feeds due", len(due))

    feed_futures = [
        tasks.fetch_feeds_batch.submit(batch, settings, number)
        for number, batch in enumerate(
            batches_by_domain(due, settings.feed_batch_size, lambda f: budget_key(f.url)), start=1
        )
    ]
    feed_outcomes: list[FeedOutcome] = _gather(feed_futures)
    transient = [o.feed_id for o in feed_outcomes if o.result == "failed" and o.kind == "transient"]
    feed_outcomes += _retry_each(
        tasks.retry_feed, transient[: settings.retry_tasks_per_run], settings
    )

    stages.append(("feeds", time.monotonic() - mark))
    mark = time.monotonic()

    # A run for named feeds fetches their pages only; otherwise every due page.
    entries = repo.entries_to_fetch(
        datetime.now(UTC),
        limit=settings.max_articles_per_run,
        feed_ids=[f.id for f in due] if feeds else None,
    )
    logger.info("%d article pages due", len(entries))
    page_futures = [
        tasks.fetch_articles_batch.submit(batch, settings, number)
        for number, batch in enumerate(
            batches_by_domain(entries, settings.article_batch_size, lambda e: budget_key(e.url)),
            start=1,
        )
    ]
    page_outcomes: list[PageOutcome] = _gather(page_futures)
    budget = max(0, settings.retry_tasks_per_run - len(transient))
    retry_ids = [
        o.entry_id for o in page_outcomes if o.result == "failed" and o.kind == "transient"
    ]
    page_outcomes += _retry_each(tasks.retry_article, retry_ids[:budget], settings)

    stages.append(("pages", time.monotonic() - mark))
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
    )
    logger.info(summary.headline())
    for line in summary.failure_lines():
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
