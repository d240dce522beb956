"""HTTP fetching: conditional GET, caps, redirects checked hop by hop, errors classified.

newsflow owns its HTTP (feedparser and trafilatura only ever see bytes): every
request goes through ``Fetcher.get``, which

- refuses anything but http(s), and hosts that resolve to private, loopback,
  link-local, multicast or reserved addresses unless they fall in the allowed
  networks, on the first request and on every redirect hop;
- sends the stored validators (If-None-Match, If-Modified-Since); 304 is a success;
- caps the body after decompression, and the whole request's time;
- limits requests in flight, overall and per host;
- turns every failure into a TransientError or a PermanentError (extractors.errors).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from extractors.errors import BlockedAddressError, PermanentError, TransientError
from extractors.urls import check_url, host_of
from flows.settings import IPNetwork, Settings

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
            user_agent=settings.user_agent,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            total_timeout=settings.total_timeout,
            max_body_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
            allowed_networks=tuple(settings.allowed_networks),
            concurrency=settings.concurrency,
            per_host_concurrency=settings.per_host_concurrency,
        )


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

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_refused_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: Sequence[IPNetwork]
) -> bool:
    """True when newsflow must not connect to ``address``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allowed):
        return False
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now: delay-seconds or an HTTP-date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """An async HTTP client for one batch of work; use as ``async with Fetcher(opts)``."""

    def __init__(self, options: FetchOptions) -> None:
        self.options = options
        self._client = httpx.AsyncClient(
            follow_redirects=False,  # followed by hand, so that every hop is checked
            timeout=httpx.Timeout(
                connect=options.connect_timeout,
                read=options.read_timeout,
                write=options.read_timeout,
                pool=options.total_timeout,
            ),
            headers={"User-Agent": options.user_agent},
            limits=httpx.Limits(max_connections=options.concurrency),
            trust_env=False,  # no proxies or netrc picked up from the environment
        )
        self._slots = asyncio.Semaphore(options.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
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

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResponse:
        """GET ``url`` following redirects; raise TransientError or PermanentError."""
        host = host_of(url) or "?"
        try:
            async with asyncio.timeout(self.options.total_timeout):
                return await self._get(url, etag, last_modified, accept)
        except TimeoutError as exc:
            raise TransientError(
                f"fetch: no complete answer from {host} within {self.options.total_timeout:g}s"
            ) from exc

    async def _get(
        self, url: str, etag: str | None, last_modified: str | None, accept: str | None
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
        current = check_url(url)
        while True:
            await self._check_host(current)
            host = host_of(current)
            # Host first: waiting for a busy host must not hold one of the shared slots.
            async with self._hosts[host], self._slots:
                response, location = await self._request(current, headers, tuple(hops))
            if location is None:
                return response
            if len(hops) >= self.options.max_redirects:
                limit = self.options.max_redirects
                raise PermanentError(f"fetch: more than {limit} redirects from {host_of(url)}")
            hops.append(current)
            target = urljoin(current, location)
            if target in hops:
                raise PermanentError(f"fetch: redirect loop at {target}")
            current = check_url(target)

    async def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            literal = ipaddress.ip_address(host)
            addresses = [literal]
        except ValueError:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise TransientError(f"fetch: cannot resolve {host}: {exc.strerror}") from exc
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        refused = [a for a in addresses if is_refused_address(a, self.options.allowed_networks)]
        if refused:
            raise BlockedAddressError(
                f"fetch: {host} resolves to {refused[0]}, a private or reserved address "
                "(allow it with NEWSFLOW_ALLOWED_NETWORKS)"
            )

    async def _request(
        self, url: str, headers: dict[str, str], hops: tuple[str, ...]
    ) -> tuple[FetchResponse, str | None]:
        """One GET: the response, and the redirect target when it is a redirect."""
        host = host_of(url)
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                location = response.headers.get("location") if status in _REDIRECTS else None
                if status == 200:
                    body = await self._read_capped(response, host)
                elif status == 304 or location is not None:
                    body = b""
                else:
                    raise _status_error(status, host, response.headers.get("retry-after"))
                return FetchResponse(
                    url=url,
                    status=status,
                    content=body,
                    content_type=response.headers.get("content-type"),
                    charset=response.charset_encoding,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    redirects=hops,
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

    async def _read_capped(self, response: httpx.Response, host: str) -> bytes:
        cap = self.options.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise PermanentError(
                f"fetch: body of {declared} bytes from {host} is over the {cap}-byte cap"
            )
        body = bytearray()
        async for chunk in response.aiter_bytes():  # decompressed
            body.extend(chunk)
            if len(body) > cap:
                raise PermanentError(
                    f"fetch: body from {host} is over the {cap}-byte cap once decompressed"
                )
        return bytes(body)


def _status_error(status: int, host: str, retry_after: str | None) -> Exception:
    message = f"fetch: {status} from {host}"
    if status == 429 or status == 408 or status >= 500:
        return TransientError(
            message, retry_after=retry_after_seconds(retry_after, datetime.now(UTC))
        )
    return PermanentError(message)
