from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.language import MAX_DETECT_CHARS, LanguageOptions, choose_language, detect_language

#: One news paragraph per language, written for these tests.
TEXTS = {
    "en": (
        "The harbour authority in Lindenport said on Friday that cargo ships would be allowed "
        "to dock again from Monday morning, ending a strike that had kept the port closed for "
        "six days. Dock workers voted by a large majority to accept a new contract that raises "
        "wages over three years and limits night shifts. Local shop owners welcomed the news, "
        "saying the closure had nearly emptied their shelves."
    ),
    "de": (
        "Die Hafenbehörde von Lindenport teilte am Freitag mit, dass Frachtschiffe ab "
        "Montagmorgen wieder anlegen dürfen. Damit endet ein Streik, der den Hafen sechs Tage "
        "lang lahmgelegt hatte. Die Hafenarbeiter stimmten mit großer Mehrheit für einen neuen "
        "Tarifvertrag, der die Löhne über drei Jahre erhöht und Nachtschichten begrenzt. Die "
        "Ladenbesitzer der Stadt begrüßten die Nachricht, denn ihre Regale waren fast leer."
    ),
    "fr": (
        "L'autorité portuaire de Lindenport a annoncé vendredi que les navires de marchandises "
        "pourront de nouveau accoster dès lundi matin, mettant fin à une grève qui avait "
        "paralysé le port pendant six jours. Les dockers ont approuvé à une large majorité un "
        "nouvel accord qui augmente les salaires sur trois ans et limite le travail de nuit. "
        "Les commerçants de la ville se sont réjouis de la nouvelle."
    ),
    "es": (
        "La autoridad portuaria de Lindenport anunció el viernes que los buques de carga podrán "
        "volver a atracar a partir del lunes por la mañana, poniendo fin a una huelga que "
        "mantuvo cerrado el puerto durante seis días. Los estibadores aprobaron por amplia "
        "mayoría un nuevo convenio que sube los salarios durante tres años y limita los turnos "
        "de noche. Los comerciantes de la ciudad celebraron la noticia."
    ),
    "ru": (
        "Портовые власти Линденпорта сообщили в пятницу, что грузовые суда смогут снова "
        "заходить в порт с утра понедельника. Так завершилась забастовка, из-за которой порт "
        "был закрыт шесть дней. Докеры большинством голосов одобрили новый договор, который "
        "повышает зарплату в течение трёх лет и ограничивает ночные смены. Владельцы местных "
        "магазинов обрадовались новости, ведь их полки почти опустели."
    ),
    "ar": (
        "أعلنت سلطة الميناء في ليندنبورت يوم الجمعة أن سفن الشحن ستتمكن من الرسو مجددا "
        "اعتبارا من صباح يوم الاثنين، منهية بذلك إضرابا أدى إلى إغلاق الميناء لمدة ستة أيام. "
        "ووافق عمال الميناء بأغلبية كبيرة على عقد جديد يرفع الأجور على مدى ثلاث سنوات ويحد "
        "من نوبات العمل الليلية. ورحب أصحاب المتاجر في المدينة بهذا الخبر بعد أن كادت "
        "رفوفهم تفرغ."
    ),
    "zh": (
        "林登港港务局周五宣布，货船将从周一早上起重新获准靠岸，这意味着让港口关闭了六天的罢工正式结束。"
        "码头工人以压倒性多数投票通过了一份新合同，该合同将在三年内逐步提高工资，并限制夜班的数量。"
        "当地商店的店主对这一消息表示欢迎，他们说港口关闭期间货架几乎被搬空了。"
        "市政府表示，将在下周召开会议，讨论如何避免类似的停工再次发生。"
        "港务局还表示，积压的货物预计需要大约两周时间才能全部处理完毕，请货主耐心等待。"
        "一些船运公司已经宣布，他们将在本周末之前恢复正常的航班安排，并为受到影响的客户提供补偿。"
        "经济学家认为，这次罢工给本地经济造成的损失可能超过一亿元，但长期影响有限。"
    ),
    "ja": (
        "リンデンポートの港湾局は金曜日、月曜日の朝から貨物船の入港を再び認めると発表した。"
        "これにより、港を六日間にわたって閉鎖させていたストライキが終わった。"
        "港湾労働者は、三年間で賃金を引き上げ、夜勤を制限する新しい契約を大多数の賛成で承認した。"
        "地元の商店主たちは、棚がほとんど空になっていたと話し、この知らせを歓迎した。"
        "市は来週会議を開き、同じような停止を防ぐ方法を話し合う予定だ。"
        "港湾局によると、たまった荷物をすべて処理するにはおよそ二週間かかる見込みだという。"
        "いくつかの海運会社は、今週末までに通常の運航に戻し、影響を受けた客に補償すると発表した。"
    ),
}
NORWEGIAN = (
    "Havnemyndighetene i Lindenport opplyste fredag at lasteskip igjen får legge til kai fra "
    "mandag morgen. Dermed er streiken som holdt havnen stengt i seks dager, over. "
    "Havnearbeiderne stemte med stort flertall for en ny avtale som øker lønningene over tre "
    "år og begrenser nattskiftene. Butikkeierne i byen ønsket nyheten velkommen, fordi "
    "hyllene deres nesten var tomme."
)
GERMAN_MORE = (
    "Der Bürgermeister kündigte an, in der kommenden Woche eine Sitzung einzuberufen, um zu "
    "beraten, wie sich ähnliche Arbeitsniederlegungen künftig vermeiden lassen. Nach Angaben "
    "der Hafenbehörde wird es etwa zwei Wochen dauern, bis alle liegen gebliebenen Container "
    "abgefertigt sind. Mehrere Reedereien erklärten, sie wollten bis zum Wochenende zum "
    "normalen Fahrplan zurückkehren und betroffene Kunden entschädigen."
)
LONG_GERMAN = TEXTS["de"] + "\n\n" + GERMAN_MORE  # over 2 * min_chars


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_detects_each_language_confidently(code: str) -> None:
    text = TEXTS[code]
    assert len(text) >= 250
    detected = detect_language(text)
    assert detected is not None
    assert detected[0] == code
    assert 0.9 <= detected[1] <= 1.0


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_an_undeclared_page_gets_the_detected_language(code: str) -> None:
    assert choose_language(None, TEXTS[code]) == (code, "detected")


@pytest.mark.parametrize("text", ["", "   \n ", "2026-11-20 09:30 12345", "<>{}[]();"])
def test_text_without_letters_is_no_language(text: str) -> None:
    assert detect_language(text) is None


def test_short_text_is_not_detected() -> None:
    assert choose_language(None, "Der Hafen ist wieder offen.") == (None, None)
    assert choose_language("", "Der Hafen ist wieder offen.") == (None, None)


def test_a_confident_detection_on_a_long_text_beats_the_declared_language() -> None:
    assert len(LONG_GERMAN) >= 2 * LanguageOptions().min_chars
    assert choose_language("en", LONG_GERMAN) == ("de", "detected")


def test_the_declared_language_stands_on_a_short_text() -> None:
    assert choose_language("de", "Der Hafen ist wieder offen.") == ("de", "page")
    # Long enough to detect when nothing is declared, too short to override a declaration.
    short = TEXTS["de"][:390]
    assert 200 <= len(short.strip()) < 2 * LanguageOptions().min_chars
    assert choose_language(None, short) == ("de", "detected")
    assert choose_language("en", short) == ("en", "page")


def test_the_declared_language_stands_when_detection_agrees() -> None:
    assert choose_language("de", LONG_GERMAN) == ("de", "page")


def test_override_can_be_turned_off() -> None:
    options = LanguageOptions(override_declared=False)
    assert choose_language("en", LONG_GERMAN, options) == ("en", "page")


def test_an_unconfident_detection_is_not_used() -> None:
    options = LanguageOptions(min_probability=1.01)  # nothing is ever that sure
    assert choose_language(None, LONG_GERMAN, options) == (None, None)
    assert choose_language("en", LONG_GERMAN, options) == ("en", "page")


def test_min_chars_is_an_option() -> None:
    text = "Der Hafen von Lindenport ist nach sechs Tagen Streik wieder offen."
    assert choose_language(None, text) == (None, None)
    assert choose_language(None, text, LanguageOptions(min_chars=20)) == ("de", "detected")


def test_close_languages_keep_the_declared_tag() -> None:
    # The detector says "no" for Norwegian; pages say "nb" (Bokmål): the same language.
    assert detect_language(NORWEGIAN * 2) is not None
    assert choose_language("nb", NORWEGIAN * 2) == ("nb", "page")
    assert choose_language("en", NORWEGIAN * 2) == ("no", "detected")


def test_varieties_are_folded_into_the_primary_tag_pages_declare() -> None:
    # Written Cantonese: py3langid says "yue"; pages declare it "zh" (zh-HK).
    cantonese = (
        "佢哋話個碼頭聽日會再開，啲工人終於肯返工喇。我哋都好開心，因為啲貨櫃已經喺度等咗成個禮拜，"
        "啲老闆話唔會再有咁嘅事。市政府話下個禮拜會開會，傾下點樣避免呢啲停工再發生。"
    )
    detected = detect_language(cantonese)
    assert detected is not None and detected[0] == "zh"


def test_only_the_start_of_a_long_text_is_classified() -> None:
    english = TEXTS["en"] * (MAX_DETECT_CHARS // len(TEXTS["en"]) + 1)
    assert len(english) > MAX_DETECT_CHARS
    detected = detect_language(english + " " + LONG_GERMAN * 40)
    assert detected is not None and detected[0] == "en"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.sampled_from([None, "en", "de"]))
def test_detection_never_raises_and_stays_in_range(text: str, declared: str | None) -> None:
    detected = detect_language(text)
    if detected is not None:
        code, probability = detected
        assert code == code.lower() and code not in ("zxx", "und")
        assert 0.0 <= probability <= 1.0
    language, source = choose_language(declared, text)
    assert source in (None, "page", "detected")
    assert (language is None) == (source is None)
    if declared is not None:
        assert language is not None
