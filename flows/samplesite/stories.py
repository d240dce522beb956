"""Writing stories from topic templates, and editing wire stories the way outlets do."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from flows.samplesite import topics_news, topics_reports
from flows.samplesite.texts import (
    AGENCY,
    FIRST_NAMES,
    HOSPITALS,
    LAST_NAMES,
    PLACES,
    STREETS,
    UNIVERSITIES,
    WEEKDAYS,
    Topic,
    ap_date,
)

TOPICS: tuple[Topic, ...] = topics_news.TOPICS + topics_reports.TOPICS
TOPICS_BY_KEY = MappingProxyType({topic.key: topic for topic in TOPICS})

_PERSON_RE = re.compile(r"\{(p\d)(_last)?\}")


@dataclass(frozen=True, slots=True)
class Draft:
    """One written story: the facts, the chosen templates and the text they give."""

    topic: Topic
    context: MappingProxyType[str, str]
    templates: tuple[str, ...]  # the lede first, then the chosen body templates
    headlines: tuple[str, ...]
    paragraphs: tuple[str, ...]
    reporter: str
    when: datetime

    @property
    def title(self) -> str:
        return self.headlines[0]

    @property
    def summary(self) -> str:
        return summary_of(self.paragraphs)

    @property
    def subject(self) -> str:
        return self.context[self.topic.subject]


def summary_of(paragraphs: tuple[str, ...]) -> str:
    """The feed description: the lede without its dateline."""
    lede = paragraphs[0]
    return lede.split(" - ", 1)[1] if " - " in lede else lede


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        surname = name.split()[-1]
        if name not in taken and not any(t.endswith(" " + surname) for t in taken):
            taken.add(name)
            return name


def _base_context(rng: random.Random, when: datetime, wire: bool) -> dict[str, str]:
    (place, region), (place2, _) = rng.sample(PLACES, 2)
    university, university2 = rng.sample(UNIVERSITIES, 2)
    street, street2 = rng.sample(STREETS, 2)
    agency = f" ({AGENCY})" if wire else ""
    context = {
        "place": place,
        "region": region,
        "place2": place2,
        "university": university,
        "university2": university2,
        "hospital": rng.choice(HOSPITALS),
        "street": street,
        "street2": street2,
        "weekday": WEEKDAYS[when.weekday()],
        "prev_weekday": WEEKDAYS[(when.weekday() - 1) % 7],
        "next_day": WEEKDAYS[(when.weekday() + 1) % 7],
        "dateline": f"{place.upper()}, {ap_date(when)}{agency} -",
    }
    taken: set[str] = set()
    for key in ("p1", "p2", "p3"):
        name = _person(rng, taken)
        context[key] = name
        context[f"{key}_last"] = name.split()[-1]
    context["reporter"] = _person(rng, taken)
    return context


def render(templates: tuple[str, ...], context: dict[str, str]) -> tuple[str, ...]:
    """Fill templates in order; a person first met by surname is named in full."""
    named: set[str] = set()
    out: list[str] = []
    for template in templates:
        local = dict(context)
        found = _PERSON_RE.findall(template)
        for key, last in found:
            if last and key not in named and f"{{{key}}}" not in template:
                local[f"{key}_last"] = context[key]
        named.update(key for key, _ in found)
        out.append(template.format_map(local))
    return tuple(out)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def write(
    rng: random.Random,
    topic: Topic,
    when: datetime,
    *,
    wire: bool,
    avoid: str | None = None,
) -> Draft:
    """Write a story on `topic` dated `when`; `avoid` is a subject it must not share."""
    for _ in range(20):
        context = _base_context(rng, when, wire)
        context.update(topic.fill(rng, context, when))
        if context[topic.subject] != avoid:
            break
    required, optional = topic.body[:2], topic.body[2:]
    # Wire stories run long so that trimmed copies stay full articles.
    low = len(optional) - 2 if wire else 2
    count = rng.randint(low, len(optional))
    chosen = sorted(rng.sample(range(len(optional)), count))
    templates = (topic.lede, *required, *(optional[i] for i in chosen))
    frozen = dict(context)
    headlines = tuple(_cap(h.format_map(frozen)) for h in topic.headlines)
    return Draft(
        topic=topic,
        context=MappingProxyType(frozen),
        templates=templates,
        headlines=headlines,
        paragraphs=render(templates, frozen),
        reporter=context["reporter"],
        when=when,
    )


@dataclass(frozen=True, slots=True)
class Copy:
    """One outlet's edited version of a wire story."""

    title: str
    author: str
    paragraphs: tuple[str, ...]


_BYLINES = ("{reporter}, " + AGENCY, "Staff and wire reports", "{reporter} | " + AGENCY, AGENCY)


def byline(author: str) -> str:
    """How an author line is shown: "By Ana Ruiz" for people, desk credits as they are."""
    desk = author.startswith(("Staff", AGENCY))
    return author if desk else f"By {author}"


def edit_copy(rng: random.Random, draft: Draft, index: int, read_more: str) -> Copy:
    """The `index`-th outlet's edit of a wire story (0-3): each edit is different.

    0: last paragraph trimmed, a "Read more" line inserted.
    1: two middle paragraphs swapped, a correction appended.
    2: a figure updated (as in a later version of the story), two paragraphs trimmed.
    3: one paragraph trimmed, middle paragraphs swapped, "Read more" and an update note.
    """
    context = dict(draft.context)
    style = index % 4
    paragraphs = list(draft.paragraphs)
    if style == 2:
        key = draft.topic.update
        context[key] = context.get(f"{key}_updated", context[key])
        updated = list(render(draft.templates, context))
        changed = updated != paragraphs
        paragraphs = updated[:-2] if len(updated) >= 8 else updated[:-1]
        if not changed:  # the figure is not in this version: note an update instead
            paragraphs.append(_update_note(rng, context))
    if style in (0, 3):
        paragraphs = paragraphs[:-1]
    if style in (1, 3):
        i = rng.randint(2, len(paragraphs) - 3)
        paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    if style in (0, 3):
        paragraphs.insert(rng.randint(2, 3), f"Read more: {read_more}")
    if style == 1:
        paragraphs.append(
            f"Correction: An earlier version of this story misspelled the surname of "
            f"{context['p2']}. It has been corrected."
        )
    if style == 3:
        paragraphs.append(_update_note(rng, context))
    headlines = draft.headlines
    title = headlines[(index + 1) % len(headlines)]
    if index + 1 > len(headlines):
        title = f"UPDATE: {title}"
    author = _BYLINES[style].format(reporter=draft.reporter)
    return Copy(title=title, author=author, paragraphs=tuple(paragraphs))


def _update_note(rng: random.Random, context: dict[str, str]) -> str:
    hour = rng.randint(1, 9)
    minute = rng.choice((5, 15, 20, 35, 40, 50))
    return (
        f"This story was updated at {hour}:{minute:02d} p.m. on {context['weekday']} "
        "with additional details."
    )


def jitter(rng: random.Random, when: datetime, low: int, high: int) -> datetime:
    """`when` moved by a whole number of minutes in [low, high]."""
    return when + timedelta(minutes=rng.randint(low, high))
