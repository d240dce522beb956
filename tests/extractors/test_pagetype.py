"""Non-article pages, told apart by their markup and the text they yield."""

from __future__ import annotations

from trafilatura.utils import load_html

from extractors.pagetype import PageKindOptions, PageSignals, page_kind, signals

OPTIONS = PageKindOptions()
STORY = "\n".join(
    f"Paragraph {n}: the council said the harbour road would reopen in spring." for n in range(30)
)


def page(head: str = "", body: str = "") -> PageSignals:
    return signals(load_html(f"<html><head>{head}</head><body>{body}</body></html>"), OPTIONS)


ARTICLE_LD = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
PAYWALLED_LD = (
    '<script type="application/ld+json">'
    '{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
)


def test_a_long_article_is_an_article_whatever_its_markers() -> None:
    markers = page(PAYWALLED_LD, '<div class="paywall cookie-banner"><video></video></div>')
    assert page_kind(STORY, markers) is None


def test_paywall_stub() -> None:
    teaser = "The mayor resigned on Monday.\nSubscribe to continue reading."
    assert page_kind(teaser, page(PAYWALLED_LD)) == "paywall"
    # The same short text on a free page without paywall markup is a short article.
    assert page_kind("The mayor resigned on Monday.", page(ARTICLE_LD)) is None


def test_consent_wall_by_share_of_consent_text() -> None:
    wall = "We value your privacy\nWe and our 143 partners use cookies.\nAccept all\nReject all"
    markers = page(body='<div id="consent-banner"></div>')
    assert page_kind(wall, markers) == "consent"
    # A cookie line beside a story is furniture, not a wall.
    assert page_kind("We use cookies. Accept all?\n" + STORY[:600], markers) is None


def test_video_page() -> None:
    head = '<meta property="og:type" content="video.other">'
    body = '<iframe src="https://www.youtube.com/embed/abc"></iframe>'
    assert page_kind("Watch the storm hit the pier.", page(head, body)) == "video"
    assert page_kind("Watch the storm hit the pier.", page(body=body)) is None


def test_index_page_by_headline_links() -> None:
    headlines = [f"Council approves new harbour plan number {n} today" for n in range(15)]
    body = "".join(
        f'<h2><a href="/news/2026/story-{n}">{h}</a></h2>' for n, h in enumerate(headlines)
    )
    markers = page(body=body)
    assert page_kind("\n".join(headlines), markers) == "index"
    # The same links beside an article's own text: the article wins.
    assert page_kind(STORY, markers) is None
    # Fewer headline links than the threshold: not an index.
    few = page(body="".join(f'<a href="/news/2026/{n}">{headlines[n]}</a>' for n in range(5)))
    assert page_kind("\n".join(headlines[:5]), few) is None
