"""Content fingerprints for exact-duplicate detection."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD_RE = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """Text reduced to what a reader sees as the same story.

    Unicode NFKC, case-folded, only word characters kept, single spaces: two copies
    that differ in whitespace, punctuation, quotes or case normalise alike.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD_RE.findall(folded))


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text: equal for exact duplicates."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def bytes_hash(content: bytes) -> str:
    """SHA-256 (hex) of raw bytes, e.g. a feed body, to notice that nothing changed."""
    return hashlib.sha256(content).hexdigest()
