"""Article HTML -> clean text and metadata, voted block by block by two strategies. No network.

parse once -> metadata (extractors.metadata) and page signals, read before anything
changes the tree -> drop scripts and styles, then what readers cannot see -> live posts
-> trafilatura -> drop controls -> the page as blocks (extractors.blocks) ->
readability-lxml -> vote (extractors.combine) -> not an article? (extractors.pagetype)
-> language (extractors.language)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from types import MappingProxyType
from typing import Any

from trafilatura.utils import load_html

from extractors.blocks import Block, page_blocks
from extractors.combine import choose, with_posts
from extractors.encoding import decode_html as decode_html  # re-exported: one import for callers
from extractors.errors import ExtractionError, NotAnArticleError
from extractors.language import LanguageOptions, choose_language
from extractors.metadata import page_metadata
from extractors.pagetype import PageKindOptions, page_kind, signals
from extractors.strategies import (
    Candidate,
    drop_controls,
    drop_scripts,
    live_posts,
    remove_hidden,
    with_readability,
    with_trafilatura,
)

#: Bumped when the way newsflow combines strategies changes, so that re-extraction
#: knows which articles an older extractor made.
COMBINER_VERSION = 3
#: Stored with each article (at most 64 characters: storage.models.Article.extractor).
EXTRACTOR_VERSION = (
    f"newsflow/{COMBINER_VERSION} trafilatura/{version('trafilatura')} "
    f"readability/{version('readability-lxml')}"
)

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How to extract; the defaults suit news pages."""

    include_tables: bool = True
    #: trafilatura's leaning: "recall", "balanced" or "precision". Recall is its fastest
    #: mode here, and the vote (extractors.combine) drops what it keeps beyond the article.
    favor: str = "recall"
    #: Fewer characters than this is not an article (a stub, a teaser, an error page).
    min_text_length: int = 150
    #: Largest DOM (in elements) handed to the extractor; bigger pages are refused.
    max_tree_size: int = 200_000
    #: When no strategy finds text, return the feed's own text (method "feed"). Off
    #: where the caller keeps the feed's text apart: newsflow's storage stores it as a
    #: stand-in flagged ``text_source = "feed"``, replaced once the page yields text.
    feed_fallback: bool = True
    language: LanguageOptions = field(default_factory=LanguageOptions)
    page_kinds: PageKindOptions = field(default_factory=PageKindOptions)
    #: Refuse pages of other kinds (NotAnArticleError). False: return their text anyway,
    #: for a caller that wants the main text of any page (and for measuring the text alone).
    refuse_not_articles: bool = True


@dataclass(frozen=True, slots=True)
class Article:
    """An article's clean text and metadata, as the page states them."""

    text: str
    title: str | None
    author: str | None
    published_at: datetime | None  # timezone-aware UTC, as the page states it
    language: str | None  # BCP 47 primary tag, lower case ("en", "pt")
    site_name: str | None
    description: str | None
    image_url: str | None
    tags: tuple[str, ...]
    canonical_url: str | None  # the page's rel=canonical / og:url, canonicalised
    license: str | None
    #: What decided the text: "vote" (both strategies, block by block), "trafilatura" or
    #: "readability" (only one found text), "posts" (a live page), "feed".
    method: str
    extractor_version: str
    #: When the page says it was last changed (timezone-aware UTC).
    updated_at: datetime | None = None
    #: Where ``published_at`` was found ("json-ld", "meta", "time", "shown", "htmldate").
    date_source: str | None = None
    #: "page" (the page declares it) or "detected" (from the text).
    language_source: str | None = None
    #: Share of the text both strategies kept, 0 to 1 (0.5: one alone; 0.3: the feed's).
    confidence: float = 1.0


def extract_article(
    html: str,
    *,
    url: str | None = None,
    options: ExtractOptions | None = None,
    feed_text: str | None = None,
    now: datetime | None = None,
) -> Article:
    """Extract the article from a page; raise ExtractionError when there is none.

    ``feed_text`` (the feed's summary or content for this item) vouches for blocks
    one strategy kept and stands in when none finds text. ``now`` bounds dates guessed
    from the page's text. Raises NotAnArticleError for pages of other kinds (index,
    listing, product, forum, video, paywall stub, consent wall, ...).
    """
    opts = options or ExtractOptions()
    if not html.strip():
        raise ExtractionError("extract: empty page")
    tree = load_html(html)
    if tree is None:
        raise ExtractionError("extract: the page is not parsable HTML")
    size = sum(1 for _ in tree.iter())
    if size > opts.max_tree_size:
        raise ExtractionError(
            f"extract: page too large ({size} elements, at most {opts.max_tree_size})"
        )
    # Read before read_page changes the tree (it drops scripts, JSON-LD among them).
    meta = page_metadata(tree, url=url, now=now)
    page = signals(tree, opts.page_kinds)
    declared_language = _page_language(tree)
    reading = read_page(tree, url=url, options=opts, live="liveblogposting" in page.types)
    traf, readable = reading.candidates
    choice = choose(
        reading.blocks,
        reading.candidates,
        feed_text=feed_text,
        min_chars=opts.min_text_length,
        feed_fallback=opts.feed_fallback,
    )
    if choice is not None:
        choice = with_posts(choice, reading.posts)
    raw = max(traf.text, readable.text, key=len)
    text = choice.text if choice is not None else raw
    kind = page_kind(text, page, opts.page_kinds, raw=raw) if opts.refuse_not_articles else None
    if kind is not None:
        raise NotAnArticleError(f"extract: not an article ({_KINDS[kind]})", page_kind=kind)
    if choice is None:
        raise ExtractionError(
            f"extract: no article text found ({len(text)} characters, "
            f"at least {opts.min_text_length} expected)"
        )
    language, language_source = choose_language(declared_language, choice.text, opts.language)
    return Article(
        text=choice.text,
        title=meta.title,
        author=meta.author,
        published_at=meta.published_at,
        updated_at=meta.updated_at,
        date_source=meta.date_source,
        language=language,
        language_source=language_source,
        site_name=meta.site_name,
        description=meta.description,
        image_url=meta.image_url,
        tags=meta.tags,
        canonical_url=meta.canonical_url,
        license=meta.license,
        method=choice.method,
        confidence=round(choice.confidence, 3),
        extractor_version=EXTRACTOR_VERSION,
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """What the strategies made of a page: the vote's inputs."""

    blocks: list[Block]  # the page's visible blocks, in reading order
    candidates: tuple[Candidate, Candidate]  # trafilatura's text, readability's text
    posts: Candidate  # a live page's posts (empty otherwise)


def read_page(tree: Any, *, url: str | None, options: ExtractOptions, live: bool) -> Reading:
    """Run the strategies on a parsed page (which it changes: read metadata first)."""
    drop_scripts(tree)
    remove_hidden(tree)
    # Posts first: the other strategies drop elements from the tree they are given.
    posts = live_posts(tree, live=live)
    traf = _guarded(
        "trafilatura",
        lambda: with_trafilatura(
            tree, url=url, include_tables=options.include_tables, favor=options.favor
        ),
    )
    drop_controls(tree)
    blocks = page_blocks(tree)
    readable = _guarded("readability", lambda: with_readability(tree))
    return Reading(blocks, (traf, readable), posts)


def _guarded(method: str, run: Callable[[], Candidate]) -> Candidate:
    """A strategy's text, or none when it fails: the other strategy still counts."""
    try:
        return run()
    except Exception:  # both raise assorted lxml, value and assertion errors
        return Candidate(method, "")


_KINDS = MappingProxyType(
    {
        "index": "an index page: a list of links to articles, or a directory's files",
        "forum": "a forum thread: posts by its members",
        "product": "a product page: an item for sale",
        "listing": "a listing: tiles or teasers of items to choose from",
        "documentation": "a documentation page: reference or how-to for software",
        "service": "a service page: an organisation's offer and calls to action",
        "video": "a video page: a player and a caption",
        "paywall": "a paywall stub: a teaser that asks to subscribe",
        "consent": "a consent wall: a cookie or privacy notice instead of the page",
    }
)


def _page_language(tree: Any) -> str | None:
    candidates: list[str | None] = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
    ]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        if isinstance(value, str) and _LANG_RE.match(value.strip()):
            primary: str = value.strip().replace("_", "-").split("-")[0].lower()
            return primary
    return None
