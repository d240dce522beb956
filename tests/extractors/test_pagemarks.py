"""The markup readers behind page kinds: each finds its evidence, and only there."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from extractors.jsonld import page_objects
from extractors.pagemarks import (
    calls_to_action,
    code_blocks,
    code_marks,
    declared_types,
    has_date,
    headline_dated,
    item_types,
    repeated_groups,
    shop_controls,
    url_section,
)


def tree(body: str, head: str = "") -> object:
    return load_html(f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    "text",
    [
        "March 3, 2026",
        "3 March 2026",
        "Sept. 30, 2025",
        "2026-03-03",
        "03/03/2026",
        "3. März 2026",
        "12 de marzo de 2026",
        "2026年3月3日",
    ],
)
def test_full_dates_are_found(text: str) -> None:
    assert has_date(f"Posted {text} by the harbour desk")


@pytest.mark.parametrize("text", ["2026", "March 2026", "in 2026 the tide", "page 3 of 12"])
def test_years_and_months_alone_are_not_dates(text: str) -> None:
    assert not has_date(text)


def test_a_date_line_under_the_headline() -> None:
    line = '<h1>Harbour wall rebuilt</h1><p class="byline">By Ana Ruiz · 3 March 2026</p>'
    assert headline_dated(tree(line + "<p>The wall...</p>"))
    # Under a logo <h1>: the story's date line a little further down still counts.
    logo = '<h1>The Harbour Review</h1><nav><a href="/">Home</a></nav><h2>Harbour wall</h2>'
    assert headline_dated(tree(logo + '<div class="entry-meta">03-03-2026</div>'))
    # A date far below the headline (a footer, a comment) does not.
    far = "".join(f"<p>Paragraph {n} of the guide, with some words.</p>" for n in range(90))
    assert not headline_dated(tree(f"<h1>Tide tables</h1>{far}<footer>3 March 2026</footer>"))
    assert not headline_dated(tree("<p>3 March 2026</p>"))  # no headline at all


def test_a_webpage_declares_its_main_entity() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "WebPage", "mainEntity": '
        '[{"@type": "QAPage"}], "about": {"@type": "Place"}}</script>'
    )
    page = tree("", head)
    assert declared_types(page, list(page_objects(page))) == {"webpage", "qapage"}


def test_declared_types_are_the_page_own() -> None:
    head = (
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
        '{"@type": "Product", "review": {"@type": "Review"}}]}</script>'
    )
    body = (
        '<div itemscope itemtype="https://schema.org/NewsArticle">'
        '<div itemscope itemtype="https://schema.org/Person"></div></div>'
    )
    page = tree(body, head)
    declared = declared_types(page, list(page_objects(page)))
    assert declared == {"webpage", "product", "newsarticle"}
    assert item_types(page) == {"newsarticle": 1, "person": 1}


def test_repeated_groups_outside_the_navigation() -> None:
    tiles = "".join(
        f'<li class="tile"><a href="/p/{n}">Brass tide clock, model {n}</a> €19.99</li>'
        for n in range(6)
    )
    menu = "".join(
        f'<li class="m"><a href="/s/{n}">Section number {n} of the site</a></li>' for n in range(9)
    )
    groups = repeated_groups(tree(f"<nav><ul>{menu}</ul></nav><ul>{tiles}</ul>"))
    assert len(groups) == 1
    (grid,) = groups
    assert (grid.size, grid.linked, grid.priced, grid.dated) == (6, 1.0, 1.0, 0.0)
    # Scripts inside a block are not its text.
    script = "".join(
        f'<div class="card"><script>var x = {n};</script>Card number {n} with words</div>'
        for n in range(3)
    )
    (cards,) = repeated_groups(tree(script))
    assert all("var x" not in text for text in cards.texts)


def test_code_shop_and_calls_to_action() -> None:
    page = tree(
        '<pre><code>tide.read()</code></pre><div class="highlight"><pre>x = 1</pre></div>'
        "<pre>Plain preformatted prose.</pre>"
        '<form><input name="qty"><button>Add to basket</button></form>'
        '<header><a href="/start">Get started</a></header><a href="/start">Get started</a>'
        '<button>Contact sales</button><a href="/about">About us</a>'
    )
    assert code_blocks(page) == 2
    assert shop_controls(page) == 2
    assert calls_to_action(page) == 2


def test_code_marks_count_blocks_and_names_in_running_text() -> None:
    page = tree(
        "<pre><code>tide.read(3)</code></pre><pre><code>Pin this map</code></pre>"
        "<p>Run <code>tide sync</code> or <code>tide read</code>.</p>"
    )
    # The caption in <pre><code> is neither a block nor a name in running text.
    assert code_marks(page) == (1, 2)


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("https://tidewatch.example/", "home"),
        ("https://tidewatch.example", "home"),
        ("https://tidewatch.example/index.html", "home"),
        ("https://tidewatch.example/?p=12", None),
        ("https://tidewatch.example/t/gauge-reads-low/4821", "forum"),
        ("viewtopic.php?id=4821", "forum"),
        ("https://tidewatch.example/support/calibrating", "documentation"),
        ("https://tidewatch.example/browse/barometers/brass", "index"),
        ("https://tidewatch.example/blog", "front"),
        ("https://tidewatch.example/blog/winter-tides", None),
        ("https://tidewatch.example/services/", "service"),
        ("https://tidewatch.example/2026/03/harbour-wall-rebuilt.html", None),
    ],
)
def test_url_sections(url: str, section: str | None) -> None:
    assert url_section(url) == section
