"""How the strategies' texts are combined, and what is dropped before and after."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from trafilatura.utils import load_html

from extractors.blocks import Block, page_blocks
from extractors.combine import (
    FEATURES,
    WEIGHTS,
    Choice,
    block_features,
    choose,
    decide,
    furniture,
    with_posts,
    without_furniture,
)
from extractors.strategies import Candidate, block_text, live_posts, remove_hidden

LEDE = "The council voted nine to two on Tuesday night to close the harbour road for repairs."
BODY = [
    f"Paragraph {n} of the story says something specific about the harbour, item {n * 7}."
    for n in range(1, 13)
]


def text(*lines: str) -> str:
    return "\n".join(lines)


def blocks_of(*paragraphs: str, before: str = "", after: str = "") -> list[Block]:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return page_blocks(load_html(f"<html><body>{before}<main>{body}</main>{after}</body></html>"))


MOST_READ = ["Ferry strike: what we know", "Ten things about the harbour", "Council news"]
LINKS = (
    "<ul>"
    + "".join(f"<li><a href='/s/{n}'>{t}</a></li>" for n, t in enumerate(MOST_READ))
    + "</ul>"
)


def test_what_both_keep_is_the_article_and_confidence_says_so() -> None:
    page = blocks_of(LEDE, *BODY, after=LINKS)
    choice = choose(
        page,
        [Candidate("trafilatura", text(LEDE, *BODY)), Candidate("readability", text(LEDE, *BODY))],
    )
    assert choice is not None
    assert (choice.text, choice.method, choice.confidence) == (text(LEDE, *BODY), "vote", 1.0)
    assert choice.reason == "both agree"


def test_a_paragraph_one_strategy_missed_inside_the_agreement_is_kept() -> None:
    # readability kept one container and missed a paragraph set apart in the middle.
    page = blocks_of(*BODY[:6], LEDE, *BODY[6:])
    missed = text(*BODY)
    found = text(*BODY[:6], LEDE, *BODY[6:])
    choice = choose(page, [Candidate("trafilatura", found), Candidate("readability", missed)])
    assert choice is not None and choice.text == found
    assert choice.reason == "both agree, plus blocks only trafilatura kept"
    assert 0.8 < choice.confidence < 1.0


def test_a_link_list_one_strategy_kept_after_the_article_is_dropped() -> None:
    page = blocks_of(*BODY, after=LINKS)
    choice = choose(
        page,
        [Candidate("trafilatura", text(*BODY, *MOST_READ)), Candidate("readability", text(*BODY))],
    )
    assert choice is not None and choice.text == text(*BODY)
    # Fed the other way round, the same block is dropped: evidence, not a preference.
    swapped = choose(
        page,
        [Candidate("trafilatura", text(*BODY)), Candidate("readability", text(*BODY, *MOST_READ))],
    )
    assert swapped is not None and swapped.text == text(*BODY)


def test_the_feeds_summary_vouches_for_a_block_one_strategy_kept() -> None:
    teaser = "Harbour road to close for repairs"  # short, no full stop: the vote drops it
    page = blocks_of(*BODY, after=f"<p>{teaser}</p>")
    candidates = [
        Candidate("trafilatura", text(*BODY, teaser)),
        Candidate("readability", text(*BODY)),
    ]
    plain = choose(page, candidates)
    assert plain is not None and teaser not in plain.text
    vouched = choose(page, candidates, feed_text=f"{teaser}: the council voted on Tuesday.")
    assert vouched is not None and vouched.text.endswith(teaser)


def test_furniture_one_strategy_kept_is_dropped_even_inside_the_article() -> None:
    page = blocks_of(BODY[0], "Copy link", *BODY[1:])
    choice = choose(
        page,
        [
            Candidate("trafilatura", text(BODY[0], "Copy link", *BODY[1:])),
            Candidate("readability", text(*BODY)),
        ],
    )
    assert choice is not None and "Copy link" not in choice.text
    assert furniture("We use cookies to improve your experience. Accept all?")
    assert not furniture("The bakery's cookies won a prize. " * 6)  # long lines never are


def test_without_furniture_keeps_lines_both_texts_hold() -> None:
    mine = text("We use cookies to improve your experience. Accept all?", "Copy link", *BODY)
    assert without_furniture(mine, text(*BODY)) == text(*BODY)
    kept = text("The bakery's cookies won a prize.", *BODY)
    assert without_furniture(kept, kept) == kept


def test_the_vote_falls_back_to_the_agreement_then_to_every_block() -> None:
    page = blocks_of(LEDE, *BODY, after=LINKS)
    votes = [(True, True)] * (1 + len(BODY)) + [(True, False)] * len(MOST_READ)
    keep_all = (50.0,) + (0.0,) * (len(FEATURES) - 1)
    assert all(decide(page, votes, first_is_trafilatura=True, weights=keep_all))
    drop_all = (-50.0,) + (0.0,) * (len(FEATURES) - 1)
    assert decide(page, votes, first_is_trafilatura=True, weights=drop_all) == [
        a and b for a, b in votes
    ]
    # Nothing agreed and nothing voted in: every block either kept, rather than nothing.
    lonely = [(True, False)] * len(page)
    assert all(decide(page, lonely, first_is_trafilatura=True, weights=drop_all))


def test_the_model_has_a_weight_for_every_feature() -> None:
    assert len(WEIGHTS) == len(FEATURES)
    page = blocks_of(LEDE, *BODY, after=LINKS)
    votes = [(True, True)] * (1 + len(BODY)) + [(True, False)] * len(MOST_READ)
    rows = block_features(page, votes, first_is_trafilatura=True)
    assert [row is None for row in rows] == [a == b for a, b in votes]
    assert all(len(row) == len(FEATURES) for row in rows if row is not None)


def test_texts_that_are_not_on_the_page_leave_the_longer_one() -> None:
    page = blocks_of(*BODY)
    other = "A text from somewhere else entirely, which this page does not hold."
    choice = choose(page, [Candidate("trafilatura", other), Candidate("readability", LEDE * 2)])
    assert choice is not None
    assert (choice.text, choice.method, choice.confidence) == (LEDE * 2, "readability", 0.5)
    assert choice.reason == "no block alignment; the longer text"


def test_a_vote_with_nothing_agreed_says_so() -> None:
    page = blocks_of(*BODY[:6], LEDE, *BODY[6:])
    choice = choose(
        page,
        [Candidate("trafilatura", text(*BODY[:6])), Candidate("readability", text(*BODY[6:]))],
    )
    assert choice is not None and choice.method == "vote"
    assert choice.reason.startswith("no block both kept") and choice.confidence == 0.0


def test_one_strategy_alone_and_the_feed_as_last_resort() -> None:
    page = blocks_of(*BODY)
    only = choose(page, [Candidate("trafilatura", ""), Candidate("readability", text(*BODY))])
    assert only is not None and only.method == "readability" and only.confidence == 0.5
    feed = choose(page, [Candidate("trafilatura", "")], feed_text=LEDE, min_chars=20)
    assert feed is not None and (feed.method, feed.text) == ("feed", LEDE)
    assert choose(page, [Candidate("trafilatura", "short")], min_chars=20) is None


@given(
    st.lists(st.sampled_from([LEDE, *BODY, *MOST_READ, "Copy link"]), max_size=8),
    st.lists(st.booleans(), min_size=16, max_size=16),
    st.text(max_size=100),
)
def test_the_vote_keeps_only_page_blocks_and_confidence_is_bounded(
    lines: list[str], picks: list[bool], feed: str
) -> None:
    page = blocks_of(*lines)
    first = text(*(line for line, pick in zip(lines, picks[:8], strict=False) if pick))
    second = text(*(line for line, pick in zip(lines, picks[8:], strict=False) if pick))
    choice = choose(
        page,
        [Candidate("trafilatura", first), Candidate("readability", second)],
        feed_text=feed or None,
    )
    if choice is None:
        assert not first and not second and not feed.strip()
        return
    assert 0.0 <= choice.confidence <= 1.0
    if choice.method == "vote":
        assert set(choice.text.splitlines()) <= {block.text for block in page}


def live_page(container_class: str, *, live_type: bool = False) -> str:
    posts = "".join(
        f"<article><header>{10 + n}:00 Update {n}</header><p>{BODY[n]} More detail on update "
        f"{n}, with the figures officials gave.</p><footer>Share</footer></article>"
        for n in range(5)
    )
    data = '<script type="application/ld+json">{"@type": "LiveBlogPosting"}</script>'
    return (
        f"<html><head>{data if live_type else ''}</head><body><h1>Storm live</h1>"
        f'<div class="{container_class}">{posts}</div></body></html>'
    )


def test_posts_of_a_live_page_are_all_kept() -> None:
    posts = live_posts(load_html(live_page("live-blog")), live=False)
    assert posts.text.count("Update") == 5 and "Share" not in posts.text
    # The same markup without a live marker is not read as posts (cards, teasers).
    assert live_posts(load_html(live_page("cards")), live=False).text == ""
    assert live_posts(load_html(live_page("cards")), live=True).text != ""
    chosen = Choice(text("Storm live", "10:00 Update 0", BODY[0]), "readability", 0.6, "")
    merged = with_posts(chosen, posts)
    assert merged.method == "posts" and merged.text.startswith("Storm live\n")
    assert merged.text.count("Update") == 5


def test_hidden_elements_go_unless_they_hold_the_page() -> None:
    tree = load_html(
        "<html><body><p>Visible story text here, long enough to be the page.</p>"
        '<p hidden>hidden one</p><p style="display: none">hidden two</p>'
        '<p aria-hidden="true">hidden three</p></body></html>'
    )
    assert remove_hidden(tree) == 3
    assert block_text(tree) == "Visible story text here, long enough to be the page."
    # An article hidden until a script reveals it is most of the page: it stays.
    tree = load_html(
        "<html><body><nav>Home</nav>"
        f'<div style="visibility: hidden">{" ".join(BODY)}</div></body></html>'
    )
    assert remove_hidden(tree) == 0
    assert BODY[3] in block_text(tree)


def test_block_text_keeps_words_whole_across_inline_markup() -> None:
    tree = load_html(
        "<html><body><p>東京<b>都</b>の<a href='/x'>知事</a></p><p>二</p></body></html>"
    )
    assert block_text(tree) == "東京都の知事\n二"
