"""Feed bytes -> entries (RSS 0.9x/1.0/2.0, Atom, RDF through feedparser; JSON Feed
through extractors.jsonfeed). No network.

Before feedparser sees XML, documents that declare entities are refused (billion
laughs, external entities), and an HTML page gets its own error naming the feeds it
links to.
"""

from __future__ import annotations

import calendar
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html
from feedparser.exceptions import ThingsNobodyCaresAboutButMe
from lxml.etree import ParserError

from extractors.discovery import feed_links, looks_like_html
from extractors.errors import FeedParseError, InvalidURLError
from extractors.urls import canonicalize_url, check_url
from extractors.xmlprolog import refuse_entity_declarations

#: Entry keys longer than this are stored as a hash (GUIDs may be arbitrary text).
MAX_KEY_LENGTH = 512
#: Entry summaries are cut to this many characters of plain text.
MAX_SUMMARY_CHARS = 5000
#: How much of an XML document is searched for entity declarations before its root.
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    key: str  # identity inside the feed: the GUID, else the canonical link
    link: str  # absolute link as the feed gives it (tracking parameters and all)
    canonical_url: str
    title: str
    summary: str  # plain text
    author: str | None
    published_at: datetime | None  # timezone-aware UTC


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its metadata, usable entries and what was skipped."""

    title: str
    site_url: str | None
    version: str  # feedparser's name, e.g. "rss20", "atom10", "rss10"; "json10", "json11"
    ttl_minutes: int | None
    entries: tuple[FeedEntry, ...]
    skipped: int  # entries without a usable link
    total_entries: int  # entries in the document, before max_entries and skipping


def parse_feed(
    content: bytes,
    *,
    url: str,
    content_type: str | None = None,
    max_entries: int | None = None,
) -> ParsedFeed:
    """Parse feed bytes fetched from ``url``; raise FeedParseError when unusable.

    ``content_type`` (the HTTP header, with its charset) helps decoding; relative
    links resolve against ``url``. Ill-formed feeds that still yield entries are
    accepted, as feed readers do. JSON Feed documents go to extractors.jsonfeed.
    """
    if not content.strip():
        raise FeedParseError("parse: empty document")
    if _is_json(content, content_type):
        # Imported here: jsonfeed builds on this module's types.
        from extractors.jsonfeed import parse_json_feed

        return parse_json_feed(content, url=url, max_entries=max_entries)
    refuse_entity_declarations(content, content_type)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # A str argument may be taken for a URL or a path; bytes in a BytesIO never are.
        parsed: Any = feedparser.parse(io.BytesIO(content), response_headers=headers)
    except Exception as exc:  # feedparser has many internal failure modes
        raise FeedParseError(f"parse: feed parser failed: {exc}") from exc

    raw_entries = list(parsed.get("entries") or [])
    problem = _bozo_reason(parsed)
    if not raw_entries:
        if not parsed.get("version") and looks_like_html(content, content_type):
            raise FeedParseError(_html_page_reason(content, url))
        if problem and not isinstance(parsed.get("bozo_exception"), ThingsNobodyCaresAboutButMe):
            raise FeedParseError(f"parse: no entries; the document is ill-formed: {problem}")
        if not parsed.get("version"):
            raise FeedParseError("parse: not an RSS, Atom or RDF feed (no feed element found)")

    feed_meta = parsed.get("feed") or {}
    base = safe_link(feed_meta.get("link"), url) or url
    entries, skipped = keep_entries((_entry(raw, base) for raw in raw_entries), max_entries)
    return ParsedFeed(
        title=_clean(feed_meta.get("title")) or url,
        site_url=safe_link(feed_meta.get("link"), url),
        version=str(parsed.get("version") or "unknown"),
        ttl_minutes=_int_or_none(feed_meta.get("ttl")),
        entries=entries,
        skipped=skipped,
        total_entries=len(raw_entries),
    )


def keep_entries(
    candidates: Iterable[FeedEntry | None], max_entries: int | None
) -> tuple[tuple[FeedEntry, ...], int]:
    """Entries to keep (first of each key, at most ``max_entries``) and how many lacked a link."""
    entries: list[FeedEntry] = []
    keys: set[str] = set()
    skipped = 0
    for entry in candidates:  # a generator: nothing past the cap is even built
        if entry is None:
            skipped += 1
            continue
        if entry.key in keys:  # a feed repeating an item: keep the first
            continue
        keys.add(entry.key)
        entries.append(entry)
        if max_entries is not None and len(entries) >= max_entries:
            break
    return tuple(entries), skipped


def entry_key(guid: str | None, canonical_link: str) -> str:
    """Identity of an entry within its feed: its GUID, else its canonical link."""
    key = (guid or "").strip() or canonical_link
    if len(key) > MAX_KEY_LENGTH:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed summaries), whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    try:
        text = lxml.html.fromstring(f"<div>{fragment}</div>").text_content()
    except (ParserError, ValueError):
        text = fragment
    return " ".join(text.split())


def canonical_link(link: str | None) -> str | None:
    """The canonical URL of an entry's link, or None when it has none."""
    if link is None:
        return None
    try:
        return canonicalize_url(link)
    except InvalidURLError:
        return None


def _entry(raw: Any, base: str) -> FeedEntry | None:
    link = safe_link(raw.get("link"), base)
    if link is None:
        # Atom entries may carry several links; take the first alternate one.
        for candidate in raw.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate":
                link = safe_link(candidate.get("href"), base)
                if link:
                    break
    canonical = canonical_link(link)
    if link is None or canonical is None:
        return None
    summary = raw.get("summary") or ""
    return FeedEntry(
        key=entry_key(raw.get("id"), canonical),
        link=link,
        canonical_url=canonical,
        title=_clean(raw.get("title")) or "",
        summary=html_to_text(summary)[:MAX_SUMMARY_CHARS],
        author=_clean(raw.get("author")) or None,
        published_at=_timestamp(raw.get("published_parsed") or raw.get("updated_parsed")),
    )


def safe_link(value: Any, base: str) -> str | None:
    """``value`` resolved against ``base`` if it is a fetchable http(s) URL, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    absolute = urljoin(base, value.strip())
    try:
        check_url(absolute)
    except InvalidURLError:
        return None
    return absolute


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, tuple) or len(value) < 6:  # feedparser's time.struct_time
        return None
    try:
        # feedparser normalises dates to UTC struct_time.
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _bozo_reason(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    text = str(exc) if exc is not None else "ill-formed document"
    return " ".join(text.split())[:300] or exc.__class__.__name__


def _clean(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _is_json(content: bytes, content_type: str | None) -> bool:
    # The first character decides, as Miniflux's DetectFeedFormat does; the media type
    # (application/feed+json, application/json, any +json) only when it cannot.
    start = content.removeprefix(_UTF8_BOM).lstrip()[:1]
    if start in (b"{", b"<"):
        return start == b"{"
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _html_page_reason(content: bytes, url: str) -> str:
    urls = [link.url for link in feed_links(content, url)]
    more = f" and {len(urls) - 3} more" if len(urls) > 3 else ""
    listed = f" (it links to feeds: {', '.join(urls[:3])}{more})" if urls else ""
    return f"parse: this is an HTML page, not a feed{listed}"
