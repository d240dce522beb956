"""HTTP fetching: conditional GET, caps, redirects checked hop by hop, errors classified.

newsflow owns its HTTP (feedparser and trafilatura only ever see bytes): every
request goes through ``Fetcher.get``, which

- refuses anything but http(s), and hosts that resolve to private, loopback,
  link-local, multicast or reserved addresses unless they fall in the allowed
  networks: at connect time, on the resolved addresses the socket connects to
  (flows/guard.py), so on the first request and on every redirect hop, with no
  window for DNS rebinding;
- waits for the domain's shared request budget and honours robots.txt
  (flows/politeness.py);
- sends the stored validators (If-None-Match, If-Modified-Since); 304 is a success;
- caps the body after decompression, and the whole request's time;
- limits requests in flight, overall and per registrable domain;
- turns every failure into a TransientError or a PermanentError (extractors.errors).
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urljoin

import httpx

from extractors.errors import PermanentError, TransientError
from extractors.schedule import cache_hints
from extractors.urls import budget_key, check_url, host_of
from flows.guard import guarded_transport
from flows.settings import IPNetwork, Settings

if TYPE_CHECKING:
    from flows.politeness import Politeness

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """What the fetcher needs from the settings."""

    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10_000_000
    max_redirects: int = 5
    allowed_networks: tuple[IPNetwork, ...] = ()
    concurrency: int = 16
    per_host_concurrency: int = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchOptions:
        return cls(
            user_agent=settings.agent,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            total_timeout=settings.total_timeout,
            max_body_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
            allowed_networks=tuple(settings.allowed_networks),
            concurrency=settings.concurrency,
            per_host_concurrency=settings.per_host_concurrency,
        )


#: Response headers kept for scheduling (RFC 9111 freshness, RFC 9110 Retry-After).
FRESHNESS_HEADERS = ("cache-control", "expires", "date", "age", "retry-after")


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """A successful response: 200 with its body, or 304 with none."""

    url: str  # after redirects
    status: int
    content: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    redirects: tuple[str, ...] = field(default=())
    #: Where the URL permanently moved: the final URL when every hop was a 301 or 308.
    moved_to: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=())  # FRESHNESS_HEADERS only

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """An async HTTP client for one batch of work; use as ``async with Fetcher(opts)``.

    With ``politeness``, every request waits for its domain's shared budget, a 429
    or Retry-After pauses the domain for every worker, and ``robots=True`` requests
    are checked against the site's robots.txt first.
    """

    def __init__(self, options: FetchOptions, politeness: Politeness | None = None) -> None:
        self.options = options
        self.politeness = politeness
        self._client = httpx.AsyncClient(
            follow_redirects=False,  # followed by hand, so that every hop is checked
            timeout=httpx.Timeout(
                connect=options.connect_timeout,
                read=options.read_timeout,
                write=options.read_timeout,
                pool=options.total_timeout,
            ),
            # Only codings _decoded() can inflate within the body cap.
            headers={"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"},
            # Addresses are checked where the socket connects, after DNS resolution.
            transport=guarded_transport(
                allowed=options.allowed_networks, max_connections=options.concurrency
            ),
            trust_env=False,  # no proxies (they would bypass the guard) and no netrc
        )
        self._slots = asyncio.Semaphore(options.concurrency)
        self._domains: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(options.per_host_concurrency)
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()
        if self.politeness is not None:
            await self.politeness.close()  # hand back the last leases

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        robots: bool = False,
        max_bytes: int | None = None,
    ) -> FetchResponse:
        """GET ``url`` following redirects; raise TransientError or PermanentError.

        ``robots``: check the site's robots.txt first (article pages). ``max_bytes``:
        read at most this much and keep what was read (robots.txt), instead of
        failing at the body cap.
        """
        url = check_url(url)
        if robots and self.politeness is not None:
            await self.politeness.check_robots(self, url)
        return await self._get(url, etag, last_modified, accept, max_bytes)

    async def _get(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str | None,
        max_bytes: int | None,
    ) -> FetchResponse:
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        # Both validators are sent; a server that knows ETags gives If-None-Match
        # precedence over If-Modified-Since (RFC 9110, 13.1.3).
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops: list[str] = []
        permanent = True
        current = url
        # The total timeout counts time spent talking to servers, over every hop;
        # time spent waiting for a domain's budget is not a failure and not counted.
        left = self.options.total_timeout
        while True:
            domain = budget_key(current)
            # Domain first: waiting for a busy domain must not hold a shared slot.
            async with self._domains[domain], self._budget(current), self._slots:
                started = time.monotonic()
                try:
                    async with asyncio.timeout(left):
                        response, location = await self._request(current, headers, max_bytes)
                except TimeoutError as exc:
                    raise TransientError(
                        f"fetch: no complete answer from {host_of(url) or '?'} within "
                        f"{self.options.total_timeout:g}s"
                    ) from exc
                left -= time.monotonic() - started
            if location is None:
                moved = response.url if hops and permanent else None
                return replace(response, redirects=tuple(hops), moved_to=moved)
            if len(hops) >= self.options.max_redirects:
                limit = self.options.max_redirects
                raise PermanentError(f"fetch: more than {limit} redirects from {host_of(url)}")
            permanent = permanent and response.status in _PERMANENT_REDIRECTS
            hops.append(current)
            target = urljoin(current, location)
            if target in hops:
                raise PermanentError(f"fetch: redirect loop at {target}")
            current = check_url(target)

    def _budget(self, url: str) -> AbstractAsyncContextManager[None]:
        return self.politeness.slot(url) if self.politeness is not None else nullcontext()

    async def _request(
        self, url: str, headers: dict[str, str], max_bytes: int | None
    ) -> tuple[FetchResponse, str | None]:
        """One GET: the response, and the redirect target when it is a redirect."""
        host = host_of(url)
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                location = response.headers.get("location") if status in _REDIRECTS else None
                if status == 200:
                    body = await self._read_capped(response, host, max_bytes)
                elif status == 304 or location is not None:
                    body = b""
                else:
                    await self._status_failed(url, status, response.headers)
                return FetchResponse(
                    url=url,
                    status=status,
                    content=body,
                    content_type=response.headers.get("content-type"),
                    charset=response.charset_encoding,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    headers=tuple(
                        (name, response.headers[name])
                        for name in FRESHNESS_HEADERS
                        if name in response.headers
                    ),
                ), location
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"fetch: timed out talking to {host} ({type(exc).__name__})"
            ) from exc
        except httpx.DecodingError as exc:
            raise PermanentError(f"fetch: undecodable body from {host}: {exc}") from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise TransientError(
                f"fetch: connection to {host} failed: {exc or type(exc).__name__}"
            ) from exc

    async def _status_failed(self, url: str, status: int, headers: httpx.Headers) -> NoReturn:
        """Raise the error for a failed status; a 429 or a Retry-After pauses the domain."""
        error = _status_error(status, host_of(url), headers)
        retry_after_given = isinstance(error, TransientError) and error.retry_after is not None
        if self.politeness is not None and (status == 429 or retry_after_given):
            pause = error.retry_after if isinstance(error, TransientError) else None
            if pause is None:
                pause = self.politeness.options.default_pause
            await self.politeness.pause(url, pause, f"{status} from {host_of(url)}")
        raise error

    async def _read_capped(
        self, response: httpx.Response, host: str, max_bytes: int | None
    ) -> bytes:
        truncate = max_bytes is not None
        cap = max_bytes if max_bytes is not None else self.options.max_body_bytes
        declared = response.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > cap:
            raise PermanentError(
                f"fetch: body of {declared} bytes from {host} is over the {cap}-byte cap"
            )
        body = bytearray()
        async for chunk in _decoded(response, cap):
            body.extend(chunk)
            if len(body) > cap:
                if truncate:
                    return bytes(body[:cap])
                raise PermanentError(
                    f"fetch: body from {host} is over the {cap}-byte cap once decompressed"
                )
        return bytes(body)


async def _decoded(response: httpx.Response, cap: int) -> AsyncIterator[bytes]:
    """The body decompressed, never more than ``cap + 1`` bytes from one network read.

    httpx's own decoders inflate a whole read at once: one 64 KiB read of a gzip
    bomb becomes ~64 MiB before any cap can look at it. gzip and deflate (the only
    codings newsflow asks for) are inflated here with zlib's ``max_length`` instead.
    """
    coding = response.headers.get("content-encoding", "").strip().lower()
    if coding not in ("gzip", "x-gzip", "deflate"):
        async for chunk in response.aiter_bytes():  # identity, or a coding httpx knows
            yield chunk
        return
    # wbits 47: gzip or zlib header; a raw-deflate stream (some servers' "deflate") is
    # retried with -15 when the first bytes are not a zlib header, as httpx does.
    inflater = zlib.decompressobj(47)
    first = True
    produced = 0
    try:
        async for raw in response.aiter_raw():
            pending = raw
            while pending:
                try:
                    out = inflater.decompress(pending, cap + 1 - produced)
                except zlib.error:
                    if not first or coding != "deflate":
                        raise
                    inflater = zlib.decompressobj(-15)
                    out = inflater.decompress(pending, cap + 1 - produced)
                first = False
                produced += len(out)
                yield out
                if produced > cap or inflater.eof:
                    return
                pending = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(f"{coding} body does not decompress: {exc}") from exc


def _status_error(
    status: int, host: str, headers: httpx.Headers
) -> TransientError | PermanentError:
    message = f"fetch: {status} from {host}"
    # Retry-After: delay-seconds or an HTTP-date, read against the server's Date
    # (RFC 9110, 10.2.3), as the feed schedule reads it.
    seconds = cache_hints(headers, datetime.now(UTC)).retry_after
    if status == 429 or status == 408 or status >= 500:
        return TransientError(message, retry_after=seconds, status=status)
    return PermanentError(message, status=status)
