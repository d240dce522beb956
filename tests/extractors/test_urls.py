from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tld.utils import reset_tld_names

import tests.conftest as guard
from extractors.errors import InvalidURLError
from extractors.urls import (
    MAX_URL_LENGTH,
    budget_key,
    canonicalize_url,
    check_url,
    host_of,
    identity_url,
    is_tracking_parameter,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/b", "http://example.com/a/b"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com/story?utm_source=rss&utm_medium=feed", "https://example.com/story"),
        ("https://example.com/story?id=7&fbclid=abc&gclid=x", "https://example.com/story?id=7"),
        ("https://example.com/s?b=2&a=1#comments", "https://example.com/s?a=1&b=2"),
        ("https://user:secret@example.com/p", "https://example.com/p"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/Case/Kept", "https://example.com/Case/Kept"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_different_documents_keep_different_urls() -> None:
    # An article id in the query names a document; it must survive canonicalisation.
    assert canonicalize_url("https://e.com/a.php?id=1") != canonicalize_url(
        "https://e.com/a.php?id=2"
    )


def test_relative_urls_resolve_against_base() -> None:
    assert canonicalize_url("../b?utm_campaign=x", base="https://e.com/a/c") == "https://e.com/b"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://e.com/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "/relative",
        "http://",
        "http://e.com/a b",
        "https://e.com:99999/",
    ],
)
def test_check_url_rejects(url: str) -> None:
    with pytest.raises(InvalidURLError):
        check_url(url)


def test_overlong_url_is_rejected() -> None:
    with pytest.raises(InvalidURLError, match="longer than"):
        check_url("https://e.com/" + "a" * MAX_URL_LENGTH)


def test_tracking_parameter_names() -> None:
    assert is_tracking_parameter("UTM_Source")
    assert is_tracking_parameter("fbclid")
    assert not is_tracking_parameter("id")
    assert not is_tracking_parameter("page")


_segment = st.text(alphabet="abcXYZ019-._~%é ", min_size=0, max_size=8)


@given(
    host=st.sampled_from(["example.com", "EXAMPLE.org", "news.example.co.uk", "127.0.0.1"]),
    path=st.lists(_segment, max_size=4),
    query=st.lists(
        st.tuples(st.sampled_from(["id", "utm_source", "p", "fbclid", "q"]), _segment), max_size=4
    ),
    fragment=_segment,
)
def test_canonicalize_is_idempotent(
    host: str, path: list[str], query: list[tuple[str, str]], fragment: str
) -> None:
    from urllib.parse import quote, urlencode

    url = f"https://{host}/" + "/".join(quote(p) for p in path)
    if query:
        url += "?" + urlencode(query)
    url += "#" + quote(fragment)
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert "utm_source" not in once and "fbclid" not in once and "#" not in once


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example.com/x", "example.com"),
        ("https://b.example.com/y", "example.com"),
        ("https://example.com/", "example.com"),
        ("https://x.example.co.uk/", "example.co.uk"),
        ("https://deep.x.example.co.uk/", "example.co.uk"),
        # The private section of the suffix list counts: each blog is its own site.
        ("https://a.blogspot.com/", "a.blogspot.com"),
        ("https://www.a.blogspot.com/", "a.blogspot.com"),
        # Wildcard and exception rules: *.kawasaki.jp, !city.kawasaki.jp.
        ("https://www.x.kawasaki.jp/", "www.x.kawasaki.jp"),
        ("https://www.city.kawasaki.jp/", "city.kawasaki.jp"),
        # Case, port, credentials and a trailing root dot do not change the site.
        ("HTTPS://News.Example.COM:8443/a", "example.com"),
        ("https://user:secret@news.example.com/", "example.com"),
        ("https://news.example.com./", "example.com"),
        # IP literals and hosts with no public suffix are their own budget.
        ("http://127.0.0.1:8765/feed.xml", "127.0.0.1"),
        ("http://192.168.1.20/", "192.168.1.20"),
        ("http://[::1]:8080/", "::1"),
        ("http://[2001:db8::1]/", "2001:db8::1"),
        ("http://localhost:8765/", "localhost"),
        ("http://intranet/news", "intranet"),
        # A public suffix itself has nothing above it.
        ("https://co.uk/", "co.uk"),
        # Unicode and punycode spellings of one host share a budget.
        ("https://news.bücher.de/", "xn--bcher-kva.de"),
        ("https://news.xn--bcher-kva.de/", "xn--bcher-kva.de"),
    ],
)
def test_budget_key(url: str, expected: str) -> None:
    assert budget_key(url) == expected


def test_budget_key_without_a_host_is_empty() -> None:
    assert budget_key("not a url") == ""


def test_budget_key_reads_the_bundled_suffix_list_without_network() -> None:
    reset_tld_names()  # load the list afresh, as the first call in a process does
    events: list[tuple[str, str]] = []
    guard.socket_events = events
    try:
        # A loaded list is the only way to know co.uk is a suffix.
        assert budget_key("https://x.example.co.uk/") == "example.co.uk"
    finally:
        guard.socket_events = None
    assert events == []


_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?", fullmatch=True)


@given(
    site=st.sampled_from(
        ["example.com", "example.co.uk", "a.blogspot.com", "city.kawasaki.jp", "xn--bcher-kva.de"]
    ),
    prefix=st.lists(_label, max_size=4),
    port=st.sampled_from(["", ":8080", ":443"]),
    scheme=st.sampled_from(["http", "https"]),
)
def test_every_subdomain_shares_the_site_key(
    site: str, prefix: list[str], port: str, scheme: str
) -> None:
    host = ".".join([*prefix, site])
    assert budget_key(f"{scheme}://{host.upper()}{port}/path?q=1") == site


@given(
    host=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
)
def test_budget_key_never_raises_for_a_checked_url(host: str) -> None:
    try:
        url = check_url(f"https://{host}/")
    except InvalidURLError:
        return
    key = budget_key(url)
    assert isinstance(key, str)
    name = host_of(url).rstrip(".")
    if name.isascii() and name:
        assert key and name.endswith(key)


@pytest.mark.parametrize(
    ("final", "canonical", "expected"),
    [
        # No canonical, or the same URL: the final URL, canonicalised.
        ("https://News.example/a?utm_source=rss", None, "https://news.example/a"),
        ("https://news.example/a", "https://news.example/a", "https://news.example/a"),
        # AMP, print and mobile copies name the article: it is used.
        ("https://news.example/amp/a", "https://news.example/a", "https://news.example/a"),
        (
            "https://m.news.example.com/a?print=1",
            "https://www.news.example.com/a",
            "https://www.news.example.com/a",
        ),
        ("https://news.example/a/amp/", "https://news.example/a/", "https://news.example/a/"),
        ("http://news.example/a", "https://news.example/a/", "https://news.example/a/"),
        # A query names a document even at the root (WordPress /?p=123).
        (
            "https://news.example/2026/11/a",
            "https://news.example/?p=123",
            "https://news.example/?p=123",
        ),
        # A one-segment canonical for a one-segment page is an ordinary article URL.
        (
            "https://news.example/a-story",
            "https://news.example/the-story",
            "https://news.example/the-story",
        ),
    ],
)
def test_identity_url_uses_the_pages_canonical(
    final: str, canonical: str | None, expected: str
) -> None:
    assert identity_url(final, canonical) == (expected, None)


@pytest.mark.parametrize(
    ("final", "canonical", "note"),
    [
        (
            "https://news.example/2026/a",
            "https://other.example/a",
            "page canonical on another site (other.example); not used",
        ),
        (
            "https://news.example/2026/a",
            "https://news.example/",
            "page canonical https://news.example/ is the front page; not used",
        ),
        (
            "https://news.example/a",
            "https://news.example",
            "page canonical https://news.example/ is the front page; not used",
        ),
        (
            "https://news.example/world/2026/a",
            "https://news.example/world/",
            "page canonical https://news.example/world/ is a section page; not used",
        ),
        (
            "https://news.example/world/a",
            "https://news.example/world",
            "page canonical https://news.example/world is a section page; not used",
        ),
        (
            "https://news.example.com/2026/a",
            "https://sport.example.com/",
            "page canonical https://sport.example.com/ is the front page; not used",
        ),
        (
            "https://news.example/world/a",
            "ftp://news.example/world/a",
            "page canonical 'ftp://news.example/world/a' is not an http(s) URL; not used",
        ),
    ],
)
def test_identity_url_refuses_a_canonical_that_cannot_name_the_article(
    final: str, canonical: str, note: str
) -> None:
    assert identity_url(final, canonical) == (canonicalize_url(final), note)


_paths = st.lists(st.sampled_from(["world", "amp", "2026", "a-story", "p"]), max_size=3)


@given(
    final_host=st.sampled_from(["news.example.com", "m.news.example.com", "other.example"]),
    final_path=_paths,
    canonical=st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(["news.example.com", "www.news.example.com", "other.example"]),
            _paths,
            st.sampled_from(["", "?p=1", "?utm_source=x"]),
        ),
    ),
)
def test_identity_url_is_idempotent_on_its_own_output(
    final_host: str, final_path: list[str], canonical: tuple[str, list[str], str] | None
) -> None:
    final = f"https://{final_host}/" + "/".join(final_path)
    stated = None
    if canonical is not None:
        host, path, query = canonical
        stated = f"https://{host}/" + "/".join(path) + query
    identity, note = identity_url(final, stated)
    assert identity_url(identity, stated)[0] == identity
    assert identity_url(identity, identity) == (identity, None)
    assert identity_url(identity, None) == (identity, None)
    assert budget_key(identity) == budget_key(final)
    # A note exactly when the page stated another URL and it was refused.
    refused = stated is not None and canonicalize_url(stated) != identity
    assert (note is not None) == refused
    if refused:
        assert identity == canonicalize_url(final)
