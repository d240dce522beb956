from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extractors.fingerprints import content_hash, normalize_text


def test_same_story_different_typography_hashes_alike() -> None:
    a = "The council voted 7-2 on Tuesday. “We are pleased,” said Mayor Ruiz."
    b = 'the  council voted 7 2 on tuesday\n"We are pleased" said mayor ruiz'
    assert content_hash(a) == content_hash(b)


def test_different_numbers_hash_differently() -> None:
    assert content_hash("Shares rose 4 percent") != content_hash("Shares rose 5 percent")


def test_normalize_keeps_non_latin_words() -> None:
    assert normalize_text("Привет, мир! 東京 2026") == "привет мир 東京 2026"


@given(st.text())
def test_hash_is_deterministic_and_normalisation_idempotent(text: str) -> None:
    assert content_hash(text) == content_hash(text)
    assert normalize_text(normalize_text(text)) == normalize_text(text)
