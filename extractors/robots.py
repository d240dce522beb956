"""robots.txt as RFC 9309 and Google read it: what a site lets newsflow fetch.

The caller fetches ``robots_url(url)`` and hands the status and body to
``parse_robots``; rules are matched by protego (Scrapy's parser: groups, ``*`` and
``$`` patterns, the longest match wins and Allow wins a tie, Crawl-delay).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from protego import Protego

from extractors.errors import InvalidURLError
from extractors.urls import check_url

#: RFC 9309, 2.5: a parsing limit of at least 500 KiB; Google reads exactly this much.
MAX_ROBOTS_BYTES = 500 * 1024

RobotsState = Literal["parsed", "unavailable", "unreachable"]

# RFC 9309, 2.2.1: a product token is letters, "_" and "-"; Google's matcher reads
# the crawler's token as the longest such prefix of its User-Agent.
_PRODUCT_TOKEN_RE = re.compile(r"[A-Za-z_-]+")
_MAX_PATH_IN_REASON = 120


def product_token(user_agent: str) -> str:
    """The token robots.txt groups are matched against ("newsflow" for "newsflow/0.1 (...)")."""
    match = _PRODUCT_TOKEN_RE.match(user_agent.strip())
    # With no token only the "*" group may apply: protego would match "" everywhere.
    return match.group(0).lower() if match else "*"


def robots_url(url: str) -> str:
    """Where the URL's robots.txt lives: scheme://host[:port]/robots.txt (RFC 9309, 2.3)."""
    parts = urlsplit(check_url(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    default = 443 if scheme == "https" else 80
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}/robots.txt"


def _state(status: int | None) -> RobotsState:
    if status is None or status >= 500 or status == 429:
        # RFC 9309, 2.3.1.4: unreachable or a server error means complete disallow.
        # Google reads a 429 as a server error too, not as "no robots.txt".
        return "unreachable"
    if 200 <= status < 300:
        return "parsed"
    # RFC 9309, 2.3.1.3: 4xx (401 and 403 included) means no rules: crawl anything.
    # A 3xx here means redirects ran out (2.3.1.2), which reads the same way.
    return "unavailable"


def _shown_path(url: str) -> str:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if len(path) > _MAX_PATH_IN_REASON:
        path = path[: _MAX_PATH_IN_REASON - 3] + "..."
    return path


def _is_robots_txt(url: str) -> bool:
    try:
        return urlsplit(url).path == "/robots.txt"
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """A site's robots.txt as fetched: its HTTP status (None: unreachable) and text."""

    status: int | None
    text: str = ""
    # Built once from ``text``; protego keeps per-agent memos inside, so it takes no
    # part in equality, hashing or repr.
    _parser: Protego | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.state == "parsed":
            object.__setattr__(self, "_parser", Protego.parse(self.text))

    @property
    def state(self) -> RobotsState:
        """parsed (2xx), unavailable (4xx: no rules), or unreachable (5xx, 429, no answer)."""
        return _state(self.status)

    @property
    def unreachable(self) -> bool:
        """True when everything is disallowed for now and the file is worth asking again soon."""
        return self.state == "unreachable"

    def allows(self, url: str, user_agent: str) -> bool:
        """True when robots.txt lets ``user_agent`` fetch ``url``."""
        if _is_robots_txt(url):
            return True  # RFC 9309, 2.2.2: /robots.txt itself is always allowed
        if self._parser is None:
            return self.state == "unavailable"
        return self._parser.can_fetch(url, product_token(user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests the site asks for: Crawl-delay, else 1/Request-rate."""
        if self._parser is None:
            return None
        token = product_token(user_agent)
        delay = self._parser.crawl_delay(token)
        if delay is not None:
            return delay
        rate = self._parser.request_rate(token)
        if rate is None:
            return None
        return rate.seconds / rate.requests

    def reason(self, url: str, user_agent: str) -> str:
        """One sentence saying whether and why ``url`` may be fetched."""
        if self.state == "unreachable":
            answer = "could not be fetched" if self.status is None else f"answered {self.status}"
            return f"robots: robots.txt {answer}; treating the site as disallowed until it answers"
        if self.state == "unavailable":
            return f"robots: robots.txt answered {self.status}; everything is allowed"
        verdict = "allowed" if self.allows(url, user_agent) else "disallowed"
        try:
            location = robots_url(url)
        except InvalidURLError:  # name the file by its path alone
            location = "/robots.txt"
        return (
            f"robots: {_shown_path(url)} is {verdict} for {product_token(user_agent)} by {location}"
        )


def parse_robots(status: int | None, body: bytes) -> RobotsRules:
    """The rules a robots.txt response sets (RFC 9309, 2.3.1); ``status`` None: unreachable."""
    if _state(status) != "parsed":
        return RobotsRules(status)
    # RFC 9309, 2.5: read at most the parsing limit; a character cut in half at the
    # limit or any invalid byte decodes to U+FFFD. "utf-8-sig" drops a byte order
    # mark, which would otherwise hide the first line's directive (Google skips it too).
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8-sig", errors="replace")
    return RobotsRules(status, text)
