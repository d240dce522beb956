"""Non-article pages, told apart by their markup and the text they yield."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from bench.corpora import NOT_ARTICLES, Case, cases, not_article_cases
from extractors.articles import extract_article
from extractors.errors import ExtractionError, NotAnArticleError
from extractors.pagetype import PageKindOptions, PageSignals, page_kind, signals
from tests.conftest import shared_corpus

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


# Metered paywalls and stubs: only a page with little text there is a stub.

METERED = '<div class="paywall-meter">You have 2 free articles left this month.</div>'


def test_metered_paywall_with_the_whole_story_is_an_article() -> None:
    markers = page(PAYWALLED_LD, METERED)
    assert page_kind(STORY, markers) is None
    # The story chosen short (a strategy kept one block) while the page holds it all.
    assert page_kind("The harbour road reopens.", markers, raw=STORY) is None
    # Or the page ships it in its structured data only.
    body = STORY.replace("\n", " ")
    body_ld = PAYWALLED_LD.replace('"NewsArticle"', f'"NewsArticle", "articleBody": "{body}"')
    assert page_kind("The harbour road reopens.", page(body_ld, METERED)) is None


def test_short_paywall_stub_is_refused_whatever_its_markup_says() -> None:
    teaser = "The harbour road reopens.\nSubscribe to continue reading."
    assert page_kind(teaser, page(PAYWALLED_LD, METERED), raw=teaser) == "paywall"
    free_ld = ARTICLE_LD  # no isAccessibleForFree: the paywall is in the markup alone
    assert page_kind(teaser, page(free_ld, '<div class="paywall">x</div>')) == "paywall"


def test_a_long_paragraph_about_cookies_is_not_a_consent_wall() -> None:
    essay = (
        "The bakery on Quay Street has sold the same oat cookies since 1962, and the council "
        "now wants to list the recipe as local heritage. " * 40
    )
    markers = page(body='<div id="cookie-banner"></div>')
    assert page_kind(essay + "\n" + STORY[:300], markers) is None
    # A banner's short lines are a wall.
    assert page_kind("We use cookies.\nAccept all\nReject all\nThe bakery.", markers) == ("consent")


# Directory listings and link lists are index pages.

FILES = [f"tidewatch-3.{n}.0.tar.gz" for n in range(12)]


def listing_rows(title: str) -> tuple[str, str]:
    rows = "".join(
        f'<tr><td><a href="{name}">{name}</a></td><td>2026-01-{n + 10:02d} 09:40</td>'
        f"<td>4.{n}M</td></tr>"
        for n, name in enumerate(FILES)
    )
    return f"<title>{title}</title>", f"<h1>{title}</h1><table>{rows}</table>"


def test_directory_listing_is_an_index() -> None:
    head, body = listing_rows("Index of /pub/tidewatch")
    text = "\n".join(f"{name} 2026-01-1{n % 10} 09:40 4.{n}M" for n, name in enumerate(FILES))
    assert page_kind(text, page(head, body)) == "index"


def test_table_of_file_links_is_an_index_without_the_title() -> None:
    head, body = listing_rows("Tidewatch downloads")
    # How trafilatura renders the table: one row a line, cells between bars.
    text = "\n".join(
        f"| {name} | 2026-01-{n + 10:02d} 09:40 | 4.{n}M |" for n, name in enumerate(FILES)
    )
    assert page_kind("| Name | Modified | Size |\n|---|---|---|\n" + text, page(head, body)) == (
        "index"
    )
    # An article with a few linked lines is an article.
    assert page_kind(text.split("\n")[0] + "\n" + STORY, page(head, body)) is None


def test_directory_listing_through_extract_article() -> None:
    head, body = listing_rows("Tidewatch downloads")
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    with pytest.raises(NotAnArticleError) as caught:
        extract_article(html, url="https://downloads.tidewatch.example/pub/")
    assert caught.value.page_kind == "index"


# Products: declared, or sold with cart controls.

PRODUCT_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",'
    ' "name": "Tidewatch Pro barometer", "offers": {"@type": "Offer", "price": "149.00",'
    ' "priceCurrency": "EUR"}}</script>'
)
PRODUCT_TEXT = "Tidewatch Pro barometer\n€149.00\nBrass case, 12 cm dial.\nIn stock."


def test_product_page_declared_in_structured_data_or_open_graph() -> None:
    assert page_kind(PRODUCT_TEXT, page(PRODUCT_LD)) == "product"
    assert page_kind(PRODUCT_TEXT, page('<meta property="og:type" content="product">')) == (
        "product"
    )


def test_a_review_that_declares_its_product_is_an_article() -> None:
    review = (
        '<script type="application/ld+json">{"@type": "Review", "itemReviewed": '
        '{"@type": "Product", "name": "Tidewatch Pro barometer"}}</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Tested: the Tidewatch Pro barometer"}</script>'
    )
    assert page_kind(STORY, page(review)) is None
    # A page declaring both an article and a product: the article wins.
    assert page_kind(STORY, page(PRODUCT_LD + ARTICLE_LD)) is None


def test_product_page_with_cart_controls_and_no_structured_data() -> None:
    body = (
        '<h1>Tidewatch Pro barometer</h1><p class="price">€149.00</p>'
        '<form action="/cart/add"><input name="quantity" value="1">'
        "<button>Add to cart</button></form>"
    )
    assert page_kind(PRODUCT_TEXT, page(body=body)) == "product"
    newsletter = '<form action="/newsletter"><input name="email"><button>Sign up</button></form>'
    assert page_kind(STORY, page(body=newsletter)) is None


# Forums: a thread declared, or posts in structured data.


def test_forum_thread_declared_or_made_of_posts() -> None:
    thread = (
        '<script type="application/ld+json">{"@type": "DiscussionForumPosting", '
        '"headline": "Barometer reads 20 hPa low", "comment": [{"@type": "Comment"}]}</script>'
    )
    assert page_kind(STORY, page(thread)) == "forum"
    posts = "".join(
        f'<div itemscope itemtype="https://schema.org/Comment"><a href="/u/{who}">{who}</a>'
        f'<time datetime="2026-01-0{n + 1}">{n + 1} Jan</time><p>Mine too, since the update.</p>'
        "</div>"
        for n, who in enumerate(["tidal_kim", "pier_ola", "kestrel9"])
    )
    assert page_kind(STORY, page(body=posts)) == "forum"
    # The same comments under a page that declares itself a story: an article.
    assert page_kind(STORY, page(ARTICLE_LD, posts)) is None
    # Fewer posts than a thread's: an article with a comment or two.
    assert page_kind(STORY, page(body=posts[: posts.index("</div>") + 6])) is None


def post_blocks(stats: str, count: int = 3) -> str:
    return "".join(
        f'<div class="post"><a href="/members/{who}">{who}</a><span>{stats}</span>'
        f"<p>My gauge reads 20 hPa low since the update, reply {n}.</p></div>"
        for n, who in enumerate(["tidal_kim", "pier_ola", "kestrel9", "gull_ana"][:count])
    )


def test_forum_thread_by_its_posters_stats() -> None:
    stats = "Joined: Mar 3, 2021 Posts: 212"
    assert page_kind(STORY, page(body=post_blocks(stats))) == "forum"
    # A date line does not stop it: a thread dates its posts.
    assert page_kind(STORY, page(body=DATE_LINE + post_blocks(stats))) == "forum"
    # Two posts are a comment or two; a blog roll's "Recent posts:" is no poster's stats.
    assert page_kind(STORY, page(body=post_blocks(stats, count=2))) is None
    assert page_kind(STORY, page(body=post_blocks("Recent posts: Tides in March"))) is None


def test_a_webpage_whose_main_entity_is_a_thread_is_a_forum() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "WebPage", "mainEntity": '
        '{"@type": "DiscussionForumPosting", "headline": "Gauge reads low"}}</script>'
    )
    assert page_kind(STORY, page(ld)) == "forum"
    # A story that only mentions a thread (nested elsewhere) is an article.
    mention = ld.replace('"mainEntity"', '"about"')
    assert page_kind(STORY, page(mention)) is None


def test_a_declared_course_or_service_is_a_service_page() -> None:
    course = '<script type="application/ld+json">{"@type": "Course", "name": "Tides 101"}</script>'
    assert page_kind(STORY, page(course)) == "service"
    # A story about a course declares the story; the course is nested.
    story = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"about": {"@type": "Course", "name": "Tides 101"}}</script>'
    )
    assert page_kind(STORY, page(story)) is None


# The canonical URL: a section of non-articles, or the site's home page.


def canonical(url: str) -> str:
    return f'<link rel="canonical" href="{url}">'


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://forum.tidewatch.example/threads/gauge-reads-low.4821/", "forum"),
        ("https://tidewatch.example/forum/viewtopic.php?t=4821", "forum"),
        ("https://tidewatch.example/docs/stations/calibrate", "documentation"),
        ("https://tidewatch.example/category/harbour-news/", "index"),
        ("https://tidewatch.example/products/pro-barometer", "product"),
    ],
)
def test_a_section_in_the_canonical_url_names_the_kind(url: str, kind: str) -> None:
    # Even under a date line: threads date their posts, manuals their revisions.
    assert page_kind(STORY, page(canonical(url), DATE_LINE)) == kind


@pytest.mark.parametrize(
    "url",
    [
        "https://tidewatch.example/news/2026/03/harbour-wall-rebuilt",
        "https://tidewatch.example/features/a-winter-on-the-pier/",
        "https://tidewatch.example/blog/docs-day-at-the-harbour",
        "https://tidewatch.example/?p=4821",
    ],
)
def test_a_story_url_names_no_section(url: str) -> None:
    assert page_kind(STORY, page(canonical(url))) is None


def test_a_stories_section_front_is_an_index() -> None:
    front = canonical("https://tidewatch.example/en/news/")
    assert page_kind(STORY, page(front)) == "index"
    # Under a date line it is a story whose canonical URL names its section by mistake.
    assert page_kind(STORY, page(front, f"<h1>Harbour wall rebuilt</h1>{DATE_LINE}")) is None


def test_a_site_home_page_is_an_index_or_a_service_page() -> None:
    home = canonical("https://tidewatch.example/")
    assert page_kind(STORY, page(home)) == "service"
    headlines = "".join(
        f'<a href="/news/2026/story-{n}">Council approves new harbour plan number {n}</a>'
        for n in range(12)
    )
    og_home = '<meta property="og:url" content="https://tidewatch.example">'
    assert page_kind(STORY, page(og_home, headlines)) == "index"
    # A home page with a date under its headline is a blog's one story: an article.
    assert page_kind(STORY, page(home, f"<h1>Harbour wall rebuilt</h1>{DATE_LINE}")) is None


# Listings: product grids, and teaser blocks that hold the text.

PAGINATION = '<nav class="pagination"><a href="?page=2" rel="next">2</a></nav>'


def tiles(count: int, *, price: bool) -> str:
    cost = '<span class="price">€19.99</span>' if price else ""
    items = "".join(
        f'<li class="tile"><a href="/p/{n}"><img src="/i/{n}.jpg" alt="">Brass tide clock, model {n}</a>'
        f"{cost}</li>"
        for n in range(count)
    )
    return f'<ul class="grid">{items}</ul>'


def test_product_grid_with_pagination_is_a_listing() -> None:
    text = "\n".join(f"Brass tide clock, model {n} €19.99" for n in range(10))
    assert page_kind(text, page(body=tiles(10, price=True) + PAGINATION)) == "listing"
    # Tiles without prices are not a shop's grid; a few priced tiles are not a grid.
    assert page_kind(STORY, page(body=tiles(10, price=False))) is None
    assert page_kind(STORY, page(body=tiles(4, price=True))) is None


def test_teaser_blocks_that_hold_the_text_are_an_index() -> None:
    teasers = "".join(
        f'<article class="teaser"><h2><a href="/news/{n}">Ferry timetable change {n}</a></h2>'
        f"<p>Sailings move by {n} minutes from Monday.</p></article>"
        for n in range(8)
    )
    text = "\n".join(
        f"Ferry timetable change {n}\nSailings move by {n} minutes from Monday." for n in range(8)
    )
    assert page_kind(text, page(body=teasers + PAGINATION)) == "index"


def test_long_article_with_a_big_related_links_block_is_an_article() -> None:
    related = "".join(
        f'<li class="related"><a href="/news/2026/{n}">Council approves new harbour plan number'
        f" {n} today</a><span>Harbour desk</span></li>"
        for n in range(15)
    )
    story = "".join(f"<p>{line}</p>" for line in STORY.splitlines())
    body = f'<article>{story}</article><ul class="more">{related}</ul>'
    assert page_kind(STORY, page(body=body)) is None


# Documentation and service pages carry no date line.

CODE = "".join(f'<pre><code class="language-python">tide.read({n})</code></pre>' for n in range(3))
DATE_LINE = '<p class="byline">By Ana Ruiz, 3 March 2026</p>'


def test_documentation_by_its_code_blocks() -> None:
    assert page_kind(STORY, page(body=f"<h1>Reading tides</h1>{CODE}")) == "documentation"
    # A dated post with code is an article; preformatted prose is not code.
    assert page_kind(STORY, page(body=f"<h1>Reading tides</h1>{DATE_LINE}{CODE}")) is None
    prose = "".join(f"<pre>Section {n}. The tide rises twice a day.</pre>" for n in range(3))
    assert page_kind(STORY, page(body=f"<h1>Tides</h1>{prose}")) is None


def test_captions_in_code_elements_are_not_code() -> None:
    # Site builders put embeds and captions in <pre><code>: no code characters, no code.
    captions = "".join(
        f"<pre><code>{words}</code></pre>"
        for words in ("Pin this map", "Let us be pen pals!", "Harbour walks")
    )
    assert page_kind(STORY, page(body=f"<h1>A week by the sea</h1>{captions}")) is None


def test_code_names_in_running_text_are_no_mark_of_a_manual() -> None:
    # A developer's blog post names commands as a manual does: only code blocks count.
    names = ["tide.read()", "--station", "TIDE_HOME", "tides.toml", "tide sync", "tide -v"]
    prose = "".join(f"<p>Set <code>{name}</code> before the first reading.</p>" for name in names)
    post = page(body=f"<h1>Configuring stations</h1>{prose}")
    assert post.inline_code == len(names)
    assert page_kind(STORY, post) is None
    assert page_kind(STORY, page(body=f"<h1>Configuring stations</h1>{prose}{CODE}")) == (
        "documentation"
    )


def test_headings_that_link_to_themselves_are_no_mark_of_a_manual() -> None:
    # Manual generators add "¶" links to headings, and so do blog engines.
    sections = "".join(
        f'<h2 id="s{n}">{title}<a class="headerlink" href="#s{n}">¶</a></h2><p>Steps.</p>'
        for n, title in enumerate(["Install", "Calibrate", "Read the gauge"])
    )
    assert page_kind(STORY, page(body=f"<h1>What we learned this winter</h1>{sections}")) is None


def test_service_page_by_its_calls_to_action() -> None:
    sections = "".join(
        f'<section><h2>Harbour moorings, plan {n}</h2><a class="btn" href="/start">Get started'
        f'</a> <a href="/sales">Contact sales</a></section>'
        for n in range(3)
    )
    assert page_kind(STORY, page(body=f"<h1>Moorings for every boat</h1>{sections}")) == ("service")
    # The same calls in the site's header and navigation: any page has them.
    header = f"<header><nav>{sections}</nav></header>"
    assert page_kind(STORY, page(body=f"<h1>Moorings</h1>{header}")) is None


# The shared corpora: pages that are not articles are refused, articles are kept.

#: Measured on the whole not-articles set (bench.pagekinds): 137 of 180 refused (76%);
#: 2 of 400 extraction-wcxb articles refused. The floor sits a little below, to allow for
#: changes in the extracted text the rules read.
FLOOR_NOT_ARTICLES = 0.72
MAX_ARTICLES_REFUSED = 0.01


def _refused(case: Case) -> bool:
    url = case.metadata.get("url")
    try:
        extract_article(case.html, url=url if isinstance(url, str) else None)
    except NotAnArticleError:
        return True
    except ExtractionError:
        return False  # too short or unreadable: not a page kind
    return False


@pytest.mark.slow
def test_corpus_not_articles_refused_and_articles_kept() -> None:
    corpora = shared_corpus(NOT_ARTICLES)
    pages = list(not_article_cases(corpora))
    refused = sum(_refused(case) for case in pages)
    assert refused / len(pages) >= FLOOR_NOT_ARTICLES, f"{refused} of {len(pages)} refused"
    articles = list(cases(corpora, "extraction-wcxb"))
    wrong = [case.name for case in articles if _refused(case)]
    assert len(wrong) <= MAX_ARTICLES_REFUSED * len(articles), wrong
