"""People's names in a byline: labels, dates and job titles cut away. Pure.

    "By Jane Roe and John Doe"                  -> Jane Roe, John Doe
    "Jane Roe is a reporter covering ports"    -> Jane Roe
    "Jane Roe November 3, 2025"                 -> Jane Roe
    "Jane Roe, Senior Editor" / "홍길동 기자"     -> Jane Roe / 홍길동
    "Jane Roe, MD, PhD"                         -> Jane Roe, MD, PhD (credentials stay)

Rules: e-mail addresses, @handles and URLs go; a leading "By"/"Written by"/"Von"/"Par"/
"Autor:"/"作者:" label goes (a visible "By" before a word in lower case begins a
sentence, "By clicking ...", not a byline), and a label alone is no name; the text is
cut where a date or a time, a "Published"/"Updated" label, another role's credit
("Reviewed by"), a sentence ("is a", "ist", "est") or an author widget's links ("View
profile", "Email") begin; names are split at "," ";" "&" "|" "/" "•" spaced dashes and
"and" (und, et, y, e, och, og, en); a part that is a job title is dropped, and one that
follows a name without punctuation is cut off ("Jane Roe Senior Writer"). Words are judged by their
capital letters where the script has case; Hangul, kana, CJK and Arabic names have
none, and are judged by length.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_NAME_WORDS = 6  # a longer "name" is a sentence or a headline

_BY_WORDS = r"by|von|par|por|di|door|av|af|przez"
_BY_WHAT = r"written|posted|published|reported|words|story|text|article|recipe|compiled"
# A byline's own text begins with "By" ("Written by", "Recipe by", "Von", "Par", ...).
_BY_NOUNS = (
    r"authors?|contributors?|autor|autorin|autoren|auteurs?|autore|text|texte|作者|著者|筆者|글"
)
_COLON = ":\uff1a"  # and the full-width colon of CJK text
BY_START = re.compile(
    rf"^\s*(?:(?:(?:{_BY_WHAT})\s+)?(?:{_BY_WORDS})\b(?:\s*:)?|(?:{_BY_NOUNS})\s*[{_COLON}])(?:\s|$)",
    re.I,
)
_LABEL = re.compile(
    rf"^(?:(?:{_BY_WHAT})\s+)?(?:{_BY_WORDS})\b\s*:?\s*|^(?:{_BY_NOUNS})\s*[{_COLON}]\s*", re.I
)
# A label printed alone where a name should be ("Author", "Authors:", "作者").
_LABEL_ONLY = re.compile(rf"(?:{_BY_NOUNS}|by|written by)\s*[{_COLON}]?", re.I)
# Words left dangling where a date was cut off ("Jane Roe on", "Jane Roe am").
_TRAILING = re.compile(r"(?:\s+(?:on|am|um|at|le|el|il|op|de|den|the|in))+\s*$", re.I)
# Punctuation around a byline's parts (hyphen, en and em dashes, bars, colons, commas).
_EDGES = " -\u2013\u2014|:,"
_NOISE = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+|(?<!\w)@\w+")
_MONTHS = (
    r"jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]vrier|mar(?:ch|s)?|märz|apr(?:il)?|avril|may|"
    r"mai|june?|juni|juin|july?|juli|juillet|aug(?:ust)?|ao[uû]t|sep(?:t|tember|tembre)?|"
    r"oct(?:ober|obre)?|okt(?:ober)?|nov(?:ember|embre)?|dec(?:ember)?|dez(?:ember)?|d[ée]cembre"
)
# Where the names end: a date or a time, a publication label, another role's credit
# ("Reviewed by"), a sentence ("is a reporter"), "on Friday", the links an author widget
# prints beside the name ("View profile", "All posts", "Email").
_END = re.compile(
    rf"\b(?:{_MONTHS})\b\.?\s*\d|\d|\b(?:published|updated|posted|last updated|modified|"
    r"veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|"
    r"aggiornato|read more|more by|follow|share|reviewed|edited|fact[- ]checked|"
    r"medically|illustrat\w*|photograph\w*|view|see all|all (?:posts|articles|stories)|"
    r"profile|contact|e-?mail|subscribe)\b|\s(?:is|was|ist|war|est|es|è)\s+\S|"
    r"\son\s+(?:\w+day|\d)",
    re.I,
)
_SPLIT = re.compile(
    r"\s*(?:[,;&|/\u2022\u00b7\u22c5]|\s[-\u2013\u2014]\s|\s(?:and|und|et|y|e|och|og|en)\s)\s*",
    re.I,
)
_ROLE = re.compile(
    r"\b(?:editor|reporter|writer|correspondent|contributor|columnist|journalist|producer|"
    r"photographer|redakteur|redakteurin|korrespondent|journaliste|rédact|periodista|"
    r"redactor|redactora|giornalista|chief|senior|head of|director|manager|founder|ceo)\w*"
    r"|기자|특파원|記者|编辑|編集",
    re.I,
)
# A job title after a name without punctuation ("Jane Roe Senior Tech Writer").
_ROLE_PHRASE = re.compile(
    r"(?:\b(?:senior|junior|chief|staff|managing|contributing|executive|associate|deputy|"
    r"lead|head|tech|technology|science|health|news|sports|features|print|digital|web|social|"
    r"content|copy|assistant|freelance|guest|special|political|business|national|"
    r"international|foreign|investigative|data|photo|video|travel|food|editorial|former)\s+)*"
    + _ROLE.pattern,
    re.I,
)
# The newsroom a reporter writes from ("Jane Roe, Washington Bureau"; "Metro Desk").
_NEWSROOM = re.compile(r"\b(?:bureau|desk|newsroom)$", re.I)
_CREDENTIAL = re.compile(r"^(?:[A-Z][A-Za-z]{0,4}\.?){1,4}$")  # MD, PhD, M.D., RD, FAND
#: Lower-case words inside names ("Ursula von der Leyen", "Vincent van Gogh").
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la"}
    | {"le", "ter", "ten", "bin", "ibn", "al", "el", "y", "e", "zu"}
)


def clean_names(text: str, *, strict: bool = False) -> list[str]:
    """The names in a byline, each cleaned of labels, dates and job titles.

    ``strict``: the first name must look like one too (visible text, not stated data).
    """
    text = _NOISE.sub(" ", " ".join(html.unescape(text).split())).strip(_EDGES)
    labelled = _LABEL.sub("", text)
    # "By" before a word in lower case is a sentence ("By clicking Join you agree to our
    # Terms and Privacy Policy"), not a byline.
    if strict and labelled != text and labelled[:1].islower():
        return []
    text = labelled
    if match := _END.search(text):
        text = _TRAILING.sub("", text[: match.start()])
    names: list[str] = []
    for part in _SPLIT.split(text):
        part = _LABEL.sub("", part.strip(_EDGES + ".()[]\"'"))
        role = _ROLE_PHRASE.search(part)
        before = part[: role.start()].strip() if role else ""
        # Two capitalised words at least, or a name in a script without case ("홍길동 기자").
        if before and looks_like_name(before) and (len(before.split()) >= 2 or caseless(before)):
            part = before
        if not part or len(part.split()) > MAX_NAME_WORDS or _LABEL_ONLY.fullmatch(part):
            continue
        if names and _NEWSROOM.search(part):
            continue
        if names and _CREDENTIAL.match(part):
            names[-1] = f"{names[-1]}, {part}"  # a credential belongs to the name before it
        elif (not names and not strict) or (looks_like_name(part) and not _ROLE.search(part)):
            names.append(part)  # stated data's first part is the credit as given ("Our Editors")
    return names


def caseless(text: str) -> bool:
    """Hangul, kana, CJK, Arabic, ...: letters without upper and lower case."""
    return not any(ch.isupper() or ch.islower() for ch in text)


def looks_like_name(text: str) -> bool:
    """Capitalised words (with particles), or text in a script without letter case."""
    words = text.split()
    if caseless(text):
        return len(words) <= 4
    return any(ch.isalpha() for ch in text) and all(
        w[0].isupper() or w.lower() in _PARTICLES or w[0] in "(\"'\u201c" for w in words
    )


def clean_stated(value: Any) -> str | None:
    """A name stated as data (JSON-LD), taken whole: only labels, handles and URLs go."""
    if not isinstance(value, str):
        return None
    text = _NOISE.sub(" ", " ".join(html.unescape(value).split()))
    text = _LABEL.sub("", text).strip(_EDGES)
    # A template's empty value printed as text ("undefined") is nobody.
    if not text or text.lower() in ("undefined", "null", "none"):
        return None
    return text
