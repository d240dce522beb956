"""Find the feeds of a site: the URL itself, the feeds its page links to, or the usual paths.

The network half of discovery; what to look for in a page is extractors.discovery.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from extractors.discovery import common_feed_urls, feed_links, looks_like_html
from extractors.errors import FeedParseError, NewsflowError, describe
from extractors.feeds import ParsedFeed, parse_feed
from flows.fetch import Fetcher

#: Feeds first, then pages (which may link to feeds); anything else last.
DISCOVERY_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.7, */*;q=0.5"
)

How = Literal["feed", "link", "common-path", "none"]


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    """A feed found to parse, under the URL to subscribe to."""

    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """What discovery found for a URL, how, and what went wrong on the way."""

    url_given: str
    feeds: tuple[DiscoveredFeed, ...]
    how: How
    detail: str


async def discover(fetcher: Fetcher, url: str) -> Discovery:
    """The feeds of ``url``; a failure to fetch ``url`` itself raises NewsflowError."""
    response = await fetcher.get(url, accept=DISCOVERY_ACCEPT)
    try:
        parsed = parse_feed(response.content, url=response.url, content_type=response.content_type)
    except FeedParseError as exc:
        if not looks_like_html(response.content, response.content_type):
            return Discovery(url, (), "none", f"{url}: {describe(exc)}")
    else:
        # The URL given, not the one redirected to: only a permanent redirect should
        # move a subscription, and the fetcher does not say which kind each hop was.
        found = DiscoveredFeed(url, parsed.title)
        return Discovery(url, (found,), "feed", f"{url} is a feed ({_size(parsed)})")

    failures: list[str] = []
    links = [link for link in feed_links(response.content, response.url) if link.url != url]
    results = await asyncio.gather(*(_try_feed(fetcher, link.url) for link in links))
    feeds: list[DiscoveredFeed] = []
    for link, result in zip(links, results, strict=True):
        if isinstance(result, ParsedFeed):
            # A feed's own title, unless it has none (parse_feed then gives its URL).
            title = link.title if result.title == link.url and link.title else result.title
            feeds.append(DiscoveredFeed(link.url, title))
        else:
            failures.append(f"{link.url}: {result}")
    if feeds:
        return Discovery(url, tuple(feeds), "link", _detail(f"linked from {url}", failures))

    tried = {url, *(link.url for link in links)}
    for candidate in common_feed_urls(response.url):
        if candidate in tried:
            continue
        result = await _try_feed(fetcher, candidate)
        if isinstance(result, ParsedFeed):
            found = DiscoveredFeed(candidate, result.title)
            summary = f"found at a common feed path ({_size(result)})"
            return Discovery(url, (found,), "common-path", _detail(summary, failures))
        failures.append(f"{candidate}: {result}")
    lead = f"{url} is an HTML page with no feed linked from it or at a common feed path"
    return Discovery(url, (), "none", _detail(lead, failures))


async def _try_feed(fetcher: Fetcher, url: str) -> ParsedFeed | str:
    """The parsed feed at ``url``, or why there is none (never raises NewsflowError)."""
    try:
        response = await fetcher.get(url, accept=DISCOVERY_ACCEPT)
        return parse_feed(response.content, url=response.url, content_type=response.content_type)
    except NewsflowError as exc:
        return describe(exc)


def _size(parsed: ParsedFeed) -> str:
    return f"{parsed.version}, {parsed.total_entries} entries"


def _detail(summary: str, failures: list[str]) -> str:
    return "; ".join([summary, *failures])
