"""Pages that are not articles: index pages, video pages, paywall stubs, consent walls. Pure.

A feed links to such pages often enough (a section front, a video, a story behind a
paywall, a cookie wall served instead of the page) that storing their text as an
article would put junk in the database. Each test needs the page's own markup to
say so (structured data, a player, a paywall or consent marker, a wall of
headline links) and the extracted text to be short or made of those links; a long
text with no such marker is an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from extractors.jsonld import ARTICLE_TYPES, json_ld_objects, type_names

INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})

_PAYWALL_TEXT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribers? only|"
    r"already (?:a subscriber|have an account)|this (?:article|story|content) is (?:for|reserved"
    r" for) (?:subscribers|members)|to continue reading|become a (?:subscriber|member) to read|"
    r"exclusive to subscribers|unlock this (?:article|story)",
    re.I,
)
_PAYWALL_MARKUP = re.compile(r"paywall|subscriber-only|premium-content|metered|piano-", re.I)
_CONSENT_TEXT = re.compile(
    r"we value your privacy|cookie (?:settings|preferences|policy)|accept all(?: cookies)?|"
    r"reject all|manage (?:options|preferences|cookies|consent)|before you continue|"
    r"your (?:privacy|consent) choices|consent to (?:the use of )?cookies|"
    r"we and our (?:\d+ )?partners|\bcookies?\b|\bconsent\b",
    re.I,
)
_CONSENT_MARKUP = re.compile(
    r"consent|cookie|gdpr|\bcmp\b|onetrust|didomi|quantcast|usercentrics|trustarc|sp_message",
    re.I,
)
_PLAYERS = re.compile(
    r"youtube(?:-nocookie)?\.com/embed|player\.vimeo\.com|dailymotion\.com/embed|"
    r"/embed/video|jwplayer|brightcove|players?\.",
    re.I,
)


@dataclass(frozen=True, slots=True)
class PageKindOptions:
    """Where the tests draw their lines."""

    #: Fewer characters than this is short: a teaser, a caption, a wall's text.
    short_text: int = 1_200
    #: Links with at least this many words of anchor text count as headlines.
    headline_words: int = 5
    #: Headline links a page needs before it can be an index page.
    index_headlines: int = 12
    #: Share of the text's lines that are headline texts, for an index page.
    index_line_share: float = 0.4
    #: Share of the text on consent lines ("we value your privacy", "accept all") for a wall.
    consent_share: float = 0.3


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the markup says about the page, read once."""

    types: frozenset[str]
    og_type: str
    free: bool  # False when structured data says the article is not free to read
    player: bool
    paywall_markup: bool
    consent_markup: bool
    headlines: frozenset[str]  # anchor texts of links that look like headlines


def signals(tree: Any, options: PageKindOptions) -> PageSignals:
    """Read the markers the tests use from a parsed page."""
    types: set[str] = set()
    free = True
    for item in json_ld_objects(tree):
        item_types = type_names(item)
        types |= item_types
        access = item.get("isAccessibleForFree")
        if item_types & ARTICLE_TYPES and str(access).strip().lower() in ("false", "no", "0"):
            free = False
    og_type = ""
    for meta in tree.iterfind(".//meta[@property]"):
        if (meta.get("property") or "").lower() == "og:type":
            og_type = (meta.get("content") or "").strip().lower()
    player = tree.find(".//video") is not None or any(
        _PLAYERS.search(frame.get("src") or frame.get("data-src") or "")
        for frame in tree.iterfind(".//iframe")
    )
    marks = " ".join(
        f"{element.get('class') or ''} {element.get('id') or ''}"
        for element in tree.iter()
        if isinstance(element.tag, str) and (element.get("class") or element.get("id"))
    )
    headlines = set()
    for link in tree.iterfind(".//a[@href]"):
        words = " ".join(link.text_content().split())
        if len(words.split()) >= options.headline_words and _deep_link(link.get("href") or ""):
            headlines.add(words)
    return PageSignals(
        frozenset(types),
        og_type,
        free,
        player,
        bool(_PAYWALL_MARKUP.search(marks)),
        bool(_CONSENT_MARKUP.search(marks)),
        frozenset(headlines),
    )


def _deep_link(href: str) -> bool:
    """A link to a page below a section (``/world/2026/story``), not to a section or a site."""
    path = urlsplit(href).path
    return len([part for part in path.split("/") if part]) >= 2


def page_kind(
    text: str,
    page: PageSignals,
    options: PageKindOptions | None = None,
    *,
    raw: str | None = None,
) -> str | None:
    """The kind of non-article the page is ("index", "video", "paywall", "consent"), or None.

    ``text`` is the article text as chosen; ``raw`` the most the strategies found
    before page furniture was dropped (a consent wall's text is all furniture).
    """
    opts = options or PageKindOptions()
    short = len(text) < opts.short_text
    is_article = bool(page.types & ARTICLE_TYPES) or page.og_type == "article"
    if _consent_share(raw or text) >= opts.consent_share and (
        page.consent_markup or not is_article
    ):
        return "consent"
    if (
        short
        and (not page.free or page.paywall_markup)
        and (_PAYWALL_TEXT.search(text) or not page.free)
    ):
        return "paywall"
    if short and page.player and (page.og_type.startswith("video") or "videoobject" in page.types):
        return "video"
    if not is_article and _is_index(text, page, opts):
        return "index"
    return None


def _consent_share(text: str) -> float:
    """Share of the text (in characters) on lines that speak of cookies and consent."""
    lines = [line for line in text.splitlines() if line.strip()]
    total = sum(len(line) for line in lines)
    consent = sum(len(line) for line in lines if _CONSENT_TEXT.search(line))
    return consent / total if total else 0.0


def _is_index(text: str, page: PageSignals, options: PageKindOptions) -> bool:
    """Many headline links, and a text made largely of them (or nothing else)."""
    if len(page.headlines) < options.index_headlines:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return True
    linked = sum(1 for line in lines if any(h in line for h in page.headlines))
    return linked / len(lines) >= options.index_line_share or bool(page.types & INDEX_TYPES)
