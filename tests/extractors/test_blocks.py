"""The page as blocks, and finding which blocks an extractor's text kept."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from readability import Document
from readability.readability import clean
from trafilatura.utils import load_html

from bench.scoring import extraction_cases
from extractors.blocks import kept, page_blocks, page_stream
from extractors.encoding import decode_html
from extractors.strategies import (
    _Readability,
    block_text,
    clean_length,
    drop_controls,
    drop_scripts,
    remove_hidden,
)
from tests.conftest import shared_corpus

PAGE = """<html><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/more">More</a></li></ul></nav>
<article><h1>Harbour road <b>to</b> close</h1>
<p>The council voted on <a href="/council">Tuesday</a> to close the harbour road.</p>
<p>Repairs start in May and last <i>six</i> weeks, officials said.</p>
<p>More</p>
<table><tr><td>Cost</td><td>4.2 million</td></tr></table>
</article>
<footer><p>More</p><p>All rights reserved.</p></footer>
</body></html>"""


def test_blocks_follow_block_elements_and_keep_inline_words_whole() -> None:
    blocks = page_blocks(load_html(PAGE))
    assert [b.text for b in blocks] == [
        "Home",
        "More",
        "Harbour road to close",
        "The council voted on Tuesday to close the harbour road.",
        "Repairs start in May and last six weeks, officials said.",
        "More",
        "Cost",
        "4.2 million",
        "More",
        "All rights reserved.",
    ]
    kinds = {b.text: b.kind for b in blocks}
    assert (kinds["Home"], kinds["Harbour road to close"], kinds["Cost"]) == (
        "item",
        "heading",
        "cell",
    )
    council = blocks[3]
    assert council.link_chars == len("Tuesday") and council.words == 10
    assert blocks[0].link_density == 1.0


def test_kept_follows_the_reading_position() -> None:
    blocks = page_blocks(load_html(PAGE))
    stream = page_stream(blocks)
    # "More" is on the page three times: the one kept is the one after the text before it.
    chosen = "Harbour road to close\nThe council voted on Tuesday to close the harbour road.\n"
    chosen += "Repairs start in May and last six weeks, officials said.\nMore"
    assert kept(stream, chosen) == [
        False,
        False,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_kept_forgives_small_edits_and_joined_lines() -> None:
    blocks = page_blocks(load_html(PAGE))
    stream = page_stream(blocks)
    # An extractor that joins two paragraphs and drops a word still kept both.
    joined = (
        "The council voted on Tuesday to close the harbour road. "
        "Repairs start in May and last six weeks, said."
    )
    assert kept(stream, joined)[3:5] == [True, True]
    # Text the page does not hold keeps nothing; an empty text keeps nothing.
    assert not any(kept(stream, "Something else entirely, never on the page at all."))
    assert not any(kept(stream, ""))


@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\xa0"]), max_size=400))
def test_clean_length_is_readabilitys_length(text: str) -> None:
    assert clean_length(text) == len(clean(text))


def test_clean_length_on_long_runs() -> None:
    for run in (" " * 300, "\t" * 254, " \n" * 200, "\xa0 " * 130):
        text = f"word{run}word"
        assert clean_length(text) == len(clean(text))


def _text(summary: str) -> str:
    return block_text(lxml.html.fragment_fromstring(summary, create_parent="div"))


def test_the_faster_readability_finds_what_readability_finds() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story, with <a href='/{n}'>a link</a> and more words here.</p>"
        for n in range(8)
    )
    html = (
        "<html><body><div class='nav'><a href='/'>Home</a> <a href='/x'>World</a></div>"
        f"<div class='story'>{paragraphs}</div><div class='related'>"
        + "".join(f"<a href='/r/{n}'>Related story {n}</a>" for n in range(10))
        + "</div></body></html>"
    )
    tree = load_html(html)
    drop_scripts(tree)
    drop_controls(tree)
    ours = _text(_Readability(tree).summary(html_partial=True))
    assert ours == _text(Document(tree).summary(html_partial=True))
    assert "Paragraph 7 of the story" in ours and "Related story" not in ours


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_the_faster_readability_agrees_on_every_golden_page(name: str) -> None:
    html = decode_html((GOLDEN / name / "page.html").read_bytes())
    tree = load_html(html)
    drop_scripts(tree)
    drop_controls(tree)
    ours = _text(_Readability(tree).summary(html_partial=True))
    assert ours == _text(Document(tree).summary(html_partial=True))


@pytest.mark.slow
def test_the_faster_readability_agrees_on_extraction_dev() -> None:
    corpora = shared_corpus("extraction-dev")
    differ = []
    for case in extraction_cases(corpora):
        tree = load_html(case.html)
        drop_scripts(tree)
        remove_hidden(tree)
        drop_controls(tree)
        ours = _text(_Readability(tree).summary(html_partial=True))
        if ours != _text(Document(tree).summary(html_partial=True)):
            differ.append(case.name)
    assert differ == []
