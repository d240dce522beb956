"""Stories for the near-duplicate corpus: wire originals (synthetic or from a corpus
text), their topical follow-ups, templated stories, briefs and the outlets that carry them.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from bench.dedup_texts import (
    AGENCIES,
    BOTTOM,
    BRIEFS,
    COMPANY,
    DAYS,
    FIRST,
    FOLLOW_UP,
    GENERIC,
    HEAVY,
    HOSPITALS,
    INDUSTRY,
    KICKERS,
    LAST,
    MONTHS,
    NICKNAMES,
    OUTLET_WORDS,
    PAPERS,
    PLACES,
    QUOTES,
    RELATED,
    STREETS,
    TEMPLATES,
    TOP,
    TOPICS,
    UNIVERSITIES,
    VOICES,
    Topic,
    choose,
    fill,
    person,
)

#: Words in a wire original: corpus texts shorter are left out, longer ones are cut.
MIN_WORDS, MAX_WORDS = 150, 900
#: Between two sentences: after closing punctuation, before a capital or an opening quote.
SENTENCE = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“])")
_NAME = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]+)\b")
#: "the <word>" before a verb, a preposition or punctuation finds a text's nouns well enough.
_NOUN = re.compile(
    r"\bthe ([a-z]{5,})(?=[.,;:]| (?:is|was|has|had|would|will|said|of|in|on|to|for|and)\b)"
)
_COMMON = frozenset(
    ("first", "second", "third", "other", "following", "latest", "whole", "right", "final",
     "former", "entire", "current", "original", "previous", "biggest", "largest", "united")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet: its fixed furniture lines and its one template per category."""

    site: str
    name: str
    heavy: bool
    top: tuple[str, ...]
    bottom: tuple[str, ...]
    templates: tuple[tuple[str, str, tuple[str, ...]], ...]  # (category, headline, sentences)


def make_outlets(rng: random.Random, count: int) -> list[Outlet]:
    """``count`` outlets with distinct sites; every fourth is boilerplate-heavy."""
    pairs = rng.sample([(w, p) for w in OUTLET_WORDS for p in PAPERS], count)
    outlets = []
    for i, (word, paper) in enumerate(pairs):
        region = rng.choice(PLACES)[1]
        site, name = f"{word}-{paper}.example", f"The {word.title()} {paper.title()}"
        facts = {"name": name, "site": site, "region": region, "year": str(rng.randint(1850, 1990))}
        for h, pattern in enumerate(rng.sample(RELATED, len(RELATED)), 1):
            place, street, n = rng.choice(PLACES)[0], rng.choice(STREETS), rng.randint(2, 60)
            values = {"place": place, "street": street, "region": region, "n": str(n)}
            facts[f"h{h}"] = fill(rng, pattern, values)
        facts["n"] = str(rng.randint(120, 900))
        top = [fill(rng, t, facts) for t in rng.sample(TOP, rng.randint(1, 2))]
        bottom = [fill(rng, b, facts) for b in rng.sample(BOTTOM, rng.randint(2, 4))]
        if heavy := i % 4 == 0:
            # A cookie notice, a long related list, a pitch and an app promotion: more words
            # than many of the outlet's articles.
            top = [fill(rng, HEAVY[0], facts), top[0]]
            headlines = "; ".join(facts[f"h{h}"] for h in range(5, len(RELATED) + 1))
            bottom = [
                *bottom[:2],
                f"More from {name}: {headlines}",
                *(fill(rng, t, facts) for t in HEAVY[1:]),
            ]
        templates = []
        for category, (heads, sentences) in TEMPLATES.items():
            keep = sorted(rng.sample(range(len(sentences)), len(sentences) - rng.randint(0, 2)))
            body = tuple(choose(rng, sentences[k]) for k in keep)
            templates.append((category, choose(rng, rng.choice(heads)), body))
        outlets.append(Outlet(site, name, heavy, tuple(top), tuple(bottom), tuple(templates)))
    return outlets


def _facts(rng: random.Random, topic: Topic, keep: dict[str, str] | None = None) -> dict[str, str]:
    """Fresh facts for a story of the topic; ``keep`` overrides some (a follow-up's people)."""
    (city, region), other = rng.sample(PLACES, 2)
    day, day2 = rng.sample(DAYS, 2)
    out = {
        "place": city, "region": region, "place2": other[0], "street": rng.choice(STREETS),
        "day": day, "day2": day2, "month": rng.choice(MONTHS), "year": str(rng.randint(1979, 2019)),
        "university": rng.choice(UNIVERSITIES), "hospital": rng.choice(HOSPITALS),
        "agency": rng.choice(AGENCIES), "pct": str(rng.randint(54, 93)),
        "pop": f"{rng.randint(8, 420) * 1000:,}", "years": str(rng.randint(3, 58)),
    }  # fmt: skip
    for i, (first, last) in enumerate(
        zip(rng.sample(FIRST, 5), rng.sample(LAST, 5), strict=True), 1
    ):
        out[f"p{i}"], out[f"l{i}"] = f"{first} {last}", last
    for i, (low, high) in enumerate(topic.numbers, 1):
        n = rng.randint(low, high)
        out[f"n{i}"] = str(n) if 1900 <= low <= high <= 2100 else f"{n:,}"  # years: no comma
    out.update(zip(topic.picks_of, rng.choice(topic.picks).split("/"), strict=True))
    out.update(keep or {})
    return out


def _article(
    rng: random.Random, topic: Topic, facts: dict[str, str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Headline, paragraphs (150 words up) and alternative headlines of a synthetic story."""
    headlines = tuple(dict.fromkeys(fill(rng, h, facts) for h in topic.head))
    body = [sentence for sentence in topic.body if rng.random() < 0.85]
    for i in range(len(body) - 1):  # the order is the templates', loosened a little
        if rng.random() < 0.3:
            body[i], body[i + 1] = body[i + 1], body[i]
    voices = [f"“{q},” said {person(rng)}, {rng.choice(VOICES)}." for q in rng.sample(QUOTES, 3)]
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    # Longer stories carry more reaction and background (up to about 550 words in all).
    extra = rng.sample(GENERIC, min(len(GENERIC), 3 + target // 60)) + voices[: 1 + target // 300]
    for sentence in extra:
        body.insert(rng.randint(min(3, len(body)), len(body)), sentence)
    sentences = [fill(rng, sentence, facts) for sentence in body]
    paragraphs = [fill(rng, rng.choice(topic.lede), facts)]
    words = len(paragraphs[0].split())
    while sentences and words < target:
        # A quotation opens its own paragraph, as in wire copy.
        take = rng.choice((1, 2, 2, 3))
        quoted = [j for j, text in enumerate(sentences[1:take], 1) if text.startswith("“")]
        take = 1 if sentences[0].startswith("“") else min([take, *quoted])
        paragraphs.append(" ".join(sentences[:take]))
        words += len(paragraphs[-1].split())
        del sentences[:take]
    return headlines[0], tuple(paragraphs), headlines


def _template_facts(rng: random.Random, category: str) -> dict[str, str]:
    (city, region), (city2, _), (city3, _) = rng.sample(PLACES, 3)
    day, day2, day3 = rng.sample(DAYS, 3)
    out = {"city": city, "region": region, "day": day, "day2": day2, "day3": day3}
    if category == "earnings":
        rev, eps = rng.randint(80, 4800), rng.randint(12, 480)
        out |= {
            "company": f"{rng.choice(COMPANY)} {rng.choice(INDUSTRY)}",
            "quarter": rng.choice(("first", "second", "third", "fourth")),
            "rev": f"{rev:,}", "rev0": f"{round(rev * rng.uniform(0.8, 1.15)):,}",
            "profit": f"{round(rev * rng.uniform(0.03, 0.18)):,}", "eps": f"{eps / 100:.2f}",
            "est": f"{(eps + rng.randint(-20, 20)) / 100:.2f}",
            "move": rng.choice(("rose", "fell")), "stock": f"{rng.uniform(0.4, 9.8):.1f}",
            "ceo": person(rng), "staff": f"{rng.randint(4, 300) * 100:,}",
            "firm": rng.choice(("Halvard Securities", "Pinecrest Capital", "Northgate Research")),
            "segment": rng.choice(("its cloud services", "home insurance", "snack foods", "steel")),
            "g1": f"{rev * 4 - rng.randint(50, 300):,}",
            "g2": f"{rev * 4 + rng.randint(50, 300):,}",
        }  # fmt: skip
    elif category == "sports":
        hs = rng.randint(1, 6)
        out |= {
            "home": f"{city} {rng.choice(NICKNAMES)}", "away": f"{city2} {rng.choice(NICKNAMES)}",
            "next": f"{city3} {rng.choice(NICKNAMES)}",
            "hs": str(hs), "ag": str(rng.randint(0, hs - 1)),
            "crowd": f"{rng.randint(800, 38000):,}", "ground": f"{rng.choice(STREETS)} Park",
            "scorer": person(rng), "scorer2": person(rng), "coach": person(rng),
            "goals": rng.choice(("once", "twice", "three times")), "pts": str(rng.randint(9, 61)),
            "pos": rng.choice(("first", "second", "third", "fifth", "seventh")),
            "league": rng.choice(("Northern League", "Premier Division")),
            "streak": str(rng.randint(2, 9)),
        }  # fmt: skip
    elif category == "weather":
        hi = rng.randint(-3, 31)
        conds = ("sunny spells", "heavy showers", "thick fog", "persistent rain", "light snow",
                 "clear skies", "strong winds", "scattered thunderstorms")  # fmt: skip
        cond, cond2 = rng.sample(conds, 2)
        out |= {
            "cond": cond, "cond2": cond2, "hi": str(hi), "lo": str(hi - rng.randint(4, 11)),
            "hi2": str(hi + rng.randint(-5, 5)), "wind": str(rng.randint(10, 90)),
            "dir": rng.choice(("north", "south-west", "east", "north-west")),
            "rain": str(rng.randint(5, 95)),
            "level": rng.choice(("yellow", "amber")), "forecaster": person(rng),
            "sunrise": f"7:{rng.randint(0, 59):02d}", "sunset": f"16:{rng.randint(0, 59):02d}",
        }  # fmt: skip
    else:
        v3 = rng.randint(300, 9000)
        v2 = v3 + rng.randint(50, 9000)
        out |= {
            "c1": person(rng), "c2": person(rng), "c3": person(rng),
            "v3": f"{v3:,}", "v2": f"{v2:,}",
            "v1": f"{v2 + rng.randint(10, 9000):,}", "turnout": str(rng.randint(28, 71)),
            "turnout0": str(rng.randint(28, 71)),
            "office": rng.choice(("mayoral", "council", "school board")),
            "issue": rng.choice(("lower rents", "safer streets", "fixing the roads", "a new pool")),
        }  # fmt: skip
    return out


def templated(rng: random.Random, outlet: Outlet) -> tuple[str, tuple[str, ...]]:
    """A templated story from the outlet's own template, with new numbers, names and places."""
    category, headline, sentences = rng.choice(outlet.templates)
    values = _template_facts(rng, category)
    return fill(rng, headline, values), tuple(fill(rng, s, values) for s in sentences)


def brief(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """A brief of under 50 words and its headline."""
    title, body = rng.choice(BRIEFS)
    (place, region), other = rng.sample(PLACES, 2)
    street, street2 = rng.sample(STREETS, 2)
    values = {"place": place, "region": region, "place2": other[0], "street": street,
              "street2": street2, "day": rng.choice(DAYS), "n": str(rng.randint(2, 30)),
              "age": str(rng.randint(17, 90)), "hour": str(rng.randint(1, 11)),
              "p": person(rng), "hospital": rng.choice(HOSPITALS)}  # fmt: skip
    return fill(rng, title, values), (fill(rng, body, values),)


@dataclass(frozen=True, slots=True)
class Base:
    """A wire original: its text, alternative headlines and what a follow-up may reuse."""

    title: str
    paragraphs: tuple[str, ...]
    headlines: tuple[str, ...]
    place: str
    topic: Topic | None
    facts: dict[str, str]


def people(text: str) -> list[str]:
    """Likely people in a text, most mentioned first: "First Last" whose surname also stands
    alone (news names a person in full once, then by surname; "New York" never says "York")
    and whose first name is no word written in lower case ("But Facebook")."""
    words = set(re.findall(r"\b[a-z]+\b", text))
    pairs = Counter(f"{a} {b}" for a, b in _NAME.findall(text) if a.lower() not in words)
    alone = Counter(re.findall(r"\b[A-Z][a-z]+\b", text))
    return [name for name, n in pairs.most_common() if alone[name.split()[1]] > n]


def from_source(rng: random.Random, text: str) -> Base:
    """A corpus text as a wire original; other headlines from its lede and its main name."""
    title, *paragraphs = text.splitlines()
    headlines = [
        " ".join(paragraphs[0].split()[:11]).rstrip(",;:"),
        f"{rng.choice(KICKERS)}: {title}",
    ]
    headlines += [f"{title} ({name})" for name in people(text)[:1]]
    return Base(title, tuple(paragraphs), tuple(headlines), "", None, {})


def synthetic(rng: random.Random) -> Base:
    """A wire original written from a random topic's templates, 150 words or more."""
    while True:  # a story short of material is written again (rare)
        topic = rng.choice(TOPICS)
        values = _facts(rng, topic)
        title, paragraphs, headlines = _article(rng, topic, values)
        if sum(len(paragraph.split()) for paragraph in paragraphs) >= MIN_WORDS:
            return Base(title, paragraphs, headlines, values["place"], topic, values)


def follow_up(rng: random.Random, base: Base) -> tuple[str, tuple[str, ...]]:
    """Another event on the same topic: the same place, people and vocabulary."""
    text = "\n".join(base.paragraphs)
    nouns = [w for w, _ in Counter(_NOUN.findall(text)).most_common(12) if w not in _COMMON]
    keep = {f"w{i}": noun for i, noun in enumerate(nouns[:4], 1)}
    if base.topic is not None:
        keep |= {k: base.facts[k] for k in ("place", "region", "place2", "p1", "l1", "p2", "l2")}
    else:
        for i, name in enumerate(people(text)[:3], 1):
            keep[f"p{i}"], keep[f"l{i}"] = name, name.split()[-1]
    title, paragraphs, _ = _article(rng, FOLLOW_UP, _facts(rng, FOLLOW_UP, keep))
    # Half of them repeat a sentence of the earlier story as background, as follow-ups do.
    background = [
        sentence
        for paragraph in base.paragraphs[1:]
        for sentence in SENTENCE.split(paragraph)
        if 10 <= len(sentence.split()) <= 40
    ]
    if background and rng.random() < 0.5:
        at = rng.randint(min(2, len(paragraphs)), len(paragraphs))
        paragraphs = (*paragraphs[:at], rng.choice(background), *paragraphs[at:])
    return title, paragraphs
