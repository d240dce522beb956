"""Serving a sample site over HTTP on loopback, with the standard library only.

Every body is rendered once at `start()` (the base URL is known only once the port is
bound). Replies carry ETag and Last-Modified validators, answer conditional requests
with 304, compress with gzip when asked, and play the site's faults: a page that
answers 503 once, a slow page, a feed entry whose page is missing and a malformed feed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

from flows.samplesite.model import REFERENCE_TIME, SampleSite
from flows.samplesite.render import FEED_TYPES

HTML = "text/html; charset=utf-8"
_NOT_FOUND = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Page not found'
    b"</title></head><body><h1>Page not found</h1><p>The page you asked for does not exist."
    b"</p></body></html>\n"
)
_UNAVAILABLE = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>503 Service '
    b"Unavailable</title></head><body><h1>Service Unavailable</h1><p>The server is busy. "
    b"Please try again later.</p></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the server answered."""

    method: str
    path: str  # as requested, query included
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None
    time: float  # time.monotonic() on arrival
    accept_encoding: str | None = None


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str  # quoted, strong
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""  # sent for GET, never for HEAD
    delay: float = 0.0


class SiteServer:
    """A threaded HTTP server for a `SampleSite`; use as a context manager or start/stop."""

    def __init__(
        self,
        site: SampleSite,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 2.0,
        delay_seconds: float = 0.0,
    ) -> None:
        self.site = site
        self.host = host
        self.port = port
        self.slow_seconds = slow_seconds
        self.delay_seconds = delay_seconds  # every reply takes this long: a busy site
        self._open = threading.Event()  # cleared by hold(): requests wait for resume()
        self._open.set()
        self._in_flight = self._peak_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[RequestRecord] = []
        self._flaky_fired = False
        self._connections: set[socket.socket] = set()
        self._gzipped: dict[str, bytes] = {}
        self._routes: dict[str, _Resource] = {}
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Bind (OSError if the port is taken), render every body, serve in a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("the server is already running")
        server_class = _HTTPServer6 if ":" in self.host else _HTTPServer
        httpd = server_class((self.host, self.port), _Handler)
        try:
            httpd.owner = self
            host = f"[{self.host}]" if ":" in self.host else self.host
            self._base_url = f"http://{host}:{httpd.server_address[1]}"
            self._routes = self._render_all(self._base_url)
        except BaseException:
            httpd.server_close()
            raise
        self._stopping.clear()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"samplesite-{httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close open connections and the socket, join the thread."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()  # wakes requests sleeping on the slow page
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # idle keep-alive connections
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SiteServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- public state ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the server has not been started")
        return self._base_url

    @property
    def feed_urls(self) -> list[str]:
        """Every feed: the outlets' in outlet order, then the aggregator and the broken feed."""
        return [self.url(feed.path) for feed in self.site.feeds]

    def url(self, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"a site path starts with '/': {path!r}")
        return self.base_url + path

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests answered so far, in order."""
        with self._lock:
            return list(self._requests)

    def hold(self) -> None:
        """Requests wait (unanswered) from now until resume(): a site that has stalled."""
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    @property
    def peak_in_flight(self) -> int:
        """The most requests the server was answering at once since start or the last clear."""
        with self._lock:
            return self._peak_in_flight

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._peak_in_flight = self._in_flight

    def reset_faults(self) -> None:
        """Make one-shot faults (the 503-once page) fire again."""
        with self._lock:
            self._flaky_fired = False

    # -- rendering and replies -------------------------------------------------------

    def _render_all(self, base_url: str) -> dict[str, _Resource]:
        site = self.site
        routes: dict[str, _Resource] = {}

        def add(path: str, body: bytes, content_type: str, modified: datetime) -> None:
            etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
            routes[path] = _Resource(body, content_type, etag, modified)

        for page in site.pages.values():
            if page.kind != "fault":
                add(page.path, site.render_page(page.path, base_url), HTML, page.published)
        for feed in site.feeds:
            content_type = FEED_TYPES[feed.format] + "; charset=utf-8"
            add(feed.path, site.render_feed(feed, base_url), content_type, site.last_modified(feed))
        for outlet in site.outlets:
            modified = site.last_modified(site.outlet_feed(outlet.slug))
            add(outlet.index_path, site.render_index(outlet.slug, base_url), HTML, modified)
        newest = max((p.published for p in site.articles()), default=REFERENCE_TIME)
        add("/", site.render_home(base_url), HTML, newest)
        add("/robots.txt", site.render_robots(), "text/plain; charset=utf-8", REFERENCE_TIME)
        return routes

    def _reply(self, method: str, target: str, headers: Message) -> _Reply:
        arrival = time.monotonic()
        path = urlsplit(target).path or "/"  # the query never matters for routing
        flaky = self.site.fault_paths.get("flaky")
        with self._lock:
            unavailable = path == flaky and not self._flaky_fired
            if unavailable and method == "GET":
                self._flaky_fired = True
        resource = self._routes.get(path)
        if unavailable:
            reply = _Reply(503, _plain(HTML, _UNAVAILABLE), _UNAVAILABLE)
        elif resource is not None:
            reply = self._ok(path, resource, headers)
        elif path + "/" in self._routes and path.count("/") == 1:
            reply = _Reply(301, (("Location", path + "/"), ("Content-Length", "0")))
        else:
            reply = _Reply(404, _plain(HTML, _NOT_FOUND), _NOT_FOUND)
        if path == self.site.fault_paths.get("slow") and reply.status < 400:
            reply = _Reply(reply.status, reply.headers, reply.body, self.slow_seconds)
        record = RequestRecord(
            method=method,
            path=target,
            status=reply.status,
            if_none_match=headers.get("If-None-Match"),
            if_modified_since=headers.get("If-Modified-Since"),
            user_agent=headers.get("User-Agent"),
            time=arrival,
            accept_encoding=headers.get("Accept-Encoding"),
        )
        with self._lock:
            self._requests.append(record)
        return reply

    def _ok(self, path: str, resource: _Resource, headers: Message) -> _Reply:
        compress = accepts_gzip(headers.get("Accept-Encoding"))
        # A compressed body is another representation: its validator is weak, as nginx does.
        etag = "W/" + resource.etag if compress else resource.etag
        validators = (
            ("ETag", etag),
            ("Last-Modified", format_datetime(resource.last_modified, usegmt=True)),
            ("Vary", "Accept-Encoding"),
        )
        if not_modified(headers, resource.etag, resource.last_modified):
            return _Reply(304, validators)
        body = self._gzip(path, resource.body) if compress else resource.body
        extra = (("Content-Encoding", "gzip"),) if compress else ()
        content = (("Content-Type", resource.content_type), ("Content-Length", str(len(body))))
        return _Reply(200, content + validators + extra, body)

    def _gzip(self, path: str, body: bytes) -> bytes:
        with self._lock:
            cached = self._gzipped.get(path)
        if cached is None:
            cached = gzip.compress(body, compresslevel=6, mtime=0)
            with self._lock:
                self._gzipped[path] = cached
        return cached

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        """Count a request in flight while its reply is made (and delayed)."""
        with self._lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def _track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


def _plain(content_type: str, body: bytes) -> tuple[tuple[str, str], ...]:
    return (("Content-Type", content_type), ("Content-Length", str(len(body))))


def accepts_gzip(value: str | None) -> bool:
    """True if an Accept-Encoding value lists gzip without q=0."""
    for part in (value or "").split(","):
        name, _, params = part.partition(";")
        if name.strip().lower() in ("gzip", "x-gzip"):
            q = params.replace(" ", "").lower()
            return not (q.startswith("q=0") and q[3:].strip(".0") == "")
    return False


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses weak comparison (RFC 9110, 8.8.3.2): W/ prefixes are ignored."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def not_modified(headers: Message, etag: str, last_modified: datetime) -> bool:
    """Whether a GET or HEAD with these headers gets 304 Not Modified."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        # RFC 9110, 13.1.3: a recipient MUST ignore If-Modified-Since when the request
        # has If-None-Match; the entity tag alone decides.
        return etag_matches(if_none_match, etag)
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # an invalid date is ignored (RFC 9110, 13.1.3)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified <= since


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: concurrent fetchers would see dropped
    # connection attempts (retried after a second) instead of a busy server.
    request_queue_size = 128
    owner: SiteServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (and connections closed by stop()) are not errors.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every reply has a length or no body
    server_version = "SampleNews/1.0"
    timeout = 30  # idle keep-alive connections close after this many seconds
    # Headers and body leave in two writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (about 40 ms a response on Linux).
    disable_nagle_algorithm = True

    @property
    def owner(self) -> SiteServer:
        return cast(_HTTPServer, self.server).owner

    def setup(self) -> None:
        super().setup()
        self.owner._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner._track(self.connection, False)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        while not self.owner._open.wait(0.1):
            if self.owner._stopping.is_set():
                return
        # Busy until the reply starts: once its last bytes are out, the client may send
        # its next request before this thread has counted the reply as finished.
        with self.owner._busy():
            reply = self.owner._reply(self.command, self.path, self.headers)
            if reply.delay or self.owner.delay_seconds:
                self.owner._stopping.wait(reply.delay or self.owner.delay_seconds)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if reply.body and not head:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: no line on stderr per request."""
