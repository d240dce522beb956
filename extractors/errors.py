"""newsflow's error tree, classified once at the edge where a failure is first seen.

    NewsflowError
     +-- TransientError      retried: in the run with backoff, then on later runs
     |                       (timeouts, connection errors, 429, 5xx)
     +-- PermanentError      recorded, not retried in the run; later runs retry it
         |                   rarely and give up after a few attempts
         |                   (404, 410, refused address, oversized body, ...)
         +-- FeedParseError      the bytes are not a usable RSS/Atom/RDF feed
         +-- ExtractionError     no article text could be extracted from a page
         |    +-- NotAnArticleError  the page is not an article (an index page, a
         |                           video, a paywall stub, a consent wall)
         +-- InvalidURLError     a URL newsflow cannot or may not fetch
         +-- OPMLError           an OPML document that cannot be read
         +-- BlockedAddressError a host that resolves to a refused address
         +-- RobotsDisallowedError  robots.txt forbids fetching the page
     +-- HostBusyError       not a failure: the host's shared request budget says
                             wait (a pause after 429, a full budget); the item is
                             put off without counting an attempt

Messages begin with the component that failed ("fetch: 429 from example.com",
"parse: ...") so a stored reason reads on its own; callers chain the cause with
``raise ... from exc``.
"""

from __future__ import annotations

from typing import Any, Literal

ErrorKind = Literal["transient", "permanent"]


class NewsflowError(Exception):
    """Base of every error newsflow raises on purpose."""

    kind: ErrorKind = "permanent"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status that caused the error, when an HTTP answer did.
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross from extraction worker processes by pickle, which rebuilds an
        # exception as cls(*args): keyword-only arguments (page_kind, wait_seconds)
        # would be missing. Rebuild without __init__ and restore the attributes.
        return (_rebuild, (type(self), self.args, self.__dict__))


class TransientError(NewsflowError):
    """A failure that may go away by itself: retry with backoff."""

    kind: ErrorKind = "transient"

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, status=status)
        #: Seconds the server asked us to wait (Retry-After), when it said so.
        self.retry_after = retry_after


class PermanentError(NewsflowError):
    """A failure that will not go away by retrying soon."""

    kind: ErrorKind = "permanent"


class FeedParseError(PermanentError):
    """The content is not a feed newsflow can read."""


class ExtractionError(PermanentError):
    """No article could be extracted from the page."""


class NotAnArticleError(ExtractionError):
    """The page is something other than an article; ``page_kind`` says what.

    Kinds: ``index`` (a list of links to articles, or a directory's files), ``video``
    (a player and little text), ``paywall`` (a stub that asks to subscribe), ``consent``
    (a cookie or consent wall in front of the page), ``forum`` (a thread of members'
    posts), ``product`` (an item for sale), ``listing`` (tiles or teasers to choose
    from), ``documentation`` (software reference or how-to), ``service`` (an
    organisation's offer and calls to action).
    """

    def __init__(self, message: str, *, page_kind: str) -> None:
        super().__init__(message)
        self.page_kind = page_kind


class InvalidURLError(PermanentError):
    """The URL is malformed, not http(s), or otherwise not fetchable."""


class OPMLError(PermanentError):
    """The OPML document is unreadable or holds no feeds."""


class BlockedAddressError(PermanentError):
    """The host resolves to a private, loopback or otherwise refused address."""


class RobotsDisallowedError(PermanentError):
    """The site's robots.txt does not allow newsflow to fetch the page."""


class HostBusyError(NewsflowError):
    """Not a failure: the host's request budget asks to wait ``wait_seconds`` first."""

    kind: ErrorKind = "transient"

    def __init__(self, message: str, *, wait_seconds: float) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


def _rebuild(cls: type[NewsflowError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def error_kind(exc: BaseException) -> ErrorKind:
    """Classify any exception; unknown exceptions count as permanent (a bug, not luck)."""
    if isinstance(exc, NewsflowError):
        return exc.kind
    return "permanent"


def describe(exc: BaseException) -> str:
    """One-line reason for storage and summaries."""
    text = str(exc).strip() or exc.__class__.__name__
    first_line = text.splitlines()[0]
    if not isinstance(exc, NewsflowError):
        first_line = f"{exc.__class__.__name__}: {first_line}"
    return first_line[:500]
