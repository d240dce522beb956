"""Feed discovery from HTML: advertised feed links and the usual feed paths. No network."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from extractors.errors import InvalidURLError
from extractors.urls import check_url

#: Media types of feeds a page may advertise with <link rel="alternate">.
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",  # JSON Feed 1.0's type; 1.1 prefers application/feed+json
)

#: Where sites that do not advertise their feeds usually keep them (WordPress, Blogger,
#: Hugo, Jekyll and static generators), tried in this order.
COMMON_FEED_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/?feed=rss2",
)

#: How much of a document is looked at to tell whether it is an HTML page.
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page links to."""

    url: str  # absolute http(s) URL
    title: str | None
    type: str  # media type, lower-cased, without parameters


def feed_links(html: str | bytes, base_url: str) -> tuple[FeedLink, ...]:
    """Feeds advertised by ``<link rel="alternate" type=...>``, resolved, in page order."""
    # Bytes that decode as UTF-8 are parsed as UTF-8: without a <meta charset>,
    # libxml2 would read them as Latin-1. Other bytes keep libxml2's own sniffing.
    data = html.encode("utf-8") if isinstance(html, str) else html
    encoding: str | None = "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        encoding = None
    try:
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding=encoding))
    except (ParserError, ValueError):  # an empty or unreadable document links to nothing
        return ()
    base = _base(root, base_url)
    found: list[FeedLink] = []
    seen: set[str] = set()
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()  # a set of tokens (HTML, 4.6.7)
        media_type = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or media_type not in FEED_TYPES or not href:
            continue
        # WordPress (5.5+) links every post to its REST API record as an alternate
        # application/json: that is an API response, not a feed.
        if media_type == "application/json" and "/wp-json/" in href:
            continue
        url = _resolve(base, href)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = " ".join((link.get("title") or "").split()) or None
        found.append(FeedLink(url=url, title=title, type=media_type))
    return tuple(found)


def common_feed_urls(base_url: str) -> tuple[str, ...]:
    """``COMMON_FEED_PATHS`` on the site of ``base_url``; raise InvalidURLError if not http(s)."""
    root = check_url(base_url)
    return tuple(urljoin(root, path) for path in COMMON_FEED_PATHS)


def looks_like_html(content: bytes, content_type: str | None = None) -> bool:
    """True when the document says it is an HTML page (by its media type or its markup)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in ("text/html", "application/xhtml+xml"):
        return True
    # ASCII markup reads the same in every ASCII-compatible charset; UTF-16 pages
    # lose their zero bytes here and read the same too.
    head = content[:SNIFF_BYTES].replace(b"\x00", b"").lower()
    return b"<html" in head or b"<!doctype html" in head


def _base(root: lxml.html.HtmlElement, base_url: str) -> str:
    # The first <base href> wins, itself resolved against the document URL (HTML, 4.2.3).
    for element in root.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            return _resolve(base_url, href) or base_url
    return base_url


def _resolve(base: str, href: str) -> str | None:
    try:
        return check_url(urljoin(base, href))
    except (InvalidURLError, ValueError):  # ValueError: urljoin on a malformed IPv6 host
        return None
