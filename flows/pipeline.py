"""One batch of work, end to end: fetch (http) -> parse/extract (extractors) -> store (storage).

Plain functions, no Prefect: tasks.py wraps them. Every item's failure is caught,
classified and stored here, so one bad feed or page never fails a batch.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import random
from collections.abc import Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from extractors.articles import Article
from extractors.dates import PageDates, notes_with_source, reconcile_dates
from extractors.errors import (
    BlockedAddressError,
    ErrorKind,
    HostBusyError,
    NewsflowError,
    NotAnArticleError,
    PermanentError,
    RobotsDisallowedError,
    TransientError,
    describe,
    error_kind,
)
from extractors.feeds import ParsedFeed, parse_feed
from extractors.fingerprints import bytes_hash
from extractors.health import Failure, after_failure, after_success
from extractors.schedule import cache_hints, next_fetch, publish_rhythm
from extractors.urls import host_of, identity_url
from flows.extraction import ARCHIVE_ENCODING, extract_page
from flows.fetch import Fetcher, FetchOptions, FetchResponse
from flows.guard import is_refused_address
from flows.politeness import politeness_for
from flows.resources import engine_for, extraction_pool, extraction_workers
from flows.settings import IPNetwork, Settings
from storage.budget import BudgetStore
from storage.records import (
    ArticleToStore,
    EntryWork,
    FeedFetched,
    FeedWork,
    PageArchive,
    StoreOutcome,
)
from storage.repository import Repository

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

FeedResult = Literal["parsed", "not_modified", "unchanged", "failed", "deferred"]
PageResult = StoreOutcome | Literal["failed", "given_up", "deferred", "not_article"]

#: Media types that are never a feed or an article page, refused before parsing.
_NOT_TEXT = ("image/", "audio/", "video/", "font/")
_NOT_TEXT_TYPES = frozenset({"application/pdf", "application/zip", "application/gzip"})


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What happened to one feed in a run."""

    feed_id: int
    url: str
    result: FeedResult
    entries_seen: int = 0
    entries_new: int = 0
    known_url: int = 0
    entries_total: int = 0  # in the document, before the per-feed cap
    skipped: int = 0  # entries refused: no usable link, or a link to a refused address
    status: str | None = None  # the feed's health afterwards
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
    page_kind: str | None = None  # not_article: extractors.errors.NotAnArticleError's kinds


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    """A page fetched and extracted: its article, identity and archive, for every entry."""

    final_url: str
    identity: str  # extractors.urls.identity_url
    article: Article
    archive: PageArchive | None

    def to_store(self, entry: EntryWork, now: datetime) -> ArticleToStore:
        """What to store for one entry that led here, with its dates reconciled."""
        article = self.article
        dating = reconcile_dates(
            entry.published_at,
            PageDates(article.published_at, article.updated_at, article.date_source),
            now=now,
        )
        return ArticleToStore(
            entry,
            article,
            self.identity,
            self.final_url,
            dating.published_at,
            updated_at=dating.updated_at,
            date_source=dating.source,
            date_notes=notes_with_source(dating, article.date_source),
            page_canonical_url=article.canonical_url,
            archive=self.archive,
        )


def repository(settings: Settings) -> Repository:
    """The repository for the configured database (engine shared in the process)."""
    return Repository(
        engine_for(settings.database_url), settings.retry_policy, settings.story_options
    )


def _now() -> datetime:
    return datetime.now(UTC)


def fetcher_for(settings: Settings, repo: Repository) -> Fetcher:
    """A fetcher bound to the shared per-domain budget and robots.txt cache."""
    politeness = politeness_for(settings, BudgetStore(repo.engine))
    return Fetcher(FetchOptions.from_settings(settings), politeness)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _refuse_non_text(content_type: str | None, url: str) -> None:
    """Raise PermanentError for a feed that is plainly not text (a PDF, an image).

    Feeds come with every text type servers can think of, so only these are refused.
    """
    media_type = _media_type(content_type)
    if media_type.startswith(_NOT_TEXT) or media_type in _NOT_TEXT_TYPES:
        raise PermanentError(f"fetch: {url} is {media_type}, not a feed")


# -- feeds ----------------------------------------------------------------------------


def fetch_feeds(feeds: Sequence[FeedWork], settings: Settings) -> list[FeedOutcome]:
    """Fetch, parse and store a batch of feeds."""
    repo = repository(settings)

    async def fetch_all() -> list[FetchResponse | BaseException]:
        async with fetcher_for(settings, repo) as fetcher:
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
    try:
        if isinstance(response, BaseException):
            raise response
        return _feed_fetched(repo, feed, response, settings, now)
    except HostBusyError as exc:
        # Not a failure: the domain asked us to wait (a 429 elsewhere, a full budget).
        until = now + timedelta(seconds=exc.wait_seconds)
        repo.defer_feed(feed.id, until, describe(exc))
        return FeedOutcome(
            feed.id, feed.url, "deferred", status=feed.health.status, next_fetch_at=until
        )
    except Exception as exc:  # every failure is recorded, none escapes the batch
        reason, kind = describe(exc), error_kind(exc)
        failure = Failure(
            reason,
            kind,
            http_status=exc.status if isinstance(exc, NewsflowError) else None,
            retry_after=exc.retry_after if isinstance(exc, TransientError) else None,
            blocked=isinstance(exc, BlockedAddressError | RobotsDisallowedError),
        )
        draw = random.random()
        change = repo.record_feed_failure(
            feed.id,
            reason,
            kind,
            now,
            lambda health: after_failure(
                health, failure, now, options=settings.health_options, rand=draw
            ),
        )
        return FeedOutcome(
            feed.id,
            feed.url,
            "failed",
            status=change.health.status,
            error=reason,
            kind=kind,
            next_fetch_at=change.next_fetch.at,
        )


def _feed_fetched(
    repo: Repository, feed: FeedWork, response: FetchResponse, settings: Settings, now: datetime
) -> FeedOutcome:
    headers = dict(response.headers)
    body_hash = None if response.not_modified else bytes_hash(response.content)
    parsed = None
    if response.not_modified or body_hash == feed.content_hash:
        # A 304, or (from a server without validators) the same bytes: nothing to parse.
        result: Literal["parsed", "not_modified", "unchanged"] = (
            "not_modified" if response.not_modified else "unchanged"
        )
        rhythm = timedelta(seconds=feed.publish_interval) if feed.publish_interval else None
        last_entry_at = feed.last_entry_at
        hints = cache_hints(headers, now)
        fetched = FeedFetched(result, response.etag, response.last_modified)
    else:
        _refuse_non_text(response.content_type, response.url)
        parsed = parse_feed(
            response.content,
            url=response.url,
            content_type=response.content_type,
            max_entries=settings.max_entries_per_feed,
        )
        parsed = _without_refused_links(parsed, settings)
        result = "parsed"
        published = [e.published_at for e in parsed.entries if e.published_at is not None]
        rhythm = publish_rhythm(published, now)
        last_entry_at = max(published, default=None)
        hints = cache_hints(headers, now, ttl_minutes=parsed.ttl_minutes)
        fetched = FeedFetched(
            "parsed",
            response.etag,
            response.last_modified,
            body_hash=body_hash,
            body_bytes=len(response.content),
            publish_interval=rhythm.total_seconds() if rhythm else None,
            last_entry_at=last_entry_at,
        )
    schedule = next_fetch(
        now,
        rhythm=rhythm,
        last_published=last_entry_at,
        hints=hints,
        options=settings.schedule_options,
        rand=random.random(),
    )
    change, added = repo.record_feed_fetched(
        feed.id,
        fetched,
        now,
        lambda health: after_success(
            health,
            schedule,
            url=feed.url,
            moved_to=response.moved_to,
            options=settings.health_options,
        ),
        parsed=parsed,
    )
    return FeedOutcome(
        feed.id,
        feed.url,
        result,
        entries_seen=added.seen if added else 0,
        entries_new=added.new if added else 0,
        known_url=added.known_url if added else 0,
        entries_total=parsed.total_entries if parsed else 0,
        skipped=parsed.skipped if parsed else 0,
        status=change.health.status,
        next_fetch_at=change.next_fetch.at,
    )


def _without_refused_links(parsed: ParsedFeed, settings: Settings) -> ParsedFeed:
    """Drop entries whose link names a refused address (a feed pointing at 169.254.169.254).

    Host names are checked when their page is fetched, at connect time; an address
    literal is refused here, so it never becomes work.
    """
    allowed = settings.allowed_networks
    kept = tuple(e for e in parsed.entries if not _refused_literal(e.link, allowed))
    refused = len(parsed.entries) - len(kept)
    return replace(parsed, entries=kept, skipped=parsed.skipped + refused) if refused else parsed


def _refused_literal(url: str, allowed: Sequence[IPNetwork]) -> bool:
    try:
        address = ipaddress.ip_address(host_of(url).strip("[]"))
    except ValueError:
        return False  # a name: checked at connect time
    return is_refused_address(address, allowed)


# -- article pages ----------------------------------------------------------------------


#: Articles stored per transaction while the rest of a batch is still being fetched.
STORE_CHUNK = 25


def fetch_articles(entries: Sequence[EntryWork], settings: Settings) -> list[PageOutcome]:
    """Fetch, extract and store the article pages of a batch of entries.

    Pages are fetched concurrently and extracted in worker processes; finished
    articles are stored in chunks, in a thread, while the others are still coming.
    """
    repo = repository(settings)
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

    archive = settings.archive_days > 0

    async def one(group: list[EntryWork], fetcher: Fetcher) -> tuple[list[EntryWork], Any]:
        try:
            return group, await _fetch_and_extract(fetcher, group[0], pool, archive=archive)
        except Exception as exc:  # classified and recorded below
            return group, exc

    async def run() -> None:
        ready: list[ArticleToStore] = []
        failed: list[tuple[EntryWork, Exception]] = []
        storing: asyncio.Future[None] | None = None
        async with fetcher_for(settings, repo) as fetcher:
            for finished in asyncio.as_completed([one(g, fetcher) for g in groups.values()]):
                group, result = await finished
                for entry in group:
                    if isinstance(result, Exception):
                        failed.append((entry, result))
                    else:
                        ready.append(result.to_store(entry, _now()))
                if len(ready) >= STORE_CHUNK:
                    if storing is not None:
                        await storing  # one writer per batch; chunks in order
                    storing = asyncio.ensure_future(asyncio.to_thread(store, ready))
                    ready = []
        if storing is not None:
            await storing
        store(ready)
        deferred: dict[int, datetime] = {}
        for entry, error in failed:
            if isinstance(error, HostBusyError):
                # Not a failure: the domain asked us to wait. No attempt is counted.
                until = _now() + timedelta(seconds=error.wait_seconds)
                deferred[entry.id] = until
                outcomes[entry.id] = PageOutcome(
                    entry.id, entry.url, "deferred", error=describe(error), next_attempt_at=until
                )
            elif isinstance(error, NotAnArticleError):
                reason = describe(error)
                repo.record_not_article(entry.id, reason, _now())
                outcomes[entry.id] = PageOutcome(
                    entry.id,
                    entry.url,
                    "not_article",
                    error=reason,
                    kind="permanent",
                    page_kind=error.page_kind,
                )
            else:
                outcomes[entry.id] = _record_page_failure(repo, entry, error)
        if deferred:
            repo.defer_entries(deferred)  # one transaction, however many were put off

    asyncio.run(run())
    return [outcomes[entry.id] for entry in entries]


async def _fetch_and_extract(
    fetcher: Fetcher, entry: EntryWork, pool: Executor | None, *, archive: bool
) -> FetchedArticle:
    """Fetch and extract one page: its article, identity and (when ``archive``) archive."""
    response = await fetcher.get(entry.url, accept=PAGE_ACCEPT, robots=True)
    media_type = _media_type(response.content_type)
    if media_type and "html" not in media_type and "xml" not in media_type:
        raise PermanentError(f"fetch: {entry.url} is {media_type}, not an HTML page")
    work = functools.partial(extract_page, archive=archive, feed_text=entry.summary)
    try:
        # pool None: the loop's default thread pool (extraction in-process).
        page = await asyncio.get_running_loop().run_in_executor(
            pool, work, response.content, response.charset, response.url
        )
    except BrokenProcessPool as exc:
        raise TransientError("extract: an extraction worker died") from exc
    # The page's own canonical URL names the article when it can (an AMP or print
    # copy, a tracking link); otherwise the URL it was fetched from. Why one was
    # refused needs no column: page_canonical_url beside canonical_url shows it.
    identity, _refused = identity_url(response.url, page.article.canonical_url)
    stored = None
    if page.archive is not None:
        stored = PageArchive(
            page.archive,
            ARCHIVE_ENCODING,
            len(response.content),
            response.content_type,
            response.charset,
        )
    return FetchedArticle(response.url, identity, page.article, stored)


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
