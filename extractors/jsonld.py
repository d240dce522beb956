"""JSON-LD blocks of a page, read leniently: the structured data pages state. Pure."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

#: schema.org types of an article (lower case, without the schema.org prefix).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "analysisnewsarticle",
        "askpublicnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reportagenewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "satiricalarticle",
        "techarticle",
        "scholarlyarticle",
    }
)

_MAX_JSON_NODES = 5000  # a JSON-LD block bigger than this is not walked further
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


def json_ld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks, each block breadth first."""
    yield from all_objects(json_ld_blocks(tree))


def page_objects(tree: Any) -> Iterator[dict[str, Any]]:
    """The objects a page's JSON-LD states about the page itself: top level and ``@graph``.

    Objects nested in them (an article's author, a review's product) are left out.
    """
    yield from top_objects(json_ld_blocks(tree))


def json_ld_blocks(tree: Any) -> list[Any]:
    """The parsed JSON of each of the page's JSON-LD blocks (None for one that does not parse)."""
    return [
        _load_json(script.text or "")
        for script in tree.iter("script")
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"
    ]


def all_objects(blocks: list[Any]) -> Iterator[dict[str, Any]]:
    """Every JSON object of parsed JSON-LD blocks, each block breadth first."""
    for data in blocks:
        yield from _json_objects(data)


def top_objects(blocks: list[Any]) -> Iterator[dict[str, Any]]:
    """The top-level and ``@graph`` objects of parsed JSON-LD blocks (see ``page_objects``)."""
    for data in blocks:
        for item in _as_list(data):
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if "@type" in item or not isinstance(graph, list):
                yield item
            if isinstance(graph, list):
                yield from (node for node in graph if isinstance(node, dict))


def type_names(node: dict[str, Any]) -> set[str]:
    """The object's ``@type`` names, lower case, without a schema.org prefix."""
    return {_type_name(kind) for kind in _as_list(node.get("@type"))} - {""}


def _load_json(text: str) -> Any:
    # Pages wrap JSON-LD in HTML comments or CDATA, put raw newlines in strings
    # (strict=False allows them) and leave trailing commas.
    cleaned = text
    for wrapper in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        cleaned = cleaned.replace(wrapper, "")
    cleaned = cleaned.strip().rstrip(",;")
    for attempt in (cleaned, _TRAILING_COMMA_RE.sub(r"\1", cleaned)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _json_objects(data: Any) -> Iterator[dict[str, Any]]:
    # Breadth first: the page's own top-level objects (and its @graph) come before
    # the related articles nested inside them.
    queue: deque[Any] = deque([data])
    seen = 0
    while queue and seen < _MAX_JSON_NODES:
        item = queue.popleft()
        seen += 1
        if isinstance(item, list):
            queue.extend(item)
        elif isinstance(item, dict):
            yield item
            queue.extend(value for value in item.values() if isinstance(value, list | dict))


def _type_name(value: Any) -> str:
    # "NewsArticle", "schema:NewsArticle" and "https://schema.org/NewsArticle" alike.
    return re.split(r"[/:#]", value)[-1].strip().lower() if isinstance(value, str) else ""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
