"""A page as blocks of text in reading order, and which blocks an extractor's text kept. Pure.

The combination votes on text units (extractors.combine). The unit here is the block:
the text between two block-level boundaries of the page (``<p>``, ``<li>``, ``<td>``,
``<h2>``, ``<br>``, ...; ``strategies.BLOCK_TAGS``), in document order, with what the
vote needs to know about it: its words, how much of it is link text, its element.

An extractor returns plain text, so which blocks it kept is found by aligning that
text with the page: both become streams of lower-case ``\\w+`` tokens, and each line
of the extractor's text is looked up in the page's stream from where the previous
line was found (extractors keep page order). A line of three tokens or fewer ("More",
"Share") is believed only close to that point, since such lines occur all over a page.
A block counts as kept when most of its tokens were found (``kept``), so a paragraph
an extractor trimmed by a word or merged with its neighbour still counts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors.strategies import BLOCK_TAGS

_TOKEN = re.compile(r"\w+")

#: A short line found further than this (in characters of the token stream) from where
#: the previous line was found is not taken as the reading position.
SHORT_LINE_WINDOW = 300
#: Lines of at most this many tokens are short: too common to place a reading position.
SHORT_LINE_TOKENS = 3
#: Share of a block's tokens an extractor must hold for the block to count as kept.
KEPT_SHARE = 0.5

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ITEMS = frozenset({"li", "dd", "dt"})
_CELLS = frozenset({"td", "th"})


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a page's visible text."""

    text: str  # whitespace collapsed
    words: int  # \w+ tokens
    link_chars: int  # characters of the text inside links
    tag: str  # the block element it belongs to ("p", "li", "div", ...)

    @property
    def link_density(self) -> float:
        """Share of the text that is link text."""
        return self.link_chars / max(1, len(self.text))

    @property
    def kind(self) -> str:
        """ "heading", "item", "cell" or "text": what the block element makes of it."""
        if self.tag in _HEADINGS:
            return "heading"
        if self.tag in _ITEMS:
            return "item"
        if self.tag in _CELLS:
            return "cell"
        return "text"


def page_blocks(tree: Any) -> list[Block]:
    """The blocks of the page's body in document order (empty ones left out)."""
    body = tree.find("body")
    root = body if body is not None else tree
    blocks: list[Block] = []
    parts: list[str] = []
    link = [0]
    owner = [root.tag if isinstance(root.tag, str) else "body"]

    def flush() -> None:
        text = " ".join("".join(parts).split())
        if text:
            words = len(_TOKEN.findall(text))
            if words:
                blocks.append(Block(text, words, min(link[0], len(text)), owner[0]))
        parts.clear()
        link[0] = 0

    def walk(node: Any, in_link: bool, block_tag: str) -> None:
        tag = node.tag
        if not isinstance(tag, str):  # comments and processing instructions
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
            block_tag = tag
            owner[0] = tag
        linked = in_link or tag == "a"
        if node.text:
            parts.append(node.text)
            if linked:
                link[0] += len(node.text.strip())
        for child in node:
            walk(child, linked, block_tag)
            if child.tail:
                if not parts:
                    owner[0] = block_tag
                parts.append(child.tail)
                if linked:
                    link[0] += len(child.tail.strip())
        if is_block:
            flush()
            owner[0] = block_tag

    walk(root, False, owner[0])
    flush()
    return blocks


@dataclass(frozen=True, slots=True)
class PageStream:
    """The page's blocks as one token stream, for aligning extractors' texts with it."""

    text: str  # " tok tok ... " with a space on both sides of every token
    starts: tuple[int, ...]  # where each block's tokens begin in ``text``
    lengths: tuple[int, ...]  # characters of each block's tokens in ``text``


def page_stream(blocks: Sequence[Block]) -> PageStream:
    """The token stream of ``blocks``, built once per page."""
    pieces: list[str] = []
    starts: list[int] = []
    lengths: list[int] = []
    position = 1
    for block in blocks:
        piece = _tokens(block.text)
        starts.append(position)
        lengths.append(len(piece))
        pieces.append(piece)
        position += len(piece) + 1
    return PageStream(" " + " ".join(pieces) + " ", tuple(starts), tuple(lengths))


def kept(stream: PageStream, text: str) -> list[bool]:
    """Which blocks ``text`` (one extractor's output, a line per block) kept."""
    found = [0] * len(stream.starts)

    def mark(begin: int, end: int) -> None:
        index = bisect.bisect_right(stream.starts, begin) - 1
        while index < len(found) and stream.starts[index] < end:
            start = stream.starts[index]
            overlap = min(end, start + stream.lengths[index]) - max(begin, start)
            if overlap > 0:
                found[index] += overlap
            index += 1

    page = stream.text
    cursor = 0
    for line in text.splitlines():
        tokens = _tokens(line)
        if not tokens:
            continue
        needle = f" {tokens} "
        short = tokens.count(" ") < SHORT_LINE_TOKENS
        at = page.find(needle, cursor)
        if at >= 0:
            mark(at + 1, at + len(needle) - 1)
            if not short or cursor == 0 or at - cursor <= SHORT_LINE_WINDOW:
                cursor = at + len(needle) - 1
            continue
        at = page.find(needle)  # out of order: marked, the reading position stays
        if at >= 0:
            mark(at + 1, at + len(needle) - 1)
            continue
        # The line's text differs from the page's (an extractor joined or changed
        # words): its pieces of six tokens are placed instead.
        words = tokens.split(" ")
        for first in range(0, len(words), 6):
            piece = " " + " ".join(words[first : first + 6]) + " "
            at = page.find(piece, cursor)
            if at < 0:
                at = page.find(piece)
            if at >= 0:
                mark(at + 1, at + len(piece) - 1)
    return [
        bool(length) and found[i] >= KEPT_SHARE * length for i, length in enumerate(stream.lengths)
    ]


def _tokens(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))
