"""Near-duplicate articles: MinHash signatures, LSH band keys and pair verification. Pure.

Copies of one wire story from several outlets differ in headline, byline, outlet
furniture, trims, corrections and updated figures; different stories may share a
template (earnings, results, weather) or a topic. The pieces, in the order they run:

- ``strip_boilerplate``: lines an outlet repeats on many of its pages (the database
  counts ``line_hash`` per site) are dropped before fingerprinting.
- ``fingerprint``: two MinHash signatures (datasketch, the "affine32" scheme) over
  word shingles of the normalised text (``fingerprints.normalize_text``): the whole
  text in ``shingle_words`` shingles without the title (outlets write their own
  headlines), and its opening (``lede_words`` words of the lines that hold a sentence,
  so a byline or dateline line is left out) for lede-only and truncated copies. A
  short item (a brief, a feed's title and snippet) has too few 5-word shingles to
  compare, so its full signature covers title and text in ``short_shingle_words``.
- ``band_keys``: LSH banding (Leskovec, Rajaraman, Ullman, *Mining of Massive
  Datasets*, 3.4.2): a pair with Jaccard similarity s shares at least one of b bands
  of r rows with probability 1 - (1 - s^r)^b; with b=32, r=4 that is 0.23 at s=0.3,
  0.87 at s=0.5 and 0.99999995 at s=0.8.
- ``compare``: verifies a candidate pair on the signatures (the share of equal
  positions estimates Jaccard similarity, Broder 1997) and on the numbers in the
  texts, which tell a templated story from a copy.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extractors.combine import shingles
from extractors.fingerprints import normalize_text

#: datasketch 2's bijective permutation scheme; pinned so signatures stay comparable.
_SCHEME = "affine32"
#: Digits with thousands or decimal separators: "12", "3.5", "1,200", "20.11.2026".
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SEPARATOR = re.compile(r"[.,]")
#: Serialised Fingerprint header: version, words, num_perm, short, lede_size.
_HEADER = struct.Struct("<BIIBI")
_VERSION = 1
#: blake2b personalisation: a new value when the key or line hashing changes.
_BAND_PERSON = b"newsflow-lsh-1"
_LINE_PERSON = b"newsflow-line-1"


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """How articles are fingerprinted and when two count as one story."""

    num_perm: int = 128
    bands: int = 32  # bands * rows == num_perm
    rows: int = 4
    shingle_words: int = 5  # word shingles for normal articles
    short_words: int = 50  # fewer words: a short item
    short_shingle_words: int = 2  # shingles for short items (title + text)
    lede_words: int = 60  # the opening that the second signature covers
    lede_line_words: int = 8  # shorter lines (byline, dateline, subheading) are not lede
    min_lede_words: int = 20  # a shorter opening is too little to identify a story
    match_threshold: float = 0.5  # estimated Jaccard for a full-text match
    lede_threshold: float = 0.8  # share of the shorter opening inside the longer one
    lede_max_ratio: float = 0.6  # "much shorter": at most this share of the other's words
    max_number_disagreement: float = 0.5  # share of differing numbers tolerated (bench.dedup)
    seed: int = 1

    def __post_init__(self) -> None:
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows != self.num_perm:
            raise ValueError(f"neardup: bands * rows must equal num_perm ({self.num_perm})")
        if min(self.shingle_words, self.short_shingle_words, self.lede_words) < 1:
            raise ValueError("neardup: shingle and lede sizes must be positive")
        if not 0.0 < self.lede_max_ratio < 1.0:
            raise ValueError("neardup: lede_max_ratio must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What is kept of an article to find its copies: signatures, size and numbers."""

    words: int
    short: bool
    minhash: bytes  # full-text signature: num_perm uint32 values, little endian
    lede: bytes  # signature of the opening, same layout
    numbers: frozenset[str]  # numbers in the text, normalised ("12", "3.5", "2026")
    lede_size: int  # distinct shingles the lede signature covers

    def __post_init__(self) -> None:
        if len(self.minhash) != len(self.lede) or len(self.minhash) % 4:
            raise ValueError("neardup: signatures must be equal runs of uint32 values")

    def to_bytes(self) -> bytes:
        """The fingerprint as bytes for storage (``from_bytes`` reads it back)."""
        header = _HEADER.pack(
            _VERSION, self.words, len(self.minhash) // 4, self.short, self.lede_size
        )
        numbers = ",".join(sorted(self.numbers)).encode("ascii")
        return header + self.minhash + self.lede + numbers

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """A fingerprint from ``to_bytes`` output; ValueError when the bytes are not one."""
        try:
            version, words, num_perm, short, lede_size = _HEADER.unpack_from(data)
            end = _HEADER.size + 8 * num_perm
            if version != _VERSION or short > 1 or len(data) < end:
                raise ValueError(f"version {version}, {len(data)} bytes")
            middle = _HEADER.size + 4 * num_perm
            tail = data[end:].decode("ascii")
        except (struct.error, ValueError) as exc:
            raise ValueError(f"neardup: not a stored fingerprint: {exc}") from exc
        numbers = frozenset(tail.split(",")) if tail else frozenset()
        return cls(
            words, bool(short), data[_HEADER.size : middle], data[middle:end], numbers, lede_size
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why two articles are one story: how they matched and how closely."""

    kind: str  # "near_duplicate" (full text), "lede" (lede-only or truncated), "short"
    similarity: float  # estimated Jaccard, or the share of the shorter opening inside the other


def line_hash(line: str) -> int:
    """A 63-bit hash of the normalised line, for per-site boilerplate counts."""
    return _hash63(normalize_text(line).encode("utf-8"), _LINE_PERSON)


def line_hashes(text: str) -> list[int]:
    """``line_hash`` of every line that has a word, in order."""
    normalised = (normalize_text(line) for line in text.splitlines())
    return [_hash63(line.encode("utf-8"), _LINE_PERSON) for line in normalised if line]


def strip_boilerplate(text: str, common: Collection[int]) -> str:
    """The text without the lines whose ``line_hash`` is one of the site's common ones."""
    if not common:
        return text
    return "\n".join(line for line in text.splitlines() if line_hash(line) not in common)


def fingerprint(
    title: str | None, text: str, options: DedupOptions = DedupOptions()
) -> Fingerprint:
    """The article's fingerprint (short items: title and text in short shingles)."""
    # Normalised line by line (words never cross a line break), once for both signatures.
    lines = [normalize_text(line) for line in text.splitlines()]
    body = " ".join(line for line in lines if line)
    words = body.split()
    short = len(words) < options.short_words
    if short:
        whole = " ".join(part for part in (normalize_text(title or ""), body) if part)
        full = _signature(_shingle_set(whole, options.short_shingle_words), options)
    else:
        full = _signature(_shingle_set(body, options.shingle_words), options)
    opening = _shingle_set(_lede(lines, options), options.shingle_words)
    lede = _signature(opening, options)
    return Fingerprint(len(words), short, full, lede, _numbers(text), len(opening))


def band_keys(fp: Fingerprint, options: DedupOptions = DedupOptions()) -> list[int]:
    """LSH keys: one per band of the full and of the lede signature, each in [0, 2**63)."""
    width = 4 * options.rows
    if len(fp.minhash) != width * options.bands:
        raise ValueError(f"neardup: a {len(fp.minhash) // 4}-value signature for these options")
    # Short items' full signatures use other shingles: their keys must not meet normal ones.
    kinds = ((b"s" if fp.short else b"f", fp.minhash), (b"l", fp.lede))
    return [
        _hash63(
            kind + band.to_bytes(2, "little") + signature[band * width : (band + 1) * width],
            _BAND_PERSON,
        )
        for kind, signature in kinds
        if not _empty(signature)
        for band in range(options.bands)
    ]


def compare(
    a: Fingerprint, b: Fingerprint, options: DedupOptions = DedupOptions()
) -> Evidence | None:
    """Evidence that a candidate pair is one story, or None."""
    if a.short == b.short and not (_empty(a.minhash) or _empty(b.minhash)):
        similarity = _similarity(a.minhash, b.minhash)
        if similarity >= options.match_threshold and _numbers_agree(
            len(a.numbers ^ b.numbers), len(a.numbers | b.numbers), a, b, options
        ):
            return Evidence("short" if a.short else "near_duplicate", similarity)
    shorter, longer = (a, b) if a.words < b.words else (b, a)
    if (
        shorter.words > options.lede_max_ratio * longer.words
        or shorter.lede_size < options.min_lede_words - options.shingle_words + 1
        or _empty(a.lede)
        or _empty(b.lede)
    ):
        return None
    inside = _containment(shorter, longer)
    # A truncated copy has a share of the numbers; the numbers it has must be the other's.
    missing = len(shorter.numbers - longer.numbers)
    if inside >= options.lede_threshold and _numbers_agree(
        missing, len(shorter.numbers), a, b, options
    ):
        return Evidence("lede", inside)
    return None


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> npt.NDArray[np.uint32]:
    # datasketch draws a MinHash's permutations from np.random.RandomState(seed) in its
    # constructor; building them once per (num_perm, seed) and sharing them (read-only,
    # as MinHash.copy() shares them) saves that on every article.
    from datasketch import MinHash  # imported late: the package loads its LSH and async
    # modules too (a third of a second), which every `newsflow` command would pay.

    permutations: npt.NDArray[np.uint32] = MinHash(
        num_perm=num_perm, seed=seed, scheme=_SCHEME
    ).permutations
    permutations.flags.writeable = False
    return permutations


def _signature(items: Collection[bytes], options: DedupOptions) -> bytes:
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=options.num_perm,
        seed=options.seed,
        permutations=_permutations(options.num_perm, options.seed),
        scheme=_SCHEME,
    )
    minhash.update_batch(items)
    values: npt.NDArray[np.uint32] = minhash.hashvalues
    return values.astype("<u4").tobytes()


def _shingle_set(normalised: str, n: int) -> frozenset[bytes]:
    return frozenset(" ".join(gram).encode("utf-8") for gram in shingles(normalised, n))


def _lede(lines: list[str], options: DedupOptions) -> str:
    sentences = [line for line in lines if len(line.split()) >= options.lede_line_words]
    words = " ".join(sentences or lines).split()
    return " ".join(words[: options.lede_words])


def _numbers(text: str) -> frozenset[str]:
    return frozenset(
        _number(token) for token in _NUMBER.findall(unicodedata.normalize("NFKC", text))
    )


def _number(token: str) -> str:
    # Digits of any script read as ASCII ones ("٣" is "3"); no int(), which refuses
    # strings of more than 4,300 digits (CPython's int_max_str_digits).
    raw = ["".join(str(unicodedata.digit(ch)) for ch in group) for group in _SEPARATOR.split(token)]
    if len(raw) > 1 and len(raw[0]) <= 3 and all(len(group) == 3 for group in raw[1:]):
        return _integer("".join(raw))  # thousands separators: "1,200" and "1.200" agree
    if len(raw) == 2:
        fraction = raw[1].rstrip("0")  # a decimal: "3,50" and "3.5" agree
        return f"{_integer(raw[0])}.{fraction}" if fraction else _integer(raw[0])
    return ".".join(_integer(group) for group in raw)  # a date or a version: "20.11.2026"


def _integer(digits: str) -> str:
    return digits.lstrip("0") or "0"  # "007" and "7" agree


def _numbers_agree(
    differing: int, total: int, a: Fingerprint, b: Fingerprint, options: DedupOptions
) -> bool:
    # Fewer than two numbers on either side say too little about a template.
    if len(a.numbers) < 2 or len(b.numbers) < 2 or total == 0:
        return True
    return differing / total <= options.max_number_disagreement


def _similarity(a: bytes, b: bytes) -> float:
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    return int(np.count_nonzero(left == right)) / max(1, left.size)


def _containment(shorter: Fingerprint, longer: Fingerprint) -> float:
    # Jaccard J = common / (|A| + |B| - common), so common = J (|A| + |B|) / (1 + J).
    jaccard = _similarity(shorter.lede, longer.lede)
    common = jaccard * (shorter.lede_size + longer.lede_size) / (1.0 + jaccard)
    return min(1.0, common / max(1, shorter.lede_size))


def _empty(signature: bytes) -> bool:
    return not signature.strip(b"\xff")


def _hash63(data: bytes, person: bytes) -> int:
    # A stable hash (not hash(): salted per process) that fits a signed BIGINT.
    digest = hashlib.blake2b(data, digest_size=8, person=person).digest()
    return int.from_bytes(digest, "little") >> 1
