from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.errors import FeedParseError
from extractors.feeds import MAX_KEY_LENGTH, entry_key, html_to_text, parse_feed
from extractors.xmlprolog import PROLOG_WINDOW

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
    # Every item the document holds, the repeated and the unusable included.
    assert feed.total_entries == 4


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
    feed = parse_feed(body, url="https://e.example/f", max_entries=7)
    assert [e.title for e in feed.entries] == [f"t{i}" for i in range(7)]
    assert feed.total_entries == 50


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken', "ill-formed"),
        (
            b"<!doctype html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
            "^parse: this is an HTML page, not a feed$",
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


REFUSED = r"^parse: the feed declares XML entities, refused"
ITEM = b"<item><title>A</title><link>https://e.example/a</link></item>"


def billion_laughs(levels: int) -> str:
    """The classic expansion bomb: each level names the one below ten times."""
    lines = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(lines) + "\n]>\n"
        f'<rss version="2.0"><channel><title>&lol{levels - 1};</title>{ITEM.decode()}'
        "</channel></rss>"
    )


XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<rss version="2.0"><channel><title>&xxe;</title>' + ITEM + b"</channel></rss>"
)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(billion_laughs(10).encode(), id="billion-laughs"),
        pytest.param(XXE, id="external-entity"),
        pytest.param(billion_laughs(3).encode("utf-16"), id="utf-16-with-bom"),
        pytest.param(billion_laughs(3).encode("utf-16-le"), id="utf-16-le-without-bom"),
        pytest.param(billion_laughs(3).encode("utf-32"), id="utf-32"),
        pytest.param(b"\xef\xbb\xbf" + XXE, id="utf-8-bom"),
        # A parameter entity, and a lower-case keyword a lenient parser might accept.
        pytest.param(
            b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://e.example/x">%p;]><rss/>', id="pe"
        ),
        pytest.param(b'<!DOCTYPE rss [<!entity x "y">]><rss/>', id="lower-case"),
        # "<" inside a system literal or a comment does not end the prolog early.
        pytest.param(b'<!DOCTYPE rss SYSTEM "<a>" [<!ENTITY x "y">]><rss/>', id="literal"),
        pytest.param(
            b'<?xml version="1.0"?><!-- <rss> --><!DOCTYPE rss [<!ENTITY x "y">]><rss/>',
            id="comment",
        ),
        pytest.param(
            b'<?xml-stylesheet href="<rss>"?><!DOCTYPE rss [<!ENTITY x "y">]><rss/>', id="pi"
        ),
        # feedparser decodes with the declared encoding: UTF-7 hides "<" as "+ADw-".
        pytest.param(
            b'<?xml version="1.0" encoding="utf-7"?><!DOCTYPE rss [+ADw-!ENTITY x "y"+AD4-]>'
            b'<rss version="2.0"><channel>' + ITEM + b"</channel></rss>",
            id="declared-utf-7",
        ),
    ],
)
def test_entity_declarations_are_refused(body: bytes) -> None:
    with pytest.raises(FeedParseError, match=REFUSED):
        parse_feed(body, url="https://e.example/feed")


def test_entities_hidden_by_the_http_charset_are_refused() -> None:
    body = b'<!DOCTYPE rss [+ADw-!ENTITY x "y"+AD4-]><rss version="2.0"><channel>' + ITEM
    with pytest.raises(FeedParseError, match=REFUSED):
        parse_feed(body, url="https://e.example/f", content_type="application/xml; charset=utf-7")
    # Read as the default UTF-8, the same bytes declare nothing.
    assert parse_feed(body, url="https://e.example/f").entries


def test_a_prolog_longer_than_the_window_is_refused() -> None:
    padding = b"<!-- padding -->" * (PROLOG_WINDOW // 16 + 1)
    body = b'<?xml version="1.0"?>' + padding + b'<!DOCTYPE rss [<!ENTITY x "y">]><rss/>'
    with pytest.raises(FeedParseError, match="prolog runs past its first 64 KiB"):
        parse_feed(body, url="https://e.example/feed")
    # A long document whose prolog ends in the window is read as usual.
    items = ITEM * (PROLOG_WINDOW // len(ITEM) + 1)
    long_feed = b'<?xml version="1.0"?><rss version="2.0"><channel>' + items + b"</channel></rss>"
    assert parse_feed(long_feed, url="https://e.example/feed").total_entries > 1000


def test_doctype_without_entities_and_entity_text_in_content_still_parse() -> None:
    rss091 = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
        b"<title>Old</title><link>https://e.example/</link>" + ITEM + b"</channel></rss>"
    )
    feed = parse_feed(rss091, url="https://e.example/feed")
    assert (feed.version, [e.link for e in feed.entries]) == ("rss091n", ["https://e.example/a"])
    # An article about XML may quote a declaration: it is content, past the prolog.
    quoted = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title>'
        b'<description><![CDATA[<!DOCTYPE x [<!ENTITY a "b">]>]]></description>'
        b"<link>https://e.example/a</link></item></channel></rss>"
    )
    (entry,) = parse_feed(quoted, url="https://e.example/feed").entries
    assert entry.summary == '<!DOCTYPE x [<!ENTITY a "b">]>'


def test_html_page_names_the_feeds_it_links_to() -> None:
    page = b"""<!DOCTYPE html><html><head><title>Courier</title>
    <link rel="alternate" type="application/rss+xml" href="/feed.xml">
    <link rel="alternate" type="application/atom+xml" href="https://courier.example/atom">
    </head><body><p>News</p></body></html>"""
    with pytest.raises(FeedParseError) as info:
        parse_feed(page, url="https://courier.example/", content_type="text/html")
    assert str(info.value) == (
        "parse: this is an HTML page, not a feed (it links to feeds: "
        "https://courier.example/feed.xml, https://courier.example/atom)"
    )
    # A page with many feeds (one per section) names the first three.
    sections = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/{n}.xml">' for n in range(5)
    )
    with pytest.raises(FeedParseError) as info:
        parse_feed(f"<html><head>{sections}</head></html>".encode(), url="https://c.example/")
    assert str(info.value).endswith(
        "feeds: https://c.example/0.xml, https://c.example/1.xml, https://c.example/2.xml"
        " and 2 more)"
    )
    # The media type alone says HTML, whatever the markup looks like.
    with pytest.raises(FeedParseError, match=r"^parse: this is an HTML page, not a feed$"):
        parse_feed(
            b"<p>Hello</p>", url="https://e.example/", content_type="text/html; charset=utf-8"
        )


def test_json_is_recognised_by_its_first_character_then_its_media_type() -> None:
    feed = b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": []}'
    for body, content_type in [
        (b"\xef\xbb\xbf \n" + feed, None),
        (feed, "application/rss+xml"),  # a mislabelled JSON feed
        (b" " + feed.replace(b"{", b"\t{", 1), "application/feed+json"),
    ]:
        assert (
            parse_feed(body, url="https://e.example/f", content_type=content_type).version
            == "json11"
        )
    # A JSON media type on a body that starts as XML: the body wins.
    assert (
        parse_feed(RSS, url="https://courier.example/f", content_type="application/json").version
        == "rss20"
    )
    # A JSON media type on neither: the JSON reader says what is wrong.
    with pytest.raises(FeedParseError, match=r"^parse: not valid JSON"):
        parse_feed(b"nope", url="https://e.example/f", content_type="application/feed+json")


CONTENT_TYPES = st.sampled_from(
    [None, "application/rss+xml", "application/json", "text/html", "text/xml; charset=utf-7"]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), CONTENT_TYPES)
def test_arbitrary_bytes_raise_only_feed_parse_error(body: bytes, content_type: str | None) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(body, url="https://e.example/feed", content_type=content_type)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=500),
    st.sampled_from([b"{", b'{"version": "https://jsonfeed.org/version/1", "items": [']),
)
def test_arbitrary_bytes_after_a_brace_raise_only_feed_parse_error(
    tail: bytes, head: bytes
) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(head + tail, url="https://e.example/feed")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["version", "title", "items", "home_page_url"]), JSON_VALUES)
)
def test_arbitrary_json_objects_raise_only_feed_parse_error(document: dict[str, object]) -> None:
    body = json.dumps(document).encode()
    with contextlib.suppress(FeedParseError):
        parse_feed(body, url="https://e.example/feed")
