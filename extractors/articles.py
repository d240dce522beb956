"""Article HTML -> clean text and metadata, the best of several strategies. No network.

parse -> drop what readers cannot see -> trafilatura + readability-lxml
      -> choose on evidence (extractors.combine) -> not an article? (extractors.pagetype)
      -> metadata: trafilatura's, dates (extractors.dates), language (extractors.language)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from types import MappingProxyType
from typing import Any

from trafilatura.utils import load_html

from extractors.combine import choose, with_posts
from extractors.dates import page_dates
from extractors.encoding import decode_html as decode_html  # re-exported: one import for callers
from extractors.errors import ExtractionError, InvalidURLError, NotAnArticleError
from extractors.language import LanguageOptions, choose_language
from extractors.pagetype import PageKindOptions, page_kind, signals
from extractors.strategies import (
    Candidate,
    live_posts,
    remove_hidden,
    with_readability,
    with_trafilatura,
)
from extractors.urls import canonicalize_url

#: Bumped when the way newsflow combines strategies changes, so that re-extraction
#: knows which articles an older extractor made.
COMBINER_VERSION = 2
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
    favor: str = "balanced"  # "balanced", "precision" or "recall"
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
    method: str  # which strategy produced the text ("trafilatura", "readability", "feed")
    extractor_version: str
    #: When the page says it was last changed (timezone-aware UTC).
    updated_at: datetime | None = None
    #: Where on the page ``published_at`` was found ("json-ld", "meta", "time", "htmldate").
    date_source: str | None = None
    #: "page" (the page declares it) or "detected" (from the text).
    language_source: str | None = None
    #: How much the chosen text can be trusted, 0 to 1 (agreement between strategies).
    confidence: float = 1.0


def extract_article(
    html: str,
    *,
    url: str | None = None,
    options: ExtractOptions | None = None,
    feed_text: str | None = None,
) -> Article:
    """Extract the article from a page; raise ExtractionError when there is none.

    ``feed_text`` (the feed's summary or content for this item) helps choose between
    strategies and stands in when none finds text. Raises NotAnArticleError for index
    pages, video pages, paywall stubs and consent walls.
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
    page = signals(tree, opts.page_kinds)
    declared_language = _page_language(tree)
    # No htmldate guess here: trafilatura's metadata runs it and gives its answer below.
    dates = page_dates(tree, guess=False)
    remove_hidden(tree)
    # Posts first: the other strategies drop elements from the tree they are given.
    posts = live_posts(tree, live="liveblogposting" in page.types)
    try:
        doc: Any = with_trafilatura(
            tree, url=url, include_tables=opts.include_tables, favor=opts.favor
        )
        readable = with_readability(tree)
    except Exception as exc:  # both raise assorted lxml and value errors
        raise ExtractionError(f"extract: extractor failed: {exc}") from exc
    traf_text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    choice = choose(
        [Candidate("trafilatura", traf_text), readable],
        feed_text=feed_text,
        min_chars=opts.min_text_length,
        feed_fallback=opts.feed_fallback,
    )
    if choice is not None:
        choice = with_posts(choice, posts)
    raw = max(traf_text, readable.text, key=len)
    text = choice.text if choice is not None else raw
    kind = page_kind(text, page, opts.page_kinds, raw=raw)
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
        title=_str(getattr(doc, "title", None)),
        author=_str(getattr(doc, "author", None)),
        published_at=dates.published or _date(getattr(doc, "date", None)),
        updated_at=dates.updated,
        date_source=dates.source or ("htmldate" if getattr(doc, "date", None) else None),
        language=language,
        language_source=language_source,
        site_name=_str(getattr(doc, "sitename", None)),
        description=_str(getattr(doc, "description", None)),
        image_url=_str(getattr(doc, "image", None)),
        tags=tuple(_split_tags(getattr(doc, "tags", None))),
        canonical_url=_canonical(getattr(doc, "url", None), url),
        license=_str(getattr(doc, "license", None)),
        method=choice.method,
        confidence=round(choice.confidence, 3),
        extractor_version=EXTRACTOR_VERSION,
    )


_KINDS = MappingProxyType(
    {
        "index": "an index page: a list of links to articles",
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


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _split_tags(value: Any) -> list[str]:
    tags: list[str] = []
    for item in value or []:
        for tag in str(item).split(","):
            cleaned = tag.strip()
            if cleaned and cleaned not in tags:
                tags.append(cleaned)
    return tags[:50]


def _canonical(value: Any, page_url: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return canonicalize_url(value, base=page_url)
    except InvalidURLError:
        return None
