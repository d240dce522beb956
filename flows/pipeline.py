"""One batch of work, end to end: fetch (http) -> parse/extract (extractors) -> store (storage).

Plain functions, no Prefect: tasks.py wraps them. Every item's failure is caught,
classified and stored here, so one bad feed or page never fails a batch.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from extractors.articles import Article
from extractors.errors import (
    ErrorKind,
    PermanentError,
    TransientError,
    describe,
    error_kind,
)
from extractors.feeds import parse_feed
from extractors.fingerprints import bytes_hash
from extractors.urls import canonicalize_url
from flows.extraction import extract_page
from flows.fetch import Fetcher, FetchOptions, FetchResponse
from flows.resources import engine_for, extraction_pool, extraction_workers
from flows.settings import Settings
from storage.records import ArticleToStore, EntryWork, FeedWork, StoreOutcome
from storage.repository import Repository

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

FeedResult = Literal["parsed", "not_modified", "unchanged", "failed"]
PageResult = StoreOutcome | Literal["failed", "given_up"]


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What happened to one feed in a run."""

    feed_id: int
    url: str
    result: FeedResult
    entries_seen: int = 0
    entries_new: int = 0
    known_url: int = 0
    error: str | None = None
    kind: ErrorKind | None = None
    next_fetch_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What happened to one entry's article page in a run."""

    entry_id: int
    url: str
    result: PageResult
    error: str | None = None
    kind: ErrorKind | None = None
    next_attempt_at: datetime | None = None


def repository(settings: Settings) -> Repository:
    """The repository for the configured database (engine shared in the process)."""
    return Repository(engine_for(settings.database_url), settings.retry_policy)


def _now() -> datetime:
    return datetime.now(UTC)


# -- feeds ----------------------------------------------------------------------------


def fetch_feeds(feeds: Sequence[FeedWork], settings: Settings) -> list[FeedOutcome]:
    """Fetch, parse and store a batch of feeds."""
    repo = repository(settings)
    options = FetchOptions.from_settings(settings)

    async def fetch_all() -> list[FetchResponse | BaseException]:
        async with Fetcher(options) as fetcher:
            return await asyncio.gather(
                *(
                    fetcher.get(
                        f.url, etag=f.etag, last_modified=f.last_modified, accept=FEED_ACCEPT
                    )
                    for f in feeds
                ),
                return_exceptions=True,
            )

    responses = asyncio.run(fetch_all())
    return [
        _store_feed(repo, feed, response, settings)
        for feed, response in zip(feeds, responses, strict=True)
    ]


def _store_feed(
    repo: Repository, feed: FeedWork, response: FetchResponse | BaseException, settings: Settings
) -> FeedOutcome:
    now = _now()
    next_fetch = now + settings.feed_interval
    try:
        if isinstance(response, BaseException):
            raise response
        body_hash = bytes_hash(response.content)
        # A 304, or (from a server without validators) the same bytes: nothing to parse.
        if response.not_modified or body_hash == feed.content_hash:
            repo.record_feed_unchanged(
                feed.id, now, next_fetch, etag=response.etag, last_modified=response.last_modified
            )
            result: FeedResult = "not_modified" if response.not_modified else "unchanged"
            return FeedOutcome(feed.id, feed.url, result, next_fetch_at=next_fetch)
        parsed = parse_feed(
            response.content,
            url=response.url,
            content_type=response.content_type,
            max_entries=settings.max_entries_per_feed,
        )
        added = repo.record_feed_parsed(
            feed.id,
            parsed,
            now,
            next_fetch,
            etag=response.etag,
            last_modified=response.last_modified,
            body_hash=body_hash,
        )
        return FeedOutcome(
            feed.id,
            feed.url,
            "parsed",
            entries_seen=added.seen,
            entries_new=added.new,
            known_url=added.known_url,
            next_fetch_at=next_fetch,
        )
    except Exception as exc:  # every failure is recorded, none escapes the batch
        reason, kind = describe(exc), error_kind(exc)
        retry_at = repo.record_feed_failure(feed.id, reason, kind, now, rand=random.random())
        return FeedOutcome(
            feed.id, feed.url, "failed", error=reason, kind=kind, next_fetch_at=retry_at
        )


# -- article pages ----------------------------------------------------------------------


#: Articles stored per transaction while the rest of a batch is still being fetched.
STORE_CHUNK = 25


def fetch_articles(entries: Sequence[EntryWork], settings: Settings) -> list[PageOutcome]:
    """Fetch, extract and store the article pages of a batch of entries.

    Pages are fetched concurrently and extracted in worker processes; finished
    articles are stored in chunks, in a thread, while the others are still coming.
    """
    repo = repository(settings)
    options = FetchOptions.from_settings(settings)
    pool = extraction_pool(extraction_workers(settings.extract_workers))
    # Entries of several feeds may point at one URL: fetch it once.
    groups: dict[str, list[EntryWork]] = {}
    for entry in entries:
        groups.setdefault(entry.canonical_url, []).append(entry)
    outcomes: dict[int, PageOutcome] = {}

    def store(items: list[ArticleToStore]) -> None:
        for item, stored in zip(items, repo.store_articles(items, _now()), strict=True):
            if isinstance(stored, Exception):
                outcomes[item.entry.id] = _record_page_failure(repo, item.entry, stored)
            else:
                outcomes[item.entry.id] = PageOutcome(item.entry.id, item.entry.url, stored)

    async def one(group: list[EntryWork], fetcher: Fetcher) -> tuple[list[EntryWork], Any]:
        try:
            return group, await _fetch_and_extract(fetcher, group[0], pool)
        except Exception as exc:  # classified and recorded below
            return group, exc

    async def run() -> None:
        ready: list[ArticleToStore] = []
        failed: list[tuple[EntryWork, Exception]] = []
        storing: asyncio.Future[None] | None = None
        async with Fetcher(options) as fetcher:
            for finished in asyncio.as_completed([one(g, fetcher) for g in groups.values()]):
                group, result = await finished
                for entry in group:
                    if isinstance(result, Exception):
                        failed.append((entry, result))
                    else:
                        final_url, canonical, article = result
                        # The feed's date is precise to the second; a page often gives a day.
                        published = entry.published_at or article.published_at
                        ready.append(
                            ArticleToStore(entry, article, canonical, final_url, published)
                        )
                if len(ready) >= STORE_CHUNK:
                    if storing is not None:
                        await storing  # one writer per batch; chunks in order
                    storing = asyncio.ensure_future(asyncio.to_thread(store, ready))
                    ready = []
        if storing is not None:
            await storing
        store(ready)
        for entry, error in failed:
            outcomes[entry.id] = _record_page_failure(repo, entry, error)

    asyncio.run(run())
    return [outcomes[entry.id] for entry in entries]


async def _fetch_and_extract(
    fetcher: Fetcher, entry: EntryWork, pool: Executor | None
) -> tuple[str, str, Article]:
    """Fetch and extract one page: its final URL, canonical URL and article."""
    response = await fetcher.get(entry.url, accept=PAGE_ACCEPT)
    media_type = (response.content_type or "text/html").split(";")[0].strip().lower()
    if media_type and "html" not in media_type and "xml" not in media_type:
        raise PermanentError(f"fetch: {entry.url} is {media_type}, not an HTML page")
    canonical = canonicalize_url(response.url)
    try:
        # pool None: the loop's default thread pool (extraction in-process).
        article = await asyncio.get_running_loop().run_in_executor(
            pool, extract_page, response.content, response.charset, response.url
        )
    except BrokenProcessPool as exc:
        raise TransientError("extract: an extraction worker died") from exc
    return response.url, canonical, article


def _record_page_failure(repo: Repository, entry: EntryWork, exc: BaseException) -> PageOutcome:
    reason, kind = describe(exc), error_kind(exc)
    retry_after = exc.retry_after if isinstance(exc, TransientError) else None
    recorded = repo.record_entry_failure(
        entry.id, reason, kind, _now(), retry_after=retry_after, rand=random.random()
    )
    return PageOutcome(
        entry.id,
        entry.url,
        "given_up" if recorded.given_up else "failed",
        error=reason,
        kind=kind,
        next_attempt_at=recorded.next_attempt_at,
    )
