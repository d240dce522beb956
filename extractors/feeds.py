"""Feed bytes -> entries (RSS 0.9x/1.0/2.0, Atom, RDF through feedparser). No network."""

from __future__ import annotations

import calendar
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html
from feedparser.exceptions import ThingsNobodyCaresAboutButMe
from lxml.etree import ParserError

from extractors.errors import FeedParseError, InvalidURLError
from extractors.urls import canonicalize_url, check_url

#: Entry keys longer than this are stored as a hash (GUIDs may be arbitrary text).
MAX_KEY_LENGTH = 512


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
    version: str  # feedparser's name for the format, e.g. "rss20", "atom10", "rss10"
    ttl_minutes: int | None
    entries: tuple[FeedEntry, ...]
    skipped: int  # entries without a usable link


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
    accepted, as feed readers do.
    """
    if not content.strip():
        raise FeedParseError("parse: empty document")
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
        if problem and not isinstance(parsed.get("bozo_exception"), ThingsNobodyCaresAboutButMe):
            raise FeedParseError(f"parse: no entries; the document is ill-formed: {problem}")
        if not parsed.get("version"):
            raise FeedParseError("parse: not an RSS, Atom or RDF feed (no feed element found)")

    feed_meta = parsed.get("feed") or {}
    base = _safe_link(feed_meta.get("link"), url) or url
    entries: list[FeedEntry] = []
    keys: set[str] = set()
    skipped = 0
    for raw in raw_entries:
        entry = _entry(raw, base)
        if entry is None:
            skipped += 1
            continue
        if entry.key in keys:  # a feed repeating an item: keep the first
            continue
        keys.add(entry.key)
        entries.append(entry)
        if max_entries is not None and len(entries) >= max_entries:
            break

    return ParsedFeed(
        title=_clean(feed_meta.get("title")) or url,
        site_url=_safe_link(feed_meta.get("link"), url),
        version=str(parsed.get("version") or "unknown"),
        ttl_minutes=_int_or_none(feed_meta.get("ttl")),
        entries=tuple(entries),
        skipped=skipped,
    )


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


def _entry(raw: Any, base: str) -> FeedEntry | None:
    link = _safe_link(raw.get("link"), base)
    if link is None:
        # Atom entries may carry several links; take the first alternate one.
        for candidate in raw.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate":
                link = _safe_link(candidate.get("href"), base)
                if link:
                    break
    if link is None:
        return None
    try:
        canonical = canonicalize_url(link)
    except InvalidURLError:
        return None
    summary = raw.get("summary") or ""
    return FeedEntry(
        key=entry_key(raw.get("id"), canonical),
        link=link,
        canonical_url=canonical,
        title=_clean(raw.get("title")) or "",
        summary=html_to_text(summary)[:5000],
        author=_clean(raw.get("author")) or None,
        published_at=_timestamp(raw.get("published_parsed") or raw.get("updated_parsed")),
    )


def _safe_link(value: Any, base: str) -> str | None:
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
