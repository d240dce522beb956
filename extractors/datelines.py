"""The date a page shows its readers by the headline ("Published Dec. 3, 2025"). Pure.

Pages that state no date as data (JSON-LD, meta tags, <time datetime>) still print one
in a date line by the headline. The walk (extractors.nearby) looks, in this order:

    1. the elements right under the headline (a byline with its date),
    2. the elements right above it (a date line over the title),
    3. further down (an author box after the lede), up to a bound;

in elements marked as a date line (<time>, or class or id with "date", "time",
"publish", "posted", "updated", "byline", "meta"), or, close to the headline, in a short
unmarked line. A date above and far from the headline is the site's header (today's
date, a ticker) and is not read. A publication date is preferred to an update date
shown in the same place ("Updated ..." is known in a few languages, on the date's own
element or just before it: "<span>Last updated:</span> <time>...").

Each date found says whether it sits in the article's header (under the headline
before the text begins, or above it inside the same small header block) and whether it
is written unambiguously (a month name, year first, or CJK: "03/04/25" is March or April
depending on the site's country); extractors.metadata weighs a shown date against the
page's data with these.

Text is parsed by htmldate's own rules (ISO and numeric forms, month names in English,
French, German, Indonesian and Turkish), full dates only (htmldate also reads a year
and month alone as day 1), plus the CJK form (2025年12月17日, 2025년 12월 17일).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from htmldate.extractors import LONG_TEXT_PATTERN, YMD_PATTERN, custom_parse

from extractors.dates import UPDATED_WORDS, label_before, parse_date
from extractors.nearby import (
    HEADER_REACH,
    WALK_LIMIT,
    following,
    headline_element,
    preceding,
)

#: Class or id words of the elements that hold a date line.
_DATE_MARK = re.compile(r"date|time|publish|posted|updated|byline|meta", re.I)
# Elements from the headline where an unmarked short line may be the date, and where the
# article's header ends at the latest.
_UNMARKED_REACH = 40
_MAX_UNMARKED = 60  # characters: an unmarked date line is short ("December 3, 2025")
_MAX_DATE_LINE = 160  # characters: longer is a paragraph or a container, not a date line
_EARLIEST = datetime(1995, 1, 1)  # noqa: DTZ001 - htmldate compares naive datetimes
_LATEST = datetime(2100, 1, 1)  # noqa: DTZ001 - no clock read: a bound when no now is given
_DIGIT = re.compile(r"\d")
_CJK_DATE = re.compile(r"((?:19|20)\d\d)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})")
# "Dec. 3" and "Sept. 3" (AP style) read as "Dec 3" and "Sep 3" by htmldate's month names.
_ABBREVIATION = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)t?\.", re.I)
# Day and month both in digits, day or month first: "03/04/25" (year first is ISO order).
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.]\d{2,4}(?!\d)")
#: A paragraph this long under the headline is the article's text: its header ends there.
_TEXT_PARAGRAPH = 150
#: Characters of text (besides the headline's) in the block that holds both the headline
#: and a date above it, for that date to be the article's (a masthead date is farther).
_HEADER_BLOCK = 600


class ShownDate(NamedTuple):
    """The day a page shows by its headline, and what the page says about it."""

    value: datetime  # aware UTC, midnight: a shown date is a day
    updated: bool  # "Updated", "Aktualisiert", "更新", ...
    in_header: bool = False  # in the article's header, by the headline
    ambiguous: bool = False  # day and month in digits ("03/04/25")


def shown_date(
    tree: Any,
    *,
    heading: Any | None = None,
    now: datetime | None = None,
    header_only: bool = False,
) -> ShownDate | None:
    """The date in the date line by the headline (``heading``, else the first <h1>).

    ``header_only``: look in the article's header only (where a date may be weighed
    against the page's data), not further down the page.
    """
    start = heading if heading is not None else headline_element(tree)
    if start is None:
        return None
    latest = _LATEST
    if now is not None:
        latest = (now.astimezone(UTC) + timedelta(days=1)).replace(tzinfo=None)
    after = list(following(start, _UNMARKED_REACH if header_only else WALK_LIMIT))
    zones = [after[:HEADER_REACH], list(preceding(start))]
    if not header_only:
        zones.append(after[HEADER_REACH:])
    text_started = False  # a paragraph of the article's text passed: the header is over
    updated: ShownDate | None = None
    for zone, elements in enumerate(zones):
        for index, element in enumerate(elements):
            if zone == 0 and not text_started and element.tag == "p":
                text_started = len(element.text_content()) >= _TEXT_PARAGRAPH
            if found := _date_line(element, index < _UNMARKED_REACH, latest):
                header = (zone == 0 and index < _UNMARKED_REACH and not text_started) or (
                    zone == 1 and _same_block(start, element)
                )
                if header_only and not header:
                    continue
                found = found._replace(in_header=header)
                if not found.updated:
                    return found
                updated = updated or found
        if updated is not None:
            return updated
    return None


def text_date(text: str, *, latest: datetime = _LATEST) -> datetime | None:
    """A full date written in text ("Updated Dec. 3, 2025", "2025-12-03"), as aware UTC."""
    if not text or not _DIGIT.search(text):
        return None
    if match := _CJK_DATE.search(text):
        try:
            return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
        except ValueError:
            return None
    text = _ABBREVIATION.sub(r"\1", text[:_MAX_DATE_LINE])
    if not (YMD_PATTERN.search(text) or LONG_TEXT_PATTERN.search(text)):
        return None
    try:
        found = custom_parse(text, "%Y-%m-%d", _EARLIEST, latest)
    except (ValueError, OverflowError):  # dateutil on odd digit runs
        return None
    return parse_date(found)


def _date_line(element: Any, near: bool, latest: datetime) -> ShownDate | None:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    marked = element.tag == "time" or bool(_DATE_MARK.search(marks))
    if not (marked or near):
        return None
    text = _short_text(element, _MAX_DATE_LINE if marked else _MAX_UNMARKED)
    if text is None:
        return None
    stated = element.get("datetime") or ""
    found = text_date(stated, latest=latest)
    written = stated if found is not None else text
    found = found or text_date(text, latest=latest)
    if found is None:
        return None
    label = f"{label_before(element)} {text} {marks}"
    ambiguous = any(
        int(first) <= 12 and int(second) <= 12 and first != second
        for first, second in _NUMERIC_DATE.findall(written)
    )
    return ShownDate(found, bool(UPDATED_WORDS.search(label)), ambiguous=ambiguous)


def _short_text(element: Any, limit: int) -> str | None:
    """The element's text, or None when longer than ``limit`` (read no further than that)."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > 2 * limit:  # white space counts here, not once collapsed
            return None
        parts.append(piece)
    text = " ".join("".join(parts).split())
    return text if len(text) <= limit else None


def _same_block(heading: Any, element: Any) -> bool:
    """Whether ``element`` (above the headline) is in a small block with the headline."""
    around = {id(ancestor) for ancestor in element.iterancestors()}
    for ancestor in heading.iterancestors():
        if id(ancestor) in around:
            if ancestor.tag in ("body", "html"):
                return False
            extra = len(ancestor.text_content()) - len(heading.text_content())
            return extra <= _HEADER_BLOCK
    return False
