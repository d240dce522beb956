"""Who wrote an article: the people a page credits, from its data or its byline. Pure.

Sources, most trustworthy first; the first that names a person wins:

    1. JSON-LD: the article object's ``author`` (https://schema.org/author: a Person or an
       Organization, one or a list; an ``@id`` reference is looked up in the page's graph;
       a Person's ``name``, else ``givenName`` and ``familyName``; ``creator`` when there
       is no author)
    2. author meta tags, the first key that names a person: ``author``, ``article:author``
       (a name, not a profile URL: https://ogp.me/#type_article), Dublin Core
       ``dc.creator``, parsely, sailthru, ..., Yoast's twitter:data1 "Written by",
       Highwire ``citation_author``; a key naming only the site is passed over
    3. the visible byline: first in the article's header (the elements right after the
       headline, extractors.nearby), then anywhere: ``itemprop=author``, ``rel=author``
       (HTML link type "author"), a link to an author page (/author/jane-roe/), an
       element whose own text starts with "By"/"Von"/"Par"/..., or whose class or id
       says author or byline. Inside one, the name marked as such is read first (itemprop
       "name", hCard "fn", h-card "p-name"). Not in page furniture (nav, aside, sidebars,
       comments, the site's footer); in an author box the first line is the name (the
       bio follows).

People before organizations: an Organization, a "person" named like the site or its
publisher ("Condé Nast; Molly Wood" keeps Molly Wood), or one whose name ends in a
company's legal form ("Acme Media Ltd"), is the author only when no source names anyone
else. Personal sites are named after their author and brand blogs credit the brand:
such a lone credit, stated as data or printed as a name, is kept (people credited
"EcoFlow" and "The Investopedia Team" as the authors of those sites' articles in the
reviewed corpus). A printed credit that is no name ("Sable Coast Times wire services")
credits no one: with nothing else, the page has no author.

Names are cleaned by extractors.names; a visible byline must look like a name (capital
letters where the script has case), stated data is taken as the page gives it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import lxml.etree

from extractors.jsonld import type_names
from extractors.names import BY_START, clean_names, clean_stated
from extractors.nearby import HEADER_REACH, following
from extractors.titles import squash

#: Meta tags that name the author, most specific first (lower case name or property).
AUTHOR_KEYS = (
    "author",
    "article:author",
    "og:article:author",
    "parsely-author",
    "sailthru.author",
    "cxenseparse:author",
    "dc.creator",
    "dc:creator",
    "dcterms.creator",
    "byl",
)
#: twitter:labelN texts that make twitter:dataN the author (Yoast SEO writes "Written by").
_TWITTER_LABEL = re.compile(
    r"written by|author|verfasst von|geschrieben von|écrit par|escrito por|scritto da|"
    r"geschreven door|autor",
    re.I,
)
ORGANIZATION_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "website", "localbusiness"}
)

# A company's legal form ends an organization's name, never a person's ("Acme Media Ltd").
_LEGAL_FORM = re.compile(
    r"\b(?:ltd|limited|inc|llc|llp|plc|corp|gmbh|pty|s\.a|s\.a\.s|b\.v|oy|ab|as|srl)\.?$", re.I
)

#: Bylines anywhere on the page, when none is by the headline (one pass; ranked below).
#: "uthor" and "yline" match either case of the first letter in one test each (XPath 1.0
#: has no case folding); _ranked_bylines keeps the elements really marked so.
_BYLINES = lxml.etree.XPath(
    "//*[@itemprop='author' or contains(@rel, 'author') or contains(@class, 'uthor') or "
    "contains(@class, 'yline') or contains(@id, 'uthor') or contains(@id, 'yline')]"
)
_NAME_INSIDE = lxml.etree.XPath(
    ".//*[@itemprop='name' or contains(concat(' ', normalize-space(@class), ' '), ' fn ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' p-name ')]"
    "[not(ancestor::*[@itemprop='publisher' or @itemprop='sourceOrganization'])]"
)
_AUTHOR_MARK = re.compile(r"author|byline|writer|autor|auteur", re.I)
_SKIP_CLASS = re.compile(
    r"comment|bio|descr|avatar|image|img|photo|thumb|about|social|follow|share|more|related",
    re.I,
)
# Author pages: /author/jane-roe/ (WordPress), /authors/, /autor/, /auteur/, /people/, ...
_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|autor|autoren|auteur|auteurs|autore|writer|writers|people|profile|"
    r"contributor|contributors|journalist|journalisten|redakteur|reporter|staff)/[^/?#]+",
    re.I,
)
_MAX_AUTHORS = 10  # name elements read in one byline
_MAX_BYLINE = 120  # characters of visible text: more is a bio or a container
_MAX_CANDIDATES = 40  # author-marked elements tried anywhere on a page (listings have many)
# Page furniture around an article: a byline found there credits something else.
_FURNITURE = re.compile(r"(?:^|[\s_-])(?:footer|comments?|sidebar|related)(?:$|[\s_-])", re.I)
_FURNITURE_TAGS = frozenset({"aside", "nav"})  # <footer> may hold the byline (HTML)
#: Elements that start a new line of a byline ("Jane Roe" / "Senior Writer" / "May 3").
_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "br", "section", "header", "footer", "figure", "figcaption"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "tr", "td", "time"}
)


def page_author(
    tree: Any,
    article: dict[str, Any] | None,
    objects: list[dict[str, Any]],
    metas: dict[str, list[str]],
    sites: frozenset[str],
    heading: Any | None = None,
) -> str | None:
    """The article's author(s), names joined with ", ", or None when the page names nobody.

    ``heading``: the headline element, where the visible byline is looked for first.
    """

    def is_person(name: str) -> bool:
        return squash(name) not in sites and not _LEGAL_FORM.search(name)

    fallback: list[str] = []
    for source in (
        _json_ld_names(article, objects),
        _meta_names(metas, is_person),
        _visible_names(tree, heading, is_person),
    ):
        people: list[str] = []
        for name, person in source:
            if person and is_person(name):
                people.append(name)
            else:
                fallback.append(name)
        if people:
            return _join(people)
    return _join(fallback[:1]) if fallback else None


def _json_ld_names(
    article: dict[str, Any] | None, objects: list[dict[str, Any]]
) -> Iterator[tuple[str, bool]]:
    if article is None:
        return
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and "name" in o}
    for item in _as_list(article.get("author")) or _as_list(article.get("creator")):
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = by_id.get(item["@id"], item)
        if isinstance(item, dict):
            kinds = type_names(item)
            # https://schema.org/Person: "name", or "givenName" and "familyName".
            given = " ".join(
                part
                for part in (item.get("givenName"), item.get("familyName"))
                if isinstance(part, str)
            )
            name = clean_stated(item.get("name")) or clean_stated(given)
            if name:
                yield name, not kinds & ORGANIZATION_TYPES
        elif isinstance(item, str):
            for name in clean_names(item):
                yield name, True


def _meta_names(
    metas: dict[str, list[str]], is_person: Callable[[str], bool]
) -> Iterator[tuple[str, bool]]:
    keys: list[list[str]] = [metas.get(key, []) for key in AUTHOR_KEYS]
    for index, label in enumerate(metas.get("twitter:label1", ())[:1]):
        if _TWITTER_LABEL.search(label):
            keys.append(metas.get("twitter:data1", [])[index : index + 1])
    # Each key states the same authors again: the first key that names a person is read
    # (all its tags: one per author); one naming the site ("author" set to the brand on
    # every page) is passed over for the next.
    for values in keys:
        names = [
            name
            for value in values
            # article:author is often a profile URL (https://ogp.me/#type_article).
            if not value.strip().lower().startswith(("http://", "https://", "/", "www."))
            for name in clean_names(value)
        ]
        if any(map(is_person, names)):
            yield from ((name, True) for name in names)
            return
        yield from ((name, False) for name in names)
    # Highwire Press tags: one citation_author per person, often "Last, First".
    for value in metas.get("citation_author", ()):
        last, _, first = value.partition(",")
        ordered = f"{first.strip()} {last.strip()}" if first.strip() else last.strip()
        if name := clean_stated(ordered):
            yield name, True


def _visible_names(
    tree: Any, heading: Any | None, is_person: Callable[[str], bool]
) -> Iterator[tuple[str, bool]]:
    # The first byline naming a person: under the headline, else anywhere, most specific
    # first (a person marked as the author, an author link, an author's name element, a
    # byline; document order within each). A byline crediting the site is kept aside.
    near = following(heading, HEADER_REACH) if heading is not None else iter(())
    candidates = itertools.chain(
        ((element, False) for element in near),
        ((element, True) for element in _ranked_bylines(tree)),
    )
    for element, marked in candidates:
        if names := _byline_names(element, marked=marked):
            if any(map(is_person, names)):
                yield from ((name, True) for name in names)
                return
            yield from ((name, False) for name in names)


def _ranked_bylines(tree: Any) -> Iterator[Any]:
    ranked = sorted(
        (_byline_rank(element), index, element)
        for index, element in enumerate(_BYLINES(tree))
        if _marked_author(element)
    )
    yield from (element for _, _, element in ranked[:_MAX_CANDIDATES])


def _marked_author(element: Any) -> bool:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return (
        (element.get("itemprop") or "").lower() == "author"
        or "author" in (element.get("rel") or "").lower().split()
        or "author" in marks
        or "byline" in marks
    )


def _byline_rank(element: Any) -> int:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if "author" in (element.get("itemprop") or "").lower():
        return 0
    if "author" in (element.get("rel") or "").lower().split():
        return 1
    if "author" in marks and "name" in marks:
        return 2
    return 3 if "byline" in marks else 4


def _byline_names(element: Any, *, marked: bool = False) -> list[str]:
    """The names an element gives as a byline, if it is one."""
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    if _SKIP_CLASS.search(marks):
        return []
    itemprop = (element.get("itemprop") or "").lower()
    rel = (element.get("rel") or "").lower().split()
    linked = element.tag == "a" and (
        "author" in rel or bool(_AUTHOR_HREF.search(element.get("href") or ""))
    )
    labelled = bool(element.text and BY_START.match(element.text))
    if not (
        marked or linked or labelled or "author" in itemprop or _AUTHOR_MARK.search(marks)
    ) or _in_furniture(element):
        return []
    # The names marked inside a byline: schema.org microdata (itemprop "name" in itemprop
    # "author"), hCard "fn" in "author vcard" (hAtom, WordPress themes:
    # http://microformats.org/wiki/hcard), h-card "p-name" in "p-author"; one per author.
    marked_names = [
        name
        for inner in _NAME_INSIDE(element)[:_MAX_AUTHORS]
        for name in clean_names(inner.get("content") or inner.text_content(), strict=True)
    ]
    if marked_names:
        return marked_names
    if content := element.get("content"):
        return clean_names(content, strict=True)
    if not linked:
        # A link to the author's page inside a byline names the author, not the section
        # label or the date around it.
        for link in element.iter("a"):
            rels = (link.get("rel") or "").lower().split()
            to_author = "author" in rels or _AUTHOR_HREF.search(link.get("href") or "")
            if to_author and (names := clean_names(link.text_content(), strict=True)):
                return names
    lines = _lines(element)
    if sum(len(line) for line in lines) > _MAX_BYLINE and (labelled or linked):
        return []
    # After a "By" line when there is one ("Tech" / "by" / "Jane Roe"), else from the top.
    start = next((i for i, line in enumerate(lines) if BY_START.match(line)), 0)
    if start and BY_START.fullmatch(lines[start]):
        start += 1  # the label alone on its line
    for line in lines[start : start + 3]:
        if len(line) <= _MAX_BYLINE and (names := clean_names(line, strict=True)):
            return names
    parent = element.getparent()
    if labelled and BY_START.fullmatch(element.text or "") and parent is not None:
        # "<span>By</span><span>Jane Roe</span>": the label alone, the name beside it.
        text = " ".join(" ".join(parent.itertext()).split())
        if len(text) <= _MAX_BYLINE:
            return clean_names(text, strict=True)
    return []


def _lines(element: Any) -> list[str]:
    """The element's text, a line per block element (inline elements join with a space)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        block = node.tag in _BLOCKS
        if block:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            parts.append(" " + (child.tail or ""))
        if block:
            parts.append("\n")

    walk(element)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line][:8]


def _in_furniture(element: Any) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("article", "main", "body"):
            return False  # the article's own container: what is inside it is the article's
        if ancestor.tag in _FURNITURE_TAGS or _FURNITURE.search(
            f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        ):
            return True
    return False


def _join(names: list[str]) -> str:
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(squash(name), name)
    return ", ".join(unique.values())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
