"""The functions extraction worker processes run: light to import (extractors only).

Compression of the raw HTML archive happens here too, in the worker, so that its
CPU time stays off the event loop that fetches pages.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import UTC, datetime

from extractors.articles import Article, ExtractOptions, decode_html, extract_article

#: The feed's text is evidence here, never the article: storage keeps it apart as a
#: stand-in (``text_source = "feed"``) until the page yields text.
PAGE_OPTIONS = ExtractOptions(feed_fallback=False)

#: How archived pages are compressed (storage.models.Page.encoding).
ARCHIVE_ENCODING = "gzip"
_GZIP_LEVEL = 6  # zlib's default: most of level 9's ratio at a fraction of its time


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """A page's article, and its bytes compressed for the archive (None: not archived)."""

    article: Article
    archive: bytes | None


def compress_page(body: bytes) -> bytes:
    """Page bytes compressed for the archive; equal pages give equal bytes (mtime 0)."""
    return gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)


def decompress_page(data: bytes, encoding: str) -> bytes:
    """Archived bytes back to the page as fetched."""
    if encoding != ARCHIVE_ENCODING:
        raise ValueError(f"archive: unknown encoding {encoding!r}")
    return gzip.decompress(data)


def extract_page(
    body: bytes,
    charset: str | None,
    url: str,
    *,
    archive: bool = True,
    options: ExtractOptions | None = None,
    feed_text: str | None = None,
) -> ExtractedPage:
    """Decode and extract one page; compress it for the archive when ``archive``.

    ``feed_text`` (the entry's summary) helps choose between strategies.
    """
    html = decode_html(body, charset)
    article = extract_article(
        html,
        url=url,
        options=options or PAGE_OPTIONS,
        feed_text=feed_text,
        now=datetime.now(UTC),  # bounds a date guessed from the page's text
    )
    # Compressed only once extraction worked: a page that is no article is not kept.
    return ExtractedPage(article, compress_page(body) if archive else None)


def reextract_page(
    data: bytes,
    encoding: str,
    charset: str | None,
    url: str,
    *,
    options: ExtractOptions | None = None,
    feed_text: str | None = None,
) -> Article:
    """Extract an archived page again with the current extractor (and the same evidence)."""
    html = decode_html(decompress_page(data, encoding), charset)
    return extract_article(
        html,
        url=url,
        options=options or PAGE_OPTIONS,
        feed_text=feed_text,
        now=datetime.now(UTC),
    )
