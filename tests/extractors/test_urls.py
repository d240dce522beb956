from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.errors import InvalidURLError
from extractors.urls import MAX_URL_LENGTH, canonicalize_url, check_url, is_tracking_parameter


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
