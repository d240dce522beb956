"""URL checks and canonicalisation: one article, one canonical URL."""

from __future__ import annotations

import contextlib
import ipaddress
import re
from types import MappingProxyType
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from tld import get_fld
from tld.utils import MozillaTLDSourceParser
from w3lib.url import canonicalize_url as _w3lib_canonicalize

from extractors.errors import InvalidURLError

#: Longest URL newsflow stores. Browsers and CDNs cap near here too; the cap keeps
#: unique indexes within PostgreSQL's b-tree entry limit (about 2,700 bytes).
MAX_URL_LENGTH = 2048

_DEFAULT_PORTS = MappingProxyType({"http": 80, "https": 443})

# Parameters that identify a campaign or a click, never the document. Prefix
# matches first, then exact names (lower-cased comparison).
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "oly_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "s_cid",
        "spm",
        "ncid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "rss",
    }
)

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_tracking_parameter(name: str) -> bool:
    """True for query parameters that only track campaigns or clicks."""
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def check_url(url: str) -> str:
    """Return the stripped URL if it is an absolute http(s) URL newsflow may fetch."""
    cleaned = url.strip()
    if not cleaned:
        raise InvalidURLError("url: empty URL")
    if len(cleaned) > MAX_URL_LENGTH:
        raise InvalidURLError(f"url: longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in cleaned):
        raise InvalidURLError(f"url: contains whitespace or control characters: {cleaned[:80]!r}")
    if not _SCHEME_RE.match(cleaned):
        raise InvalidURLError(f"url: not an absolute URL (expected http:// or https://): {cleaned}")
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"url: malformed URL {cleaned!r}: {exc}") from exc
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise InvalidURLError(
            f"url: only http and https are fetched, not {parts.scheme}: {cleaned}"
        )
    if not parts.hostname:
        raise InvalidURLError(f"url: no host in {cleaned}")
    if port == 0:
        raise InvalidURLError(f"url: port 0 in {cleaned}")
    return cleaned


def canonicalize_url(url: str, *, base: str | None = None) -> str:
    """The URL that identifies a document.

    Resolves ``url`` against ``base``; lower-cases scheme and host; drops the default
    port, the fragment, tracking parameters (``utm_*``, ``fbclid``, ``gclid``...) and
    an empty query; sorts the remaining query parameters and normalises
    percent-encoding (w3lib). Path case and other parameters are kept: they can
    name different documents. Idempotent.
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    checked = check_url(absolute)
    parts = urlsplit(checked)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    # Built from host and port only: credentials never identify a document, and
    # keeping them would store secrets.
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_parameter(name)
    ]
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query_pairs), ""))
    canonical: str = _w3lib_canonicalize(rebuilt, keep_fragments=False)
    if len(canonical) > MAX_URL_LENGTH:
        raise InvalidURLError(f"url: longer than {MAX_URL_LENGTH} characters once canonical")
    return canonical


def host_of(url: str) -> str:
    """Lower-cased host name of a URL ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class _BundledSuffixList(MozillaTLDSourceParser):
    """The public suffix list (private domains included) shipped inside the tld package."""

    uid = "newsflow-bundled"
    source_url = ""

    @classmethod
    def update_tld_names(cls, fail_silently: bool = False) -> bool:
        # tld downloads the list when its bundled copy cannot be read; newsflow never
        # downloads at run time, so a missing list is an install problem, not a fetch.
        return False


def budget_key(url: str) -> str:
    """The registrable domain (eTLD+1) of the URL's host: one politeness budget per site."""
    host = host_of(url).rstrip(".")
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host  # an IP literal has no registrable domain
    if not host.isascii():
        # Canonical URLs carry IDNA (punycode) hosts; key both spellings alike.
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    # The private section counts (a.blogspot.com is its own site), as browsers and
    # the public suffix list's own guidance read it. No suffix (localhost, intranet
    # names) or an empty label: the host alone is the budget.
    domain = get_fld(
        SplitResult("http", host, "", "", ""), fail_silently=True, parser_class=_BundledSuffixList
    )
    if not domain or domain.startswith("."):
        return host
    return domain.rstrip(".").lower()


#: Path segments that select a view of an article, not another document.
_VIEW_SEGMENTS = frozenset({"amp", "print", "mobile"})


def _path_segments(url: str) -> list[str]:
    return [segment for segment in urlsplit(url).path.split("/") if segment]


def identity_url(final_url: str, page_canonical: str | None) -> tuple[str, str | None]:
    """The URL that identifies a fetched article, and why the page's canonical was not used."""
    final = canonicalize_url(final_url)
    if page_canonical is None:
        return final, None
    try:
        stated = canonicalize_url(page_canonical)
    except InvalidURLError:
        return final, f"page canonical {page_canonical[:200]!r} is not an http(s) URL; not used"
    if stated == final:
        return final, None
    # rel=canonical may name another site (syndication credits the original), but
    # one site's copy is its own article here: identity never crosses sites.
    site = budget_key(stated)
    if site != budget_key(final):
        return final, f"page canonical on another site ({site}); not used"
    if urlsplit(stated).query:
        return stated, None  # /?p=123 names a document, whatever its path
    segments = _path_segments(stated)
    if not segments:
        return final, f"page canonical {stated} is the front page; not used"
    # A template that gives every page its section's URL as canonical (Google's
    # "rel=canonical to the first page of a category" mistake): a bare section
    # cannot stand for a deeper page, unless it is that page's own slug seen
    # through an AMP or print view (/amp/story -> /story, /story/amp/ -> /story/).
    final_segments = _path_segments(final)
    if len(segments) == 1 and len(final_segments) > 1:
        slugs = [s for s in final_segments if s.lower() not in _VIEW_SEGMENTS]
        if not slugs or slugs[-1] != segments[0]:
            return final, f"page canonical {stated} is a section page; not used"
    return stated, None
