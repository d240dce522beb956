"""Prefect tasks: thin wrappers over pipeline.py, shaped for the UI and for speed.

Work runs in batches (one task per batch of feeds or pages, never one per article:
each task run costs the API about 10 ms and a local server records only ~20 a
second). Items that fail transiently get a task of their own with Prefect retries,
exponential backoff and jitter; their number per run is capped by the caller.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.runtime import task_run
from prefect.tasks import Task, exponential_backoff

from extractors.errors import TransientError
from flows import pipeline
from flows.pipeline import FeedOutcome, PageOutcome
from flows.settings import Settings
from storage.records import EntryWork, FeedWork


def _only_transient(_task: Task[..., Any], _run: TaskRun, state: State[Any]) -> bool:
    """Retry a task only when it failed with a TransientError."""
    # The engine hands over Failed(data=exception) for a task that raised.
    return state.is_failed() and isinstance(state.result(raise_on_failure=False), TransientError)


@task(name="fetch-feeds", task_run_name="fetch-feeds-batch-{batch}", cache_policy=NO_CACHE)
def fetch_feeds_batch(feeds: list[FeedWork], settings: Settings, batch: int) -> list[FeedOutcome]:
    """Fetch, parse and store a batch of feeds."""
    return pipeline.fetch_feeds(feeds, settings)


@task(name="fetch-articles", task_run_name="fetch-articles-batch-{batch}", cache_policy=NO_CACHE)
def fetch_articles_batch(
    entries: list[EntryWork], settings: Settings, batch: int
) -> list[PageOutcome]:
    """Fetch, extract and store a batch of article pages."""
    return pipeline.fetch_articles(entries, settings)


@task(name="prune-archive", cache_policy=NO_CACHE)
def prune_archive(settings: Settings) -> int:
    """Delete archived pages older than NEWSFLOW_ARCHIVE_DAYS (all of them for 0); how many."""
    before = datetime.now(UTC) - timedelta(days=settings.archive_days)
    return pipeline.repository(settings).prune_archive(before)


@task(name="prune-story-index", cache_policy=NO_CACHE)
def prune_story_index(settings: Settings) -> int:
    """Drop near-duplicate index rows older than NEWSFLOW_DEDUP_WINDOW; how many band rows."""
    before = datetime.now(UTC) - settings.dedup_window
    return pipeline.repository(settings).prune_story_index(before)


@task(name="retry-feed", task_run_name="retry-feed-{feed_id}", cache_policy=NO_CACHE)
def retry_feed(feed_id: int, settings: Settings) -> FeedOutcome | None:
    """One feed again; raises TransientError (to be retried) while it fails transiently."""
    _first_retry_waits(settings)
    feeds = pipeline.repository(settings).feeds_by_id([feed_id])
    if not feeds:
        return None
    return _unless_transient(pipeline.fetch_feeds(feeds, settings)[0])


@task(name="retry-article", task_run_name="retry-article-{entry_id}", cache_policy=NO_CACHE)
def retry_article(entry_id: int, settings: Settings) -> PageOutcome | None:
    """One page again; raises TransientError (to be retried) while it fails transiently."""
    _first_retry_waits(settings)
    entries = pipeline.repository(settings).entries_by_id([entry_id])
    if not entries:
        return None  # stored meanwhile
    return _unless_transient(pipeline.fetch_articles(entries, settings)[0])


Outcome = TypeVar("Outcome", FeedOutcome, PageOutcome)


def _unless_transient(outcome: Outcome) -> Outcome:
    """The outcome, or a TransientError for Prefect to retry while it failed transiently."""
    if outcome.result == "failed" and outcome.kind == "transient":
        raise TransientError(outcome.error or "transient failure")
    return outcome


def _first_retry_waits(settings: Settings) -> None:
    """The retry task's first run is the item's first retry: wait the base delay first."""
    if task_run.run_count <= 1 and settings.task_retry_delay > 0:
        time.sleep(settings.task_retry_delay * random.uniform(0.5, 1.5))


def with_retries(task_: Task[..., Any], settings: Settings) -> Task[..., Any]:
    """The retry task with the rest of the in-run retries the settings allow.

    A batch attempt failed; the task's first run waits ``task_retry_delay`` and tries
    again, then Prefect retries it ``task_retries - 1`` times, doubling the delay,
    with jitter, while it fails transiently.
    """
    return task_.with_options(
        retries=max(0, settings.task_retries - 1),
        retry_delay_seconds=exponential_backoff(backoff_factor=2 * settings.task_retry_delay),
        retry_jitter_factor=0.5,
        retry_condition_fn=_only_transient,
    )
