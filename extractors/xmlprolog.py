"""XML prologs that declare entities are refused before any XML parser sees them. Pure.

Entity expansion (billion laughs) and external entities (file:// or http:// reads)
both need a declaration in the document type's internal subset. Feeds have no use
for one, so a feed that declares entities is refused outright, whatever parser
would have read it (expat, or feedparser's lenient fallback), in bounded time and
memory: only the first PROLOG_WINDOW bytes are looked at.
"""

from __future__ import annotations

import re
from typing import Literal

from extractors.errors import FeedParseError

PROLOG_WINDOW = 64 * 1024

# Byte order marks, then the first characters "<" or "<?" without one (XML 1.0, F.1).
_SNIFFED_ENCODINGS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # "<?xm" in EBCDIC, which feedparser also reads
)
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_ENTITIES_REFUSED = (
    "parse: the feed declares XML entities, refused "
    "(entity expansion and external entities are attack vectors)"
)
_PROLOG_TOO_LONG = (
    f"parse: the feed's prolog runs past its first {PROLOG_WINDOW // 1024} KiB, refused "
    "(it could hide XML entity declarations)"
)


def refuse_entity_declarations(content: bytes, content_type: str | None) -> None:
    """Raise FeedParseError when the prolog declares entities (or is too long to tell)."""
    window = content[:PROLOG_WINDOW]
    sniffed = next((name for mark, name in _SNIFFED_ENCODINGS if window.startswith(mark)), None)
    encodings = [sniffed or "latin-1"]  # Latin-1 reads the ASCII of any ASCII-based charset
    declared = _DECLARED_ENCODING.match(window.decode(encodings[0], errors="replace"))
    # feedparser decodes with the HTTP charset or the declared encoding (RFC 3023):
    # entities written in UTF-7 or EBCDIC must be seen the same way.
    charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    encodings += [m.group(1).lower() for m in (declared, charset) if m]
    for encoding in dict.fromkeys(encodings):
        try:
            text = window.decode(encoding, errors="replace").removeprefix("\ufeff")
        except (LookupError, ValueError):  # an unknown or binary-to-binary codec
            continue
        verdict = _scan_prolog(text)
        if verdict == "entities":
            raise FeedParseError(_ENTITIES_REFUSED)
        if verdict == "unfinished" and len(content) > PROLOG_WINDOW:
            raise FeedParseError(_PROLOG_TOO_LONG)


def _scan_prolog(text: str) -> Literal["entities", "unfinished", "ok"]:
    """Whether the prolog declares entities, outruns ``text``, or neither.

    The prolog is what XML allows before the root element (XML 1.0, 2.8): white
    space, comments, processing instructions and the document type declaration,
    whose internal subset is where entities are declared.
    """
    i, end = 0, len(text)
    while i < end:
        if text[i].isspace():
            i += 1
        elif text.startswith("<!--", i):
            i = _skip_past(text, i + 4, "-->")
        elif text.startswith("<?", i):
            i = _skip_past(text, i + 2, "?>")
        elif text.startswith("<!", i):  # DOCTYPE, or a stray declaration
            if text[i : i + 8].upper() == "<!ENTITY":
                return "entities"
            i, entities = _skip_declaration(text, i + 2)
            if entities:
                return "entities"
        else:  # the root element, or text that is no prolog at all
            return "ok"
    return "unfinished"


def _skip_past(text: str, start: int, terminator: str) -> int:
    found = text.find(terminator, start)
    return len(text) if found < 0 else found + len(terminator)


def _skip_declaration(text: str, i: int) -> tuple[int, bool]:
    """Index past the declaration's closing ">", and whether its internal subset has entities."""
    depth, quote, end = 0, "", len(text)
    while i < end:
        char = text[i]
        if quote:  # literals may hold any of "<>[]" (XML 1.0, 2.3)
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif text.startswith("<!--", i):
            i = _skip_past(text, i + 4, "-->")
            continue
        elif text.startswith("<?", i):
            i = _skip_past(text, i + 2, "?>")
            continue
        elif text[i : i + 8].upper() == "<!ENTITY":
            return i, True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        elif char == ">" and depth == 0:
            return i + 1, False
        i += 1
    return end, False
