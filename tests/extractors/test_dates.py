from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.dates import (
    DateOptions,
    Dating,
    PageDates,
    notes_with_source,
    page_dates,
    parse_date,
    plausible,
    reconcile_dates,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OPTIONS = DateOptions()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def tree(head: str = "", body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        f"<html><head><title>Port strike ends</title>{head}</head>"
        f"<body><h1>Port strike ends</h1>{body}"
        "<p>Dock workers in Lindenport voted to accept the new contract.</p></body></html>"
    )


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(key: str, value: str, attr: str = "property") -> str:
    return f'<meta {attr}="{key}" content="{value}">'


# --- parse_date ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T09:30:00Z", utc(2026, 11, 20, 9, 30)),
        ("2026-11-20T09:30:00+0100", utc(2026, 11, 20, 8, 30)),
        ("2026-11-20T09:30:00.000-05:00", utc(2026, 11, 20, 14, 30)),
        ("2026-11-20 09:30", utc(2026, 11, 20, 9, 30)),  # no zone: UTC
        ("2026-11-20", utc(2026, 11, 20)),
        ("2026/11/20 09:30:00 GMT", utc(2026, 11, 20, 9, 30)),
        ("Fri, 20 Nov 2026 09:30:00 +0100", utc(2026, 11, 20, 8, 30)),
        ("  2026-11-20T09:30:00Z\n", utc(2026, 11, 20, 9, 30)),
    ],
)
def test_parse_date_reads_the_usual_forms_as_utc(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "junk", ["", "yesterday", "2026-13-45", "0001-01-01T00:00:00+01:00", "9" * 100, None, 20261120]
)
def test_parse_date_returns_none_on_junk(junk: object) -> None:
    assert parse_date(junk) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_date_never_raises_and_returns_aware_utc(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is None or parsed.utcoffset() == timedelta(0)


# --- page_dates: JSON-LD ---------------------------------------------------


def test_json_ld_article_in_a_graph_beats_the_webpage_before_it() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "datePublished": "2020-01-01T00:00:00Z"},
            {"@type": "WebPage", "datePublished": "2026-11-19T00:00:00Z"},
            {
                "@type": "NewsArticle",
                "datePublished": "2026-11-20T09:30:00+01:00",
                "dateModified": "2026-11-20T12:00:00Z",
            },
        ],
    }
    assert page_dates(tree(ld(graph))) == PageDates(
        published=utc(2026, 11, 20, 8, 30), updated=utc(2026, 11, 20, 12), source="json-ld"
    )


def test_json_ld_in_nested_lists_with_a_typed_list_and_schema_urls() -> None:
    data = [
        [{"@type": "BreadcrumbList", "itemListElement": []}],
        [{"@type": ["http://schema.org/ReportageNewsArticle"], "dateCreated": "2026-11-20"}],
    ]
    dates = page_dates(tree(ld(data)))
    assert (dates.published, dates.source) == (utc(2026, 11, 20), "json-ld")


def test_json_ld_webpage_dates_serve_when_no_article_has_any() -> None:
    data = {"@type": "WebPage", "datePublished": {"@value": "2026-11-18T07:00:00Z"}}
    assert page_dates(tree(ld(data))).published == utc(2026, 11, 18, 7)


def test_json_ld_of_other_types_is_not_read() -> None:
    # Only htmldate's own script search finds it, at day precision.
    data = {"@type": "Event", "datePublished": "2026-11-18T07:00:00Z"}
    assert page_dates(tree(ld(data)), now=NOW) == PageDates(utc(2026, 11, 18), None, "htmldate")


def test_json_ld_top_level_article_beats_articles_nested_deeper() -> None:
    # Breadth first: the page's own article, not a teaser nested in the WebPage before it.
    data = [
        {
            "@type": "WebPage",
            "hasPart": [{"@type": "NewsArticle", "datePublished": "2026-11-01T00:00:00Z"}],
        },
        {"@type": "NewsArticle", "datePublished": "2026-11-20T09:30:00Z"},
    ]
    assert page_dates(tree(ld(data))).published == utc(2026, 11, 20, 9, 30)


def test_sloppy_json_ld_is_still_read() -> None:
    # An HTML comment wrapper, a raw newline inside a string, trailing commas.
    script = (
        '<script type="application/ld+json"><!--\n{"@type": "BlogPosting", '
        '"headline": "Port\nstrike", "datePublished": "2026-11-20T09:30:00Z",},\n--></script>'
    )
    assert page_dates(tree(script)).source == "json-ld"


def test_broken_json_ld_falls_back_to_meta() -> None:
    broken = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": </script>'
    )
    dates = page_dates(tree(broken + meta("article:published_time", "2026-11-20T10:15:00+0100")))
    assert (dates.published, dates.source) == (utc(2026, 11, 20, 9, 15), "meta")


def test_json_ld_published_with_meta_updated() -> None:
    head = ld({"@type": "Article", "datePublished": "2026-11-20T09:30:00Z"}) + meta(
        "article:modified_time", "2026-11-21T10:00:00Z"
    )
    dates = page_dates(tree(head))
    assert dates == PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 21, 10), "json-ld")


# --- page_dates: meta and time ---------------------------------------------


def test_meta_with_an_offset_zone_is_converted_to_utc() -> None:
    head = meta("article:published_time", "2026-11-20T23:30:00-05:00") + meta(
        "og:updated_time", "2026-11-21T08:00:00+02:00"
    )
    dates = page_dates(tree(head))
    assert dates == PageDates(utc(2026, 11, 21, 4, 30), utc(2026, 11, 21, 6), "meta")


def test_meta_keys_are_ranked_not_taken_in_page_order() -> None:
    head = meta("date", "2026-11-01", attr="name") + meta(
        "article:published_time", "2026-11-20T09:30:00Z"
    )
    assert page_dates(tree(head)).published == utc(2026, 11, 20, 9, 30)


def test_an_unparsable_meta_date_gives_way_to_the_next_key() -> None:
    head = meta("article:published_time", "last Tuesday") + meta(
        "parsely-pub-date", "2026-11-20T09:30:00Z", attr="name"
    )
    assert page_dates(tree(head)).published == utc(2026, 11, 20, 9, 30)


def test_itemprop_on_any_element() -> None:
    body = (
        '<span itemprop="datePublished" content="2026-11-20T09:30:00Z">20 Nov</span>'
        '<time itemprop="dateModified" datetime="2026-11-22T10:00:00Z">22 Nov</time>'
    )
    dates = page_dates(tree(body=body))
    assert dates == PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 22, 10), "meta")


def test_time_inside_the_article_not_the_one_in_the_header() -> None:
    body = (
        '<header><time datetime="2026-11-25T06:00:00Z">Today</time></header>'
        '<article><p>By a reporter, <time datetime="2026-11-20T09:30:00+01:00">20 Nov</time>'
        "</p></article>"
    )
    dates = page_dates(tree(body=body))
    assert (dates.published, dates.source) == (utc(2026, 11, 20, 8, 30), "time")


def test_time_with_pubdate_outside_an_article() -> None:
    body = '<time datetime="2026-11-24"></time><time pubdate datetime="2026-11-20T09:30Z"></time>'
    assert page_dates(tree(body=body)).published == utc(2026, 11, 20, 9, 30)


# --- page_dates: htmldate and junk -----------------------------------------


def test_htmldate_finds_a_visible_date_line_at_day_precision() -> None:
    page = tree(body='<p class="meta">Published: 2026-11-20</p>')
    before = lxml.html.tostring(page)
    assert page_dates(page, now=NOW) == PageDates(utc(2026, 11, 20), None, "htmldate")
    assert lxml.html.tostring(page) == before  # the caller's tree is left as it was


def test_htmldate_is_bounded_by_the_end_of_the_day_of_now() -> None:
    page = tree(body='<p class="meta">Published: 2026-11-20</p>')
    assert page_dates(page, now=utc(2026, 10, 10)).published is None
    assert page_dates(page, now=utc(2026, 11, 20, 1)).published == utc(2026, 11, 20)


def test_a_page_that_states_nothing() -> None:
    assert page_dates(tree(body="<p>No dates here at all.</p>"), now=NOW) == PageDates(
        None, None, None
    )


def test_junk_everywhere_gives_none() -> None:
    head = (
        '<script type="application/ld+json">{"@type": 7, "@graph": "x"}</script>'
        '<script type="application/ld+json">[1, null, {"@type": "NewsArticle", '
        '"datePublished": ["soon", {"@value": 5}]}]</script>'
        + meta("article:published_time", "")
        + meta("article:modified_time", "n/a")
    )
    body = '<article><time datetime="later">later</time></article>'
    assert page_dates(tree(head, body), now=NOW) == PageDates(None, None, None)


# --- plausible -------------------------------------------------------------


def test_plausible_bounds() -> None:
    assert plausible(NOW + timedelta(minutes=59), NOW, OPTIONS) is None
    assert plausible(utc(1995, 1, 1), NOW, OPTIONS) is None
    assert plausible(NOW + timedelta(minutes=61), NOW, OPTIONS) == (
        "2026-11-25T13:01:00Z is in the future"
    )
    reason = plausible(utc(1970, 1, 1), NOW, OPTIONS)
    assert reason is not None and reason.startswith("1970-01-01T00:00:00Z is before 1995-01-01")


# --- reconcile_dates -------------------------------------------------------


def test_a_future_feed_date_is_rejected_with_a_note() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), None, "meta")
    dating = reconcile_dates(utc(2031, 1, 1), page, now=NOW)
    assert dating == Dating(
        utc(2026, 11, 20, 9, 30),
        None,
        "page",
        ("feed date 2031-01-01T00:00:00Z is in the future; ignored",),
    )


def test_an_ancient_page_date_is_rejected_with_a_note() -> None:
    page = PageDates(utc(1970, 1, 1), None, "htmldate")
    dating = reconcile_dates(utc(2026, 11, 20, 9, 30), page, now=NOW)
    assert (dating.published_at, dating.source) == (utc(2026, 11, 20, 9, 30), "feed")
    assert len(dating.notes) == 1
    assert dating.notes[0].startswith("page date 1970-01-01T00:00:00Z is before 1995-01-01")
    assert dating.notes[0].endswith("; ignored")


def test_agreement_keeps_the_feed_date_when_it_is_precise() -> None:
    page = PageDates(utc(2026, 11, 20), None, "htmldate")  # day precision
    dating = reconcile_dates(utc(2026, 11, 20, 17, 45), page, now=NOW)
    assert dating == Dating(utc(2026, 11, 20, 17, 45), None, "feed+page", ())


def test_agreement_takes_the_page_time_over_a_feed_midnight() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 21, 8), "json-ld")
    dating = reconcile_dates(utc(2026, 11, 20), page, now=NOW)
    assert dating == Dating(utc(2026, 11, 20, 9, 30), utc(2026, 11, 21, 8), "feed+page", ())


def test_agreement_within_the_window_only() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), None, "meta")
    inside = reconcile_dates(utc(2026, 11, 21, 21, 30), page, now=NOW)  # 36h apart
    outside = reconcile_dates(utc(2026, 11, 21, 21, 31), page, now=NOW)
    assert inside.source == "feed+page"
    assert outside.source == "page"


def test_disagreement_takes_the_earlier_page_date_and_the_feed_as_updated() -> None:
    # A feed that bumps pubDate when a story is edited.
    page = PageDates(utc(2026, 11, 20, 9, 30), None, "json-ld")
    dating = reconcile_dates(utc(2026, 11, 24, 8), page, now=NOW)
    assert (dating.published_at, dating.updated_at, dating.source) == (
        utc(2026, 11, 20, 9, 30),
        utc(2026, 11, 24, 8),
        "page",
    )
    assert dating.notes == (
        "feed date 2026-11-24T08:00:00Z and page date 2026-11-20T09:30:00Z disagree; "
        "the earlier (page) is taken as published, the later (feed) as updated",
    )


def test_disagreement_takes_the_earlier_feed_date_when_the_page_was_republished() -> None:
    page = PageDates(utc(2026, 11, 24, 8), None, "meta")
    dating = reconcile_dates(utc(2026, 11, 20, 9, 30), page, now=NOW)
    assert (dating.published_at, dating.updated_at, dating.source) == (
        utc(2026, 11, 20, 9, 30),
        utc(2026, 11, 24, 8),
        "feed",
    )
    assert "the earlier (feed)" in dating.notes[0]


def test_disagreement_keeps_a_later_page_updated_date() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 25, 6), "json-ld")
    dating = reconcile_dates(utc(2026, 11, 24, 8), page, now=NOW)
    assert dating.updated_at == utc(2026, 11, 25, 6)
    assert dating.notes == (
        "feed date 2026-11-24T08:00:00Z and page date 2026-11-20T09:30:00Z disagree; "
        "the earlier (page) is taken as published",
    )


def test_disagreement_with_a_stale_page_updated_date_notes_both() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 1), "json-ld")
    dating = reconcile_dates(utc(2026, 11, 24, 8), page, now=NOW)
    assert dating.updated_at == utc(2026, 11, 24, 8)
    assert dating.notes == (
        "feed date 2026-11-24T08:00:00Z and page date 2026-11-20T09:30:00Z disagree; "
        "the earlier (page) is taken as published, the later (feed) as updated",
        "page updated date 2026-11-01T00:00:00Z is before the publication date "
        "2026-11-20T09:30:00Z; ignored",
    )


def test_disagreement_keeps_the_later_date_over_an_earlier_page_updated_date() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 22), "json-ld")
    dating = reconcile_dates(utc(2026, 11, 24, 8), page, now=NOW)
    assert dating.updated_at == utc(2026, 11, 24, 8)


def test_a_page_updated_date_before_publication_is_ignored() -> None:
    page = PageDates(utc(2026, 11, 20, 9, 30), utc(2026, 11, 19), "meta")
    dating = reconcile_dates(None, page, now=NOW)
    assert dating == Dating(
        utc(2026, 11, 20, 9, 30),
        None,
        "page",
        (
            "page updated date 2026-11-19T00:00:00Z is before the publication date "
            "2026-11-20T09:30:00Z; ignored",
        ),
    )


def test_only_the_feed_date() -> None:
    assert reconcile_dates(utc(2026, 11, 20, 9, 30), None, now=NOW) == Dating(
        utc(2026, 11, 20, 9, 30), None, "feed", ()
    )


def test_no_dates() -> None:
    assert reconcile_dates(None, PageDates(None, None, None), now=NOW) == Dating(
        None, None, "none", ()
    )


def test_naive_and_offset_inputs_are_read_as_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    dating = reconcile_dates(
        datetime(2026, 11, 20, 9, 30),  # noqa: DTZ001 - a naive date is taken as UTC
        PageDates(datetime(2026, 11, 20, 11, 30, tzinfo=plus_two), None, "meta"),
        now=NOW.replace(tzinfo=None),
    )
    assert dating == Dating(utc(2026, 11, 20, 9, 30), None, "feed+page", ())


def test_options_narrow_the_bounds() -> None:
    options = DateOptions(max_future=timedelta(0), earliest=utc(2026, 1, 1))
    dating = reconcile_dates(NOW + timedelta(seconds=1), None, now=NOW, options=options)
    assert (dating.published_at, dating.source) == (None, "none")
    assert plausible(utc(2025, 12, 31), NOW, options) is not None


# hypothesis takes naive bounds and attaches the zone itself.
instants = st.datetimes(
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=500, deadline=None)
@given(
    feed=st.none() | instants,
    published=st.none() | instants,
    updated=st.none() | instants,
    max_future=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
    agree_within=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
)
def test_reconciled_dates_are_always_plausible_and_ordered(
    feed: datetime | None,
    published: datetime | None,
    updated: datetime | None,
    max_future: timedelta,
    agree_within: timedelta,
) -> None:
    options = DateOptions(max_future=max_future, agree_within=agree_within)
    dating = reconcile_dates(feed, PageDates(published, updated, "meta"), now=NOW, options=options)
    for value in (dating.published_at, dating.updated_at):
        if value is not None:
            assert options.earliest <= value <= NOW + options.max_future
            assert value.utcoffset() == timedelta(0)
    if dating.published_at is not None and dating.updated_at is not None:
        assert dating.updated_at >= dating.published_at
    assert (dating.published_at is None) == (dating.source == "none")


def test_notes_say_where_a_used_page_date_was_read() -> None:
    page = PageDates(utc(2026, 11, 17, 9), None, "json-ld")
    used = reconcile_dates(utc(2026, 11, 20, 12), page, now=NOW)
    assert notes_with_source(used, page.source)[-1] == "page date from json-ld"
    # The feed's date alone was used: nothing is said about the page.
    feed_only = reconcile_dates(utc(2026, 11, 20, 12), None, now=NOW)
    assert notes_with_source(feed_only, "meta") == feed_only.notes


def test_the_htmldate_guess_can_be_left_to_the_caller() -> None:
    page = tree(body="<article><p>Published: 2026-11-20</p><p>Body text.</p></article>")
    assert page_dates(page, now=NOW, guess=False) == PageDates(None, None, None)
    assert page_dates(page, now=NOW).source == "htmldate"
