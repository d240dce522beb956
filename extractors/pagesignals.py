"""The markers extractors.pagetype decides on, read once from a parsed page. Pure.

``signals`` gathers what ``extractors.pagemarks`` reads (declared types, a date line,
repeated blocks, shop controls, code, calls to action) with the markers of walls and
players (structured data saying an article is not free, paywall and consent classes,
video players) and the page's links, into one frozen ``PageSignals``.

It reads in two steps, the cheap one first: what the page declares (structured data,
Open Graph, walls and players), then its layout (links, repeated blocks, controls, code).
A page that declares itself a story is decided by its declaration (extractors.pagetype),
so its layout is not read: those fields keep their empty defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.etree

from extractors.jsonld import ARTICLE_TYPES, all_objects, json_ld_blocks, top_objects, type_names
from extractors.pagemarks import (
    Group,
    code_marks,
    declared_types,
    headline_dated,
    is_call_to_action,
    item_types,
    repeated_groups,
    shop_controls,
    url_section,
)

if TYPE_CHECKING:
    from extractors.pagetype import PageKindOptions

#: Structured items that are posts of a thread (or comments under it). Answers count in
#: microdata only: JSON-LD answers are mostly a page's FAQ.
POST_TYPES = frozenset({"discussionforumposting", "comment"})
MICRODATA_POST_TYPES = POST_TYPES | {"answer"}
#: Declared types that make a page an article. TechArticle is left out: documentation
#: pages declare it for every page.
STORY_TYPES = ARTICLE_TYPES - {"techarticle", "scholarlyarticle", "report"}

#: Class and id words of paywalls and of consent managers (looked for in lower case).
_PAYWALL_MARKS = ("paywall", "subscriber-only", "premium-content", "metered", "piano-")
_CONSENT_MARKS = (
    "consent", "cookie", "gdpr", "onetrust", "didomi", "quantcast", "usercentrics", "trustarc",
    "sp_message",
)  # fmt: skip
_CMP = re.compile(r"\bcmp\b")  # a consent management platform, as a word
_PLAYERS = re.compile(
    r"youtube(?:-nocookie)?\.com/embed|player\.vimeo\.com|dailymotion\.com/embed|"
    r"/embed/video|jwplayer|brightcove|players?\.",
    re.I,
)
# Two paths, not one union: a union is sorted into document order, which costs more than
# reading both. Plain strings: see extractors.pagemarks.
_CLASSES = lxml.etree.XPath("//@class", smart_strings=False)
_IDS = lxml.etree.XPath("//@id", smart_strings=False)
#: An Apache, nginx or IIS directory listing's title: "Index of /pub/releases".
_DIRECTORY_TITLE = re.compile(r"^\s*(?:index of|directory listing (?:of|for))\s+/", re.I)


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the markup says about the page, read once."""

    types: frozenset[str]  # every JSON-LD type on the page, nested ones included
    og_type: str
    free: bool  # False when structured data says the article is not free to read
    player: bool
    paywall_markup: bool
    consent_markup: bool
    headlines: frozenset[str] = frozenset()  # anchor texts of links that look like headlines
    #: Anchor texts of all links, grouped by their first word (for lines that are links).
    anchors: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: What the page declares itself to be (top-level JSON-LD and microdata types).
    declared: frozenset[str] = frozenset()
    #: Posts and comments in structured data (microdata items and JSON-LD objects).
    posts: int = 0
    #: Length of the page's JSON-LD ``articleBody`` (0 when none): text the page ships.
    body_chars: int = 0
    #: The page declares itself a story (``STORY_TYPES``); the fields below were not read.
    story: bool = False
    #: An ``article:published_time``, or a date written under the headline.
    dated: bool = False
    groups: tuple[Group, ...] = ()  # runs of alike blocks outside the navigation
    shop_controls: int = 0  # add-to-cart buttons and quantity fields
    code_blocks: int = 0
    #: ``<code>`` elements outside code blocks: names and commands in running text (shown
    #: by bench.pagekinds; not a rule of page_kind).
    inline_code: int = 0
    calls_to_action: int = 0  # "Get started", "Contact sales" outside the navigation
    directory: bool = False  # titled as a server's directory listing ("Index of /")
    #: What the canonical URL files the page under (extractors.pagemarks.url_section).
    section: str | None = None


def signals(tree: Any, options: PageKindOptions) -> PageSignals:
    """Read the markers the tests use from a parsed page."""
    types: set[str] = set()
    free = True
    posts = 0
    blocks = json_ld_blocks(tree)
    for item in all_objects(blocks):
        kinds = type_names(item)
        types |= kinds
        posts += bool(kinds & POST_TYPES)
        access = item.get("isAccessibleForFree")
        if kinds & ARTICLE_TYPES and str(access).strip().lower() in ("false", "no", "0"):
            free = False
    page_items = list(top_objects(blocks))
    og_type = og_url = ""
    published = False
    for meta in tree.iterfind(".//meta[@property]"):
        key = (meta.get("property") or "").lower()
        if key == "og:type":
            og_type = (meta.get("content") or "").strip().lower()
        elif key == "og:url" and not og_url:  # the first: a page may repeat its site's
            og_url = meta.get("content") or ""
        elif key == "article:published_time" and (meta.get("content") or "").strip():
            published = True
    player = tree.find(".//video") is not None or any(
        _PLAYERS.search(frame.get("src") or frame.get("data-src") or "")
        for frame in tree.iterfind(".//iframe")
    )
    # Each distinct class or id once: a page repeats the same few hundred times over.
    marks = " ".join({*_CLASSES(tree), *_IDS(tree)}).lower()
    microdata = item_types(tree)
    declared = declared_types(tree, page_items, microdata=bool(microdata))
    page = PageSignals(
        types=frozenset(types),
        og_type=og_type,
        free=free,
        player=player,
        paywall_markup=any(mark in marks for mark in _PAYWALL_MARKS),
        consent_markup=any(mark in marks for mark in _CONSENT_MARKS)
        or ("cmp" in marks and bool(_CMP.search(marks))),
        declared=declared,
        posts=posts + sum(microdata[kind] for kind in MICRODATA_POST_TYPES),
        body_chars=max(
            (len(item["articleBody"]) for item in page_items if _is_text(item, "articleBody")),
            default=0,
        ),
        story=bool(declared & STORY_TYPES),
    )
    if page.story:
        return page
    return _with_layout(page, tree, options, published=published, og_url=og_url)


def _with_layout(
    page: PageSignals, tree: Any, options: PageKindOptions, *, published: bool, og_url: str
) -> PageSignals:
    """The page's signals with its layout read: links, blocks, controls, code."""
    headlines = set()
    anchors: dict[str, set[str]] = {}
    calls = sum(
        is_call_to_action(button, " ".join(button.text_content().split()))
        for button in tree.iter("button")
    )
    for link in tree.iter("a"):
        href = link.get("href")
        words = link.text_content().split()
        if not words:
            continue
        label = " ".join(words)
        calls += is_call_to_action(link, label)
        if href is None:
            continue
        anchors.setdefault(words[0], set()).add(label)
        if len(words) >= options.headline_words and _deep_link(href):
            headlines.add(label)
    code, inline_code = code_marks(tree)
    title = tree.find(".//title")
    canonical = next(
        (
            link.get("href") or ""
            for link in tree.iterfind(".//link[@rel]")
            if link.get("rel", "").strip().lower() == "canonical"
        ),
        "",
    )
    return replace(
        page,
        headlines=frozenset(headlines),
        anchors=tuple((first, tuple(labels)) for first, labels in anchors.items()),
        dated=published or headline_dated(tree),
        groups=repeated_groups(tree),
        shop_controls=shop_controls(tree),
        code_blocks=code,
        inline_code=inline_code,
        calls_to_action=calls,
        directory=title is not None and bool(_DIRECTORY_TITLE.match(title.text_content())),
        section=url_section(canonical or og_url) if canonical or og_url else None,
    )


def _is_text(item: dict[str, Any], key: str) -> bool:
    return isinstance(item.get(key), str)


def _deep_link(href: str) -> bool:
    """A link to a page below a section (``/world/2026/story``), not to a section or a site."""
    path = urlsplit(href).path
    return len([part for part in path.split("/") if part]) >= 2
