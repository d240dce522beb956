"""How the strategies' texts are combined, and what is dropped before and after."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from trafilatura.utils import load_html

from extractors.combine import Choice, choose, with_posts, without_furniture
from extractors.strategies import Candidate, block_text, live_posts, remove_hidden

LEDE = "The council voted nine to two on Tuesday night to close the harbour road for repairs."
BODY = [
    f"Paragraph {n} of the story says something specific about the harbour, item {n * 7}."
    for n in range(1, 13)
]


def text(*lines: str) -> str:
    return "\n".join(lines)


def test_a_text_that_holds_the_other_and_more_wins() -> None:
    # readability kept one block and missed the lede trafilatura found beside it.
    short = Candidate("readability", text(*BODY))
    long = Candidate("trafilatura", text(LEDE, *BODY))
    choice = choose([long, short])
    assert choice is not None
    assert (choice.method, choice.text) == ("trafilatura", long.text)
    assert "holds" in choice.reason
    # And the other way round: the precise strategy found more.
    choice = choose([Candidate("trafilatura", text(*BODY)), Candidate("readability", long.text)])
    assert choice is not None and choice.method == "readability"


def test_disagreement_both_ways_goes_to_the_precise_strategy() -> None:
    precise = Candidate("readability", text(*BODY[:8]))
    other = Candidate("trafilatura", text(*BODY[4:], "Most read: ten things about ferries"))
    choice = choose([other, precise])
    assert choice is not None and choice.method == "readability"
    assert 0.0 < choice.confidence < 0.9


def test_the_feeds_opening_breaks_the_tie() -> None:
    precise = Candidate("readability", text(*BODY[:8]))
    other = Candidate("trafilatura", text(LEDE, *BODY[:5]))
    choice = choose([other, precise], feed_text=LEDE)
    assert choice is not None and choice.method == "trafilatura"
    assert choice.reason == "holds the feed's opening"


def test_one_strategy_alone_and_the_feed_as_last_resort() -> None:
    only = choose([Candidate("trafilatura", ""), Candidate("readability", text(*BODY))])
    assert only is not None and only.method == "readability" and only.confidence == 0.5
    feed = choose([Candidate("trafilatura", "")], feed_text=LEDE, min_chars=20)
    assert feed is not None and (feed.method, feed.text) == ("feed", LEDE)
    assert choose([Candidate("trafilatura", "short")], min_chars=20) is None


def test_furniture_is_dropped_only_where_the_other_strategy_lacks_it() -> None:
    mine = text("We use cookies to improve your experience. Accept all?", "Copy link", *BODY)
    theirs = text(*BODY)
    assert without_furniture(mine, theirs) == theirs
    # A line both strategies kept is the article's, even if it mentions cookies.
    kept = text("The bakery's cookies won a prize.", *BODY)
    assert without_furniture(kept, kept) == kept
    # Long lines are never furniture.
    long_line = "Reading time " + "and a long sentence of the story itself " * 5
    assert without_furniture(long_line, "") == long_line


@given(st.lists(st.text(min_size=0, max_size=80), max_size=6), st.text(max_size=200))
def test_choice_is_one_of_the_texts_and_confidence_is_bounded(lines: list[str], feed: str) -> None:
    a = Candidate("trafilatura", text(*lines))
    b = Candidate("readability", text(*reversed(lines)))
    choice = choose([a, b], feed_text=feed or None)
    if choice is None:
        assert not a.text and not b.text and not feed.strip()
        return
    assert 0.0 <= choice.confidence <= 1.0
    if choice.method != "feed":
        kept = set(choice.text.splitlines())
        assert kept <= set(a.text.splitlines()) | set(b.text.splitlines())


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
