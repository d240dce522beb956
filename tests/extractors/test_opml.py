from __future__ import annotations

import pytest

from extractors.errors import OPMLError
from extractors.opml import Subscription, parse_opml, render_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="News">
  <outline text="Courier" title="Harbor Courier" type="rss" xmlUrl="https://courier.example/feed.xml"
           htmlUrl="https://courier.example/"/>
  <outline text="Gazette" type="rss" xmlUrl="https://gazette.example/atom.xml"/>
</outline>
<outline text="Courier again" type="rss" xmlUrl="https://courier.example/feed.xml"/>
<outline text="A folder without feeds"/>
</body></opml>"""


def test_parse_nested_outlines_once_each() -> None:
    assert parse_opml(NESTED) == [
        Subscription(
            "https://courier.example/feed.xml", "Harbor Courier", "https://courier.example/"
        ),
        Subscription("https://gazette.example/atom.xml", "Gazette", None),
    ]


def test_round_trip() -> None:
    subs = [
        Subscription("https://a.example/feed?x=1&y=2", "A & B <news>", "https://a.example/"),
        Subscription("https://b.example/rss", None, None),
    ]
    assert parse_opml(render_opml(subs)) == [
        subs[0],
        Subscription("https://b.example/rss", "https://b.example/rss", None),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not xml", "not well-formed"),
        (b"<rss/>", "not <opml>"),
        (b"<opml version='2.0'><body><outline text='x'/></body></opml>", "no feeds"),
        (b"<opml><body><outline xmlUrl='ftp://x.example/f'/></body></opml>", "bad xmlUrl"),
    ],
)
def test_bad_documents(content: bytes, reason: str) -> None:
    with pytest.raises(OPMLError, match=reason):
        parse_opml(content)


def test_entity_declarations_are_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<opml version="2.0"><body><outline text="&d;" xmlUrl="https://e.example/f"/></body></opml>"""
    with pytest.raises(OPMLError, match="entity declarations"):
        parse_opml(bomb)
