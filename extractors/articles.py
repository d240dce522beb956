"""Article HTML -> clean text and metadata (trafilatura). No network."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from extractors.errors import ExtractionError, InvalidURLError
from extractors.urls import canonicalize_url

EXTRACTOR_VERSION = f"trafilatura/{version('trafilatura')}"

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How to extract; the defaults suit news pages."""

    include_tables: bool = True
    favor: str = "balanced"  # "balanced", "precision" or "recall"
    #: Fewer characters than this is not an article (a stub, a teaser, an error page).
    min_text_length: int = 150
    #: Largest DOM (in elements) handed to the extractor; bigger pages are refused.
    max_tree_size: int = 200_000


@dataclass(frozen=True, slots=True)
class Article:
    """An article's clean text and metadata, as the page states them."""

    text: str
    title: str | None
    author: str | None
    published_at: datetime | None  # timezone-aware UTC, as the page states it
    language: str | None  # BCP 47 primary tag, lower case ("en", "pt")
    site_name: str | None
    description: str | None
    image_url: str | None
    tags: tuple[str, ...]
    canonical_url: str | None  # the page's rel=canonical / og:url, canonicalised
    license: str | None
    method: str  # which strategy produced the text ("trafilatura", "readability", "feed")
    extractor_version: str
    #: When the page says it was last changed (timezone-aware UTC).
    updated_at: datetime | None = None
    #: Where on the page ``published_at`` was found ("json-ld", "meta", "time", "htmldate").
    date_source: str | None = None
    #: "page" (the page declares it) or "detected" (from the text).
    language_source: str | None = None
    #: How much the chosen text can be trusted, 0 to 1 (agreement between strategies).
    confidence: float = 1.0


def extract_article(
    html: str, *, url: str | None = None, options: ExtractOptions | None = None
) -> Article:
    """Extract the article from a page; raise ExtractionError when there is none."""
    opts = options or ExtractOptions()
    if not html.strip():
        raise ExtractionError("extract: empty page")
    tree = load_html(html)
    if tree is None:
        raise ExtractionError("extract: the page is not parsable HTML")
    size = sum(1 for _ in tree.iter())
    if size > opts.max_tree_size:
        raise ExtractionError(
            f"extract: page too large ({size} elements, at most {opts.max_tree_size})"
        )
    language = _page_language(tree)
    try:
        doc: Any = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=opts.include_tables,
            favor_precision=opts.favor == "precision",
            favor_recall=opts.favor == "recall",
            deduplicate=False,
        )
    except Exception as exc:  # trafilatura raises assorted lxml and value errors
        raise ExtractionError(f"extract: extractor failed: {exc}") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < opts.min_text_length:
        raise ExtractionError(
            f"extract: no article text found ({len(text)} characters, "
            f"at least {opts.min_text_length} expected)"
        )
    return Article(
        text=text,
        title=_str(doc.title),
        author=_str(doc.author),
        published_at=_date(doc.date),
        language=language,
        site_name=_str(doc.sitename),
        description=_str(doc.description),
        image_url=_str(doc.image),
        tags=tuple(_split_tags(doc.tags)),
        canonical_url=_canonical(doc.url, url),
        license=_str(doc.license),
        method="trafilatura",
        extractor_version=EXTRACTOR_VERSION,
    )


def decode_html(body: bytes, declared_charset: str | None = None) -> str:
    """Decode page bytes: the HTTP charset, a BOM, a <meta> charset, UTF-8, then cp1252.

    A simplified form of the HTML encoding sniffing algorithm (WHATWG HTML, 13.2.3).
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    candidates: list[str] = []
    if declared_charset:
        candidates.append(declared_charset)
    match = _META_CHARSET_RE.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", errors="ignore"))
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        # WHATWG: a page labelled latin-1/ascii is decoded as windows-1252.
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _page_language(tree: Any) -> str | None:
    candidates: list[str | None] = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
    ]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        if isinstance(value, str) and _LANG_RE.match(value.strip()):
            primary: str = value.strip().replace("_", "-").split("-")[0].lower()
            return primary
    return None


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _split_tags(value: Any) -> list[str]:
    tags: list[str] = []
    for item in value or []:
        for tag in str(item).split(","):
            cleaned = tag.strip()
            if cleaned and cleaned not in tags:
                tags.append(cleaned)
    return tags[:50]


def _canonical(value: Any, page_url: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return canonicalize_url(value, base=page_url)
    except InvalidURLError:
        return None
