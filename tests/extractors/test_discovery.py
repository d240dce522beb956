from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.discovery import (
    COMMON_FEED_PATHS,
    FeedLink,
    common_feed_urls,
    feed_links,
    looks_like_html,
)
from extractors.errors import InvalidURLError

PAGE = """<!DOCTYPE html>
<html><head><title>Harbor Courier</title>
<link rel="stylesheet" href="/site.css">
<link rel="alternate" type="application/rss+xml" title=" Courier:\n all news " href="/feed.xml">
<link rel="ALTERNATE feed" type="Application/Atom+XML; charset=utf-8" href="atom.xml">
<link rel="alternate" type="application/rdf+xml" href="https://courier.example/index.rdf">
<link rel="alternate" type="application/feed+json" title="JSON" href="/feed.json">
<link rel="alternate" type="application/json" href="/feed-1.0.json">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/12">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="/feed.xml#again">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
<link rel="alternate" type="application/rss+xml" href="ftp://courier.example/feed">
<link rel="alternate" type="application/rss+xml">
<link rel="feed" type="application/rss+xml" href="/not-alternate.xml">
</head><body><p>News</p>
<link rel="alternate" type="application/rss+xml" href="/sports/feed.xml" title="Sports">
</body></html>"""


def test_feed_links_in_page_order_resolved_and_deduplicated() -> None:
    links = feed_links(PAGE, "https://courier.example/news/today.html")
    assert links == (
        FeedLink("https://courier.example/feed.xml", "Courier: all news", "application/rss+xml"),
        FeedLink("https://courier.example/news/atom.xml", None, "application/atom+xml"),
        FeedLink("https://courier.example/index.rdf", None, "application/rdf+xml"),
        FeedLink("https://courier.example/feed.json", "JSON", "application/feed+json"),
        FeedLink("https://courier.example/feed-1.0.json", None, "application/json"),
        # A different fragment is a different string: kept, as the page wrote it.
        FeedLink("https://courier.example/feed.xml#again", None, "application/rss+xml"),
        FeedLink("https://courier.example/sports/feed.xml", "Sports", "application/rss+xml"),
    )


def test_bytes_and_text_give_the_same_links() -> None:
    assert feed_links(PAGE.encode(), "https://courier.example/") == feed_links(
        PAGE, "https://courier.example/"
    )


def test_base_href_wins_over_the_page_url() -> None:
    page = '<html><head><base href="/blog/"><link rel=alternate type=application/rss+xml href=rss></head></html>'
    assert [link.url for link in feed_links(page, "https://a.example/x/y")] == [
        "https://a.example/blog/rss"
    ]
    # A base that is not http(s) is ignored.
    page = page.replace('"/blog/"', '"javascript:x"')
    assert [link.url for link in feed_links(page, "https://a.example/x/y")] == [
        "https://a.example/x/rss"
    ]


def test_titles_decode_by_the_page_charset() -> None:
    link = '<link rel="alternate" type="application/rss+xml" title="Café" href="/f">'
    utf8 = f"<html><head>{link}</head></html>".encode()  # no declared charset
    latin1 = f'<html><head><meta charset="iso-8859-1">{link}</head></html>'.encode("latin-1")
    xhtml = f'<?xml version="1.0" encoding="utf-8"?><html><head>{link}</head></html>'
    for page in (utf8, latin1, xhtml):
        assert [x.title for x in feed_links(page, "https://a.example/")] == ["Café"]


@pytest.mark.parametrize("page", [b"", "   ", b"\x00\x01", "<p>no head</p>", b"\xff\xfe<"])
def test_pages_without_feed_links_give_none(page: str | bytes) -> None:
    assert feed_links(page, "https://a.example/") == ()


def test_common_feed_urls_are_on_the_site_root() -> None:
    urls = common_feed_urls("https://blog.example/2026/11/post.html?x=1#top")
    assert urls[0] == "https://blog.example/feed"
    assert urls[-1] == "https://blog.example/?feed=rss2"
    assert urls == tuple("https://blog.example" + path for path in COMMON_FEED_PATHS)
    with pytest.raises(InvalidURLError):
        common_feed_urls("file:///etc/passwd")


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><p>x", None, True),
        (b"\n<HTML lang=en><body>", "application/octet-stream", True),
        ("<html><body>".encode("utf-16"), None, True),
        (b"<p>a fragment</p>", "text/html; charset=utf-8", True),
        (b'<?xml version="1.0"?><rss version="2.0"/>', "application/rss+xml", False),
        (b"<feed><title>html</title></feed>", None, False),
    ],
)
def test_looks_like_html(content: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_html(content, content_type) is expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["alternate", "ALTERNATE home", "stylesheet", ""]),
            st.sampled_from(["application/rss+xml", "application/json", "text/css", ""]),
            st.text(max_size=20) | st.sampled_from(["/a", "https://x.example/b", "//y.example/c"]),
        ),
        max_size=6,
    )
)
def test_feed_links_are_unique_absolute_http_urls(
    links: list[tuple[str, str, str]],
) -> None:
    page = "".join(
        f'<link rel="{rel}" type="{kind}" href="{href.replace(chr(34), "")}">'
        for rel, kind, href in links
    )
    found = feed_links(f"<html><head>{page}</head></html>", "https://a.example/dir/")
    urls = [link.url for link in found]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith(("http://", "https://")) for url in urls)
    assert len(found) <= sum(rel.lower().split().count("alternate") for rel, _, _ in links)
