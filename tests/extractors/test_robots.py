from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.errors import InvalidURLError
from extractors.robots import (
    MAX_ROBOTS_BYTES,
    RobotsRules,
    parse_robots,
    product_token,
    robots_url,
)

AGENT = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
OTHER = "SomeBot/2.0"

ROBOTS = b"""# a site with rules for everyone and for newsflow
User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Crawl-delay: 3

User-Agent: NewsFlow
Disallow: /
Allow: /news/
Disallow: /news/drafts/
Allow: /news/drafts/public$
Allow: /*/print$
Crawl-delay: 2.5
"""


@pytest.fixture
def rules() -> RobotsRules:
    return parse_robots(200, ROBOTS)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", False),  # the newsflow group disallows everything else
        ("/news/", True),
        ("/news/2026/11/story.html", True),
        # The longest matching rule wins (RFC 9309, 2.2.2).
        ("/news/drafts/secret", False),
        # "$" anchors the end: only the exact path is allowed back.
        ("/news/drafts/public", True),
        ("/news/drafts/public/more", False),
        # "*" matches any run of characters, "$" the end.
        ("/sport/print", True),
        ("/sport/print/2", False),
        ("/robots.txt", True),  # RFC 9309, 2.2.2: always allowed
    ],
)
def test_newsflow_group(rules: RobotsRules, path: str, allowed: bool) -> None:
    assert rules.allows(f"https://news.example.com{path}", AGENT) is allowed


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", True),
        ("/news/drafts/secret", True),  # only newsflow's group says no here
        ("/private/x", False),
        ("/files/report.pdf", False),
        ("/files/report.pdf?page=2", True),  # "$": the URL does not end with .pdf
    ],
)
def test_other_agents_use_the_star_group(rules: RobotsRules, path: str, allowed: bool) -> None:
    assert rules.allows(f"https://news.example.com{path}", OTHER) is allowed


def test_allow_wins_a_tie_of_equal_length() -> None:
    rules = parse_robots(200, b"User-agent: *\nDisallow: /page\nAllow: /page\n")
    assert rules.allows("https://e.com/page", AGENT)


def test_groups_are_matched_by_product_token_only() -> None:
    # The full User-Agent mentions "github" in its contact URL: that group is not ours.
    rules = parse_robots(200, b"User-agent: github\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    assert rules.allows("https://e.com/a", AGENT)
    assert not rules.allows("https://e.com/a", "GitHub/1.0")


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        (AGENT, "newsflow"),
        ("NewsFlow", "newsflow"),
        ("  news_flow-bot/2 extra", "news_flow-bot"),
        ("Mozilla/5.0 (compatible; newsflow/0.1)", "mozilla"),
        ("", "*"),
        ("/0.1", "*"),
    ],
)
def test_product_token(user_agent: str, token: str) -> None:
    assert product_token(user_agent) == token


def test_crawl_delay_by_group(rules: RobotsRules) -> None:
    assert rules.crawl_delay(AGENT) == 2.5
    assert rules.crawl_delay(OTHER) == 3.0


def test_request_rate_gives_a_delay_when_no_crawl_delay() -> None:
    rules = parse_robots(200, b"User-agent: *\nRequest-rate: 2/10s\n")
    assert rules.crawl_delay(AGENT) == 5.0
    both = parse_robots(200, b"User-agent: *\nRequest-rate: 1/60s\nCrawl-delay: 4\n")
    assert both.crawl_delay(AGENT) == 4.0
    assert parse_robots(200, b"User-agent: *\nDisallow: /x\n").crawl_delay(AGENT) is None


@pytest.mark.parametrize("status", [404, 401, 403, 410, 400, 308])
def test_client_errors_allow_everything(status: int) -> None:
    # RFC 9309, 2.3.1.3: the body of an error page is never read as rules.
    rules = parse_robots(status, b"User-agent: *\nDisallow: /\n")
    assert rules.state == "unavailable"
    assert not rules.unreachable
    assert rules.allows("https://e.com/anything", AGENT)
    assert rules.crawl_delay(AGENT) is None
    assert rules.reason("https://e.com/a", AGENT) == (
        f"robots: robots.txt answered {status}; everything is allowed"
    )


@pytest.mark.parametrize("status", [500, 503, 429, None])
def test_server_errors_disallow_everything(status: int | None) -> None:
    # RFC 9309, 2.3.1.4; Google reads 429 as a server error too.
    rules = parse_robots(status, b"User-agent: *\nAllow: /\n")
    assert rules.state == "unreachable"
    assert rules.unreachable
    assert not rules.allows("https://e.com/", AGENT)
    assert not rules.allows("https://e.com/news/a", AGENT)
    assert rules.allows("https://e.com/robots.txt", AGENT)


def test_server_error_reasons() -> None:
    assert parse_robots(503, b"").reason("https://e.com/a", AGENT) == (
        "robots: robots.txt answered 503; treating the site as disallowed until it answers"
    )
    assert parse_robots(None, b"").reason("https://e.com/a", AGENT) == (
        "robots: robots.txt could not be fetched; treating the site as disallowed until it answers"
    )


def test_reason_names_path_agent_and_file(rules: RobotsRules) -> None:
    assert rules.reason("https://news.example.com/private/?id=3", AGENT) == (
        "robots: /private/?id=3 is disallowed for newsflow by https://news.example.com/robots.txt"
    )
    assert rules.reason("https://news.example.com:8443/news/a", AGENT) == (
        "robots: /news/a is allowed for newsflow by https://news.example.com:8443/robots.txt"
    )
    long_path = "/x" * 200
    assert len(rules.reason(f"https://e.com{long_path}", AGENT)) < 200


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n",
        b"<html><body>Not Found</body></html>",
        b"Disallow: /\n",  # a rule outside any group applies to nobody
    ],
)
def test_garbage_allows_everything(body: bytes) -> None:
    rules = parse_robots(200, body)
    assert rules.state == "parsed"
    assert rules.allows("https://e.com/a/b", AGENT)


def test_byte_order_mark_does_not_hide_the_first_group() -> None:
    rules = parse_robots(200, b"\xef\xbb\xbfUser-agent: *\nDisallow: /private/\n")
    assert rules.text.startswith("User-agent: *")
    assert not rules.allows("https://e.com/private/a", AGENT)


def test_invalid_utf8_is_replaced_and_the_rest_still_applies() -> None:
    rules = parse_robots(200, b"User-agent: *\nDisallow: /caf\xe9/\nDisallow: /b/\n")
    assert "\ufffd" in rules.text
    assert not rules.allows("https://e.com/b/1", AGENT)
    assert rules.allows("https://e.com/c/1", AGENT)


def test_huge_body_is_cut_at_the_parsing_limit() -> None:
    # A rule that starts past 500 KiB is never seen (RFC 9309, 2.5).
    head = b"User-agent: *\nDisallow: /early/\n"
    filler = b"# " + b"x" * (MAX_ROBOTS_BYTES - len(head) - 3) + b"\n"
    body = head + filler + b"Disallow: /late/\n" + b"# more\n" * 100_000
    assert len(head + filler) == MAX_ROBOTS_BYTES
    rules = parse_robots(200, body)
    assert len(rules.text.encode()) == MAX_ROBOTS_BYTES
    assert not rules.allows("https://e.com/early/a", AGENT)
    assert rules.allows("https://e.com/late/a", AGENT)


def test_rules_compare_by_status_and_text() -> None:
    assert parse_robots(200, ROBOTS) == parse_robots(200, ROBOTS)
    assert hash(parse_robots(200, ROBOTS)) == hash(parse_robots(200, ROBOTS))
    assert parse_robots(200, ROBOTS) != parse_robots(200, b"User-agent: *\n")
    # Status alone decides the unparsed states; their bodies are not kept.
    assert parse_robots(404, b"a") == parse_robots(404, b"b") == RobotsRules(404)
    # Built directly from text, the rules work the same.
    assert not RobotsRules(200, "User-agent: *\nDisallow: /\n").allows("https://e.com/", AGENT)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://News.Example.com/a/b?c=1#d", "https://news.example.com/robots.txt"),
        ("http://example.com:80/a", "http://example.com/robots.txt"),
        ("https://example.com:443/a", "https://example.com/robots.txt"),
        ("https://example.com:8443/a", "https://example.com:8443/robots.txt"),
        ("http://user:pw@example.com/a", "http://example.com/robots.txt"),
        ("http://[::1]:8765/feed", "http://[::1]:8765/robots.txt"),
        ("http://127.0.0.1:8765/feed", "http://127.0.0.1:8765/robots.txt"),
    ],
)
def test_robots_url(url: str, expected: str) -> None:
    assert robots_url(url) == expected


def test_robots_url_refuses_what_cannot_be_fetched() -> None:
    with pytest.raises(InvalidURLError):
        robots_url("ftp://example.com/a")


@given(body=st.binary(max_size=2000), path=st.text(max_size=30))
def test_any_body_parses_and_answers(body: bytes, path: str) -> None:
    rules = parse_robots(200, body)
    assert isinstance(rules.allows(f"https://e.com/{path}", AGENT), bool)
    assert rules.reason(f"https://e.com/{path}", AGENT).startswith("robots: ")
    delay = rules.crawl_delay(AGENT)
    assert delay is None or delay >= 0


@given(
    prefix=st.lists(st.sampled_from(["a", "b", "c", "x"]), min_size=1, max_size=4),
    rest=st.text(alphabet="abc/xyz.", max_size=10),
)
def test_disallowed_prefix_blocks_everything_below_it(prefix: list[str], rest: str) -> None:
    path = "/" + "/".join(prefix) + "/"
    rules = parse_robots(200, f"User-agent: newsflow\nDisallow: {path}\n".encode())
    assert not rules.allows(f"https://e.com{path}{rest}", AGENT)
    assert rules.allows(f"https://e.com{path}{rest}", OTHER)
