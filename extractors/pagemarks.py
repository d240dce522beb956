"""What a page's markup says about its kind, read for extractors.pagetype. Pure.

Each reader looks for one kind of evidence and says nothing about what it means:

- structured data: the schema.org types the page declares for itself (top-level
  JSON-LD objects and ``@graph`` members, top-level microdata items), apart from the
  types of what it merely mentions (the product an article reviews, a post's author);
- a date written under the headline (an article's date line);
- the section the page's canonical URL files it under (``/threads/``, ``/docs/``,
  ``/category/``), or the site's root (a home page);
- repeated blocks: runs of sibling elements built alike (``<li class="tile">`` x 20)
  outside the navigation, with what their members hold: links, dates, prices;
- shop controls (add-to-cart buttons, quantity fields), code blocks, and calls to
  action ("Get started", "Contact sales") outside the navigation.

The readers select elements with XPath where they can: a Python loop over every
element of a big page costs more than all the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import lxml.etree

from extractors.jsonld import type_names

#: Containers whose repeated children are furniture or form controls, never content.
_FURNITURE = ("nav", "header", "footer", "aside", "select", "head", "menu")
_OUTSIDE_FURNITURE = " or ".join(f"ancestor-or-self::{tag}" for tag in _FURNITURE)
#: Tags of repeated blocks that can be items of a list (a post, a teaser, a product tile).
_ITEM_TAGS = frozenset({"div", "li", "article", "section", "tr", "dl", "table"})
#: Elements with three children of one item tag, outside the furniture: the parents a run
#: of alike blocks can have. The cheap tests first: most elements fail ``*[3]``.
_PARENTS = lxml.etree.XPath(
    f"//*[*[3]][{' or '.join(f'{tag}[3]' for tag in sorted(_ITEM_TAGS))}]"
    f"[not({_OUTSIDE_FURNITURE})]"
)
#: A block shorter than this holds no item worth counting (an icon, a spacer).
_MIN_ITEM_TEXT = 20
#: Characters of a block's text searched for a date or a price (a tile's or post's head).
_HEAD_CHARS = 300
#: Repeated groups kept per page, the largest by text first.
MAX_GROUPS = 8

_VISIBLE_TEXT = lxml.etree.XPath(
    "descendant-or-self::text()[not(ancestor::script or ancestor::style or ancestor::template)]"
)
# Plain strings: lxml's default "smart" strings keep a reference to their element, and
# making one costs more than the test it serves.
_TOP_ITEMTYPES = lxml.etree.XPath(
    "//*[@itemscope][not(ancestor::*[@itemscope])]/@itemtype", smart_strings=False
)
_ITEMTYPES = lxml.etree.XPath("//@itemtype", smart_strings=False)
_TEXT_AFTER = lxml.etree.XPath(
    "following::text()[position() <= 60][not(parent::script or parent::style)]"
)
#: Elements after the <h1> searched for a date line: the head of a story, not its body.
_ELEMENTS_AFTER = lxml.etree.XPath("following::*[position() <= 80]")
_DATE_LINE = re.compile(r"date|time|byline|posted|publish|meta", re.I)
_MAX_DATE_LINE = 160  # characters: longer is a paragraph or a container, not a date line

_MONTHS = (
    r"jan(?:uary|vier|uar|eiro)?|feb(?:ruary|braio|ruar)?|f[ée]v(?:rier)?|mar(?:ch|s|zo|ço)?|"
    r"m[äa]rz|apr(?:il|ile)?|avr(?:il)?|abr(?:il)?|may|mai|mayo|maggio|jun[ei]?|juin|junho|"
    r"giugno|jul[iy]?|juil(?:let)?|julho|luglio|aug(?:ust)?|ao[ûu]t|ago(?:sto)?|sep(?:t|tember|"
    r"tembre|tiembre)?|set(?:embro|tembre)?|o[ck]t(?:ober|obre|ubre|ubro)?|ott(?:obre)?|"
    r"nov(?:ember|embre|iembre|embro)?|de[cz](?:ember|embre|iembre|embro)?|dic(?:embre)?|dez"
)
#: A full date as people write it: "March 3, 2026", "3 mars 2026", "2026-03-03", "03/03/2026".
DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?(?:19|20)\d\d"
    r"|(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}\b|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d\b)"
    r"|(?:19|20)\d\d\s*[年년]\s*\d{1,2}\s*[月월]",
    re.I,
)
_YEAR = re.compile(r"(?:19|20)\d\d")  # every DATE has one: a cheap test first
#: A price: a currency sign or code next to an amount.
PRICE = re.compile(
    r"(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|AUD|CAD|Rs\.?))\s?\d[\d,.]*"
    r"|\b\d[\d,.]*\s?(?:[€£₹]|zł|kr\b|(?:USD|EUR|GBP|CHF)\b)"
)
_BUY = re.compile(
    r"add to (?:cart|bag|basket|trolley)|buy (?:it )?now|in den warenkorb|ajouter au panier|"
    r"añadir al carrito|aggiungi al carrello|in winkelwagen",
    re.I,
)
#: Path segments that name a section of non-articles. Words that also name sections of
#: stories ("features", "topics", "events", "archive", "collection", "wiki") are left out.
_SECTIONS = MappingProxyType(
    {
        **dict.fromkeys(("thread", "threads", "forum", "forums", "viewtopic", "t"), "forum"),
        "questions": "forum",
        **dict.fromkeys(("doc", "docs", "documentation", "manual", "reference"), "documentation"),
        **dict.fromkeys(
            ("kb", "knowledgebase", "knowledge-base", "help", "support"), "documentation"
        ),
        **dict.fromkeys(
            ("category", "categories", "tag", "tags", "author", "search", "browse"), "index"
        ),
        **dict.fromkeys(("product", "products", "shop", "store"), "product"),
        **dict.fromkeys(("service", "services", "pricing"), "service"),
    }
)
#: Last path segments of a section's front page, which lists its stories.
_FRONTS = frozenset({"news", "blog", "articles", "stories", "latest", "posts"})
_QUANTITY = re.compile(r"qty|quantity|quantit", re.I)
_CODE_MARKS = re.compile(r"code|highlight|language-|lang-|syntax|hljs|prism|brush|shell|console")
#: Characters program code is full of and prose rarely has: a block without any is prose
#: in a code element (site builders put embeds and captions in ``<pre><code>``).
_CODE_CHARS = re.compile(r"[{}\[\]()=;<>$_\\|/#*]")
_CALL_TO_ACTION = re.compile(
    r"(?:get started|get (?:a |your )?(?:free )?(?:quote|demo|estimate|consultation)|"
    r"contact (?:us|sales|our team)|talk to (?:an? |our )?(?:expert|sales|specialist|team)|"
    r"request (?:a |more )?(?:info(?:rmation)?|quote|demo|consultation|call)|book (?:a |your )"
    r"(?:demo|call|consultation|appointment)|start (?:a |your )?free trial|try (?:it )?(?:for )?"
    r"free|schedule (?:a |your )?(?:demo|call|consultation|visit)|apply now|sign up free|"
    r"let'?s talk|get in touch)\W*$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Group:
    """A run of sibling blocks built alike (same tag and class), and what they hold."""

    texts: tuple[str, ...]  # each member's text, whitespace collapsed
    linked: float  # share of members with a link
    dated: float  # share of members with a date (a <time> or a written date)
    priced: float  # share of members with a price

    @property
    def size(self) -> int:
        """How many members the group has."""
        return len(self.texts)

    @property
    def mean_chars(self) -> float:
        """Mean text length of a member."""
        return sum(len(text) for text in self.texts) / len(self.texts)


def declared_types(
    tree: Any, objects: list[dict[str, Any]], *, microdata: bool = True
) -> frozenset[str]:
    """What the page says it is: types of top-level JSON-LD objects (and of their
    ``mainEntity``: a WebPage whose main entity is a thread is a thread) and of top-level
    microdata items. ``microdata=False`` (the page has no ``itemtype``) skips looking for items.
    """
    main: set[str] = set()
    for item in objects:
        main |= type_names(item)
        entity = item.get("mainEntity")
        for node in entity if isinstance(entity, list) else [entity]:
            if isinstance(node, dict):
                main |= type_names(node)
    for value in _TOP_ITEMTYPES(tree) if microdata else ():
        main |= {_schema_name(name) for name in str(value).split()}
    return frozenset(main - {""})


def item_types(tree: Any) -> Counter[str]:
    """How many microdata items of each type the page holds (nested ones included)."""
    return Counter(_schema_name(name) for value in _ITEMTYPES(tree) for name in str(value).split())


def headline_dated(tree: Any, *, chars: int = 400) -> bool:
    """Whether the page writes a date under its headline (an article's date line).

    Looked for in the text right after the first <h1> and in the date-like elements
    (a <time>, a class or id with "date", "byline", "posted", "meta") among the
    elements that follow it: when the <h1> is the site's logo, the story's headline and
    date line come a little further down.
    """
    heading = tree.find(".//h1")
    if heading is None:
        return False
    seen: list[str] = [heading.text_content()]
    total = len(seen[0])
    for text in _TEXT_AFTER(heading):
        seen.append(text)
        total += len(text)
        if total >= chars:
            break
    if has_date(" ".join(" ".join(seen).split())[: chars + 200]):
        return True
    for element in _ELEMENTS_AFTER(heading):
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element.tag != "time" and not _DATE_LINE.search(marks):
            continue
        text = " ".join(element.text_content().split())
        if len(text) <= _MAX_DATE_LINE and (
            has_date(text) or has_date(element.get("datetime") or "")
        ):
            return True
    return False


def url_section(url: str) -> str | None:
    """What the path of a page's canonical URL files it under: "home" for the site's root,
    "front" for a stories section's front (``/news/``, ``/blog``), else "forum",
    "documentation", "index", "product" or "service" for a path segment that names such a
    section (``/threads/``, ``/docs/``, ``/category/``), else None.
    """
    parts = urlsplit(url.strip())
    segments = [part.split(".")[0] for part in parts.path.lower().split("/") if part]
    if not segments or segments == ["index"]:
        return None if parts.query else "home"
    if segments[-1] in _FRONTS:
        return "front"
    return next((_SECTIONS[part] for part in segments if part in _SECTIONS), None)


def has_date(text: str) -> bool:
    """Whether the text holds a full date (day, month and year)."""
    return bool(_YEAR.search(text)) and bool(DATE.search(text))


def repeated_groups(tree: Any) -> tuple[Group, ...]:
    """The page's runs of alike sibling blocks outside its furniture, largest first."""
    found: list[tuple[int, list[Any], tuple[str, ...]]] = []
    for parent in _PARENTS(tree):
        children = [child for child in parent if isinstance(child.tag, str)]
        signature, size = Counter(
            (child.tag, child.get("class") or "") for child in children
        ).most_common(1)[0]
        if size < 3 or signature[0] not in _ITEM_TAGS:
            continue
        members = [c for c in children if (c.tag, c.get("class") or "") == signature]
        texts = tuple(visible_text(member) for member in members)
        if sum(len(text) >= _MIN_ITEM_TEXT for text in texts) < 3:
            continue
        found.append((sum(len(text) for text in texts), members, texts))
    found.sort(key=lambda run: -run[0])
    # What the members hold is read for the groups kept only.
    return tuple(_group(members, texts) for _, members, texts in found[:MAX_GROUPS])


def _group(members: list[Any], texts: tuple[str, ...]) -> Group:
    size = len(members)
    linked = sum(next(member.iter("a"), None) is not None for member in members)
    dated = sum(
        next(member.iter("time"), None) is not None or has_date(text[:_HEAD_CHARS])
        for member, text in zip(members, texts, strict=True)
    )
    priced = sum(bool(PRICE.search(text[:_HEAD_CHARS])) for text in texts)
    return Group(texts, linked / size, dated / size, priced / size)


def visible_text(element: Any) -> str:
    """The element's text without scripts, styles and templates, whitespace collapsed."""
    if next(element.iter("script", "style", "template"), None) is None:
        return " ".join(element.text_content().split())  # the common case, and faster
    return " ".join(" ".join(_VISIBLE_TEXT(element)).split())


def code_blocks(tree: Any) -> int:
    """Blocks of program code: a <pre> holding <code>, or marked as code by its class or
    its parent's (``language-python``, ``highlight``). Preformatted prose is not code.
    """
    return code_marks(tree)[0]


def code_marks(tree: Any) -> tuple[int, int]:
    """Blocks of program code (see ``code_blocks``) and ``<code>`` elements outside them
    (names and commands in running text, as manuals write them).
    """
    blocks = inside = 0
    for block in tree.iter("pre"):
        parent = block.getparent()
        marks = f"{block.get('class') or ''} {'' if parent is None else parent.get('class') or ''}"
        codes = sum(1 for _ in block.iter("code"))
        inside += codes
        if (codes or _CODE_MARKS.search(marks.lower())) and _CODE_CHARS.search(
            block.text_content()
        ):
            blocks += 1
    return blocks, sum(1 for _ in tree.iter("code")) - inside


def shop_controls(tree: Any) -> int:
    """Buttons that put something in a cart, and quantity fields."""
    count = 0
    for element in tree.iter("button", "input", "select"):
        text = element.text_content() if element.tag == "button" else ""
        label = f"{text} {element.get('value') or ''} {element.get('aria-label') or ''}"
        names = f"{element.get('name') or ''} {element.get('id') or ''}"
        if _BUY.search(label) or _QUANTITY.search(names):
            count += 1
    return count


def calls_to_action(tree: Any) -> int:
    """Links and buttons outside the navigation that ask the reader to act ("Get started")."""
    return sum(
        is_call_to_action(element, " ".join(element.text_content().split()))
        for element in tree.iter("a", "button")
    )


def is_call_to_action(element: Any, label: str) -> bool:
    """Whether a link or button with this label (whitespace collapsed) is a call to action
    outside the navigation.
    """
    return (
        0 < len(label) <= 40
        and bool(_CALL_TO_ACTION.match(label))
        and not any(ancestor.tag in _FURNITURE for ancestor in element.iterancestors())
    )


def _schema_name(value: str) -> str:
    # "https://schema.org/Product", "schema:Product" and "Product" alike.
    return re.split(r"[/:#]", value)[-1].strip().lower()
