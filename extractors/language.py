"""An article's language: what the page declares, checked against the text (py3langid).

The model ships inside the py3langid package; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

# py3langid ships no type information.
from py3langid.langid import MODEL_FILE, LanguageIdentifier

#: Only the start of a text is classified: a few thousand characters settle the
#: language, and classifying costs time in proportion to length.
MAX_DETECT_CHARS = 5000

#: Detector codes for varieties folded into the primary tag pages declare
#: (Egyptian and Moroccan Arabic, Cantonese and Wu Chinese, Southern Uzbek).
_MACROLANGUAGE = MappingProxyType({"arz": "ar", "ary": "ar", "yue": "zh", "wuu": "zh", "uzs": "uz"})
#: Languages the detector tells apart less reliably than pages label them, plus
#: deprecated tags still seen in markup (iw, in, ji): within one group, a page's
#: declaration is never overridden.
_SAME_LANGUAGE = (
    frozenset({"no", "nb", "nn"}),
    frozenset({"hr", "sr", "bs", "sh"}),
    frozenset({"ms", "id", "in"}),
    frozenset({"he", "iw"}),
    frozenset({"yi", "ji"}),
)
#: "zxx" is py3langid's class for text that is no language (numbers, markup, code).
_NOT_A_LANGUAGE = frozenset({"zxx", "und"})


@dataclass(frozen=True, slots=True)
class LanguageOptions:
    """When to trust detection over a page's declared language."""

    min_chars: int = 200  # shorter texts are not detected
    min_probability: float = 0.90  # normalised probability needed to trust detection
    # A confident detection on a long text beats a page's template lang attribute.
    override_declared: bool = True


def detect_language(text: str) -> tuple[str, float] | None:
    """The text's language (lower-case primary tag) and its normalised probability."""
    sample = text[:MAX_DETECT_CHARS]
    if len(text) > MAX_DETECT_CHARS and " " in sample:
        sample = sample.rsplit(" ", 1)[0]  # no half word at the cut
    sample = " ".join(sample.split())
    if not any(char.isalpha() for char in sample):
        return None
    code, probability = _identifier().classify(sample)
    code = str(code).lower()
    if code in _NOT_A_LANGUAGE:
        return None
    return _MACROLANGUAGE.get(code, code), float(probability)


def choose_language(
    declared: str | None,
    text: str,
    options: LanguageOptions = LanguageOptions(),
) -> tuple[str | None, str | None]:
    """The article's language and where it came from: "page", "detected" or None."""
    declared = declared or None
    length = len(text.strip())
    needed = options.min_chars if declared is None else 2 * options.min_chars
    if length < needed or (declared is not None and not options.override_declared):
        return (declared, "page") if declared else (None, None)
    detected = detect_language(text)
    confident = detected is not None and detected[1] >= options.min_probability
    if detected is None or not confident:
        return (declared, "page") if declared else (None, None)
    code = detected[0]
    if declared is not None and _same_language(declared, code):
        return declared, "page"
    return code, "detected"


def _same_language(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _SAME_LANGUAGE)


# The one process-wide cache in extractors/: a read-only model (about 0.5 s to load),
# never changed after loading, so it is a constant computed late rather than state.
@lru_cache(maxsize=1)
def _identifier() -> Any:
    # norm_probs: probabilities that sum to 1, so min_probability means something.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
