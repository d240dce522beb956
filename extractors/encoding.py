"""Page bytes -> text, with the encoding sniffed the way browsers sniff it. Pure.

The order follows WHATWG HTML, 13.2.3.2 "Determining the character encoding":

1. a byte order mark (UTF-8, UTF-16BE, UTF-16LE);
2. the HTTP charset, when it is a label of the WHATWG Encoding Standard;
3. a ``<meta charset>`` or ``<meta http-equiv=content-type content="...charset=...">``
   early in the page (the "prescan");
4. an XML declaration's ``encoding="..."``;
5. UTF-8, when the bytes are valid UTF-8;
6. detection on a bounded sample of the text: windows-1252 when it reads as Western
   European text (charset_normalizer takes such text for other Latin code pages),
   else charset_normalizer's answer among the encodings browsers know;
7. windows-1252, the web's legacy default.

Labels mean what WHATWG Encoding, 4.2 "Names and labels" says they mean ("latin1" and
"ascii" are windows-1252, "gb2312" is GBK, read here by the GB18030 decoder, "euc-kr"
is windows-949). Decoding never raises: undecodable bytes become U+FFFD. Every scan is
bounded, so a 5 MB page costs at most two decodes (UTF-8 tried, then the answer) plus
a few windows of some KiB.
"""

from __future__ import annotations

import codecs
import re
from types import MappingProxyType

import charset_normalizer

#: Bytes searched for a <meta> charset. WHATWG says 1024; Chromium reads on through the
#: head, and pages with long inline styles or comments before the <meta> are common.
PRESCAN_WINDOW = 8 * 1024
#: Bytes handed to charset_normalizer, counted from the first non-ASCII byte.
DETECT_WINDOW = 64 * 1024

# WHATWG Encoding, 4.2 "Names and labels": each encoding with its labels, as the Python
# codec that decodes it (canonical codecs.lookup() names). Supersets stand in where
# the WHATWG decoder is one: GBK -> gb18030, Big5 -> big5hkscs, EUC-KR -> cp949.
_ENCODINGS = (
    ("utf-8", "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"),
    ("cp866", "866 cp866 csibm866 ibm866"),
    (
        "iso8859-2",
        "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2",
    ),
    (
        "iso8859-3",
        "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3",
    ),
    (
        "iso8859-4",
        "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4",
    ),
    (
        "iso8859-5",
        "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595"
        " iso_8859-5 iso_8859-5:1988",
    ),
    (
        "iso8859-6",
        "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114"
        " iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6"
        " iso_8859-6:1987",
    ),
    (
        "iso8859-7",
        "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126"
        " iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    ),
    # ISO-8859-8-I (logical order) decodes to the same characters as ISO-8859-8.
    (
        "iso8859-8",
        "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138"
        " iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    ),
    ("iso8859-10", "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"),
    ("iso8859-13", "iso-8859-13 iso8859-13 iso885913"),
    ("iso8859-14", "iso-8859-14 iso8859-14 iso885914"),
    ("iso8859-15", "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"),
    ("iso8859-16", "iso-8859-16"),
    ("koi8-r", "cskoi8r koi koi8 koi8-r koi8_r"),
    ("koi8-u", "koi8-ru koi8-u"),
    ("mac-roman", "csmacintosh mac macintosh x-mac-roman"),
    ("cp874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"),
    ("cp1250", "cp1250 windows-1250 x-cp1250"),
    ("cp1251", "cp1251 windows-1251 x-cp1251"),
    # x-user-defined has no Python codec; in a <meta> WHATWG reads it as windows-1252.
    (
        "cp1252",
        "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100"
        " iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252"
        " x-cp1252 x-user-defined",
    ),
    ("cp1253", "cp1253 windows-1253 x-cp1253"),
    (
        "cp1254",
        "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9"
        " iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    ),
    ("cp1255", "cp1255 windows-1255 x-cp1255"),
    ("cp1256", "cp1256 windows-1256 x-cp1256"),
    ("cp1257", "cp1257 windows-1257 x-cp1257"),
    ("cp1258", "cp1258 windows-1258 x-cp1258"),
    ("mac-cyrillic", "x-mac-cyrillic x-mac-ukrainian"),
    (
        "gb18030",
        "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030",
    ),
    ("big5hkscs", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"),
    ("euc_jp", "cseucpkdfmtjapanese euc-jp x-euc-jp"),
    ("iso2022_jp", "csiso2022jp iso-2022-jp"),
    ("shift_jis", "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis"),
    (
        "cp949",
        "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987"
        " ks_c_5601-1989 ksc5601 ksc_5601 windows-949",
    ),
    ("utf-16-be", "unicodefffe utf-16be"),
    ("utf-16-le", "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"),
    # The "replacement" labels (iso-2022-kr, hz-gb-2312, ...) are left out on purpose:
    # browsers turn such a page into one U+FFFD; here the label is ignored and sniffing
    # goes on, which can still find the text.
)
_LABELS = MappingProxyType(
    {label: codec for codec, labels in _ENCODINGS for label in labels.split()}
)
_UTF16 = frozenset({"utf-16-be", "utf-16-le"})
# The encodings detection may answer (UTF-8 has been tried; UTF-16 is found only by its
# BOM, ISO-2022-JP is 7-bit). cp932 stands for Shift_JIS: it adds the NEC and IBM rows
# that WHATWG's Shift_JIS decoder reads too.
_DETECTABLE = (
    *sorted({codec for codec, _ in _ENCODINGS} - _UTF16 - {"utf-8", "iso2022_jp", "shift_jis"}),
    "cp932",
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

# The prescan (WHATWG HTML, 13.2.3.3): comments are skipped, so a commented-out <meta>
# does not count; scanning stops where the body starts, as Chromium's does.
_PRESCAN_RE = re.compile(
    rb"""<!--.*?(?:-->|\Z)
       | <meta(?=[\s/>])(?P<meta>(?:[^>"']|"[^"]*"|'[^']*')*)
       | <body(?=[\s/>])""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_ATTRIBUTE_RE = re.compile(rb"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
# WHATWG HTML, 2.6.5 "extracting a character encoding from a meta element".
_CONTENT_CHARSET_RE = re.compile(
    rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.IGNORECASE
)
_XML_DECLARATION_RE = re.compile(
    rb"""\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE
)
_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")
_TAG_RE = re.compile(rb"<[^<>]*>")
_SPACES_RE = re.compile(rb"\s+")
_LETTER_RE = re.compile(r"[^\W\d_]")
# Characters of Western European text in windows-1252: accented letters of French,
# German, Spanish, Portuguese, Italian, Dutch and the Nordic languages, and the
# typographic punctuation that editors insert.
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜàáâãäåæçèéêëìíîïñòóôõöøùúûüÿßŒœŸ«»¡¿°·§¶©®£½¼"
    "\u00a0\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u2022\u20ac\u2122\u00d7"
)


def resolve_label(label: str) -> str | None:
    """The Python codec for a WHATWG encoding label; None for an unknown label."""
    # WHATWG Encoding, 4.2 "get an encoding": trim ASCII whitespace, compare lower-cased.
    return _LABELS.get(label.strip("\t\n\f\r \"'").lower())


def sniff_encoding(body: bytes, declared_charset: str | None = None) -> str:
    """The Python codec ``decode_html`` reads ``body`` with."""
    return _sniff(body, declared_charset)[0]


def decode_html(body: bytes, declared_charset: str | None = None) -> str:
    """Decode page bytes as a browser would (BOM, HTTP charset, <meta>, UTF-8, detection)."""
    codec, text = _sniff(body, declared_charset)
    if text is not None:
        return text
    for bom, name in _BOMS:
        if codec == name and body.startswith(bom):
            body = body[len(bom) :]
            break
    if codec == "shift_jis":
        # Python's shift_jis maps JIS X 0208 as WHATWG does (U+301C wave dash, U+2212
        # minus); cp932 adds the NEC/IBM rows (circled digits, ㈱) pages also use.
        try:
            return body.decode("shift_jis")
        except UnicodeDecodeError:
            codec = "cp932"
    return body.decode(codec, errors="replace")


def _sniff(body: bytes, declared_charset: str | None) -> tuple[str, str | None]:
    """The codec, and the decoded text when finding the codec already produced it."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, None
    if declared_charset:
        codec = resolve_label(declared_charset)
        if codec is not None:
            return codec, None
    window = body[:PRESCAN_WINDOW]
    codec = _meta_charset(window) or _xml_encoding(window)
    if codec is not None:
        # A page whose <meta> could be read as ASCII is not UTF-16 (WHATWG prescan).
        return ("utf-8" if codec in _UTF16 else codec), None
    try:
        return "utf-8", body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A body cut short by a size cap may end inside a character: still UTF-8 when
        # what precedes the cut holds UTF-8 sequences ("Caf\xe9" alone is Latin-1).
        if (
            exc.reason == "unexpected end of data"
            and exc.start >= len(body) - 3
            and _NON_ASCII_RE.search(body, 0, exc.start)
        ):
            return "utf-8", body.decode("utf-8", errors="replace")
    return _detect(body) or "cp1252", None


def _meta_charset(window: bytes) -> str | None:
    for match in _PRESCAN_RE.finditer(window):
        attributes = match.group("meta")
        if attributes is None:
            if match.group(0)[:4] == b"<!--":
                continue
            return None  # the body started
        codec = _meta_element_charset(attributes)
        if codec is not None:
            return codec
    return None


def _meta_element_charset(attributes: bytes) -> str | None:
    seen: dict[bytes, bytes] = {}
    for match in _ATTRIBUTE_RE.finditer(attributes):
        name = match.group(1).lower()
        value = next((v for v in match.group(2, 3, 4) if v is not None), b"")
        seen.setdefault(name, value)  # the first of repeated attributes counts
    label: bytes | None = seen.get(b"charset")
    if label is None and seen.get(b"http-equiv", b"").strip().lower() == b"content-type":
        content = _CONTENT_CHARSET_RE.search(seen.get(b"content", b""))
        if content:
            label = next(v for v in content.group(1, 2, 3) if v is not None)
    if not label:
        return None
    return resolve_label(label.decode("ascii", errors="replace"))


def _xml_encoding(window: bytes) -> str | None:
    match = _XML_DECLARATION_RE.match(window)
    return resolve_label(match.group(1).decode("ascii")) if match else None


def _detect(body: bytes) -> str | None:
    """The encoding of non-UTF-8 bytes, guessed from a sample of the page's text."""
    first = _NON_ASCII_RE.search(body)
    if first is None:
        return None
    # Every byte before the first non-ASCII one is a whole character in all the
    # candidate encodings, so the sample starts on a character boundary.
    start = max(0, first.start() - 256)
    sample = body[start : start + DETECT_WINDOW]
    if start + DETECT_WINDOW < len(body):
        # Cut before the last "<", which is never the second byte of a CJK character:
        # charset_normalizer drops a multi-byte encoding that fails on a split one.
        end = sample.rfind(b"<")
        sample = sample[:end] if end > len(sample) // 2 else sample
    # Markup only dilutes the statistics: keep the text between the tags, unless the
    # only non-ASCII bytes are inside tags (alt or title attributes).
    text = _SPACES_RE.sub(b" ", _TAG_RE.sub(b" ", sample))
    sample = text if _NON_ASCII_RE.search(text) else sample
    if _reads_as_western(sample):
        return "cp1252"
    best = charset_normalizer.from_bytes(
        sample, cp_isolation=list(_DETECTABLE), preemptive_behaviour=False
    ).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if name == "cp932":
        return "shift_jis"
    # Its fallbacks (ascii, utf_8) are not answers here: UTF-8 has failed already.
    return name if name in _DETECTABLE else None


def _reads_as_western(sample: bytes) -> bool:
    """True when the sample is plain Western European text in windows-1252.

    charset_normalizer often takes such text for another Latin code page (French "à"
    read as cp1257 "ą"), so this reading is tried first: every non-ASCII character is
    one Western European text uses, and most letters are ASCII (unlike Cyrillic,
    Greek, Hebrew or Arabic text, whose letters all fall in the high half).
    """
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are unassigned
        return False
    non_ascii = {ch for ch in text if ord(ch) > 0x7F}
    if not non_ascii <= _WESTERN:
        return False
    letters = _LETTER_RE.findall(text)
    accented = sum(1 for ch in letters if ord(ch) > 0x7F)
    return accented * 10 < len(letters) * 3
