"""A hostile HTTP server on 127.0.0.1 and the feed bodies it serves.

Like routes.RouteServer, answers are set per path; unlike it, an answer can stall,
drip its body, send it chunked or close-delimited, claim a length it does not send,
and a path can play a sequence of answers (a flapping server). Every request is
recorded with its headers (names lower-cased).
"""

from __future__ import annotations

import functools
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from xml.sax.saxutils import escape

RSS_MEDIA = "application/rss+xml"
RSS_TYPE = RSS_MEDIA + "; charset=utf-8"

#: How the end of a body is told: Content-Length, chunked coding, or closing the connection.
Framing = Literal["length", "chunked", "close"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One scripted HTTP answer."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": RSS_TYPE})
    delay: float = 0.0  # seconds before the status line
    chunk: int = 0  # bytes per write; 0: the whole body in one write
    gap: float = 0.0  # seconds between writes
    framing: Framing = "length"
    declared_length: int | None = None  # a Content-Length to claim instead of the real one


@dataclass(frozen=True, slots=True)
class Seen:
    """A request as the server received it."""

    path: str
    headers: Mapping[str, str]  # names lower-cased
    index: int  # 0 for the first request to this path, 1 for the next...


Responder = Callable[[Seen], Answer]


class HostileServer:
    """A threaded HTTP/1.1 server on 127.0.0.1; use as ``with HostileServer() as s``."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.errors: list[BaseException] = []
        self._routes: dict[str, tuple[tuple[Answer | Responder, ...], bool]] = {}
        self._lock = threading.Lock()
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {name.lower(): value for name, value in self.headers.items()}
                owner._answer(self, owner._seen(self.path, headers))

            def log_message(self, *args: object) -> None:
                pass

        class _Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                error = sys.exc_info()[1]
                # The client hanging up (a cap or a timeout hit) is what these tests
                # provoke; anything else is a bug in the server and fails the test.
                if error is not None and not isinstance(error, ConnectionError):
                    owner.errors.append(error)

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *script: Answer | Responder, cycle: bool = False) -> None:
        """Answer requests to ``path`` in turn; then repeat the last, or the whole ``cycle``."""
        assert script, "a route needs at least one answer"
        self._routes[path] = (script, cycle)

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def _seen(self, path: str, headers: dict[str, str]) -> Seen:
        with self._lock:
            index = sum(1 for seen in self.requests if seen.path == path)
            seen = Seen(path, headers, index)
            self.requests.append(seen)
            return seen

    def _answer(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        route = self._routes.get(seen.path.split("?")[0])
        if route is None:
            answer = Answer(404, b"not found", {"Content-Type": "text/plain"})
        else:
            script, cycle = route
            step = seen.index % len(script) if cycle else min(seen.index, len(script) - 1)
            chosen = script[step]
            answer = chosen if isinstance(chosen, Answer) else chosen(seen)
        _write(handler, answer)

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if exc_type is None and self.errors:
            raise AssertionError(f"hostile server failed: {self.errors[0]!r}")


def _write(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    handler.close_connection = True  # one request per connection: framing stays simple
    if answer.delay:
        time.sleep(answer.delay)
    handler.send_response(answer.status)
    for name, value in answer.headers.items():
        handler.send_header(name, value)
    # 304 and 204 never carry a body (RFC 9110, 6.4.1).
    bodiless = answer.status in (204, 304)
    if answer.framing == "chunked" and not bodiless:
        handler.send_header("Transfer-Encoding", "chunked")
    elif answer.framing == "length" and not bodiless:
        length = answer.declared_length
        handler.send_header("Content-Length", str(len(answer.body) if length is None else length))
    handler.send_header("Connection", "close")
    handler.end_headers()
    if bodiless:
        return
    size = answer.chunk or max(len(answer.body), 1)
    for start in range(0, len(answer.body), size):
        if start and answer.gap:
            time.sleep(answer.gap)
        piece = answer.body[start : start + size]
        if answer.framing == "chunked":
            piece = b"%x\r\n%s\r\n" % (len(piece), piece)
        handler.wfile.write(piece)
    if answer.framing == "chunked":
        handler.wfile.write(b"0\r\n\r\n")


def conditional(answer: Answer, *, etag: str, last_modified: str) -> Responder:
    """``answer`` with validators; 304 to a request that sends them back."""
    validators = {"ETag": etag, "Last-Modified": last_modified}

    def respond(seen: Seen) -> Answer:
        # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110, 13.1.3).
        if "if-none-match" in seen.headers:
            fresh = seen.headers["if-none-match"] == etag
        else:
            fresh = seen.headers.get("if-modified-since") == last_modified
        if fresh:
            return Answer(304, headers=validators)
        return replace(answer, headers={**answer.headers, **validators})

    return respond


def fresh_feed(base: str, prefix: str, per_request: int = 2) -> Responder:
    """A valid feed with ``per_request`` items never served before, at every request."""

    def respond(seen: Seen) -> Answer:
        return Answer(200, rss(base, per_request, prefix=prefix, start=seen.index * per_request))

    return respond


# -- feed bodies -------------------------------------------------------------------------


def item(link: str, title: str) -> str:
    return f"<item><title>{escape(title)}</title><link>{escape(link)}</link></item>"


def channel(items: str, *, title: str = "Hostile test feed", prolog: str = "") -> str:
    return (
        f'{prolog}<rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>http://news.invalid/</link>{items}</channel></rss>"
    )


def rss(base: str, n: int, *, prefix: str = "story", start: int = 0) -> bytes:
    """A small valid RSS 2.0 feed whose ``n`` items link under ``base``."""
    items = "".join(
        item(f"{base}/{prefix}/{i}", f"{prefix} {i}") for i in range(start + 1, start + n + 1)
    )
    return channel(items, prolog='<?xml version="1.0" encoding="utf-8"?>').encode()


def huge_feed(base: str, n: int = 50_000) -> bytes:
    """A feed of ``n`` minimal items (a link each)."""
    items = "".join(f"<item><link>{base}/m/{i}</link></item>" for i in range(n))
    return channel(items).encode()


def billion_laughs(base: str) -> bytes:
    """The classic entity expansion: ten levels of ten, 10**9 "lol"s from 1 KB."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    prolog = f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}]>'
    body = f"<item><title>&lol9;</title><link>{base}/laughs/1</link></item>"
    return channel(body, prolog=prolog).encode()


def external_entity(base: str) -> bytes:
    """A feed whose item title is an external entity naming a local file (XXE)."""
    prolog = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = f"<item><title>&xxe;</title><link>{base}/xxe/1</link></item>"
    return channel(body, prolog=prolog).encode()


def truncated(base: str) -> bytes:
    """Three complete items, then the document stops inside the fourth item's title."""
    whole = rss(base, 4, prefix="cut").decode()
    return whole[: whole.index("<title>cut 4") + len("<title>cut")].encode()


def html_page(base: str) -> bytes:
    """A site's home page where a feed was expected."""
    return (
        "<!DOCTYPE html><html><head><title>The Daily Ledger</title></head><body>"
        f'<h1>Top stories</h1><p><a href="{base}/story/1">Council passes budget</a></p>'
        '<p>Subscribe to our <a href="/feed.xml">feed</a>.</p></body></html>'
    ).encode()


METADATA_URL = "http://169.254.169.254/latest/meta-data/"


def ssrf_feed(base: str) -> bytes:
    """Two good items and two whose links point at cloud metadata and a local file."""
    items = (
        item(f"{base}/ok/1", "Good one")
        + item(METADATA_URL, "Instance credentials")
        + item("file:///etc/passwd", "Local file")
        + item(f"{base}/ok/2", "Good two")
    )
    return channel(items).encode()


def encoded_feed(base: str, title: str, encoding: str, *, declare: bool) -> bytes:
    """A one-item feed in ``encoding``, with an XML declaration naming it when ``declare``."""
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
    return channel(item(f"{base}/enc/1", title), prolog=prolog).encode(encoding)


@functools.cache
def gzip_bomb(mebibytes: int = 1024) -> bytes:
    """A valid gzip stream of ``mebibytes`` MiB of zeros, about 1/1000 of that in size.

    After a full flush deflate is byte-aligned and refers to nothing before it
    (RFC 1951, 3.2.3; zlib's Z_FULL_FLUSH), so one compressed MiB repeats as is:
    built in a fraction of a second without ever holding the zeros.
    """
    mib = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: gzip framing below
    segment = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # RFC 1952, 2.3: no name, no time
    trailer = struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)
    return header + segment * mebibytes + deflate.flush(zlib.Z_FINISH) + trailer


def padded(body: bytes, size: int) -> bytes:
    """``body`` followed by an XML comment that brings it to at least ``size`` bytes."""
    return body + b"<!--" + b"x" * max(size - len(body), 0) + b"-->"
