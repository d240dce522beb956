from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.articles import (
    EXTRACTOR_VERSION,
    ExtractOptions,
    _guarded,
    decode_html,
    extract_article,
)
from extractors.errors import ExtractionError, NotAnArticleError
from extractors.language import LanguageOptions
from extractors.strategies import Candidate

PARAGRAPHS = [
    "HARBOR CITY, Nov. 20 - Dockworkers at the Port of Harbor City returned to work on Friday "
    "after a nine-day strike that idled 14 berths and left 62 container ships waiting offshore.",
    "\u201cThis agreement protects the jobs of 3,200 members for the next four years,\u201d said "
    "Marta Quintero, president of Local 17, at a news conference outside the union hall.",
    "The deal raises base pay by 11.5 percent over the contract and funds a training centre. "
    "Port director Daniel Osei said the backlog would take about three weeks to clear.",
]


def page(*, lang: str = "en", body_extra: str = "") -> str:
    article = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Port strike ends after nine days | Harbor Courier</title>
<meta name="author" content="Ana Ruiz">
<meta name="description" content="Dockworkers return to work.">
<meta property="og:site_name" content="Harbor Courier">
<meta property="article:published_time" content="2026-11-20T09:30:00Z">
<link rel="canonical" href="/2026/11/20/port-strike-ends.html?utm_source=x">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sports">Sports</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<article><h1>Port strike ends after nine days</h1><p class="byline">By Ana Ruiz</p>{article}</article>
<section class="comments"><h2>Comments</h2><p>Reader42: About time this ended, honestly.</p></section>
<footer>Copyright 2026 Harbor Courier. All rights reserved. Privacy policy.</footer>
{body_extra}</body></html>"""


def test_article_text_without_clutter_and_metadata() -> None:
    article = extract_article(
        page(), url="https://courier.example/2026/11/20/port-strike-ends.html"
    )
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    for clutter in ("cookies", "Reader42", "All rights reserved", "Sports"):
        assert clutter not in article.text
    assert article.title is not None and article.title.startswith(
        "Port strike ends after nine days"
    )
    assert article.author == "Ana Ruiz"
    assert article.language == "en"
    assert article.site_name == "Harbor Courier"
    # The page's meta tag is precise to the minute; the day alone would lose the time.
    assert article.published_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert article.date_source == "meta"
    assert article.canonical_url == "https://courier.example/2026/11/20/port-strike-ends.html"
    assert article.method == "vote"  # both strategies found text; they voted block by block
    assert 0.5 <= article.confidence <= 1.0
    assert "trafilatura/" in article.extractor_version
    assert "readability/" in article.extractor_version


def test_language_from_regional_tag() -> None:
    trusting = ExtractOptions(language=LanguageOptions(override_declared=False))
    article = extract_article(page(lang="pt-BR"), url="https://e.example/a", options=trusting)
    assert (article.language, article.language_source) == ("pt", "page")


def test_a_template_language_loses_to_the_text() -> None:
    # An English story on a page whose template says pt-BR: the text decides.
    article = extract_article(page(lang="pt-BR"), url="https://e.example/a")
    assert (article.language, article.language_source) == ("en", "detected")


@pytest.mark.parametrize(
    "html",
    ["", "   ", "<html><body><nav>Home</nav><p>Subscribe to read.</p></body></html>"],
)
def test_no_article_raises_extraction_error(html: str) -> None:
    with pytest.raises(ExtractionError, match=r"^extract: "):
        extract_article(html, url="https://e.example/a")


def test_min_text_length_option() -> None:
    with pytest.raises(ExtractionError, match="at least 100000"):
        extract_article(page(), options=ExtractOptions(min_text_length=100_000))


def test_decode_html_prefers_http_charset_then_meta_then_utf8() -> None:
    text = "Café São Paulo – “quoted”"
    assert decode_html(text.encode("utf-8"), "utf-8") == text
    assert decode_html(text.encode("cp1252"), "windows-1252") == text
    meta = '<meta charset="windows-1252"><p>Café</p>'.encode("cp1252")
    assert "Café" in decode_html(meta, None)
    assert decode_html("Café".encode(), None) == "Café"
    # Undecodable as UTF-8 and unlabelled: windows-1252, as browsers do.
    assert decode_html("Café".encode("latin-1"), None) == "Café"
    # A BOM wins over everything; an unknown label is skipped.
    assert decode_html(b"\xef\xbb\xbfCaf\xc3\xa9", "bogus-charset") == "Café"
    # latin-1 labels mean windows-1252 (WHATWG Encoding).
    assert decode_html(b"\x93q\x94", "iso-8859-1") == "\u201cq\u201d"


def test_extractor_version_fits_its_column() -> None:
    # storage.models.Article.extractor is VARCHAR(64); PostgreSQL refuses longer values.
    assert len(EXTRACTOR_VERSION) <= 64
    assert EXTRACTOR_VERSION.startswith("newsflow/")


def test_the_feeds_text_is_a_last_resort_only_when_allowed() -> None:
    empty = "<html><body><nav><a href='/'>Home</a></nav></body></html>"
    feed = "Dockworkers returned to work on Friday after a nine-day strike. " * 4
    article = extract_article(empty, url="https://e.example/a", feed_text=feed)
    assert (article.method, article.confidence) == ("feed", 0.3)
    assert article.text == feed.strip()
    # The pipeline keeps the feed's text apart (a stand-in), so it asks for no fallback.
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article(
            empty,
            url="https://e.example/a",
            feed_text=feed,
            options=ExtractOptions(feed_fallback=False),
        )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div hidden>",
                "</div>",
                "<article>",
                "<script>",
                "<a href='/x'>",
                "</a>",
                "<table><tr><td>",
                "&amp;",
                "&#0;",
                "<!--",
                "-->",
                "<meta charset=x>",
                "Words of a sentence here. ",
                "cookies accept all ",
                "\x00",
                "<svg>",
                "]]>",
            ]
        )
        | st.text(max_size=30),
        max_size=60,
    )
)
def test_any_markup_gives_an_article_or_an_extraction_error(parts: list[str]) -> None:
    html = "".join(parts)
    try:
        article = extract_article(html, url="https://e.example/a")
    except ExtractionError as exc:
        assert str(exc).startswith("extract: ")
    else:
        assert article.text.strip() and 0.0 <= article.confidence <= 1.0


def test_pages_of_other_kinds_are_refused_unless_asked_for_their_text() -> None:
    tiles = "".join(
        f"<div class='tile'><a href='/shop/item-{n}'>Tide clock model {n}</a>"
        f"<span class='price'>${20 + n}.00</span></div>"
        for n in range(12)
    )
    product = (
        '<html><head><script type="application/ld+json">{"@type": "Product", "name": "Tide '
        'clock"}</script></head><body><h1>Tide clock</h1><p>'
        + "A brass tide clock for the harbour office, with a twelve-hour dial. " * 6
        + f"</p><button>Add to cart</button>{tiles}</body></html>"
    )
    with pytest.raises(NotAnArticleError) as refused:
        extract_article(product, url="https://shop.example/tide-clock")
    assert refused.value.page_kind == "product"
    anyway = extract_article(
        product,
        url="https://shop.example/tide-clock",
        options=ExtractOptions(refuse_not_articles=False),
    )
    assert "A brass tide clock for the harbour office" in anyway.text


def test_a_strategy_that_fails_leaves_the_other() -> None:
    def broken() -> Candidate:
        raise AssertionError("too many bodies")  # what lxml raised on a page in l3s-gn1

    assert _guarded("readability", broken) == Candidate("readability", "")
    found = Candidate("trafilatura", "text")
    assert _guarded("trafilatura", lambda: found) is found
