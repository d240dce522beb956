"""The sample news site: deterministic content, valid feeds, realistic pages, HTTP faults."""

from __future__ import annotations

import gzip
import hashlib
import html
import http.client
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from flows.samplesite import REFERENCE_TIME, SampleSite, SiteServer, build_site

SLOW = 0.3
BASE = "http://127.0.0.1:8000"
REPO = Path(__file__).resolve().parents[2]
FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "malformed": "application/rss+xml; charset=utf-8",
}
VERSIONS = {"rss": "rss20", "atom": "atom10", "rdf": "rss10"}
CLUTTER = (
    'id="cookie-consent"',
    "<nav",
    'class="most-read"',
    'class="newsletter"',
    'id="comments"',
    'class="ad-slot"',
    "<footer",
    "<script",
    "All rights reserved",
)


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return build_site(outlets=5, articles_per_outlet=8, seed=11)


@pytest.fixture
def server(site: SampleSite) -> Iterator[SiteServer]:
    with SiteServer(site, host="127.0.0.1", port=0, slow_seconds=SLOW) as running:
        yield running


def fetch(
    server: SiteServer, target: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; `target` is a path or an absolute URL."""
    parts = urlsplit(server.url(target) if target.startswith("/") else target)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def split_article(page_html: str) -> tuple[str, str]:
    """(inside the <article> element, everything outside it)."""
    assert page_html.count("<article") == 1
    before, rest = page_html.split("<article", 1)
    inside, after = rest.split("</article>", 1)
    return inside, before + after


def plain(site: SampleSite) -> list[str]:
    """Paths of articles that answer 200 at once (no fault)."""
    return [p.path for p in site.articles() if p.path not in site.fault_paths.values()]


def _digest(site: SampleSite) -> str:
    h = hashlib.sha256()
    for path in site.pages:
        h.update(site.render_page(path, BASE))
    for feed in site.feeds:
        h.update(site.render_feed(feed, BASE))
    return h.hexdigest()


# -- building ------------------------------------------------------------------------


def test_same_seed_gives_identical_site_and_bytes_other_seed_differs() -> None:
    first, again = build_site(5, 8, seed=11), build_site(5, 8, seed=11)
    assert first == again
    assert list(first.pages) == list(again.pages)
    assert _digest(first) == _digest(again)
    other = build_site(5, 8, seed=12)
    assert {p.title for p in other.articles()} != {p.title for p in first.articles()}
    assert other.render_feed(other.feeds[0], BASE) != first.render_feed(first.feeds[0], BASE)
    # Nothing depends on hash randomisation: other processes render the same bytes.
    code = (
        "from flows.samplesite import build_site; from tests.flows.test_samplesite import "
        "_digest; print(_digest(build_site(5, 8, seed=11)))"
    )
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == _digest(first)


@pytest.mark.parametrize(("outlets", "per_outlet"), [(3, 1), (4, 6), (10, 60), (25, 3)])
def test_size_parameters(outlets: int, per_outlet: int) -> None:
    site = build_site(outlets, per_outlet, seed=1)
    assert len(site.outlets) == outlets
    assert len({o.slug for o in site.outlets}) == len({o.name for o in site.outlets}) == outlets
    faults = set(site.fault_paths.values())
    per = Counter(p.outlet for p in site.articles() if p.path not in faults)
    assert per == {o.slug: per_outlet for o in site.outlets}
    assert len(site.articles()) == outlets * per_outlet + 2  # the 503-once and slow pages
    assert [o.feed_format for o in site.outlets[:3]] == ["rss", "atom", "rdf"]


def test_without_faults_there_are_none() -> None:
    site = build_site(4, 6, seed=3, faults=False)
    assert site.fault_paths == {}
    assert len(site.pages) == len(site.articles()) == 24
    assert all(f.format != "malformed" for f in site.feeds)


@pytest.mark.parametrize(("outlets", "per_outlet"), [(2, 5), (3, 0)])
def test_too_small_sites_are_refused(outlets: int, per_outlet: int) -> None:
    with pytest.raises(ValueError, match="at least"):
        build_site(outlets, per_outlet)


def test_kinds_copies_and_related_stories(site: SampleSite) -> None:
    articles = site.articles()
    kinds = Counter(p.kind for p in articles)
    assert kinds["original"] > kinds["syndicated"] > kinds["exact-copy"] > 0
    assert kinds["related"] > 0
    stories = site.stories()

    for page in (p for p in articles if p.kind == "exact-copy"):
        assert page.source is not None
        source = site.pages[page.source]
        assert (source.kind, source.story) == ("syndicated", page.story)
        assert source.outlet != page.outlet and source.path != page.path
        assert (page.paragraphs, page.title) == (source.paragraphs, source.title)
        assert site.render_page(page.path, BASE) != site.render_page(source.path, BASE)

    wires = {p.story for p in articles if p.kind == "syndicated"}
    assert len(wires) >= 3
    for key in wires:
        copies = [site.pages[path] for path in stories[key]]
        copies = [c for c in copies if c.kind == "syndicated"]
        assert 2 <= len(copies) <= 4
        assert len({c.outlet for c in copies}) == len(copies)
        assert len({c.paragraphs for c in copies}) == len(copies)  # every edit differs
        assert len({c.title for c in copies}) == len(copies)
        assert len({c.author for c in copies}) == len(copies)
        for copy in copies:
            others = {p for c in copies if c is not copy for p in c.paragraphs}
            shared = sum(p in others for p in copy.paragraphs)
            assert shared >= len(copy.paragraphs) / 2, copy.path
    edited = [p for page in articles if page.kind == "syndicated" for p in page.paragraphs]
    assert any(p.startswith("Read more: ") for p in edited)
    assert any(p.startswith("Correction: ") for p in edited)
    assert "Staff and wire reports" in {p.author for p in articles}

    for page in (p for p in articles if p.kind == "related"):
        assert page.source is not None
        ref = site.pages[page.source]
        assert page.topic == ref.topic and page.story != ref.story
        assert stories[page.story] == (page.path,)
        assert page.paragraphs[0] != ref.paragraphs[0]
        assert len(set(page.paragraphs) & set(ref.paragraphs)) < len(page.paragraphs) / 2

    originals = [p for p in articles if p.kind == "original"]
    assert all(stories[p.story] == (p.path,) for p in originals)


def test_text_reads_like_news() -> None:
    site = build_site(10, 20, seed=5)
    dateline = re.compile(r"^[A-Z][A-Z .]+, [A-Z][a-z]+\.? \d{1,2}( \(Newswire\))? - [A-Z0-9\"]")
    assert len({p.topic for p in site.articles()}) >= 8
    for page in site.articles():
        text = page.text
        assert "lorem" not in text.lower() and "{" not in text
        assert '"' in text and re.search(r"\d", text), page.path
        assert dateline.match(page.paragraphs[0]), page.paragraphs[0]
        assert page.title[0].isupper() and not page.title.endswith(".")
        assert page.summary and page.summary in page.paragraphs[0]
        assert page.published.utcoffset() == timedelta(0)
        assert page.published <= REFERENCE_TIME
        assert 5 <= len(page.paragraphs) <= 12
        if page.kind in ("original", "related"):
            for paragraph in page.paragraphs:
                assert 25 <= len(paragraph.split()) <= 70, paragraph


# -- pages ---------------------------------------------------------------------------


def test_pages_have_metadata_and_clutter_outside_the_article(
    site: SampleSite, server: SiteServer
) -> None:
    page = next(p for p in site.articles() if p.kind == "syndicated")
    status, headers, body = fetch(server, page.path)
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    document = body.decode()
    url = server.url(page.path)
    for tag in (
        '<html lang="en">',
        f"<title>{html.escape(page.title, quote=False)} | ",
        f'<link rel="canonical" href="{url}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta name="author" content="{html.escape(page.author)}">',
        f'<meta property="article:published_time" content="{page.published.isoformat()}">',
        '<meta property="og:site_name"',
        '<meta name="description"',
    ):
        assert tag in document
    inside, outside = split_article(document)
    assert '<time datetime="' in inside and 'class="byline"' in inside
    for marker in CLUTTER:
        assert marker in outside and marker not in inside

    # Every page: the body inside <article>, none of it in the clutter.
    for article in site.articles():
        inside, outside = split_article(site.render_page(article.path, BASE).decode())
        inside, outside = html.unescape(inside), html.unescape(outside)
        for paragraph in article.paragraphs:
            assert f"<p>{paragraph}</p>" in inside
            assert paragraph not in outside


def test_clutter_is_the_outlets_template(site: SampleSite) -> None:
    def chrome(path: str) -> list[str]:
        document = site.render_page(path, BASE).decode()
        return re.findall(r"<header.*?</header>|<footer.*?</footer>|<nav.*?</nav>", document)

    by_outlet = [p.path for p in site.articles() if p.outlet == site.outlets[0].slug]
    assert chrome(by_outlet[0]) == chrome(by_outlet[1])
    other = next(p.path for p in site.articles() if p.outlet == site.outlets[1].slug)
    assert chrome(by_outlet[0]) != chrome(other)


def test_extraction_recovers_the_text_and_exact_copies_match(site: SampleSite) -> None:
    trafilatura = pytest.importorskip("trafilatura")
    copy = next(p for p in site.articles() if p.kind == "exact-copy")
    assert copy.source is not None
    texts = []
    for page in (copy, site.pages[copy.source]):
        document = site.render_page(page.path, BASE).decode()
        text = trafilatura.extract(document, include_comments=False)  # as the pipeline does
        assert all(paragraph in text for paragraph in page.paragraphs)
        assert "cookies" not in text and "Most read" not in text and "Sign up" not in text
        texts.append(text)
    assert texts[0] == texts[1]


def test_index_home_and_robots(site: SampleSite, server: SiteServer) -> None:
    for outlet in site.outlets:
        status, _, body = fetch(server, outlet.index_path)
        document = body.decode()
        assert status == 200
        kind = FEED_TYPES[outlet.feed_format].split(";")[0]
        assert f'rel="alternate" type="{kind}"' in document
        assert f'href="{server.url(outlet.feed_path)}"' in document
        for page in site.outlet_pages(outlet.slug):
            assert (f'href="{page.path}"' in document) == (page.kind != "fault")
    _, _, home = fetch(server, "/")
    assert all(feed.path in home.decode() for feed in site.feeds)
    status, headers, robots = fetch(server, "/robots.txt")
    assert (status, headers["content-type"]) == (200, "text/plain; charset=utf-8")
    assert b"User-agent: *" in robots and b"Allow: /" in robots


# -- feeds ---------------------------------------------------------------------------


def test_every_feed_parses_and_its_links_resolve(site: SampleSite, server: SiteServer) -> None:
    assert fetch(server, site.fault_paths["flaky"])[0] == 503  # the one-shot fault, spent
    listed: set[str] = set()
    for feed in site.feeds:
        if feed.format == "malformed":
            continue
        status, headers, body = fetch(server, feed.path)
        assert (status, headers["content-type"]) == (200, FEED_TYPES[feed.format])
        parsed = feedparser.parse(io.BytesIO(body))
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == VERSIONS[feed.format]
        assert len(parsed.entries) == len(feed.page_paths) > 0
        links = [entry.link for entry in parsed.entries]
        assert [urlsplit(link).path for link in links] == list(feed.page_paths)
        assert all(link.startswith(server.base_url + "/") for link in links)
        assert [e.title for e in parsed.entries] == [site.pages[p].title for p in feed.page_paths]
        dates = [e.get("published_parsed") or e.get("updated_parsed") for e in parsed.entries]
        assert None not in dates and dates == sorted(dates, reverse=True)
        newest = max(site.pages[p].published for p in feed.page_paths)
        assert parsedate_to_datetime(headers["last-modified"]) == newest
        listed.update(feed.page_paths)
        for link in links:
            expected = 404 if urlsplit(link).path == site.fault_paths["missing"] else 200
            assert fetch(server, link)[0] == expected, link
    assert listed == set(site.pages)  # every page, and the 404 entry, is in some feed


def test_feed_documents_carry_the_usual_elements(site: SampleSite) -> None:
    # The documents are the site's own output, not untrusted input (S314).
    by_format = {f.format: f for f in site.feeds}
    rss = ET.fromstring(site.render_feed(by_format["rss"], BASE))  # noqa: S314
    assert rss.findtext("channel/ttl") == "60"
    items = rss.findall("channel/item")
    assert all(i.find("guid").get("isPermaLink") == "false" for i in items)  # type: ignore[union-attr]
    assert all(parsedate_to_datetime(i.findtext("pubDate") or "") for i in items)
    assert all(i.findtext("{http://purl.org/dc/elements/1.1/}creator") for i in items)
    atom_ns = "{http://www.w3.org/2005/Atom}"
    atom = ET.fromstring(site.render_feed(by_format["atom"], BASE))  # noqa: S314
    for entry in atom.findall(f"{atom_ns}entry"):
        for child in ("id", "updated", "published", "summary", f"author/{atom_ns}name"):
            assert entry.findtext(atom_ns + child)
    rdf = site.render_feed(by_format["rdf"], BASE).decode()
    assert "<rdf:Seq>" in rdf and "<dc:date>" in rdf and "<dc:creator>" in rdf
    # Entry ids do not depend on where the site is served.
    other = site.render_feed(by_format["rss"], "http://127.0.0.1:9")
    guids = re.findall(rb"<guid[^>]*>(.*?)</guid>", other)
    assert guids == [i.findtext("guid").encode() for i in items]  # type: ignore[union-attr]


def test_malformed_feed_yields_no_entries(site: SampleSite, server: SiteServer) -> None:
    broken = next(f for f in site.feeds if f.format == "malformed")
    status, headers, body = fetch(server, broken.path)
    assert (status, headers["content-type"]) == (200, FEED_TYPES["malformed"])
    assert body.startswith(b"<?xml") and b"<rss" in body and b"<item" not in body
    parsed = feedparser.parse(io.BytesIO(body))
    assert parsed.bozo == 1 and parsed.entries == []


def test_tracking_links_reach_the_same_page(site: SampleSite, server: SiteServer) -> None:
    top = site.feed("/top/feed.xml")
    assert top.links_with_tracking and top.format == "rss"
    outlet_tracked = [f for f in site.feeds if f.links_with_tracking and f.outlet != "top"]
    assert len(outlet_tracked) == 1
    assert not set(top.page_paths) & set(site.fault_paths.values())
    assert len({site.pages[p].outlet for p in top.page_paths}) >= 3
    for feed, marker in ((top, "utm_campaign=top"), (outlet_tracked[0], "fbclid=")):
        parsed = feedparser.parse(io.BytesIO(fetch(server, feed.path)[2]))
        for entry in parsed.entries:
            parts = urlsplit(entry.link)
            assert marker in parts.query and "utm_source=" in parts.query
            tracked, clean = fetch(server, entry.link), fetch(server, parts.path)
            assert tracked[0] == clean[0] == 200 and tracked[2] == clean[2]
            assert f'<link rel="canonical" href="{server.url(parts.path)}">' in clean[2].decode()
    for feed in site.feeds:
        if not feed.links_with_tracking and feed.format != "malformed":
            assert b"?" not in re.sub(rb"<\?xml[^>]*\?>", b"", site.render_feed(feed, BASE))


# -- HTTP ----------------------------------------------------------------------------


def test_conditional_get_by_etag_and_last_modified(site: SampleSite, server: SiteServer) -> None:
    page = site.pages[plain(site)[3]]
    status, headers, body = fetch(server, page.path)
    etag, modified = headers["etag"], headers["last-modified"]
    assert status == 200 and re.fullmatch(r'"[0-9a-f]+"', etag)
    assert parsedate_to_datetime(modified) == page.published
    earlier = format_datetime(page.published - timedelta(seconds=1), usegmt=True)

    def status_with(**sent: str) -> int:
        names = {"inm": "If-None-Match", "ims": "If-Modified-Since"}
        code, reply_headers, reply_body = fetch(
            server, page.path, headers={names[k]: v for k, v in sent.items()}
        )
        if code == 304:
            assert reply_body == b"" and reply_headers["etag"] == etag
        else:
            assert reply_body == body
        return code

    assert status_with(inm=etag) == 304
    assert status_with(inm=f'"stale", W/{etag}') == 304
    assert status_with(inm="*") == 304
    assert status_with(inm='"stale"') == 200
    assert status_with(ims=modified) == 304
    assert status_with(ims=earlier) == 200
    assert status_with(ims="not a date") == 200
    # If-None-Match decides alone when both are sent (RFC 9110, 13.1.3).
    assert status_with(inm='"stale"', ims=modified) == 200
    assert status_with(inm=etag, ims=earlier) == 304


def test_gzip_when_asked(site: SampleSite, server: SiteServer) -> None:
    path = site.feeds[0].path
    _, plain_headers, plain = fetch(server, path)
    assert "content-encoding" not in plain_headers
    assert int(plain_headers["content-length"]) == len(plain)
    status, headers, packed = fetch(server, path, headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    assert int(headers["content-length"]) == len(packed) < len(plain)
    assert gzip.decompress(packed) == plain
    assert headers["etag"] == "W/" + plain_headers["etag"]
    refused = fetch(server, path, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused[1] and refused[2] == plain
    again = fetch(
        server, path, headers={"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]}
    )
    assert again[0] == 304


def test_head_has_get_headers_and_no_body(site: SampleSite, server: SiteServer) -> None:
    path = plain(site)[0]
    _, get_headers, body = fetch(server, path)
    status, head_headers, head_body = fetch(server, path, method="HEAD")
    assert status == 200 and head_body == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert head_headers[name] == get_headers[name]
    assert int(head_headers["content-length"]) == len(body)


def test_flaky_page_answers_503_once_until_reset(site: SampleSite, server: SiteServer) -> None:
    flaky = site.fault_paths["flaky"]
    assert site.pages[flaky].kind == "original"
    assert fetch(server, flaky, method="HEAD")[0] == 503  # HEAD does not spend the fault
    status, headers, body = fetch(server, flaky)
    assert status == 503 and b"<article" not in body
    assert int(headers["content-length"]) == len(body)
    assert [fetch(server, flaky)[0] for _ in range(2)] == [200, 200]
    server.reset_faults()
    assert [fetch(server, flaky + "?retry=1")[0] for _ in range(2)] == [503, 200]


def test_missing_and_unknown_paths_are_404(site: SampleSite, server: SiteServer) -> None:
    missing = site.fault_paths["missing"]
    assert site.pages[missing].kind == "fault"
    assert missing in site.outlet_feed(site.pages[missing].outlet).page_paths
    for path in (missing, "/no/such/page.html", "/ledger/feed.json"):
        status, headers, body = fetch(server, path)
        assert status == 404 and headers["content-type"].startswith("text/html")
        assert b"not found" in body.lower()
    status, headers, _ = fetch(server, "/ledger")
    assert (status, headers["location"]) == (301, "/ledger/")


def test_slow_page_is_slow_and_does_not_block_others(site: SampleSite, server: SiteServer) -> None:
    slow = site.fault_paths["slow"]
    assert site.pages[slow].kind == "original"
    other = plain(site)[0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        started = time.monotonic()
        slow_reply = pool.submit(fetch, server, slow)
        time.sleep(0.05)
        assert fetch(server, other)[0] == 200
        assert not slow_reply.done()
        assert slow_reply.result()[0] == 200
    assert time.monotonic() - started >= SLOW


def test_request_log(site: SampleSite, server: SiteServer) -> None:
    path = plain(site)[1]
    fetch(server, "/robots.txt")
    server.clear_requests()
    assert server.requests == []
    modified = format_datetime(site.pages[path].published, usegmt=True)
    fetch(server, path + "?utm_source=x", headers={"If-None-Match": '"abc"', "User-Agent": "t/1"})
    fetch(server, path, method="HEAD", headers={"If-Modified-Since": modified})
    records = server.requests
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", path + "?utm_source=x", 200),
        ("HEAD", path, 304),
    ]
    assert records[0].if_none_match == '"abc"' and records[0].user_agent == "t/1"
    assert records[1].if_modified_since == modified and records[1].if_none_match is None
    assert records[0].time <= records[1].time <= time.monotonic()
    server.clear_requests()
    assert len(records) == 2 and server.requests == []


def test_concurrent_requests(site: SampleSite, server: SiteServer) -> None:
    paths = plain(site)[:24]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda p: fetch(server, p), paths))
    # Well under the one-second retry of a dropped connection attempt (listen backlog).
    assert time.monotonic() - started < 0.9
    assert all(status == 200 for status, _, _ in replies)
    assert [b for _, _, b in replies] == [site.render_page(p, server.base_url) for p in paths]
    assert Counter(r.path for r in server.requests) == Counter(paths)


def test_nothing_is_logged_per_request(
    site: SampleSite, server: SiteServer, capfd: pytest.CaptureFixture[str]
) -> None:
    for path in (plain(site)[0], "/no/such/page", site.fault_paths["flaky"]):
        fetch(server, path)
    fetch(server, "/robots.txt", method="POST")  # unsupported: 501 from the stdlib
    assert capfd.readouterr().err == ""


def test_stop_closes_the_port_even_with_idle_connections(site: SampleSite) -> None:
    server = SiteServer(site, port=0, slow_seconds=SLOW)
    with pytest.raises(RuntimeError):
        _ = server.base_url
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    port = urlsplit(server.base_url).port
    assert port
    idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        idle.request("GET", "/robots.txt")
        assert idle.getresponse().read()  # the connection stays open (keep-alive)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
    finally:
        idle.close()
    server.stop()  # a second stop does nothing
    assert not [t for t in threading.enumerate() if t.name == f"samplesite-{port}"]
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass
