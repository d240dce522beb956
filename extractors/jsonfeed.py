"""JSON Feed 1.0 and 1.1 bytes -> entries (https://www.jsonfeed.org/version/1.1/). No network.

feedparser 6 reads only XML, so JSON Feed is read here into the same ParsedFeed and
FeedEntry objects; ``extractors.feeds.parse_feed`` dispatches to it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from extractors.errors import FeedParseError
from extractors.feeds import (
    MAX_SUMMARY_CHARS,
    FeedEntry,
    ParsedFeed,
    canonical_link,
    entry_key,
    html_to_text,
    keep_entries,
    safe_link,
)

#: Every version's URL starts with this (the spec's "version" member).
VERSION_PREFIX = "https://jsonfeed.org/version/"


def parse_json_feed(content: bytes, *, url: str, max_entries: int | None = None) -> ParsedFeed:
    """Parse JSON Feed bytes fetched from ``url``; raise FeedParseError when unusable."""
    try:
        # json.loads reads UTF-8 (with or without a BOM), UTF-16 and UTF-32 bytes.
        document = json.loads(content)
    except RecursionError as exc:
        raise FeedParseError("parse: the JSON document nests too deeply to read") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise FeedParseError(f"parse: not valid JSON: {_short(exc)}") from exc
    if not isinstance(document, dict):
        raise FeedParseError("parse: a JSON document, but not a JSON Feed (not an object)")
    version = _version(document.get("version"))
    if version is None:
        raise FeedParseError(
            "parse: a JSON document, but not a JSON Feed "
            f"(no version starting with {VERSION_PREFIX})"
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError("parse: the JSON Feed has no items list")
    # Item authors default to the feed's (JSON Feed 1.1, "authors").
    feed_author = _author(document)
    candidates = (_entry(item, url, feed_author) for item in items)
    entries, skipped = keep_entries(candidates, max_entries)
    return ParsedFeed(
        title=_text(document.get("title")) or url,
        site_url=safe_link(document.get("home_page_url"), url),
        version=version,
        ttl_minutes=None,  # JSON Feed has no time-to-live
        entries=entries,
        skipped=skipped,
        total_entries=len(items),
    )


def _version(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    # The spec's URL is https; early 1.0 feeds also wrote http.
    name = value.strip().removeprefix("http://").removeprefix("https://")
    if not name.startswith("jsonfeed.org/version/"):
        return None
    number = name.removeprefix("jsonfeed.org/version/").strip("/")
    return {"1": "json10", "1.0": "json10", "1.1": "json11"}.get(number, "json")


def _entry(item: Any, feed_url: str, feed_author: str | None) -> FeedEntry | None:
    if not isinstance(item, dict):
        return None
    link = safe_link(item.get("url"), feed_url) or safe_link(item.get("external_url"), feed_url)
    canonical = canonical_link(link)
    if link is None or canonical is None:
        return None
    return FeedEntry(
        key=entry_key(_item_id(item.get("id")), canonical),
        link=link,
        canonical_url=canonical,
        title=_text(item.get("title")),
        summary=_summary(item)[:MAX_SUMMARY_CHARS],
        author=_author(item) or feed_author,
        published_at=_date(item.get("date_published")) or _date(item.get("date_modified")),
    )


def _item_id(value: Any) -> str | None:
    # "If an id is presented as a number or other type, a JSON Feed reader must coerce
    # it to a string" (1.1, items). Objects, lists and booleans identify nothing: the
    # item is then keyed by its link, as an RSS item without a GUID is.
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _summary(item: dict[str, Any]) -> str:
    # "summary" and "content_text" are plain text; only "content_html" is HTML.
    for name, is_html in (("summary", False), ("content_html", True), ("content_text", False)):
        value = item.get(name)
        if isinstance(value, str) and value.strip():
            return html_to_text(value) if is_html else " ".join(value.split())
    return ""


def _author(obj: dict[str, Any]) -> str | None:
    # 1.1 "authors" (a list of objects), else 1.0 "author" (one object).
    authors = obj.get("authors")
    listed = authors if isinstance(authors, list) else []
    for author in (*listed, obj.get("author")):
        if isinstance(author, dict):
            name = _text(author.get("name"))
            if name:
                return name
    return None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        # RFC 3339 (5.6) allows a lower-case "t" and "z".
        parsed = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None
    if parsed.tzinfo is None:  # no offset: taken as UTC, as feedparser reads XML dates
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
