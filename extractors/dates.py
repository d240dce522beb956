"""Article dates: what a page states (JSON-LD, meta tags, <time>, htmldate), and how the
feed's date and the page's are reconciled. No network, no clock: ``now`` is passed in.

A <time> labelled as an update (class "updated", itemprop dateModified, "Updated ...")
gives the update date, not the publication date. The date shown by the headline, in
text, is extractors.datelines's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html
from htmldate import find_date

from extractors.jsonld import ARTICLE_TYPES, json_ld_objects, type_names

#: schema.org types whose dates are the article's own (https://schema.org/Article subtypes).
#: Page types: their dates are used only when no article object gives one.
PAGE_TYPES = frozenset({"webpage", "itempage"})

#: Meta tag names (name, property or itemprop, lower case), most specific first.
PUBLISHED_KEYS = (
    "article:published_time",
    "datepublished",
    "parsely-pub-date",
    "cxenseparse:publishtime",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
)
UPDATED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")

_ZONE_NAME_RE = re.compile(r"\s*(?:UTC|GMT|Z)$", re.I)

#: Words that label a date as an update, not the publication (a few languages).
UPDATED_WORDS = re.compile(
    r"updated|modified|aktualisiert|geändert|mis à jour|actualizado|actualizada|aggiornat|"
    r"bijgewerkt|atualizad|zaktualizowano|更新|수정|업데이트",
    re.I,
)


_LABEL_REACH = 40  # characters before a date that may label it ("Last updated on")
_LAST_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class PageDates:
    """The dates a page states about itself."""

    published: datetime | None  # aware UTC
    updated: datetime | None  # aware UTC
    source: str | None  # where `published` came from: "json-ld", "meta", "time", "htmldate"


@dataclass(frozen=True, slots=True)
class DateOptions:
    """Bounds for believable article dates."""

    max_future: timedelta = timedelta(hours=1)  # clock skew allowed
    earliest: datetime = datetime(1995, 1, 1, tzinfo=UTC)  # before the web news era: absurd
    # Feed and page "agree" within this: day-precise pages and time zones blur a day.
    agree_within: timedelta = timedelta(hours=36)


@dataclass(frozen=True, slots=True)
class Dating:
    """The dates chosen for an article, where they came from and why others were not."""

    published_at: datetime | None
    updated_at: datetime | None
    source: str  # "feed", "page", "feed+page" (both agree), "none"
    notes: tuple[str, ...]  # why a date was rejected or overridden


def page_dates(
    tree: lxml.html.HtmlElement,
    *,
    now: datetime | None = None,
    guess: bool = True,
    objects: Sequence[dict[str, Any]] | None = None,
    metas: Mapping[str, Sequence[str]] | None = None,
) -> PageDates:
    """The page's publication and update dates, most precise statement first.

    ``guess``: when the page states no date, ask htmldate (False where the caller has
    htmldate's answer already, as trafilatura's metadata gives it). ``objects`` and
    ``metas``: the page's JSON-LD objects and its meta tags (property, name or itemprop,
    lower case, to contents) when the caller has read them already.
    """
    published: datetime | None = None
    updated: datetime | None = None
    source: str | None = None
    for name, (pub, upd) in (
        ("json-ld", _json_ld_dates(tree, objects)),
        ("meta", _meta_dates(tree, metas)),
        ("time", _time_dates(tree)),
    ):
        if published is None and pub is not None:
            published, source = pub, name
        updated = updated or upd
        if published is not None and updated is not None:
            break
    if published is None and guess:
        published = guess_date(tree, now=now)
        source = "htmldate" if published is not None else None
    return PageDates(published=published, updated=updated, source=source)


def guess_date(
    tree: lxml.html.HtmlElement, *, now: datetime | None = None, url: str | None = None
) -> datetime | None:
    """htmldate's fast search for a date anywhere on the page (day precision), or None.

    ``url``: the page's address; a date in its path (/2026/03/02/) answers first.
    """
    # Without max_date htmldate takes the end of today from the system clock (its own
    # default). Given ``now`` it gets the end of that day instead: day-granular, as
    # htmldate's default, so its validation caches still serve many pages.
    latest = _utc(now).strftime("%Y-%m-%dT23:59:59") if now is not None else None
    try:
        found = find_date(
            tree, extensive_search=False, original_date=True, max_date=latest, url=url
        )
    except Exception:  # htmldate and lxml fail in assorted ways on junk pages
        return None
    return parse_date(found)


def parse_date(value: Any) -> datetime | None:
    """An ISO 8601 or RFC 2822 date as aware UTC (no zone means UTC), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not 4 <= len(text) <= 64:
        return None
    parsed: datetime | None = None
    for candidate in (text, _ZONE_NAME_RE.sub("+00:00", text.replace("/", "-"))):
        try:
            parsed = datetime.fromisoformat(candidate)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)  # RFC 2822, as in RSS
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 pushed over the edge by the zone
        return None


def plausible(value: datetime, now: datetime, options: DateOptions) -> str | None:
    """Why ``value`` cannot be an article's date, or None when it can."""
    value, now = _utc(value), _utc(now)
    if value > now + options.max_future:
        return f"{_iso(value)} is in the future"
    if value < options.earliest:
        return f"{_iso(value)} is before {_iso(options.earliest)}, too early for web news"
    return None


def reconcile_dates(
    feed: datetime | None,
    page: PageDates | None,
    *,
    now: datetime,
    options: DateOptions = DateOptions(),
) -> Dating:
    """Choose an article's published and updated dates from the feed's and the page's."""
    notes: list[str] = []

    def keep(value: datetime | None, what: str) -> datetime | None:
        if value is None:
            return None
        reason = plausible(value, now, options)
        if reason is not None:
            notes.append(f"{what} {reason}; ignored")
            return None
        return _utc(value)

    feed_date = keep(feed, "feed date")
    page_date = keep(page.published if page else None, "page date")
    page_updated = keep(page.updated if page else None, "page updated date")

    later: datetime | None = None  # the other date, when feed and page disagree
    disagreement = ""
    if feed_date is not None and page_date is not None:
        if abs(feed_date - page_date) <= options.agree_within:
            # The feed's is usually to the second; a day-precise one is midnight exactly.
            precise_page = _has_time(page_date) and not _has_time(feed_date)
            published: datetime | None = page_date if precise_page else feed_date
            source = "feed+page"
        else:
            published, later = min(feed_date, page_date), max(feed_date, page_date)
            source = "feed" if feed_date < page_date else "page"
            disagreement = (
                f"feed date {_iso(feed_date)} and page date {_iso(page_date)} disagree; "
                f"the earlier ({source}) is taken as published"
            )
    elif feed_date is not None or page_date is not None:
        published = feed_date or page_date
        source = "feed" if feed_date is not None else "page"
    else:
        published, source = None, "none"

    updated = later
    stale = ""
    if page_updated is not None:
        if published is not None and page_updated < published:
            stale = (
                f"page updated date {_iso(page_updated)} is before the publication date "
                f"{_iso(published)}; ignored"
            )
        elif later is None or page_updated > later:
            updated = page_updated
    if disagreement:
        other = "page" if source == "feed" else "feed"
        notes.append(
            disagreement + (f", the later ({other}) as updated" if updated == later else "")
        )
    if stale:
        notes.append(stale)
    return Dating(published_at=published, updated_at=updated, source=source, notes=tuple(notes))


def notes_with_source(dating: Dating, page_source: str | None) -> tuple[str, ...]:
    """The reconciliation's notes, and where on the page its date was read when it was used."""
    if page_source and "page" in dating.source:
        return (*dating.notes, f"page date from {page_source}")  # json-ld, meta, time, htmldate
    return dating.notes


def _json_ld_dates(
    tree: Any, objects: Sequence[dict[str, Any]] | None = None
) -> tuple[datetime | None, datetime | None]:
    found: dict[bool, list[tuple[datetime | None, datetime | None]]] = {True: [], False: []}
    for node in json_ld_objects(tree) if objects is None else objects:
        kinds = type_names(node)
        is_article = not kinds.isdisjoint(ARTICLE_TYPES)
        if not is_article and kinds.isdisjoint(PAGE_TYPES):
            continue
        pub = _json_date(node.get("datePublished")) or _json_date(node.get("dateCreated"))
        upd = _json_date(node.get("dateModified"))
        if pub is not None or upd is not None:
            found[is_article].append((pub, upd))
    # Article objects first, in document order; a WebPage's dates only when none has one.
    ordered = found[True] + found[False]
    pub = next((p for p, _ in ordered if p is not None), None)
    upd = next((u for _, u in ordered if u is not None), None)
    return pub, upd


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _json_date(value: Any) -> datetime | None:
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("@value")
        parsed = parse_date(item)
        if parsed is not None:
            return parsed
    return None


def _meta_dates(
    tree: Any, metas: Mapping[str, Sequence[str]] | None = None
) -> tuple[datetime | None, datetime | None]:
    values: dict[str, list[str]] = {}
    if metas is not None:  # copies: the caller's lists are not added to
        values = {key: list(metas.get(key, ())) for key in (*PUBLISHED_KEYS, *UPDATED_KEYS)}
    else:
        for element in tree.iter("meta"):
            key = element.get("property") or element.get("name") or element.get("itemprop")
            values.setdefault((key or "").strip().lower(), []).append(element.get("content") or "")
    # itemprop (microdata) may sit on any element, its value in content or datetime.
    for element in tree.xpath("//*[@itemprop][not(self::meta)]"):
        key = (element.get("itemprop") or "").strip().lower()
        if key in ("datepublished", "datemodified"):
            values.setdefault(key, []).append(
                element.get("content") or element.get("datetime") or ""
            )
    return _first_date(values, PUBLISHED_KEYS), _first_date(values, UPDATED_KEYS)


def _first_date(values: dict[str, list[str]], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        for value in values.get(key, ()):
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def _time_dates(tree: Any) -> tuple[datetime | None, datetime | None]:
    published: datetime | None = None
    updated: datetime | None = None
    for element in tree.iter("time"):  # document order
        # A <time> in an <article>, or one marked as the page's (HTML 4 draft "pubdate",
        # microdata); elsewhere a <time> may date anything (a sidebar's posts, an event).
        if element.get("datetime") is None or not (
            element.get("pubdate") is not None
            or element.get("itemprop") is not None
            or any(ancestor.tag == "article" for ancestor in element.iterancestors())
        ):
            continue
        parsed = parse_date(element.get("datetime"))
        if parsed is None:
            continue
        # <time class="updated">, itemprop="dateModified" or "Updated May 3": not the
        # publication date (hAtom "updated" vs "published", schema.org dateModified).
        label = " ".join(
            (
                element.get("class") or "",
                element.get("itemprop") or "",
                label_before(element),
                element.text_content(),
            )
        )
        if UPDATED_WORDS.search(label):
            updated = updated or parsed
        elif published is None:
            published = parsed
        if published is not None and updated is not None:
            break
    return published, updated


def label_before(element: Any) -> str:
    """The text just before ``element`` in its line ("Updated:" before "<time>May 3</time>").

    Pages often print the label in an element of its own beside the date; the parent's
    text up to the element is read, or the grandparent's when the parent has none there,
    from the end of any date before it.
    """
    node = element
    for _ in range(2):
        parent = node.getparent()
        if parent is None:
            return ""
        parts: list[str] = []  # nearest first, read back to front
        for sibling in node.itersiblings(preceding=True):
            parts.append(sibling.tail or "")
            parts.append(sibling.text_content() if isinstance(sibling.tag, str) else "")
            if sum(map(len, parts)) >= _LABEL_REACH:
                break
        else:
            parts.append(parent.text or "")
        text = " ".join("".join(reversed(parts)).split())
        if text:
            # After the date before it, if any: "Updated March 5, <time>March 2</time>"
            # labels March 5 only.
            return _LAST_DIGIT.split(text[-_LABEL_REACH:])[-1]
        node = parent
    return ""


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _has_time(value: datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0)


def _iso(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
