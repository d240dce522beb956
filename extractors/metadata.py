"""A page's metadata (title, author, dates, site name, description, ...) from its markup. Pure.

The page is read once (its ``<meta>`` tags, JSON-LD objects, ``<title>`` and ``<h1>``
texts) and never changed: ``extract_article`` hands the same tree to the text
extractors afterwards. Sources, most trustworthy first:

    title     extractors.titles: the visible headline (an <h1>) that the page's
              metadata titles agree with, else the metadata title (JSON-LD headline,
              og:/twitter:/parsely/sailthru/Dublin Core titles, <title>), site names cut
    author    extractors.bylines: JSON-LD people, author meta tags, the visible byline
    published JSON-LD, meta tags, <time> (extractors.dates), the date line by the
              headline (extractors.datelines), htmldate's fast search last; an
              unlabelled date printed in the article's header that disagrees with
              the data replaces it (see ``_shown_wins``)
    the rest  OpenGraph first (https://ogp.me), then other meta tags, then JSON-LD

Why not trafilatura's ``extract_metadata``: it costs more than trafilatura's whole text
extraction (htmldate's extensive search and dateparser), deep-copies the tree for its
author search, prefers the first <h1> to the metadata however they disagree, and keeps
job titles and dates in bylines. Its pieces are not reused: each is a tree walk of its
own, and the rules here read one gathered set of facts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from extractors.bylines import page_author
from extractors.datelines import ShownDate, shown_date
from extractors.dates import guess_date, page_dates
from extractors.errors import InvalidURLError
from extractors.jsonld import ARTICLE_TYPES, json_ld_objects, type_names
from extractors.nearby import headline_element
from extractors.titles import choose_title, squash
from extractors.urls import canonicalize_url

#: Meta tags that give the page's title, most specific first (name or property, lower case).
TITLE_KEYS = (
    "og:title",
    "twitter:title",
    "parsely-title",
    "sailthru.title",
    "dc.title",
    "dc:title",
    "dcterms.title",
    "headline",
)
#: Meta tags that name the site (og:site_name first: https://ogp.me/#optional).
SITE_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
#: JSON-LD types that name a site or its publisher, never an article's headline.
PUBLISHER_TYPES = frozenset(
    {"organization", "newsmediaorganization", "website", "corporation", "localbusiness"}
)
#: Second-level labels of country-code public suffixes ("example.co.uk", "example.com.au").
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "ne", "or"})
_TLD = re.compile(r"\.(?:com|org|net|co|io|info|news|[a-z]{2})$")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page states about itself (the fields of extractors.articles.Article)."""

    title: str | None = None
    author: str | None = None  # names joined with ", "
    site_name: str | None = None
    description: str | None = None
    image_url: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None  # rel=canonical / og:url, canonicalised
    license: str | None = None
    published_at: datetime | None = None  # aware UTC
    updated_at: datetime | None = None  # aware UTC
    #: Where ``published_at`` was found ("json-ld", "meta", "time", "shown", "htmldate").
    date_source: str | None = None


@dataclass(frozen=True, slots=True)
class PageFacts:
    """The parts of a page its metadata is read from, gathered in one pass."""

    metas: dict[str, list[str]]  # meta property/name/itemprop (lower case) -> contents
    objects: list[dict[str, Any]]  # every JSON-LD object, each block breadth first
    article: dict[str, Any] | None  # the page's own article (or web page) object
    title: str  # the <title> text
    headings: list[str]  # <h1> texts, document order

    def meta(self, *keys: str) -> Iterator[str]:
        """Non-empty contents of the given meta tags, in the order of the keys."""
        for key in keys:
            for value in self.metas.get(key, ()):
                if cleaned := clean_text(value):
                    yield cleaned


def page_metadata(
    tree: Any, *, url: str | None = None, now: datetime | None = None
) -> PageMetadata:
    """Title, author, dates and the rest, as the page states them; the tree is not changed.

    ``url``: the address the page was fetched from (its host names the site; relative
    canonical links resolve against it). ``now`` bounds guessed dates (no clock is read).
    """
    facts = read_facts(tree)
    sites = site_names(facts, url)
    title, heading_text = choose_title(_stated_titles(facts), facts.headings, sites)
    heading = headline_element(tree, heading_text)
    dates = page_dates(tree, now=now, guess=False, objects=facts.objects, metas=facts.metas)
    published, source = dates.published, dates.source
    if published is None:  # a date only shown, when the page states none as data
        if shown := shown_date(tree, heading=heading, now=now):
            published, source = shown.value, "shown"
    elif heading_text is not None:  # the page's headline found: its header can be read
        shown = shown_date(tree, heading=heading, now=now, header_only=True)
        if shown is not None and _shown_wins(shown, published):
            published, source = shown.value, "shown"
    if published is None and (guessed := guess_date(tree, now=now, url=url)):
        published, source = guessed, "htmldate"
    return PageMetadata(
        title=title,
        author=page_author(tree, facts.article, facts.objects, facts.metas, sites, heading),
        site_name=_site_name(facts),
        description=_first(facts.meta("og:description", "description", "twitter:description"))
        or _ld_text(facts.article, "description"),
        image_url=_first(facts.meta("og:image", "og:image:url", "twitter:image"))
        or _ld_image(facts.article),
        tags=_tags(facts),
        canonical_url=_canonical(tree, facts, url),
        license=_license(tree, facts),
        published_at=published,
        updated_at=dates.updated,
        date_source=source,
    )


def _shown_wins(shown: ShownDate, stated: datetime) -> bool:
    """Whether the date printed in the article's header replaces the one its data states.

    Refreshed posts keep their first publication date in their data (JSON-LD
    datePublished, article:published_time) and print the refresh date by the headline, as
    the date, unlabelled; readers take the printed one (the reviewed corpus records it on
    such pages). A date labelled "Updated" is not the publication date and never replaces
    the stated one; nor does a date whose day and month order the page leaves open, nor
    one on the same day as the stated instant in some time zone (UTC-12 to UTC+14).
    """
    if shown.updated or shown.ambiguous or not shown.in_header:
        return False
    day = shown.value  # midnight UTC of the shown day
    return not day - timedelta(hours=14) <= stated < day + timedelta(hours=36)


def read_facts(tree: Any) -> PageFacts:
    """Gather the page's meta tags, JSON-LD objects, title and headings."""
    metas: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            # RDFa allows several properties in one attribute ("dc:creator og:author").
            for key in (element.get(attr) or "").lower().split():
                metas.setdefault(key, []).append(content)
    objects = list(json_ld_objects(tree))
    article = next((o for o in objects if type_names(o) & ARTICLE_TYPES), None)
    if article is None:  # a WebPage carries the headline where no article object does
        article = next((o for o in objects if type_names(o) & {"webpage", "itempage"}), None)
    # The document's <title>, not an SVG's (which may come first when <head> has none).
    title_element = tree.find(".//head/title")
    title = clean_text(title_element.text_content()) if title_element is not None else ""
    headings = (clean_text(h.text_content()) for h in tree.iter("h1"))
    return PageFacts(metas, objects, article, title, [h for h in headings if h][:10])


def site_names(facts: PageFacts, url: str | None) -> frozenset[str]:
    """The site's and its publisher's names as the page gives them, squashed."""
    names: list[str] = list(facts.meta(*SITE_KEYS))
    for item in facts.objects:
        if type_names(item) & PUBLISHER_TYPES and isinstance(item.get("name"), str):
            names.append(item["name"])
    if facts.article is not None:
        for publisher in _as_list(facts.article.get("publisher")):
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                names.append(publisher["name"])
    host = _host(url) or _host(_first(facts.meta("og:url")))
    if host:
        names.append(_registrable_name(host))
    squashed: set[str] = set()
    for name in names:
        name = name.strip().lstrip("@")  # twitter:site is a handle
        squashed.update((squash(name), squash(_TLD.sub("", name.lower()))))
    return frozenset(s for s in squashed if s)


def clean_text(value: Any) -> str:
    """One line of text, HTML entities decoded (JSON-LD and meta content keep them)."""
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(value).split())


def _stated_titles(facts: PageFacts) -> list[str]:
    stated: list[str] = []
    if text := _ld_text(facts.article, "headline") or _ld_text(facts.article, "name"):
        stated.append(text)
    stated.extend(facts.meta(*TITLE_KEYS))
    if facts.title:
        stated.append(facts.title)
    return stated


def _site_name(facts: PageFacts) -> str | None:
    if found := _first(facts.meta("og:site_name")):
        return found
    if facts.article is not None:
        for publisher in _as_list(facts.article.get("publisher")):
            if isinstance(publisher, dict) and (name := clean_text(publisher.get("name"))):
                return name
    for item in facts.objects:
        if "website" in type_names(item) and (name := clean_text(item.get("name"))):
            return name
    return _first(facts.meta("application-name"))


def _tags(facts: PageFacts) -> tuple[str, ...]:
    found: list[str] = list(facts.meta("article:tag"))
    if not found:
        for value in facts.meta("keywords", "news_keywords", "parsely-tags"):
            found.extend(value.split(","))
    if not found and facts.article is not None:
        for item in _as_list(facts.article.get("keywords")):
            if isinstance(item, str):
                found.extend(item.split(","))
    return tuple(dict.fromkeys(tag for tag in map(clean_text, found) if tag))[:50]


def _canonical(tree: Any, facts: PageFacts, url: str | None) -> str | None:
    candidates = [
        link.get("href") for link in tree.iterfind(".//link[@rel]") if _rel(link, "canonical")
    ]
    candidates.extend(facts.meta("og:url"))
    for value in candidates:
        if isinstance(value, str) and value.strip():
            try:
                return canonicalize_url(value.strip(), base=url)
            # urljoin raises ValueError before canonicalize_url's own checks ("http://[").
            except (InvalidURLError, ValueError):
                continue
    return None


def _license(tree: Any, facts: PageFacts) -> str | None:
    # rel="license" names the page's licence (HTML Living Standard, link type "license").
    for element in tree.iter("link", "a"):
        if _rel(element, "license") and (href := clean_text(element.get("href"))):
            return href
    if facts.article is not None:  # https://schema.org/license: a URL or a CreativeWork
        for item in _as_list(facts.article.get("license")):
            value = item.get("url") or item.get("name") if isinstance(item, dict) else item
            if text := clean_text(value):
                return text
    return None


def _rel(element: Any, value: str) -> bool:
    return value in (element.get("rel") or "").lower().split()


def _ld_text(node: dict[str, Any] | None, key: str) -> str | None:
    if node is None:
        return None
    for item in _as_list(node.get(key)):
        if text := clean_text(item):
            return text
    return None


def _ld_image(node: dict[str, Any] | None) -> str | None:
    if node is None:
        return None
    for item in _as_list(node.get("image")):
        value = item.get("url") if isinstance(item, dict) else item
        if text := clean_text(value):
            return text
    return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _registrable_name(host: str) -> str:
    """The host's registrable name: "news.example.co.uk" -> "example"."""
    labels = host.split(".")
    if len(labels) < 2:
        return host
    short = len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL
    return labels[-3] if short and len(labels) >= 3 else labels[-2]


def _first(values: Iterable[str]) -> str | None:
    return next(iter(values), None)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
