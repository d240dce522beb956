"""Pages that are not articles, told apart by their markup and the text they yield. Pure.

A feed (an aggregator above all) links to such pages often enough that storing their
text as an article would put junk in the database. ``signals`` (extractors.pagesignals)
reads the page's markers once; ``page_kind`` tries the kinds in this order:

=================  ==============================================================
kind               evidence
=================  ==============================================================
``consent``        the text is mostly about cookies and consent
``paywall``        the page says it is not free, and little text is there (a
                   metered paywall ships the whole article: that is an article)
``video``          a player, video structured data or og:type, a short caption
                   -- a page that declares itself an article stops here --
``forum``          declares a thread (DiscussionForumPosting, QAPage, also as its
                   WebPage's mainEntity), holds three posts or comments in
                   structured data, or three alike blocks that show their poster's
                   stats ("Joined: May 3, 2019", "Posts: 524")
``product``        declares a product (schema.org Product, og:type product)
``service``        declares an offer other than goods (Course, Service,
                   SoftwareApplication)
``product``        has add-to-cart controls (a grid of such tiles: ``listing``)
``index``          a directory listing ("Index of /"), or a text made of links such
                   as a table of files (``listing`` when they are product tiles)
(the section)      the canonical URL files the page under a section of threads,
                   manuals, categories, products or services (``/threads/``,
                   ``/docs/``, ``/category/``, ``/products/``)
                   -- a page with a date under its headline stops here --
``listing``        a grid of product tiles (alike blocks with a link and a price
                   each), or og:type product.group
``index``          alike teaser blocks (a link and a few words each) that hold the
                   text
``documentation``  code blocks (with code's characters: a caption in ``<pre>`` is
                   not code), or a declared TechArticle
``service``        calls to action ("Get started", "Contact sales") outside the
                   navigation
``index``          a stories section's front (canonical URL ``/news``, ``/blog/``),
                   the site's home page (``/``) with many headline links
                   (``service`` without them), or a wall of headline links
=================  ==============================================================

The stops are the article marks. Structured data saying the page is an article
(NewsArticle, BlogPosting, ...: TechArticle is documentation's) outweighs any marker
of another kind: a review declares the product it reviews, a story page its comments.
A date line is weaker (a thread dates its posts, a shop its reviews, a category page its
teasers) and only stops the kinds that are known not to carry one. A page with no marker
at all is an article, however its text reads: the shape of the text alone (sentence-like
lines, short label lines, headings per word, the share of the page it is) was measured
and does not tell a service page or a manual from a story (bench/pagekinds.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from extractors.jsonld import ARTICLE_TYPES
from extractors.pagemarks import Group
from extractors.pagesignals import STORY_TYPES as STORY_TYPES  # re-exported for callers
from extractors.pagesignals import PageSignals as PageSignals  # re-exported for callers
from extractors.pagesignals import signals as signals

INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})
#: Declared types of a thread of posts.
FORUM_TYPES = frozenset({"discussionforumposting", "qapage"})
PRODUCT_TYPES = frozenset({"product", "productgroup", "individualproduct", "productmodel"})
#: Declared types of an organisation's offer other than goods: a course, a service, an app.
OFFER_TYPES = frozenset(
    {"course", "service", "softwareapplication", "webapplication", "mobileapplication"}
)

_PAYWALL_TEXT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribers? only|"
    r"already (?:a subscriber|have an account)|this (?:article|story|content) is (?:for|reserved"
    r" for) (?:subscribers|members)|to continue reading|become a (?:subscriber|member) to read|"
    r"exclusive to subscribers|unlock this (?:article|story)",
    re.I,
)
_CONSENT_TEXT = re.compile(
    r"we value your privacy|cookie (?:settings|preferences|policy)|accept all(?: cookies)?|"
    r"reject all|manage (?:options|preferences|cookies|consent)|before you continue|"
    r"your (?:privacy|consent) choices|consent to (?:the use of )?cookies|"
    r"we and our (?:\d+ )?partners|\bcookies?\b|\bconsent\b",
    re.I,
)
#: A poster's stats beside a post, as forum software shows them: a capitalised label and
#: a number or a date ("Joined: May 3, 2019", "Posts: 524"; not "Recent posts: ...").
_POSTER_STATS = re.compile(
    r"\b(?:Joined|Posts|Messages|Reputation|Registered|Member since|Join date|Likes received|"
    r"Reaction score|Trophy points|Beiträge|Registriert|Mitglied seit|Inscrit le|Mensajes|"
    r"Registrado)\s?:\s*[^\d\n]{0,12}\d"
)
#: Characters of one line that can be a consent banner's.
_BANNER_LINE = 600
#: Sections of a canonical URL that name a kind (extractors.pagemarks.url_section).
_SECTION_KINDS = frozenset({"forum", "documentation", "index", "product", "service"})
_PRODUCT_OG_TYPES = frozenset({"product", "product.item", "og:product"})


@dataclass(frozen=True, slots=True)
class PageKindOptions:
    """Where the tests draw their lines."""

    #: Fewer characters than this is short: a teaser, a caption, a wall's text.
    short_text: int = 1_200
    #: Links with at least this many words of anchor text count as headlines.
    headline_words: int = 5
    #: Headline links a page needs before it can be an index page.
    index_headlines: int = 12
    #: Share of the text (in characters) that is headline text, for an index page.
    index_line_share: float = 0.4
    #: Share of the text on consent lines ("we value your privacy", "accept all") for a wall.
    consent_share: float = 0.3
    #: Posts or comments in structured data that make a thread, or alike blocks that show
    #: their poster's stats ("Joined: May 2019", "Posts: 524").
    posts: int = 3
    #: Tiles of a product grid (alike blocks with a link and a price, teaser-sized).
    grid_items: int = 8
    #: Share of a group's blocks with a price for the group to be product tiles.
    grid_priced: float = 0.6
    #: Share of a group's blocks with a link for the group to be tiles or teasers.
    linked: float = 0.8
    #: Longest mean block text of a tile or teaser (a post or a story is longer).
    teaser_chars: int = 400
    #: Teaser blocks an index page needs, the blocks the text must come from (one block
    #: is an article's container), and the share of the text they must hold.
    teasers: int = 5
    teasers_held: int = 3
    teasers_share: float = 0.6
    #: Share of the text on lines that are links for a list of links (an index page).
    link_list_share: float = 0.6
    #: Code blocks that make a page without article marks documentation. (``<code>``
    #: names in running text are no mark: on the corpora they caught three manuals and
    #: a blog post, and a developer's blog names code as a manual does.)
    code_blocks: int = 3
    #: Calls to action that make a page without article marks a service page.
    calls_to_action: int = 5


def page_kind(
    text: str,
    page: PageSignals,
    options: PageKindOptions | None = None,
    *,
    raw: str | None = None,
) -> str | None:
    """The kind of non-article the page is (see the module's table), or None for an article.

    ``text`` is the article text as chosen; ``raw`` the most the strategies found
    before page furniture was dropped (a consent wall's text is all furniture).
    """
    opts = options or PageKindOptions()
    is_article = bool(page.types & ARTICLE_TYPES) or page.og_type == "article"
    if _consent_share(raw or text) >= opts.consent_share and (
        page.consent_markup or not is_article
    ):
        return "consent"
    # A metered paywall ships the whole article (in the text, or in JSON-LD's
    # articleBody): only a page with little text there is a stub.
    there = max(len(text), len(raw or ""), page.body_chars)
    if (
        there < opts.short_text
        and (not page.free or page.paywall_markup)
        and (_PAYWALL_TEXT.search(text) or not page.free)
    ):
        return "paywall"
    if (
        len(text) < opts.short_text
        and page.player
        and (page.og_type.startswith("video") or "videoobject" in page.types)
    ):
        return "video"
    if page.story:
        return None
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if page.declared & FORUM_TYPES or page.posts >= opts.posts or _posters(page) >= opts.posts:
        return "forum"
    if page.declared & PRODUCT_TYPES or page.og_type in _PRODUCT_OG_TYPES:
        return "product"
    if page.declared & OFFER_TYPES:
        return "service"
    grid = _tiles(page, opts) >= opts.grid_items
    if page.shop_controls:  # each tile of a grid may have its cart button
        return "listing" if grid else "product"
    # Before the date test: a directory listing dates each of its files.
    if page.directory or _link_lines(lines, page) >= opts.link_list_share:
        return "listing" if grid else "index"
    # The section the canonical URL names outranks a date line: a thread dates its posts, a
    # manual its revisions, a category page its teasers.
    if page.section in _SECTION_KINDS:
        return "listing" if grid and page.section == "index" else page.section
    if page.dated:
        return None
    return _undated_kind(text, lines, page, opts, grid=grid, is_article=is_article)


def _undated_kind(
    text: str,
    lines: list[str],
    page: PageSignals,
    opts: PageKindOptions,
    *,
    grid: bool,
    is_article: bool,
) -> str | None:
    """Listings, index pages, documentation and services: kinds that carry no date line."""
    if grid or page.og_type == "product.group":
        return "listing"
    for group in page.groups:
        if (
            group.size >= opts.teasers
            and group.linked >= opts.linked
            and group.mean_chars <= opts.teaser_chars
        ):
            share, blocks = _held(lines, group)
            if share >= opts.teasers_share and blocks >= opts.teasers_held:
                return "index"
    if page.code_blocks >= opts.code_blocks or "techarticle" in page.declared:
        return "documentation"
    if page.calls_to_action >= opts.calls_to_action:
        return "service"
    # Below the date test: a story page may name its section's front or the site's root as
    # its canonical URL by mistake, and a dated one is a story.
    if page.section == "front":
        return "index"
    if page.section == "home":  # a wall of stories, or the site's offer
        return "index" if len(page.headlines) >= opts.index_headlines else "service"
    if not is_article and _is_index(text, page, opts):
        return "index"
    return None


def _posters(page: PageSignals) -> int:
    """The most blocks of one alike group that show their poster's stats: a thread's posts."""
    return max(
        (sum(1 for text in group.texts if _POSTER_STATS.search(text)) for group in page.groups),
        default=0,
    )


def _tiles(page: PageSignals, opts: PageKindOptions) -> int:
    """Product tiles on the page: blocks of alike groups with a link and a price each."""
    return sum(
        group.size
        for group in page.groups
        if group.priced >= opts.grid_priced
        and group.linked >= opts.linked
        and group.mean_chars <= opts.teaser_chars
    )


def _link_lines(lines: list[str], page: PageSignals, *, least: int = 10) -> float:
    """Share of the text (in characters) on lines that stand for a link: a list of links,
    or a table of them such as a directory listing's (file name, date, size).
    Zero for fewer than ``least`` such lines.
    """
    anchors = dict(page.anchors)
    total = linked = count = 0
    for line in lines:
        if not any(char.isalnum() for char in line):
            continue  # a table's rule line: |---|---|
        total += len(line)
        if "|" in line:  # a table row: its first filled cell names the row
            cells = [cell.strip() for cell in line.split("|")]
            first = next((cell for cell in cells if cell), "")
            if first in anchors.get(first.split(" ", 1)[0], ()):
                linked += len(line)
                count += 1
            continue
        start = line.split(" ", 1)[0]
        label = max((a for a in anchors.get(start, ()) if line.startswith(a)), key=len, default="")
        if len(label) * 2 >= len(line):  # a link, perhaps with a date or a size after it
            linked += len(line)
            count += 1
    return linked / total if count >= least and total else 0.0


def _held(lines: list[str], group: Group) -> tuple[float, int]:
    """The share of the text (in characters) found in the group's blocks, and how many
    blocks it comes from.
    """
    joined = "\n".join(group.texts)
    starts = []
    position = 0
    for member in group.texts:
        starts.append(position)
        position += len(member) + 1
    total = sum(len(line) for line in lines)
    held = 0
    blocks: set[int] = set()
    for line in lines:
        found = joined.find(line)
        if found >= 0:
            held += len(line)
            blocks.add(bisect_right(starts, found) - 1)
    return (held / total if total else 0.0), len(blocks)


def _consent_share(text: str) -> float:
    """Share of the text (in characters) on lines that speak of cookies and consent."""
    lines = [line for line in text.splitlines() if line.strip()]
    total = sum(len(line) for line in lines)
    # A banner's lines are short: a long paragraph that mentions cookies counts for no
    # more than a banner's worth of text.
    consent = sum(min(len(line), _BANNER_LINE) for line in lines if _CONSENT_TEXT.search(line))
    return consent / total if total else 0.0


def _is_index(text: str, page: PageSignals, options: PageKindOptions) -> bool:
    """Many headline links, and a text made largely of them (or nothing else).

    Weighed in characters, the headlines' own: a story's paragraphs outweigh the short
    headline lines of the "more news" list beside it.
    """
    if len(page.headlines) < options.index_headlines:
        return False
    lines = [line for line in text.splitlines() if any(char.isalnum() for char in line)]
    if not lines:
        return True
    total = sum(len(line) for line in lines)
    linked = sum(min(len(line), sum(len(h) for h in page.headlines if h in line)) for line in lines)
    return linked / total >= options.index_line_share or bool(page.types & INDEX_TYPES)
