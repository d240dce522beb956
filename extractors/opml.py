"""OPML 2.0 subscription lists (http://opml.org/spec2.opml): read and write. No network."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from extractors.errors import InvalidURLError, OPMLError
from extractors.urls import check_url


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed in a subscription list."""

    url: str
    title: str | None = None
    site_url: str | None = None


def _parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: an OPML file is untrusted input.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_opml(content: bytes) -> list[Subscription]:
    """Feeds listed in an OPML document (nested outlines included), in order, once each.

    Raises OPMLError when the document is not OPML or lists no feed.
    """
    if b"<!ENTITY" in content or "<!ENTITY".encode("utf-16-le") in content:
        # lxml expands internal entities even with resolve_entities=False: refuse any
        # entity declaration (billion laughs), as defusedxml does.
        raise OPMLError("opml: entity declarations are not allowed")
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise OPMLError(f"opml: not well-formed XML: {exc}") from exc
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise OPMLError("opml: the document's root element is not <opml>")
    seen: set[str] = set()
    found: list[Subscription] = []
    for outline in root.iter("{*}outline", "outline"):
        raw_url = outline.get("xmlUrl") or outline.get("xmlurl")
        if not raw_url:
            continue  # a folder or a plain outline
        try:
            url = check_url(raw_url)
        except InvalidURLError as exc:
            raise OPMLError(
                f"opml: outline {outline.get('text')!r} has a bad xmlUrl: {exc}"
            ) from exc
        if url in seen:
            continue
        seen.add(url)
        title = outline.get("title") or outline.get("text")
        found.append(Subscription(url=url, title=title or None, site_url=outline.get("htmlUrl")))
    if not found:
        raise OPMLError("opml: no feeds found (no <outline> with an xmlUrl attribute)")
    return found


def render_opml(subscriptions: Iterable[Subscription], *, title: str = "newsflow feeds") -> bytes:
    """An OPML 2.0 document listing the subscriptions."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for sub in subscriptions:
        attrs = {"type": "rss", "text": sub.title or sub.url, "xmlUrl": sub.url}
        if sub.title:
            attrs["title"] = sub.title
        if sub.site_url:
            attrs["htmlUrl"] = sub.site_url
        etree.SubElement(body, "outline", attrs)
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return result
