"""Walks through a parsed page from its headline: where bylines and date lines sit. Pure.

A byline and a date line follow the headline within a few dozen elements; a walk of a
bounded number of elements after it finds them in time that does not grow with the
page, and never reaches the related-article lists and footers further down.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

#: Elements visited after the headline before giving up.
WALK_LIMIT = 400
#: Elements after the headline that make its header: the byline and the date line sit
#: there (in the reviewed corpus, every byline found by the headline was within 60).
HEADER_REACH = 60
#: Elements visited before the headline (a kicker, a date line above it).
BACK_LIMIT = 30


def headline_element(tree: Any, text: str | None = None) -> Any | None:
    """The <h1> whose text is ``text`` (the chosen headline), else the page's first <h1>."""
    first = None
    for heading in tree.iter("h1"):
        if first is None:
            first = heading
        if text is not None and " ".join(heading.text_content().split()) == text:
            return heading
    return first


def following(element: Any, limit: int = WALK_LIMIT) -> Iterator[Any]:
    """The elements after ``element`` in document order (not inside it), at most ``limit``."""
    return islice(_walk(element, backward=False), limit)


def preceding(element: Any, limit: int = BACK_LIMIT) -> Iterator[Any]:
    """The elements before ``element`` (not its ancestors), nearest first, at most ``limit``."""
    return islice(_walk(element, backward=True), limit)


def _walk(element: Any, *, backward: bool) -> Iterator[Any]:
    node = element
    while node is not None:
        for sibling in node.itersiblings(preceding=backward):
            items = reversed(list(sibling.iter())) if backward else sibling.iter()
            # Comments and processing instructions are no elements to read.
            yield from (item for item in items if isinstance(item.tag, str))
        node = node.getparent()
