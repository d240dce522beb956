"""An article's headline, chosen among the titles its page states. Pure.

A page states its title several times: the visible headline (an ``<h1>``), JSON-LD's
``headline``, og:/twitter:/parsely/Dublin Core titles and ``<title>``. They differ: SEO
titles reword the headline, ``<title>`` adds the site's name ("Headline | Site",
"Site - Headline"), and some pages' ``<h1>`` is the site's or a section's name.

    1. Site names (og:site_name, the publisher, the host, any domain name) are never a
       title, and are cut from either end of one ("Site: Headline" too). An <h1> that is
       only the site's part of a metadata title is a site name too (a blog's name over
       every post).
    2. The visible headline wins when the metadata agrees with it: the <h1> sharing the
       most words with a metadata title, at least half of the shorter one's and two
       words (one common word, a brand or "News", is no agreement).
    3. Else the first metadata title, most specific first (JSON-LD, og:title, ...,
       <title>); with no metadata title, the first <h1>.

Words are ``\\w+`` runs, so the rules hold in any script: CJK text without spaces
compares as runs of characters between punctuation, and lengths are counted in
characters where word counts would mislead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

#: A headline agrees with a metadata title when this share of the shorter one's words
#: is in the other (SEO titles reword the visible headline; a section name shares none).
AGREEMENT = 0.5

_WORD = re.compile(r"\w+")
# "Headline | Site", "Site - Headline", "Headline :: Site", "标题_频道_网站".
_SEPARATOR = re.compile(
    r"(\s+[|\u2013\u2014\u2022\u00b7\u00bb\u00ab~/:-]\s+|\s*\|\s*|\s+(?:::|--)\s+|\s*_\s*(?=\S))"
)
# A site's address standing for its name ("Headline - example.com", "www.example.co.uk").
# Generic top-level domains only, as "Node.js" or "Vue.js" may name a headline's subject.
_DOMAIN = re.compile(
    r"www\.(?:[a-z0-9-]+\.)+[a-z]{2,}|(?:[a-z0-9-]+\.)+"
    r"(?:com|org|net|edu|gov|info|io|co|news|biz|tv|me|ai|app|blog)(?:\.[a-z]{2})?",
    re.I,
)
_EDGES = " |-\u2013\u2014:\u00b7\u2022_"  # separators left at a title's ends
_PREFIX = re.compile(r"([^:|]{2,40}):\s+(?=\S)")
_COLON = re.compile(r"(?<=\w):\s+")  # "Lakeside Notes: Why the ferry is late"


def choose_title(
    stated: list[str], headings: list[str], sites: frozenset[str]
) -> tuple[str | None, str | None]:
    """The headline, and the <h1> text it was taken from (None when from metadata).

    ``stated``: the metadata titles, most specific first; ``headings``: the <h1> texts in
    document order; ``sites``: the site's names, squashed (see ``squash``).
    """
    # A "site name" that is the page's whole <title> (the last stated) is the headline
    # misfiled (application-name set to it); og:title may be the site's name on a page.
    sites = sites - {squash(stated[-1])} if stated else sites
    sites = sites | _heading_sites(stated, headings, sites)
    titles = _unique(
        t for t in (strip_site(s, sites) for s in stated) if t and not is_site(t, sites)
    )
    candidates = [h for h in headings if not is_site(h, sites)]
    if not titles:
        return (strip_site(candidates[0], sites), candidates[0]) if candidates else (None, None)
    best, score = None, 0.0
    for heading in candidates:
        agreement = max(_agreement(heading, title) for title in titles)
        if agreement > score:
            best, score = heading, agreement
    if best is not None and score >= AGREEMENT:
        return strip_site(best, sites), best
    return titles[0], None


def strip_site(title: str, sites: frozenset[str]) -> str:
    """The title without a site name before or after it ("Headline | Site" -> "Headline")."""
    # "Site: Headline" (a colon right after the name, where separators have spaces): the
    # name itself, not a phrase holding it ("Corti introduces GIM: ...").
    prefix = _PREFIX.match(title)
    if prefix and (is_site(prefix[1], sites) or _DOMAIN.fullmatch(prefix[1].strip())):
        title = title[prefix.end() :]
    parts = _SEPARATOR.split(title)
    segments, separators = parts[0::2], parts[1::2]
    start, end = 0, len(segments)
    # A site name sits at either end; the headline in between may hold separators itself.
    while end - start > 1 and is_site(segments[end - 1], sites, edge=True):
        end -= 1
    while end - start > 1 and is_site(segments[start], sites, edge=True):
        start += 1
    kept = [segments[start]]
    for index in range(start + 1, end):
        kept.extend((separators[index - 1], segments[index]))
    return " ".join("".join(kept).split()).strip(_EDGES)


def is_site(text: str, sites: frozenset[str], *, edge: bool = False) -> bool:
    """Whether ``text`` is one of the site's names (``edge``: a segment at a title's end)."""
    key = squash(text)
    if not key:
        return edge  # an empty end segment ("Headline |") goes too
    if key in sites or (edge and _DOMAIN.fullmatch(text.strip())):
        return True
    # An end segment that carries the site's name in it ("Booking.com for Business").
    return edge and len(text.split()) <= 4 and any(len(s) >= 4 and s in key for s in sites)


def squash(text: str) -> str:
    """Lower case letters and digits only: "The Daily Bugle" and "thedailybugle" alike."""
    return re.sub(r"[\W_]+", "", html.unescape(text).casefold())


def _heading_sites(stated: list[str], headings: list[str], sites: frozenset[str]) -> frozenset[str]:
    """Headings that are only the site's part of a metadata title.

    A blog's <h1> is often its own name, the part its <title> adds to every post's
    headline: after it ("Why the ferry is late | Lakeside Notes"), or before it when it
    holds the site's known name ("Lakeside Notes: Why the ferry is late" on
    lakeside.example). Not when the rest of that title is the site's name, nor when a
    metadata title is the heading itself: then the heading is the headline.
    """
    whole = {squash(title) for title in stated} | {squash(strip_site(t, sites)) for t in stated}
    found: set[str] = set()
    for title in stated:
        segments = _SEPARATOR.split(title)[0::2]
        if len(segments) < 2:
            segments = _COLON.split(title, maxsplit=1)
        if len(segments) < 2:
            continue
        edges = [(segments[-1], segments[:-1])]
        if any(len(site) >= 4 and site in squash(segments[0]) for site in sites):
            edges.append((segments[0], segments[1:]))
        for edge, rest in edges:
            key = squash(edge)
            if (
                key
                and key not in whole
                and 2 * len(key) < len(squash(title))  # characters: CJK has no spaces
                and not all(is_site(segment, sites, edge=True) for segment in rest)
                and any(squash(h) == key for h in headings)
            ):
                found.add(key)
    return frozenset(found)


def _agreement(heading: str, title: str) -> float:
    ours, theirs = set(_WORD.findall(heading.lower())), set(_WORD.findall(title.lower()))
    shared = len(ours & theirs)
    if not shared or (shared < 2 and min(len(ours), len(theirs)) > 1):
        return 0.0  # one common word ("News", a brand) is no agreement
    return shared / min(len(ours), len(theirs))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
