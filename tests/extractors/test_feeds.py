from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.errors import FeedParseError
from extractors.feeds import MAX_KEY_LENGTH, entry_key, html_to_text, parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Harbor Courier</title><link>https://courier.example/</link><ttl>30</ttl>
<item><title>Port strike ends</title><link>/2026/11/20/strike.html?utm_source=rss</link>
<guid isPermaLink="false">courier-1</guid><pubDate>Fri, 20 Nov 2026 08:30:00 +0100</pubDate>
<description>&lt;p&gt;Dockworkers &lt;b&gt;return&lt;/b&gt; today.&lt;/p&gt;</description>
<author>ana@courier.example (Ana Ruiz)</author></item>
<item><title>Repeated</title><link>https://courier.example/x</link><guid isPermaLink="false">courier-1</guid></item>
<item><title>No link at all</title><guid isPermaLink="false">courier-3</guid></item>
<item><title>Budget vote</title><link>https://courier.example/budget</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Gazette</title>
<link rel="alternate" href="https://gazette.example/"/><id>urn:gazette</id><updated>2026-11-20T10:00:00Z</updated>
<entry><title>Wildfire contained</title><id>urn:gazette:1</id>
<link rel="alternate" href="https://gazette.example/fire"/><published>2026-11-19T22:15:00Z</published>
<updated>2026-11-20T01:00:00Z</updated><summary>Crews held the line.</summary><author><name>Lee Park</name></author></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://wire.example/"><title>Wire</title><link>https://wire.example/</link>
<items><rdf:Seq><rdf:li rdf:resource="https://wire.example/a"/></rdf:Seq></items></channel>
<item rdf:about="https://wire.example/a"><title>Transit fares rise</title><link>https://wire.example/a</link>
<dc:date>2026-11-18T07:00:00Z</dc:date><dc:creator>Sam Okafor</dc:creator></item>
</rdf:RDF>"""


def test_rss_entries_resolved_deduplicated_and_dated() -> None:
    feed = parse_feed(
        RSS, url="https://courier.example/feed.xml", content_type="application/rss+xml"
    )
    assert feed.title == "Harbor Courier"
    assert feed.version == "rss20"
    assert feed.ttl_minutes == 30
    assert [e.title for e in feed.entries] == ["Port strike ends", "Budget vote"]
    first = feed.entries[0]
    assert first.key == "courier-1"
    assert first.link == "https://courier.example/2026/11/20/strike.html?utm_source=rss"
    assert first.canonical_url == "https://courier.example/2026/11/20/strike.html"
    assert first.published_at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert first.summary == "Dockworkers return today."
    # An item without GUID is keyed by its canonical link; one without a link is skipped.
    assert feed.entries[1].key == "https://courier.example/budget"
    assert feed.skipped == 1


def test_atom_and_rdf() -> None:
    atom = parse_feed(ATOM, url="https://gazette.example/atom.xml")
    assert atom.version == "atom10"
    (entry,) = atom.entries
    assert (entry.key, entry.author) == ("urn:gazette:1", "Lee Park")
    assert entry.published_at == datetime(2026, 11, 19, 22, 15, tzinfo=UTC)
    rdf = parse_feed(RDF, url="https://wire.example/rss")
    assert rdf.version == "rss10"
    assert [e.canonical_url for e in rdf.entries] == ["https://wire.example/a"]
    assert rdf.entries[0].author == "Sam Okafor"


def test_max_entries_caps_the_entries_taken() -> None:
    items = b"".join(
        b"<item><title>t%d</title><link>https://e.example/%d</link></item>" % (i, i)
        for i in range(50)
    )
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        + items
        + b"</channel></rss>"
    )
    assert len(parse_feed(body, url="https://e.example/f", max_entries=7).entries) == 7


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken', "ill-formed"),
        (
            b"<!doctype html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
            "no",
        ),
        (b"\x00\x01\x02 not xml at all", "no entries"),
    ],
)
def test_unusable_documents_raise_feed_parse_error(body: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError, match=reason) as info:
        parse_feed(body, url="https://e.example/feed")
    assert str(info.value).startswith("parse: ")


def test_long_guid_becomes_a_hash_key() -> None:
    key = entry_key("x" * (MAX_KEY_LENGTH + 1), "https://e.example/a")
    assert key.startswith("sha256:") and len(key) == len("sha256:") + 64
    assert entry_key("  ", "https://e.example/a") == "https://e.example/a"


def test_html_to_text() -> None:
    assert html_to_text("<p>A &amp; B</p><p>C</p>") == "A & BC"
    assert html_to_text("plain   text") == "plain text"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_feed_parse_error(body: bytes) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(body, url="https://e.example/feed")
