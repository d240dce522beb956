"""Near-duplicate fingerprints: copies of one story match, other stories do not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.neardup import (
    DedupOptions,
    Evidence,
    Fingerprint,
    band_keys,
    compare,
    fingerprint,
    line_hash,
    line_hashes,
    strip_boilerplate,
)

TITLE = "Port strike in Lindenport ends after six days"
STORY = [
    "Dock workers in Lindenport returned to work on Thursday after a six-day strike that left 43"
    " container ships waiting outside the harbour and cost the regional economy an estimated 120"
    " million euros, the port authority said.",
    "The agreement, reached shortly after midnight following 19 hours of talks mediated by the"
    " regional labour office, gives the roughly 2,400 workers a pay rise of 4.5 percent this year"
    " and a further 3 percent in 2027, union officials told reporters outside the harbour offices.",
    "Workers had demanded 7 percent, arguing that rents in the city have climbed faster than wages"
    " for almost a decade. The employers' association had first offered 2 percent and a one-off"
    " payment, which the union rejected at a meeting attended by more than 1,100 members.",
    '"Nobody wins a strike, but this is a fair result for people who keep the port running at'
    " night and in winter,\" said Marta Kessler, who leads the dockers' branch of the transport"
    " union. She said members would vote on the deal within 14 days.",
    "The port authority said the backlog of ships would take at least a week to clear. Cranes"
    " will run around the clock, and the authority has asked shipping lines to delay new arrivals"
    " where they can. Perishable goods, including fruit from South America, will go first.",
    "Lindenport handles about 9 million tonnes of cargo a year and is the largest employer in the"
    " district. Bakeries and fuel stations near the terminals reported sales down by half during"
    " the stoppage, and several haulage firms sent drivers home without pay.",
    "The regional government, which owns a 51 percent stake in the port company, welcomed the"
    ' agreement. Its economy minister, Jonas Albrecht, said the deal showed that "patient'
    ' negotiation still works" and promised to review how the port settles disputes.',
    "Shipping analysts said the six days would leave a mark on the port's results for the"
    " quarter. Some carriers had already diverted vessels to Osterholm, about 80 kilometres along"
    " the coast, and it was not clear how quickly they would return once the queue had cleared.",
    "The strike was the first at the port since 2009, when a dispute over night shifts lasted"
    " three days. Talks on a separate agreement covering pensions and safety equipment are due to"
    " begin in March, and both sides said they hoped to finish them without another walkout.",
]
ARTICLE = "\n".join(STORY)
#: Another story on the same topic (the strike, the port), told in other words.
OTHER = (
    "Fishing crews in Lindenport say the dock strike cost them more than anyone expected. With the"
    " harbour's cold stores closed for most of the week, boats that landed 30 tonnes of herring on"
    " Monday had to sell the catch for fishmeal at a quarter of its usual price.\n"
    "The fishermen's cooperative, which has 62 boats, wants the port authority to pay part of the"
    " losses. Its chair, Henrik Dahl, said the union and the employers had both ignored smaller"
    " harbour users. The authority said it would meet the cooperative next week.\n"
    "Several skippers said they had moved their boats to Osterholm for the rest of the season and"
    " would decide in spring whether to come back. Dock workers went back to their cranes on"
    " Thursday morning after the strike ended, and the first trawlers were unloaded by noon."
)
#: Lines every page of the outlet "Coastal Courier" carries around its articles.
COURIER = (
    "Coastal Courier | News from the North Sea coast since 1898",
    "Subscribe to the Courier for 1 euro a month and read every story without limits.",
    "Follow us on social media and share this story with your friends and family.",
    "© 2026 Coastal Courier Media Group. All rights reserved. Terms and privacy policy.",
)
BYLINE = "By Anna Berg, Wire Service"


def courier_page(body: str, byline: str = BYLINE) -> str:
    return "\n".join([COURIER[0], byline, body, *COURIER[1:]])


def common_lines(pages: list[str]) -> frozenset[int]:
    """An outlet's common lines, as the database counts them: on every one of its pages."""
    counts = Counter(h for page in pages for h in set(line_hashes(page)))
    return frozenset(h for h, seen in counts.items() if seen == len(pages))


COURIER_COMMON = common_lines(
    [courier_page(text, f"By {name}") for text, name in ((OTHER, "Lena Voss"), ("Rain.", "Staff"))]
)


def earnings(company: str, figures: tuple[int, ...]) -> str:
    revenue, profit, growth, margin, staff, stores, guidance, dividend = figures
    return (
        f"{company} said on Tuesday that quarterly revenue rose to {revenue}"
        f" million euros, with net profit of {profit} million euros, as sales grew {growth}"
        f" percent from a year earlier.\nThe company's operating margin was {margin} percent. It"
        f" employs {staff} people and runs {stores} stores across the region, and said it expected"
        f" full-year revenue of about {guidance} million euros.\nThe board proposed a dividend of"
        f" {dividend} cents a share. Shares were little changed in early trading after the results,"
        " which were broadly in line with what analysts had expected.\n"
        f"{company} is one of the largest grocery retailers in the north of the country. It was"
        " founded as a cooperative of farmers and bakers and is listed on the regional exchange,"
        " where its shares are part of the main index of the largest companies. It publishes"
        " its annual report in March and holds the general meeting of its shareholders in May."
    )


NORDMARK_Q3 = (412, 38, 6, 9, 5200, 140, 1650, 42)


def test_copies_with_own_headline_byline_trims_and_updates_match() -> None:
    original = fingerprint(TITLE, ARTICLE)
    copies = {
        "headline, byline, outlet lines stripped": fingerprint(
            "Lindenport dockers back at work",
            strip_boilerplate(courier_page(ARTICLE), COURIER_COMMON),
        ),
        "trimmed": fingerprint(TITLE, "\n".join(STORY[:-2])),
        "corrected and one number updated": fingerprint(
            TITLE,
            ARTICLE.replace("left 43", "left 45")
            + "\nCorrection: an earlier version of this story misstated how many ships waited.",
        ),
    }
    for name, copy in copies.items():
        evidence = compare(original, copy)
        assert evidence is not None, name
        assert evidence.kind == "near_duplicate", name
        assert 0.5 <= evidence.similarity < 1.0, name
    assert compare(original, original) == Evidence("near_duplicate", 1.0)


def test_strip_boilerplate_drops_the_outlets_lines_only() -> None:
    page = courier_page(ARTICLE)
    assert strip_boilerplate(page, COURIER_COMMON) == "\n".join([BYLINE, ARTICLE])
    assert strip_boilerplate(page, frozenset()) == page
    # Lines hash as normalised: case, punctuation and spacing do not matter.
    assert line_hash(
        "FOLLOW us on social media -- and share this story with your friends and family!"
    ) in (COURIER_COMMON)
    assert line_hashes("one\n\n  \n--\ntwo") == [line_hash("one"), line_hash("two")]


def test_lede_only_and_truncated_copies_match_by_their_opening() -> None:
    original = fingerprint(TITLE, ARTICLE)
    words = ARTICLE.split(" ")
    copies = {
        "lede only": "\n".join(STORY[:2]),
        "first paragraph, a byline above": f"{BYLINE}\n{STORY[0]}",
        # Short lines above the lede (section, kicker, byline, page tools) are not lede.
        "lede under short header lines": "\n".join(
            ["Business", "Ports and shipping", BYLINE, "Listen to this article", *STORY[:2]]
        ),
        "truncated to 40%": " ".join(words[: int(len(words) * 0.4)]),
    }
    for name, text in copies.items():
        copy = fingerprint("Strike over", text)
        evidence = compare(original, copy)
        assert evidence is not None and evidence.kind == "lede", name
        assert evidence.similarity >= 0.8, name
        assert compare(copy, original) == evidence, name
    # An opening of a few words identifies no story.
    assert compare(original, fingerprint(None, "Dock workers in Lindenport returned")) is None


def test_other_stories_on_the_topic_or_template_do_not_match() -> None:
    assert (
        compare(fingerprint(TITLE, ARTICLE), fingerprint("Fishing crews count cost", OTHER)) is None
    )
    nordmark = fingerprint("Nordmark results", earnings("Nordmark Foods", NORDMARK_Q3))
    # Same template, other company and figures: the words alone estimate 0.59 here.
    baltic = earnings("Baltic Retail", (385, 21, 4, 5, 3900, 96, 1520, 18))
    assert compare(nordmark, fingerprint("Baltic results", baltic)) is None


def test_the_same_template_with_other_numbers_is_another_story() -> None:
    options = DedupOptions()
    q3 = fingerprint(None, earnings("Nordmark Foods", NORDMARK_Q3))
    q2 = fingerprint(None, earnings("Nordmark Foods", (398, 35, 5, 8, 5150, 138, 1600, 40)))
    # The words alone would match; the numbers tell the quarters apart.
    assert compare(q3, q2, DedupOptions(max_number_disagreement=1.0)) is not None
    assert compare(q3, q2, options) is None
    updated = fingerprint(None, earnings("Nordmark Foods", (*NORDMARK_Q3[:-1], 43)))
    assert compare(q3, updated, options) is not None


FERRY = (
    "Ferries between Lindenport and Osterholm will run again from Monday after storm repairs to"
    " the north pier were finished ahead of schedule, the operator said on Friday."
)
ROAD = (
    "The harbour road will close overnight on Wednesday for resurfacing, the city said, with"
    " diversions signposted through the old town and buses stopping at the station instead."
)


def brief_pages(body: str) -> tuple[str, str]:
    """One brief as two outlets print it, each in its own template."""
    courier = f"COURIER BRIEFS | Coastal Courier\n{body}\nMore briefs every morning on our website."
    herald = f"The Harbour Herald in brief\n{body}\nSend your news tips to the Harbour Herald desk."
    return courier, herald


def test_short_briefs_match_once_each_outlets_template_is_stripped() -> None:
    pages = [brief_pages(text) for text in (FERRY, ROAD, "Rain is due on Sunday.")]
    courier_common = common_lines([courier for courier, _ in pages])
    herald_common = common_lines([herald for _, herald in pages])
    (courier_ferry, herald_ferry), (courier_road, _) = pages[:2]
    raw = compare(
        fingerprint("Ferries to run again", courier_ferry),
        fingerprint("Lindenport ferry service resumes", herald_ferry),
    )
    assert raw is None  # the two templates outweigh the brief
    courier = fingerprint("Ferries to run again", strip_boilerplate(courier_ferry, courier_common))
    herald = fingerprint(
        "Lindenport ferry service resumes", strip_boilerplate(herald_ferry, herald_common)
    )
    assert courier.short and herald.short
    evidence = compare(courier, herald)
    assert evidence is not None and evidence.kind == "short" and evidence.similarity >= 0.5
    road = fingerprint("Harbour road closes", strip_boilerplate(courier_road, courier_common))
    assert compare(courier, road) is None
    assert compare(herald, road) is None


def test_copies_share_band_keys_and_other_stories_none() -> None:
    # Copies with estimated Jaccard >= 0.75 miss every one of 32 bands of 4 rows with
    # probability (1 - 0.75**4) ** 32 < 1e-5, and the truncated copy has the original's
    # opening, so its lede keys are the same ones: these hold for any seed, not by luck.
    original = band_keys(fingerprint(TITLE, ARTICLE))
    assert len(original) == 64 and len(set(original)) == 64
    assert all(0 <= key < 2**63 for key in original)
    trimmed = band_keys(fingerprint(TITLE, "\n".join(STORY[:-2])))
    assert set(original) & set(trimmed)
    truncated = band_keys(fingerprint(None, " ".join(ARTICLE.split(" ")[:160])))
    assert set(original[32:]) == set(truncated[32:])
    for unrelated in (OTHER, earnings("Nordmark Foods", NORDMARK_Q3), FERRY):
        assert not set(original) & set(band_keys(fingerprint(None, unrelated)))


def test_band_keys_and_line_hashes_are_stable() -> None:
    # Fixed values: a change of shingling, hashing or datasketch's permutations shows here,
    # and would mean rebuilding the stored keys.
    keys = band_keys(fingerprint(None, ARTICLE))
    assert (keys[0], keys[32]) == (5610376416513687863, 1034172782395801242)
    assert line_hash("Follow us on social media") == 2098574093583776506
    # Short items' full keys never meet normal articles' keys; empty signatures have none.
    short = band_keys(fingerprint("Ferries to run again", FERRY))
    assert len(short) == 64 and short[0] == 1885588875176456275
    assert band_keys(fingerprint("Only a title", "")) != []
    assert band_keys(fingerprint(None, "")) == []
    with pytest.raises(ValueError, match="neardup"):
        band_keys(fingerprint(None, ARTICLE), DedupOptions(num_perm=64, bands=16, rows=4))


def test_numbers_are_normalised_alike() -> None:
    english = fingerprint(
        None, "Sales of 1,200 units at 3.50 euros on 20.11.2026, up 007 percent, 2.0 points."
    )
    german = fingerprint(
        None, "Absatz 1.200 Stück zu 3,5 Euro am 20.11.2026, plus 7 Prozent, 2 Punkte."
    )
    assert english.numbers == german.numbers == {"1200", "3.5", "20.11.2026", "7", "2"}
    assert fingerprint(None, "٣ boats and 12 crews").numbers == {"3", "12"}
    assert fingerprint(None, "0" + "9" * 5000).numbers == {"9" * 5000}


def test_fingerprint_round_trips_through_bytes() -> None:
    for fp in (
        fingerprint(TITLE, ARTICLE),
        fingerprint("Ferries", FERRY),
        fingerprint(None, ""),
        fingerprint(None, "Rain.", DedupOptions(num_perm=64, bands=16)),
    ):
        assert Fingerprint.from_bytes(fp.to_bytes()) == fp
    data = fingerprint(TITLE, ARTICLE).to_bytes()
    for broken in (data[:100], b"\x02" + data[1:], b"", data + b"\xff"):
        with pytest.raises(ValueError, match="neardup: not a stored fingerprint"):
            Fingerprint.from_bytes(broken)


def test_options_must_describe_a_banding() -> None:
    with pytest.raises(ValueError, match="bands \\* rows"):
        DedupOptions(bands=30)
    with pytest.raises(ValueError, match="lede_max_ratio"):
        DedupOptions(lede_max_ratio=1.0)


def test_the_shared_sample_article_and_its_copies(corpora: Path) -> None:
    article = (corpora / "sample-article.txt").read_text(encoding="utf-8")
    lines = article.splitlines()
    original = fingerprint(None, article)
    trimmed = fingerprint("Another headline", "\n".join([BYLINE, *lines[:-3]]))
    evidence = compare(original, trimmed)
    assert evidence is not None and evidence.kind == "near_duplicate"
    words = article.split(" ")
    truncated = compare(original, fingerprint(None, " ".join(words[: len(words) * 2 // 5])))
    assert truncated is not None and truncated.kind == "lede"
    assert compare(original, fingerprint(TITLE, ARTICLE)) is None


VOCABULARY = "the port strike ended on thursday after six days 12 ships 4.5 percent union workers"
WORDS = st.sampled_from(VOCABULARY.split())
TEXTS = st.lists(
    st.lists(WORDS, min_size=0, max_size=20).map(" ".join), min_size=0, max_size=8
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(TEXTS, TEXTS, st.sampled_from([None, "Strike ends", "Port news"]))
def test_compare_is_symmetric_and_bounded(a: str, b: str, title: str | None) -> None:
    first, second = fingerprint(title, a), fingerprint(None, b)
    forward, backward = compare(first, second), compare(second, first)
    assert forward == backward
    if forward is not None:
        assert 0.0 <= forward.similarity <= 1.0
        assert forward.kind in {"near_duplicate", "lede", "short"}
    itself = compare(first, first)
    if first.words or title:
        assert itself is not None and itself.similarity == 1.0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400), st.one_of(st.none(), st.text(max_size=40)))
def test_fingerprint_is_deterministic(text: str, title: str | None) -> None:
    fp = fingerprint(title, text)
    assert fingerprint(title, text) == fp
    assert Fingerprint.from_bytes(fp.to_bytes()) == fp
    assert band_keys(fp) == band_keys(fingerprint(title, text))
