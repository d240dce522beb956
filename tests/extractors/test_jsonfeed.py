from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.errors import FeedParseError
from extractors.feeds import MAX_SUMMARY_CHARS, parse_feed

FEED_URL = "https://blog.example/feeds/main.json"


def body(document: Any) -> bytes:
    return json.dumps(document).encode()


def feed11(*items: dict[str, Any], **extra: Any) -> bytes:
    return body(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Blog",
            "items": list(items),
            **extra,
        }
    )


def test_json_feed_1_1_maps_onto_feed_entries() -> None:
    document = feed11(
        {
            "id": "post-1",
            "url": "/2026/11/20/strike.html?utm_source=json",
            "title": "  Port strike\nends ",
            "content_html": "<p>Dockworkers <b>return</b> &amp; cheer.</p>",
            "date_published": "2026-11-20T08:30:00+01:00",
            "authors": [{"url": "https://blog.example/ana"}, {"name": "Ana Ruiz"}],
        },
        {
            "id": 42,
            "external_url": "https://elsewhere.example/story",
            "content_text": "Plain  <text>",
        },
        home_page_url="https://blog.example/",
    )
    feed = parse_feed(document, url=FEED_URL, content_type="application/feed+json")
    assert (feed.title, feed.site_url, feed.version, feed.ttl_minutes) == (
        "Blog",
        "https://blog.example/",
        "json11",
        None,
    )
    first, second = feed.entries
    assert first.key == "post-1"
    # Relative item URLs resolve against the feed's URL.
    assert first.link == "https://blog.example/2026/11/20/strike.html?utm_source=json"
    assert first.canonical_url == "https://blog.example/2026/11/20/strike.html"
    assert first.title == "Port strike ends"
    assert first.summary == "Dockworkers return & cheer."
    assert first.author == "Ana Ruiz"  # the first author with a name
    assert first.published_at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    # A numeric id is coerced to a string; without "url", "external_url" is the link.
    assert (second.key, second.link) == ("42", "https://elsewhere.example/story")
    assert second.summary == "Plain <text>"  # content_text is plain text, not HTML
    assert (second.title, second.author, second.published_at) == ("", None, None)
    assert (feed.skipped, feed.total_entries) == (0, 2)


def test_json_feed_1_0_author_and_dates() -> None:
    document = body(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "Old blog",
            "author": {"name": "Feed Author"},
            "items": [
                {
                    "id": "a",
                    "url": "https://b.example/a",
                    "author": {"name": "Lee Park"},
                    "date_modified": "2026-11-19t22:15:00z",
                },
                {
                    "id": "b",
                    "url": "https://b.example/b",
                    "date_published": "2026-11-19T22:15:00",
                    "date_modified": "2020-01-01T00:00:00Z",
                },
                {"id": "c", "url": "https://b.example/c", "date_published": "yesterday"},
            ],
        }
    )
    feed = parse_feed(document, url=FEED_URL)
    assert feed.version == "json10"
    a, b, c = feed.entries
    assert a.author == "Lee Park"
    # Items without an author have the feed's (JSON Feed 1.1, "authors").
    assert b.author == c.author == "Feed Author"
    # date_modified stands in for date_published; RFC 3339 allows lower-case t and z.
    assert a.published_at == datetime(2026, 11, 19, 22, 15, tzinfo=UTC)
    # date_published wins; a date without an offset is taken as UTC.
    assert b.published_at == datetime(2026, 11, 19, 22, 15, tzinfo=UTC)
    assert c.published_at is None


def test_summary_prefers_summary_then_html_then_text_and_is_capped() -> None:
    feed = parse_feed(
        feed11(
            {
                "id": 1,
                "url": "https://b.example/1",
                "summary": "Short.",
                "content_html": "<p>Long</p>",
            },
            {
                "id": 2,
                "url": "https://b.example/2",
                "summary": " ",
                "content_html": "<p>Html</p>",
                "content_text": "Text",
            },
            {"id": 3, "url": "https://b.example/3", "content_text": "word " * 2000},
        ),
        url=FEED_URL,
    )
    assert [e.summary for e in feed.entries[:2]] == ["Short.", "Html"]
    assert len(feed.entries[2].summary) == MAX_SUMMARY_CHARS


def test_unusable_items_are_skipped_duplicates_dropped_and_the_cap_applies() -> None:
    items: list[Any] = [
        {"id": "dup", "url": "https://b.example/first"},
        {"id": "dup", "url": "https://b.example/second"},
        {"id": "js", "url": "javascript:alert(1)"},
        {"id": "none", "title": "no link at all"},
        "not an object",
        {"url": "https://b.example/no-id"},
        {"id": {"odd": True}, "url": "https://b.example/object-id"},
    ]
    feed = parse_feed(feed11(*items[:4], *items[5:]), url=FEED_URL)
    assert [e.link for e in feed.entries] == [
        "https://b.example/first",
        "https://b.example/no-id",
        "https://b.example/object-id",
    ]
    # An item without a usable id is keyed by its canonical link, like an RSS item without GUID.
    assert [e.key for e in feed.entries[1:]] == [
        "https://b.example/no-id",
        "https://b.example/object-id",
    ]
    assert (feed.skipped, feed.total_entries) == (2, 6)
    with_junk = parse_feed(
        body({"version": "https://jsonfeed.org/version/1.1", "items": items}), url=FEED_URL
    )
    assert (with_junk.skipped, with_junk.total_entries, with_junk.title) == (3, 7, FEED_URL)

    many = [{"id": str(i), "url": f"https://b.example/{i}"} for i in range(50)]
    capped = parse_feed(feed11(*many), url=FEED_URL, max_entries=7)
    assert [e.key for e in capped.entries] == [str(i) for i in range(7)]
    assert capped.total_entries == 50


def test_version_urls() -> None:
    for version, name in [
        ("https://jsonfeed.org/version/1", "json10"),
        ("http://jsonfeed.org/version/1/", "json10"),
        ("https://jsonfeed.org/version/1.1", "json11"),
        ("https://jsonfeed.org/version/2", "json"),
    ]:
        assert parse_feed(body({"version": version, "items": []}), url=FEED_URL).version == name


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "not valid JSON"),
        (b'{"title": "\xff\xfe\xfa"}', "not valid JSON"),
        (b"[1, 2]", "not a JSON Feed (not an object)"),
        (
            b'{"title": "an API response"}',
            "not a JSON Feed (no version starting with https://jsonfeed.org/version/)",
        ),
        (b'{"version": "1.1", "items": []}', "no version starting with"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "the JSON Feed has no items list"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {"id": 1}}', "no items list"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nests too deeply"),
        (b'{"items": ' + b"[" * 100_000, "nests too deeply"),
    ],
)
def test_unusable_json_raises_feed_parse_error(document: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(document, url=FEED_URL, content_type="application/feed+json")
    assert str(info.value).startswith("parse: ")
    assert reason in str(info.value)


ITEM_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=30),
    st.sampled_from(
        ["https://b.example/x", "/rel", "javascript:x", "2026-11-20T08:30:00Z", "<p>x</p>"]
    ),
    st.lists(st.dictionaries(st.just("name"), st.text(max_size=5) | st.integers()), max_size=2),
)
ITEMS = st.lists(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "url",
                "external_url",
                "title",
                "summary",
                "content_html",
                "content_text",
                "date_published",
                "authors",
                "author",
            ]
        ),
        ITEM_VALUES,
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(ITEMS, st.none() | st.integers(min_value=1, max_value=5))
def test_json_feed_invariants(items: list[dict[str, Any]], cap: int | None) -> None:
    feed = parse_feed(feed11(*items), url=FEED_URL, max_entries=cap)
    assert feed.total_entries == len(items)
    assert len(feed.entries) + feed.skipped <= len(items)
    assert cap is None or len(feed.entries) <= cap
    assert len({e.key for e in feed.entries}) == len(feed.entries)
    for entry in feed.entries:
        assert entry.canonical_url.startswith(("http://", "https://"))
        assert entry.published_at is None or entry.published_at.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_json_bytes_raise_only_feed_parse_error(tail: bytes) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", ' + tail, url=FEED_URL)
