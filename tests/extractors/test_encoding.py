"""decode_html sniffs the encoding in WHATWG's order and never raises."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.encoding import (
    DETECT_WINDOW,
    PRESCAN_WINDOW,
    decode_html,
    resolve_label,
    sniff_encoding,
)

RUSSIAN = (
    "Городской совет Заречинска утвердил бюджет на следующий год. Расходы на общественный "
    "транспорт вырастут на 12 процентов, а на ремонт дорог выделят ещё 400 миллионов рублей."
)
JAPANESE = "北浜市は来年4月から市営バスの新路線を運行すると発表した。運賃は大人220円〜。"
KOREAN = "서울시는 내년부터 새로운 버스 노선을 운행한다고 발표했다. 요금은 1,500원이다."
# "镕" and "堃" are in GBK but not in GB2312: a page labelled gb2312 still shows them.
CHINESE = "江岭市澜江二桥正式建成通车，总投资约52亿元。工程师李镕与王堃出席了仪式。"
CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy. Městská rada schválila rozpočet na příští rok."


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"
    )


# --- labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("  Utf-8\t", "utf-8"),
        # WHATWG Encoding, "Names and labels": Latin-1 and ASCII labels mean windows-1252.
        ("latin1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("tis-620", "cp874"),
        ("x-sjis", "shift_jis"),
        ("shift-jis", "shift_jis"),
        ("windows-31j", "shift_jis"),
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("euc-kr", "cp949"),
        ("ks_c_5601-1987", "cp949"),
        ("big5", "big5hkscs"),
        ("iso-8859-8-i", "iso8859-8"),
        ("koi8-r", "koi8-r"),
        ("windows-1251", "cp1251"),
        ("latin2", "iso8859-2"),
        ("utf-16", "utf-16-le"),
        ("utf-16be", "utf-16-be"),
        ("x-user-defined", "cp1252"),
    ],
)
def test_labels_resolve_as_whatwg_maps_them(label: str, codec: str) -> None:
    assert resolve_label(label) == codec


@pytest.mark.parametrize(
    "label",
    # Python knows these codecs, browsers do not (or refuse them): ignored.
    ["bogus", "", "utf-7", "utf-32", "base64", "rot13", "cp037", "iso-2022-kr", "utf_8"],
)
def test_labels_browsers_do_not_know_are_refused(label: str) -> None:
    assert resolve_label(label) is None


@pytest.mark.parametrize(
    "label",
    ["utf-8", "ibm866", "latin2", "latin3", "latin4", "cyrillic", "arabic", "greek", "hebrew",
     "latin6", "iso-8859-13", "iso-8859-14", "l9", "iso-8859-16", "koi8-r", "koi8-u", "mac",
     "windows-874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256",
     "cp1257", "cp1258", "x-mac-cyrillic", "gbk", "gb18030", "big5", "euc-jp",
     "iso-2022-jp", "sjis", "euc-kr", "utf-16be", "utf-16le"],
)  # fmt: skip
def test_every_encoding_resolves_to_a_python_text_codec(label: str) -> None:
    codec = resolve_label(label)
    assert codec is not None
    assert codecs.lookup(codec).name == codec  # canonical, so sniff_encoding names are stable
    assert "Abc".encode(codec).decode(codec) == "Abc"


# --- 1. byte order mark ---------------------------------------------------------------


def test_bom_wins_over_http_and_meta_and_is_removed() -> None:
    body = codecs.BOM_UTF8 + page("Café", '<meta charset="windows-1252">').encode()
    assert sniff_encoding(body, "iso-8859-1") == "utf-8"
    html = decode_html(body, "iso-8859-1")
    assert html.startswith("<!DOCTYPE") and "Café" in html


@pytest.mark.parametrize(("codec", "bom"), [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])  # fmt: skip
def test_utf16_with_bom(codec: str, bom: bytes) -> None:
    text = page(RUSSIAN, '<meta charset="utf-8">')
    body = bom + text.encode(codec)
    assert sniff_encoding(body) == codec
    assert decode_html(body) == text


# --- 2. HTTP charset ------------------------------------------------------------------


def test_http_charset_wins_over_meta() -> None:
    body = page(RUSSIAN, '<meta charset="utf-8">').encode("cp1251")
    assert sniff_encoding(body, "windows-1251") == "cp1251"
    assert RUSSIAN in decode_html(body, "windows-1251")


@pytest.mark.parametrize("bogus", ["bogus-charset", "utf-7", "x-unknown", "none", '""'])
def test_bogus_http_charset_is_ignored_for_a_good_meta(bogus: str) -> None:
    body = page(JAPANESE, '<meta charset="shift_jis">').encode("shift_jis")
    assert sniff_encoding(body, bogus) == "shift_jis"
    assert JAPANESE in decode_html(body, bogus)


def test_http_charset_may_be_quoted() -> None:
    body = page(CZECH).encode("iso-8859-2")
    assert CZECH in decode_html(body, '"ISO-8859-2"')


# --- 3. <meta> prescan ----------------------------------------------------------------


def test_meta_charset_shift_jis() -> None:
    body = page(JAPANESE, "<meta charset=shift_jis>").encode("shift_jis")
    html = decode_html(body)
    # JIS X 0208 mapping as WHATWG's: the wave dash stays U+301C.
    assert JAPANESE in html and "\u301c" in html


def test_shift_jis_page_with_nec_characters_still_decodes() -> None:
    # Circled digits are NEC rows (cp932) that plain Shift_JIS lacks; browsers show them.
    body = page("第①回 ㈱北浜", '<meta charset="Shift_JIS">').encode("cp932")
    assert "第①回 ㈱北浜" in decode_html(body)


def test_meta_http_equiv_content_type_euc_kr() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">'
    body = page(KOREAN, head).encode("euc-kr")
    assert sniff_encoding(body) == "cp949"
    assert KOREAN in decode_html(body)


def test_meta_gb2312_reads_gbk_characters() -> None:
    body = page(CHINESE, "<meta http-equiv=content-type content='text/html;charset=gb2312'>")
    assert CHINESE in decode_html(body.encode("gbk"))


def test_meta_latin2_czech() -> None:
    body = page(CZECH, '<meta charset="iso-8859-2">').encode("iso-8859-2")
    assert CZECH in decode_html(body)


def test_meta_after_a_thousand_bytes_of_comments() -> None:
    comments = "<!-- build 8f2c1e: " + "x" * 1000 + " -->\n"
    body = (comments + page(RUSSIAN, '<meta charset="windows-1251">')).encode("cp1251")
    assert body.index(b"<meta") > 1000
    assert RUSSIAN in decode_html(body)


def test_meta_inside_a_comment_does_not_count() -> None:
    head = '<!-- <meta charset="koi8-r"> --><meta charset="windows-1251">'
    body = page(RUSSIAN, head).encode("cp1251")
    assert sniff_encoding(body) == "cp1251"


def test_content_charset_needs_the_http_equiv_pragma() -> None:
    # WHATWG prescan: content="...charset=..." counts only with http-equiv=content-type.
    head = '<meta name="description" content="charset=koi8-r"><meta charset="iso-8859-2">'
    assert sniff_encoding(page(CZECH, head).encode("iso-8859-2")) == "iso8859-2"


def test_meta_with_unknown_label_is_skipped_for_the_next_one() -> None:
    head = '<meta charset="x-bogus"><meta http-equiv="content-type" content="text/html; charset=koi8-r">'
    body = page(RUSSIAN, head).encode("koi8-r")
    assert RUSSIAN in decode_html(body)


def test_meta_utf16_on_an_ascii_page_means_utf8() -> None:
    # WHATWG prescan: a <meta> readable as ASCII cannot be in UTF-16.
    body = page("Zürich – “Grüezi”", '<meta charset="utf-16">').encode("utf-8")
    assert sniff_encoding(body) == "utf-8"
    assert "Zürich – “Grüezi”" in decode_html(body)


def test_meta_in_the_body_or_past_the_window_is_not_read() -> None:
    late = page(RUSSIAN, "").replace("<body>", '<body><meta charset="koi8-r">')
    assert sniff_encoding(late.encode("cp1251")) == "cp1251"  # detected, not koi8-r
    padded = "<!--" + " " * PRESCAN_WINDOW + '--><meta charset="koi8-r">' + page(RUSSIAN)
    assert sniff_encoding(padded.encode("cp1251")) == "cp1251"


# --- 4. XML declaration ---------------------------------------------------------------


def test_xml_declaration_encoding() -> None:
    body = ('<?xml version="1.0" encoding="ISO-8859-2"?>\n' + page(CZECH)).encode("iso-8859-2")
    assert sniff_encoding(body) == "iso8859-2"
    assert CZECH in decode_html(body)


def test_meta_wins_over_xml_declaration() -> None:
    text = "<?xml version='1.0' encoding='iso-8859-2'?>" + page(RUSSIAN, "<meta charset=cp1251>")
    assert sniff_encoding(text.encode("cp1251")) == "cp1251"


# --- 5. UTF-8 -------------------------------------------------------------------------


def test_undeclared_utf8() -> None:
    text = page(RUSSIAN + JAPANESE + KOREAN)
    assert sniff_encoding(text.encode()) == "utf-8"
    assert decode_html(text.encode()) == text


def test_utf8_cut_inside_its_last_character_stays_utf8() -> None:
    # A body capped at a byte limit can end halfway through a character.
    body = page(RUSSIAN).encode() + "ё".encode()[:1]
    assert sniff_encoding(body) == "utf-8"
    assert decode_html(body).endswith("</html>\ufffd")


# --- 6. detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (RUSSIAN, "cp1251"),
        (JAPANESE, "shift_jis"),
        (KOREAN, "cp949"),
        (CHINESE, "gb18030"),
        (
            "La grève des contrôleurs aériens a entraîné l’annulation de 214 vols à l’aéroport, "
            "a déclaré la direction, qui prévoit « des perturbations » jusqu’à dimanche.",
            "cp1252",
        ),
        (
            "Rada miasta zatwierdziła w środę nowy budżet. Wydatki na komunikację miejską "
            "wzrosną o 12 procent, powiedział rzecznik ratusza, Łukasz Żak.",
            "cp1250",
        ),
    ],
)
def test_undeclared_legacy_encodings_are_detected(text: str, codec: str) -> None:
    body = page(text, '<meta name="viewport" content="width=device-width">').encode(codec)
    assert sniff_encoding(body) == codec
    assert text in decode_html(body)


def test_undeclared_latin1_word_is_windows_1252() -> None:
    assert decode_html("Café".encode("latin-1")) == "Café"
    assert decode_html(b"\x93quoted\x94 \x96 text") == "\u201cquoted\u201d \u2013 text"


def test_detection_reads_past_a_long_ascii_head() -> None:
    head = "<script>var config = {};</script>" * 3000  # ~100 KB of markup before any text
    body = page(RUSSIAN, head).encode("cp1251")
    assert len(body) > DETECT_WINDOW
    assert RUSSIAN in decode_html(body)


# --- 7. windows-1252, never raising ---------------------------------------------------


def test_five_megabyte_page_decodes() -> None:
    paragraph = f"<div class=c><p>{RUSSIAN}</p></div>\n"
    body = ("<html><body>" + paragraph * 26_000 + "<p>Конец страницы.</p></body></html>").encode(
        "cp1251"
    )
    assert len(body) > 5_000_000
    html = decode_html(body)
    assert html.endswith("<p>Конец страницы.</p></body></html>")
    assert html.count(RUSSIAN) == 26_000


def test_bytes_that_are_no_text_fall_back_to_windows_1252() -> None:
    body = bytes(range(128, 256)) * 4
    assert sniff_encoding(body) == "cp1252"
    assert len(decode_html(body)) == len(body)


@given(
    body=st.binary(max_size=2048),
    declared=st.one_of(
        st.none(),
        st.sampled_from(["utf-8", "utf-16", "shift_jis", "gb2312", "latin1", "bogus", "utf-7"]),
        st.text(max_size=20),
    ),
)
def test_any_bytes_decode_without_raising(body: bytes, declared: str | None) -> None:
    assert isinstance(decode_html(body, declared), str)


@given(st.text(max_size=500).filter(lambda t: "<" not in t and not t.startswith("\ufeff")))
def test_any_undeclared_utf8_text_round_trips(text: str) -> None:
    assert decode_html(text.encode("utf-8")) == text
