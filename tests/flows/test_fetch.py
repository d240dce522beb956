from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from extractors.errors import BlockedAddressError, PermanentError, TransientError
from flows.fetch import (
    Fetcher,
    FetchOptions,
    FetchResponse,
)
from tests.flows.routes import Reply, RouteServer

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with RouteServer() as s:
        yield s


BASE_OPTIONS = FetchOptions(
    user_agent="newsflow-test/1 (+https://newsflow.invalid)",
    allowed_networks=LOOPBACK,
    connect_timeout=2,
    read_timeout=2,
    total_timeout=3,
    max_body_bytes=10_000,
    max_redirects=3,
)


def get(
    url: str, *, etag: str | None = None, last_modified: str | None = None, **options: object
) -> FetchResponse:
    opts = dataclasses.replace(BASE_OPTIONS, **options)  # type: ignore[arg-type]

    async def run() -> FetchResponse:
        async with Fetcher(opts) as fetcher:
            return await fetcher.get(url, etag=etag, last_modified=last_modified)

    return asyncio.run(run())


def test_200_with_validators_then_304(server: RouteServer) -> None:
    def feed(handler: BaseHTTPRequestHandler) -> Reply:
        headers = handler.headers
        if headers.get("If-None-Match") == '"v1"':
            return Reply(304)
        return Reply(
            200,
            b"<rss/>",
            {
                "ETag": '"v1"',
                "Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT",
                "Content-Type": "application/rss+xml; charset=utf-8",
            },
        )

    server.route("/feed", feed)
    first = get(server.base + "/feed")
    assert (first.status, first.content, first.etag, first.charset) == (
        200,
        b"<rss/>",
        '"v1"',
        "utf-8",
    )
    second = get(server.base + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.content == b""
    sent = server.hits[-1][1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert sent["User-Agent"].startswith("newsflow-test/1")


def test_loopback_is_refused_unless_allowed(server: RouteServer) -> None:
    server.route("/feed", Reply(200, b"ok"))
    with pytest.raises(BlockedAddressError, match="NEWSFLOW_ALLOWED_NETWORKS"):
        get(server.base + "/feed", allowed_networks=())
    assert server.hits == []  # refused before connecting


def test_redirect_to_refused_address_is_checked_per_hop(server: RouteServer) -> None:
    server.route(
        "/moved", Reply(301, headers={"Location": "http://169.254.169.254/latest/meta-data"})
    )
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
        get(server.base + "/moved")


def test_redirects_followed_and_capped(server: RouteServer) -> None:
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(200, b"final"))
    response = get(server.base + "/a")
    assert (response.url, response.content) == (server.base + "/b", b"final")
    assert response.redirects == (server.base + "/a",)
    for n in range(5):
        server.route(f"/r{n}", Reply(307, headers={"Location": f"/r{n + 1}"}))
    with pytest.raises(PermanentError, match="more than 3 redirects"):
        get(server.base + "/r0")
    server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(PermanentError, match="redirect loop"):
        get(server.base + "/loop")
    server.route("/nowhere", Reply(302))  # a redirect that says not where to
    with pytest.raises(PermanentError, match=r"^fetch: 302 from 127\.0\.0\.1$"):
        get(server.base + "/nowhere")
    server.route("/file", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(PermanentError, match="only http and https"):
        get(server.base + "/file")


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (404, PermanentError, "404"),
        (410, PermanentError, "410"),
        (503, TransientError, "503"),
        (500, TransientError, "500"),
        (429, TransientError, "429"),
    ],
)
def test_status_classification(
    server: RouteServer, status: int, error: type[Exception], text: str
) -> None:
    server.route("/x", Reply(status, b"no", {"Retry-After": "120"}))
    with pytest.raises(error, match=f"^fetch: {text} from 127.0.0.1$") as info:
        get(server.base + "/x")
    if status == 429:
        assert isinstance(info.value, TransientError)
        assert info.value.retry_after == 120.0


def test_body_cap_applies_after_decompression(server: RouteServer) -> None:
    server.route("/bomb", Reply(200, b"a" * 200_000, gzip=True))  # about 300 bytes on the wire
    with pytest.raises(PermanentError, match="once decompressed"):
        get(server.base + "/bomb")
    server.route("/big", Reply(200, b"b" * 20_000))
    with pytest.raises(PermanentError, match="cap"):
        get(server.base + "/big")
    server.route("/small", Reply(200, b"c" * 5_000, gzip=True))
    assert get(server.base + "/small").content == b"c" * 5_000


def test_slow_answer_is_a_transient_timeout(server: RouteServer) -> None:
    server.route("/slow", Reply(200, b"late", delay=4))
    with pytest.raises(TransientError, match="fetch: "):
        get(server.base + "/slow")


def test_connection_refused_is_transient() -> None:
    with pytest.raises(TransientError, match=r"connection to 127\.0\.0\.1 failed"):
        get("http://127.0.0.1:9/")
