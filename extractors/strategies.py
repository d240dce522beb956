"""The extraction strategies newsflow combines: trafilatura and readability-lxml. No network.

Each strategy reads the same parsed page, with scripts and what a reader cannot see
removed first, and returns its text as one line per block. ``extractors.combine``
votes on their texts block by block.

Why these two: they fail on different pages and different parts of a page.
readability keeps one container and misses siblings around it (ledes, split bodies);
trafilatura keeps more of the page and sometimes keeps teasers and galleries, or
misses a block that looks like boilerplate. On the shared corpora (bench/README.md)
each leads somewhere: trafilatura on extraction-wcxb, readability on the others. A
third voter (jusText, trafilatura's readability copy) changed the unseen halves by
less than 0.005 and cost 4-16 ms a page.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
import trafilatura
from lxml.etree import Comment, ProcessingInstruction, strip_attributes, strip_elements
from readability import Document
from readability.readability import REGEXES

#: Elements that start a new block of text; inline ones (a, b, span, ...) join words.
BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

#: A hidden element holding more than this share of the page's text is kept: pages
#: that reveal their article with a script hide the article itself until then.
HIDDEN_BULK = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """One strategy's text for a page (empty when it found none)."""

    method: str
    text: str


def remove_hidden(tree: Any) -> int:
    """Drop what a reader cannot see (``hidden``, ``aria-hidden``, display:none); return how many.

    The rules of Readability.js's ``_isProbablyVisible``, with one guard: a hidden
    element holding most of the page's text is the article waiting for a script.
    """
    body = tree.find("body")
    total = len(body.text_content()) if body is not None else 0
    removed = 0
    for element in tree.xpath("//*[@hidden or @aria-hidden or @style]"):
        if element.getparent() is None:
            continue
        hidden = (
            element.get("hidden") is not None
            or (
                element.get("aria-hidden") == "true"
                and "fallback-image" not in (element.get("class") or "")
            )
            or bool(_HIDDEN_STYLE.search(element.get("style") or ""))
        )
        if hidden and len(element.text_content()) <= HIDDEN_BULK * total:
            element.drop_tree()
            removed += 1
    return removed


def block_text(element: Any) -> str:
    """An element's text, one line per block; inline markup never splits a word."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node.tag, str):
            block = node.tag in BLOCK_TAGS
            if block:
                parts.append("\n")
            parts.append(node.text or "")
            for child in node:
                walk(child)
            if block:
                parts.append("\n")
        parts.append(node.tail or "")

    walk(element)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def with_trafilatura(tree: Any, *, url: str | None, include_tables: bool, favor: str) -> Candidate:
    """trafilatura's text of the page (it works on its own copy of ``tree``).

    ``fast=True`` skips trafilatura's own fallback (it runs a copy of readability and
    jusText when unsure): the vote does that job with more evidence, and running
    readability twice would double the cost. No metadata: extractors.metadata reads it.
    """
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        with_metadata=False,
        include_comments=False,
        include_tables=include_tables,
        favor_precision=favor == "precision",
        favor_recall=favor == "recall",
        deduplicate=False,
    )
    text = getattr(document, "text", None) if document is not None else None
    return Candidate("trafilatura", (text or "").strip())


#: Elements whose content is never visible text (scripts, styles, inert templates).
NOT_TEXT_TAGS = ("script", "style", "noscript", "template", "link")
#: Controls and embeds: dropped unless one holds most of the page, which happens when a
#: parser nests the rest of a malformed page inside an unclosed ``<button>`` or ``<svg>``.
CONTROL_TAGS = ("svg", "iframe", "select", "button", "input", "textarea")
CONTROL_BULK = 0.2


def drop_scripts(tree: Any) -> None:
    """Drop elements whose content is never visible text (scripts, styles, templates).

    First of all: a page's inline scripts (application state, JSON data) can outweigh
    its text many times, and ``remove_hidden`` weighs hidden elements against the text.
    """
    strip_elements(tree, *NOT_TEXT_TAGS, with_tail=False)


def drop_controls(tree: Any) -> None:
    """Drop controls and embeds, before the page is read as blocks and by readability.

    With the scripts, saves readability a tenth of its time and changes no scored text.
    """
    body = tree.find("body")
    total = len(body.text_content()) if body is not None else 0
    for element in list(tree.iter(*CONTROL_TAGS)):
        if element.getparent() is not None and len(element.text_content()) < CONTROL_BULK * total:
            element.drop_tree()


def with_readability(tree: Any) -> Candidate:
    """readability-lxml's main block as text, a line per block (it works on its own copy).

    It gets no URL: given one, it rewrites every link to absolute form, which costs
    time and no text.
    """
    summary = _Readability(tree).summary(html_partial=True)
    if not summary.strip():
        return Candidate("readability", "")
    fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    return Candidate("readability", block_text(fragment))


class _Readability(Document):  # type: ignore[misc]  # readability-lxml ships no types
    """readability-lxml with its link density counted in one pass: the same numbers.

    readability measures every candidate's text and every link's text with three
    regular-expression passes (``readability.clean``); on a long page that was 40% of
    its time. ``clean_length`` gives the same length (a test compares them) without
    building the cleaned string.
    """

    def _parse(self, input: Any) -> Any:  # readability names the parameter so
        """The page as readability reads it, without lxml_html_clean's Cleaner.

        readability copies the tree and runs a Cleaner over the copy that removes
        scripts, styles, ``<link>``, comments, processing instructions, inline styles and
        JavaScript handlers and links, at a quarter of its time. ``drop_scripts`` did
        the first three; the rest of what the Cleaner does changes no text (a test
        compares the texts).
        """
        self.encoding = "utf-8"
        doc = copy.deepcopy(input)
        # readability's own visibility rules, stricter than remove_hidden's.
        for element in doc.xpath("//*[@hidden]"):
            element.drop_tree()
        for element in doc.xpath("//*[@style]"):
            if _DISPLAY_NONE.search(element.get("style")):
                element.drop_tree()
        strip_elements(doc, Comment, ProcessingInstruction, with_tail=False)
        strip_attributes(doc, "style")
        doc.resolve_base_href(handle_failures=self.handle_failures)
        return doc

    def get_link_density(self, elem: Any) -> float:
        link_length = sum(clean_length(link.text_content() or "") for link in elem.findall(".//a"))
        return float(link_length) / max(clean_length(elem.text_content() or ""), 1)


_DISPLAY_NONE = REGEXES["displayNoneRe"]
_SPACE_RUN = re.compile(r"\s{2,}")
_TABS = re.compile(r"\t|[ \t]{2,}")


def clean_length(text: str) -> int:
    """``len(readability.readability.clean(text))``, without the three passes.

    clean() turns a run of 255 or more spaces into one, a run with a line break into
    the line break, tabs and runs of spaces and tabs into one space, and strips the
    ends: only runs of two or more change the length.
    """
    stripped = text.strip()
    length = len(stripped)
    for match in _SPACE_RUN.finditer(stripped):
        run = match.group()
        if len(run) >= 255 or "\n" in run:
            length -= len(run) - 1
        else:
            length -= len(run) - len(_TABS.sub(" ", run))
    return length


#: A live page needs at least this many posts, each this long on average.
MIN_POSTS = 3
MIN_POST_CHARS = 100
#: Posts that are mostly links are teasers (a related-stories list), not posts.
MAX_POST_LINK_DENSITY = 0.3
_LIVE_MARK = re.compile(r"(?:^|[\s_-])live(?:$|[\s_-])|liveblog|live-blog|timeline", re.I)


def live_posts(tree: Any, *, live: bool) -> Candidate:
    """A live page's posts, in page order: every sibling ``<article>`` of the main column.

    Both other strategies keep one block and so one post of a live blog. This one
    runs only on a page that says it is live (``LiveBlogPosting`` data, passed in as
    ``live``, or a container marked live) and takes the container whose direct
    children are the most ``<article>`` posts of real text.
    """
    best: list[Any] = []
    best_parent = None
    for parent in {article.getparent() for article in tree.iter("article")}:
        if parent is None:
            continue
        posts = [child for child in parent if child.tag == "article"]
        if len(posts) > len(best):
            best, best_parent = posts, parent
    if len(best) < MIN_POSTS or best_parent is None:
        return Candidate("posts", "")
    marks = f"{best_parent.get('class') or ''} {best_parent.get('id') or ''}"
    if not (live or _LIVE_MARK.search(marks)):
        return Candidate("posts", "")
    texts: list[str] = []
    for post in best:
        for furniture in post.iterfind(".//footer"):
            furniture.drop_tree()
        text = post.text_content()
        links = sum(len(link.text_content()) for link in post.iter("a"))
        if links > MAX_POST_LINK_DENSITY * max(1, len(text)):
            return Candidate("posts", "")
        texts.append(block_text(post))
    if sum(len(t) for t in texts) < MIN_POST_CHARS * len(texts):
        return Candidate("posts", "")
    return Candidate("posts", "\n".join(texts))
