from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator

import pytest

from extractors.errors import PermanentError
from flows.discovery import DISCOVERY_ACCEPT, DiscoveredFeed, Discovery, discover
from flows.fetch import Fetcher, FetchOptions
from tests.flows.routes import Reply, RouteServer

OPTIONS = FetchOptions(user_agent="t", allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}


def rss(title: str) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        "<item><title>A</title><link>https://news.example/a</link></item></channel></rss>"
    ).encode()


ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>
<id>urn:x</id><updated>2026-11-20T10:00:00Z</updated><entry><title>B</title><id>urn:x:b</id>
<link href="https://news.example/b"/><updated>2026-11-20T10:00:00Z</updated></entry></feed>"""
JSON_FEED = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "JSON news", '
    b'"items": [{"id": "1", "url": "https://news.example/j"}]}'
)


def page(*links: str) -> bytes:
    return f"<!DOCTYPE html><html><head>{''.join(links)}</head><body>Hi</body></html>".encode()


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with RouteServer() as s:
        yield s


def run(url: str) -> Discovery:
    async def go() -> Discovery:
        async with Fetcher(OPTIONS) as fetcher:
            return await discover(fetcher, url)

    return asyncio.run(go())


def paths(server: RouteServer) -> list[str]:
    return [path for path, _ in server.hits]


def test_a_home_page_linking_to_two_feeds(server: RouteServer) -> None:
    server.route(
        "/",
        Reply(
            200,
            page(
                '<link rel="alternate" type="application/rss+xml" title="All" href="/rss.xml">',
                '<link rel="alternate" type="application/atom+xml" href="/atom.xml">',
                '<link rel="alternate" type="application/rss+xml" href="/gone.xml">',
            ),
            HTML_TYPE,
        ),
    )
    server.route("/rss.xml", Reply(200, rss("Everything"), RSS_TYPE))
    server.route("/atom.xml", Reply(200, ATOM, {"Content-Type": "application/atom+xml"}))
    found = run(server.base + "/")
    assert found.how == "link"
    assert found.feeds == (
        DiscoveredFeed(server.base + "/rss.xml", "Everything"),
        DiscoveredFeed(server.base + "/atom.xml", "Atom news"),
    )
    # A linked feed that fails is reported, not raised; common paths are not tried.
    assert f"{server.base}/gone.xml: fetch: 404 from 127.0.0.1" in found.detail
    assert sorted(paths(server)) == ["/", "/atom.xml", "/gone.xml", "/rss.xml"]
    assert server.hits[0][1]["Accept"] == DISCOVERY_ACCEPT


def test_a_page_without_links_but_a_feed_at_a_common_path(server: RouteServer) -> None:
    server.route("/blog/", Reply(200, page(), HTML_TYPE))
    server.route("/feed.xml", Reply(200, rss("Found it"), RSS_TYPE))
    server.route("/atom.xml", Reply(200, ATOM, RSS_TYPE))  # later in the list: never asked
    found = run(server.base + "/blog/")
    assert (found.how, found.feeds) == (
        "common-path",
        (DiscoveredFeed(server.base + "/feed.xml", "Found it"),),
    )
    # Tried in order on the site root, stopping at the first feed.
    assert paths(server) == ["/blog/", "/feed", "/rss", "/feed.xml"]
    assert f"{server.base}/rss: fetch: 404 from 127.0.0.1" in found.detail


def test_a_page_with_nothing(server: RouteServer) -> None:
    server.route("/", Reply(200, page(), HTML_TYPE))
    server.route("/feed", Reply(200, page(), HTML_TYPE))  # an HTML page is no feed either
    found = run(server.base + "/")
    assert (found.how, found.feeds) == ("none", ())
    assert found.detail.startswith(f"{server.base}/ is an HTML page with no feed")
    assert f"{server.base}/feed: parse: this is an HTML page, not a feed" in found.detail
    assert len(paths(server)) == 1 + 9


def test_a_feed_url_is_its_own_feed(server: RouteServer) -> None:
    server.route("/news.rss", Reply(200, rss("Direct"), RSS_TYPE))
    found = run(server.base + "/news.rss")
    assert (found.how, found.feeds) == (
        "feed",
        (DiscoveredFeed(server.base + "/news.rss", "Direct"),),
    )
    assert found.url_given == server.base + "/news.rss"
    assert paths(server) == ["/news.rss"]


def test_a_redirected_feed_is_subscribed_under_the_url_given(server: RouteServer) -> None:
    server.route("/old", Reply(302, headers={"Location": "/new.rss"}))
    server.route("/new.rss", Reply(200, rss("Moved"), RSS_TYPE))
    found = run(server.base + "/old")
    assert found.feeds == (DiscoveredFeed(server.base + "/old", "Moved"),)


def test_a_json_feed_directly_and_by_link(server: RouteServer) -> None:
    server.route("/feed.json", Reply(200, JSON_FEED, {"Content-Type": "application/feed+json"}))
    direct = run(server.base + "/feed.json")
    assert (direct.how, direct.feeds) == (
        "feed",
        (DiscoveredFeed(server.base + "/feed.json", "JSON news"),),
    )
    assert "json11" in direct.detail
    server.route(
        "/",
        Reply(
            200,
            page('<link rel="alternate" type="application/feed+json" title="J" href="feed.json">'),
            HTML_TYPE,
        ),
    )
    linked = run(server.base + "/")
    assert (linked.how, [f.url for f in linked.feeds]) == ("link", [server.base + "/feed.json"])


def test_a_document_that_is_neither_feed_nor_html(server: RouteServer) -> None:
    server.route("/data", Reply(200, b"just some text", {"Content-Type": "text/plain"}))
    found = run(server.base + "/data")
    assert (found.how, found.feeds) == ("none", ())
    assert found.detail.startswith(f"{server.base}/data: parse: ")
    assert paths(server) == ["/data"]  # no guessing on a site that is not a web page


def test_an_error_fetching_the_given_url_propagates(server: RouteServer) -> None:
    with pytest.raises(PermanentError, match="fetch: 404"):
        run(server.base + "/missing")
