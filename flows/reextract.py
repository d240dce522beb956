"""The reextract flow: archived pages -> the current extractor -> articles rebuilt in place.

Text and metadata are rebuilt from the raw HTML kept in the archive (storage/archive.py);
dates are reconciled again with the feed's date; identity moves to the page's canonical
URL when no other article holds it. Story links (story_id, duplicate_of) never change,
and no article, story or entry is ever added: a second run with the same extractor
changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from extractors.articles import Article
from extractors.dates import PageDates, notes_with_source, reconcile_dates
from extractors.errors import NotAnArticleError, describe
from extractors.urls import identity_url
from flows.extraction import reextract_page
from flows.ingest import UnknownFeedError
from flows.pipeline import repository
from flows.resources import extraction_pool, extraction_workers
from flows.settings import Settings
from flows.summary import markdown_cell
from storage.records import ArchivedPage, Reextracted

#: Failures listed in a summary; the rest are counted.
_LISTED = 50


@dataclass(frozen=True, slots=True)
class ReextractSummary:
    """Counts of one reextract run (or of one batch: the flow adds them up)."""

    examined: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # extraction fails now: the stored article is kept as it is
    not_article: int = 0  # the extractor now says it is no article: kept as it is
    identity_kept: int = 0  # the page's new identity is another article's
    seconds: float = 0.0
    failures: tuple[tuple[str, str], ...] = ()  # (url, reason), the first few
    last_id: int = 0  # the highest article id examined (keyset for the next batch)

    def __add__(self, other: ReextractSummary) -> ReextractSummary:
        return ReextractSummary(
            examined=self.examined + other.examined,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            failed=self.failed + other.failed,
            not_article=self.not_article + other.not_article,
            identity_kept=self.identity_kept + other.identity_kept,
            seconds=self.seconds + other.seconds,
            failures=(self.failures + other.failures)[:_LISTED],
            last_id=max(self.last_id, other.last_id),
        )

    def headline(self) -> str:
        """One line for the log and the CLI."""
        return (
            f"{self.examined} archived pages extracted again: {self.updated} articles updated, "
            f"{self.unchanged} unchanged, {self.failed} failed and {self.not_article} not "
            f"articles now (kept as they were), {self.identity_kept} kept their identity "
            f"(the new one is another article's); {self.seconds:.1f}s"
        )

    def markdown(self) -> str:
        """The summary as a Markdown artifact for the Prefect UI."""
        rows = [
            ("Archived pages examined", self.examined),
            ("Articles updated", self.updated),
            ("Articles unchanged", self.unchanged),
            ("Extraction failed now (article kept)", self.failed),
            ("Not an article now (article kept)", self.not_article),
            ("Identity kept (new one taken by another article)", self.identity_kept),
        ]
        text = ["# Re-extraction summary", "", "| | |", "|---|---:|"]
        text += [f"| {name} | {value} |" for name, value in rows]
        if self.failures:
            text += ["", "## Kept as they were", "", "| URL | Reason |", "|---|---|"]
            text += [f"| {url} | {markdown_cell(reason)} |" for url, reason in self.failures]
        text += ["", f"Took {self.seconds:.1f}s."]
        return "\n".join(text)


def _extract_all(pages: Sequence[ArchivedPage], pool: Executor | None) -> list[Article | Exception]:
    """Extract every page again, in the worker processes when there are some."""
    if pool is None:
        results: list[Article | Exception] = []
        for page in pages:
            try:
                results.append(_extract(page))
            except Exception as exc:  # counted and reported by the caller
                results.append(exc)
        return results
    futures: list[Future[Article]] = [
        pool.submit(
            reextract_page,
            page.body,
            page.encoding,
            page.charset,
            page.url,
            feed_text=page.feed_summary,
        )
        for page in pages
    ]
    gathered: list[Article | Exception] = []
    for future in futures:
        try:
            gathered.append(future.result())
        except Exception as exc:  # a worker's failure, or a dead worker (BrokenProcessPool)
            gathered.append(exc)
    return gathered


def _extract(page: ArchivedPage) -> Article:
    return reextract_page(
        page.body, page.encoding, page.charset, page.url, feed_text=page.feed_summary
    )


def reextract_pages(pages: Sequence[ArchivedPage], settings: Settings) -> ReextractSummary:
    """Extract a batch of archived pages again and apply what changed."""
    started = time.monotonic()
    pool = extraction_pool(extraction_workers(settings.extract_workers))
    now = datetime.now(UTC)
    counts: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    ready: list[Reextracted] = []
    for page, result in zip(pages, _extract_all(pages, pool), strict=True):
        if isinstance(result, Exception):
            counts["not_article" if isinstance(result, NotAnArticleError) else "failed"] += 1
            failures.append((page.url, describe(result)))
            continue
        identity, _refused = identity_url(page.url, result.canonical_url)
        dating = reconcile_dates(
            page.feed_published_at,
            PageDates(result.published_at, result.updated_at, result.date_source),
            now=now,
        )
        ready.append(
            Reextracted(
                page.article_id,
                result,
                identity,
                dating.published_at,
                dating.updated_at,
                dating.source,
                notes_with_source(dating, result.date_source),
            )
        )
    by_id = {page.article_id: page for page in pages}
    applied = repository(settings).apply_reextraction(ready, now) if ready else []
    for item, outcome in zip(ready, applied, strict=True):
        if isinstance(outcome, Exception) or outcome.result == "missing":
            counts["failed"] += 1
            reason = describe(outcome) if isinstance(outcome, Exception) else "the article is gone"
            failures.append((by_id[item.article_id].url, f"store: {reason}"))
            continue
        counts[outcome.result] += 1
        counts["identity_kept"] += outcome.identity_kept
    return ReextractSummary(
        examined=len(pages),
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        failed=counts["failed"],
        not_article=counts["not_article"],
        identity_kept=counts["identity_kept"],
        seconds=time.monotonic() - started,
        failures=tuple(failures[:_LISTED]),
        last_id=max((page.article_id for page in pages), default=0),
    )


@task(name="reextract-batch", task_run_name="reextract-batch-{batch}", cache_policy=NO_CACHE)
def reextract_batch(
    since: datetime | None,
    feed_id: int | None,
    after_id: int,
    limit: int,
    settings: Settings,
    batch: int,
) -> ReextractSummary:
    """Read the next batch of archived pages (ids above ``after_id``) and extract them again."""
    pages = repository(settings).archived_pages(since, feed_id, after_id, limit)
    return reextract_pages(pages, settings)


@flow(name="reextract", log_prints=False)
def reextract(
    since: datetime | None = None, feed: str | None = None, batch_size: int = 200
) -> ReextractSummary:
    """Extract archived pages again (those fetched since ``since``, of ``feed``) and update."""
    settings = Settings()
    logger = get_run_logger()
    started = time.monotonic()
    feed_id = None
    if feed is not None:
        info = repository(settings).feed_by_url(feed)
        if info is None:
            raise UnknownFeedError(f"reextract: not subscribed: {feed}")
        feed_id = info.id
    total = ReextractSummary()
    batch = 0
    while True:
        batch += 1
        done = reextract_batch(since, feed_id, total.last_id, batch_size, settings, batch)
        total = total + done
        if done.examined < batch_size:
            break
    summary = replace(total, seconds=time.monotonic() - started)
    logger.info(summary.headline())
    for url, reason in summary.failures:
        logger.warning("kept as it was: %s: %s", url, reason)
    create_markdown_artifact(
        key="reextract-summary",
        markdown=summary.markdown(),
        description="What this re-extraction run did",
    )
    return summary
