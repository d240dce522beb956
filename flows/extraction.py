"""The function extraction worker processes run: light to import (extractors only)."""

from __future__ import annotations

from extractors.articles import Article, ExtractOptions, decode_html, extract_article


def extract_page(body: bytes, charset: str | None, url: str) -> Article:
    """Decode and extract one page."""
    return extract_article(decode_html(body, charset), url=url, options=ExtractOptions())
