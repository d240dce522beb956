"""What the extraction workers run: extraction, archive compression, and errors that cross
the process boundary intact."""

from __future__ import annotations

import gzip
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.errors import ExtractionError, NotAnArticleError
from flows.extraction import compress_page, decompress_page, extract_page, reextract_page

URL = "http://127.0.0.1:1/news/2026/harbour-vote"
ARTICLE = (
    "<html lang='en'><head><title>Harbour board votes</title></head><body><article>"
    + "".join(
        f"<p>Item {n}: the harbour board met on Tuesday and approved {n * 3} new berths.</p>"
        for n in range(1, 9)
    )
    + "</article></body></html>"
).encode()
VIDEO = (
    b"<html><head><title>Harbour video</title>"
    b'<meta property="og:type" content="video.other"></head><body>'
    b"<h1>Watch: the harbour board votes</h1><video src='/v.mp4' controls></video>"
    b"<p>The harbour board met on Tuesday to vote on new berths.</p></body></html>"
)


@given(st.binary(max_size=5000))
def test_compression_is_deterministic_and_lossless(body: bytes) -> None:
    packed = compress_page(body)
    assert packed == compress_page(body)  # mtime 0: equal pages, equal bytes
    assert decompress_page(packed, "gzip") == body == gzip.decompress(packed)


def test_unknown_archive_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="zstd"):
        decompress_page(b"", "zstd")


def test_extract_page_archives_only_when_asked() -> None:
    kept = extract_page(ARTICLE, "utf-8", URL)
    assert kept.archive is not None and gzip.decompress(kept.archive) == ARTICLE
    assert "approved 24 new berths" in kept.article.text
    assert extract_page(ARTICLE, "utf-8", URL, archive=False).archive is None


def test_reextract_page_reads_the_archive_as_ingest_read_the_page() -> None:
    page = extract_page(ARTICLE, "utf-8", URL)
    assert page.archive is not None
    assert reextract_page(page.archive, "gzip", "utf-8", URL) == page.article


def test_extraction_errors_cross_the_process_pool_with_their_kind() -> None:
    """pickle rebuilds an exception from its args; page_kind is keyword-only."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        with pytest.raises(NotAnArticleError, match="not an article") as caught:
            pool.submit(extract_page, VIDEO, None, URL).result(timeout=120)
        assert caught.value.page_kind == "video"
        with pytest.raises(ExtractionError, match="empty page"):
            pool.submit(extract_page, b"", None, URL).result(timeout=120)
        # The pool survived both: it is not broken by an error it could not unpickle.
        assert pool.submit(extract_page, ARTICLE, "utf-8", URL).result(timeout=120).archive
