"""Golden pages written for newsflow: extract_article finds the article and only the article.

Each folder of ``golden/`` pairs the bytes of a page with what must come out of it (see
``golden/README.md``). Articles must yield every expected paragraph (recall 1.0, no
partial credit), none of the page's boilerplate, little else, and the metadata the page
states; the other pages must be refused with the right ``page_kind``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from extractors.articles import extract_article
from extractors.encoding import decode_html
from extractors.errors import ExtractionError, NotAnArticleError

GOLDEN = Path(__file__).parent / "golden"
#: Extracted text outside the expected paragraphs, as a share of all extracted text.
MAX_OUTSIDE_SHARE = 0.15
PAGE_KINDS = {"index", "video", "paywall", "consent"}


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name / "expected.json").read_text("utf-8"))
    return data


def _names(kind: str) -> list[str]:
    folders = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.json").is_file())
    return [name for name in folders if _expected(name)["kind"] == kind]


ARTICLES = _names("article")
NOT_ARTICLES = _names("not_article")


def _page(name: str) -> tuple[dict[str, Any], str]:
    expected = _expected(name)
    body = (GOLDEN / name / "page.html").read_bytes()
    return expected, decode_html(body, expected["charset"])


def _normal(text: str) -> str:
    return " ".join(text.split())


def _expected_strings(expected: dict[str, Any]) -> list[str]:
    return [_normal(s) for s in expected["paragraphs"] + expected.get("fragments", [])]


def _outside_share(text: str, expected: dict[str, Any]) -> float:
    """Share of the text's non-space characters that belong to no expected paragraph."""
    rest = text
    for known in sorted(_expected_strings(expected), key=len, reverse=True):
        rest = rest.replace(known, " ")
    total = len("".join(text.split()))
    return len("".join(rest.split())) / total if total else 0.0


def test_golden_set_covers_every_kind_of_page() -> None:
    assert (GOLDEN / "README.md").is_file()
    assert len(ARTICLES) + len(NOT_ARTICLES) >= 14
    assert {_expected(name)["page_kind"] for name in NOT_ARTICLES} == PAGE_KINDS
    languages = {_expected(name)["language"] for name in ARTICLES}
    assert {"en", "de", "fr", "ar", "he", "zh", "ja", "ru"} <= languages


@pytest.mark.parametrize("name", ARTICLES + NOT_ARTICLES)
def test_golden_fixture_is_consistent(name: str) -> None:
    """Each expectation can fail: paragraphs and absent strings are really on the page."""
    expected, html = _page(name)
    assert "\ufffd" not in html  # decoded cleanly, whatever the page's bytes
    root = lxml.html.document_fromstring(html)
    for hidden in root.xpath("//script | //style"):
        hidden.drop_tree()  # JSON-LD and scripts are not what a reader sees
    visible = _normal(root.text_content())
    for paragraph in _expected_strings(expected):
        assert paragraph in visible, paragraph[:80]
    for boilerplate in expected["absent"]:
        assert boilerplate in visible, boilerplate
        assert not any(boilerplate in p for p in _expected_strings(expected)), boilerplate
    if expected["kind"] == "article":
        assert expected["paragraphs"] and expected["absent"]
    else:
        assert expected["page_kind"] in PAGE_KINDS


@pytest.mark.parametrize("name", ARTICLES)
def test_golden_article_text(name: str) -> None:
    expected, html = _page(name)
    article = extract_article(html, url=expected["url"])
    text = _normal(article.text)
    paragraphs = [_normal(p) for p in expected["paragraphs"]]
    missing = [p for p in paragraphs if p not in text]
    recall = 1 - len(missing) / len(paragraphs)
    problems = []
    if recall < 1.0:
        problems.append(f"recall {recall:.2f}; missing: {[p[:60] for p in missing]}")
    missing_fragments = [f for f in expected.get("fragments", []) if _normal(f) not in text]
    if missing_fragments:
        problems.append(f"missing fragments: {missing_fragments}")
    leaked = [s for s in expected["absent"] if _normal(s) in text]
    if leaked:
        problems.append(f"boilerplate in the text: {leaked}")
    outside = _outside_share(text, expected)
    if outside >= MAX_OUTSIDE_SHARE:
        problems.append(f"{outside:.0%} of the text is outside the expected paragraphs")
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("name", ARTICLES)
def test_golden_article_metadata(name: str) -> None:
    expected, html = _page(name)
    article = extract_article(html, url=expected["url"])
    published = expected["published_at"]
    # Every page states its title, author and site name unambiguously (og:title, <h1> and
    # JSON-LD agree): equality, with white space (NBSP, U+3000) normalised.
    want = {
        "title": _normal(expected["title"]),
        "author": expected["author"],
        # Instants compare across offsets: 16:20-08:00 is 00:20 UTC the next day.
        "published_at": datetime.fromisoformat(published) if published else None,
        "language": expected["language"],
        "canonical_url": expected["canonical_url"],
        "site_name": expected["site_name"],
    }
    got = {
        "title": _normal(article.title) if article.title else None,
        "author": _normal(article.author) if article.author else None,
        "published_at": article.published_at,
        "language": article.language,
        "canonical_url": article.canonical_url,
        "site_name": _normal(article.site_name) if article.site_name else None,
    }
    assert got == want


@pytest.mark.parametrize("name", NOT_ARTICLES)
def test_golden_page_that_is_not_an_article(name: str) -> None:
    expected, html = _page(name)
    with pytest.raises(NotAnArticleError) as caught:
        extract_article(html, url=expected["url"])
    assert caught.value.page_kind == expected["page_kind"]
    assert str(caught.value).startswith("extract: ")


HUGE_EXTRA_PARAGRAPHS = [
    "Rail freight customers said the closure was costing them dearly. A timber exporter based "
    "in Skellby said it had moved 40 truckloads by road since Thursday at roughly three times "
    "the usual cost, and that it would seek compensation from the rail operator if the line "
    "stayed shut beyond the middle of next week.",
    "Insurers said it was too early to estimate the cost of the flood. The regional association "
    "of insurers opened a hotline on Saturday and said it had already received more than 600 "
    "claims, most of them for flooded cellars and damaged cars in Marsh End and the "
    "neighbouring village of Orrby. Assessors would begin visiting homes on Monday, starting "
    "with households that had been evacuated.",
    "Schools in Port Aldren will stay closed on Monday, the municipality said, because two of "
    "the town's four school buildings are being used as emergency shelters.",
]


@pytest.mark.slow
def test_huge_page_yields_the_article_or_a_size_error() -> None:
    """A ~6 MB page (600 words, then 40,000 comments) is extracted or refused for its size."""
    paragraphs = _expected("wire-story-en")["paragraphs"] + HUGE_EXTRA_PARAGRAPHS
    assert 550 <= sum(len(p.split()) for p in paragraphs) <= 650
    article_html = "".join(f"<p>{p}</p>" for p in paragraphs)
    comments = "".join(
        f'<div class="comment" id="c{i}"><span class="who">reader{i}</span>'
        f"<p>Comment {i}: the water came up faster than anyone expected.</p></div>"
        for i in range(40_000)
    )
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Floods cut Port Aldren rail link</title></head><body>"
        f"<article><h1>Floods cut Port Aldren rail link</h1>{article_html}</article>"
        f'<section class="comments"><h2>Comments</h2>{comments}</section></body></html>'
    )
    assert 5_500_000 <= len(html.encode()) <= 6_500_000
    try:
        article = extract_article(html, url="https://www.meridianwire.example/world/huge")
    except ExtractionError as exc:
        assert not isinstance(exc, NotAnArticleError)
        message = str(exc)
        assert message.startswith("extract: ")
        # The refusal names the size it measured: "6,123,456 bytes", "120050 elements", ...
        assert re.search(r"\d[\d,_]*\s*(?:elements|bytes|characters|[KM]i?B)\b", message)
    else:
        text = _normal(article.text)
        assert [p[:60] for p in paragraphs if _normal(p) not in text] == []
