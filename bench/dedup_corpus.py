"""A labelled near-duplicate corpus: wire stories, their syndicated copies and hard negatives.

    .venv/bin/python -m bench.dedup_corpus --seed 1 --stories 300 --out corpus.jsonl
    .venv/bin/python -m bench.dedup_corpus --seed 1 --scale 1000000 --out big.jsonl
    .venv/bin/python -m bench.dedup_eval corpus.jsonl predictions.jsonl

``stories`` wire originals are published by a wire service and carried by 2 to 8
outlets, each copy with its own mix of edits (``kind`` "copy:headline+byline+...", or
"lede" and "truncated"). The originals are the reference texts of
``$NEWSFLOW_CORPORA/extraction-dev`` and ``sample-article.txt`` (read at run time, never
stored here), then synthetic stories written from the templates below. Hard negatives
are stories of their own: "neg:topic" (the names and vocabulary of an original, another
event), "neg:template" (earnings, results, weather and election tallies from one
template per outlet: most words shared, different stories) and "neg:brief" (under 50
words inside a heavy outlet's furniture; some carried by other outlets as "copy:brief").
The mix is about 35% copies, 10% lede or truncated copies and 55% distinct items, 20%
of all items templated. Items come in time order over five ingest runs (``run`` 0..4),
one JSON object per line. ``--scale N`` repeats a corpus under a cipher per cycle to
reach N items quickly (a million in under half a minute).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.scoring import html_text

START = datetime(2026, 11, 20, tzinfo=UTC)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC; datetime.fromisoformat reads it back
RUNS = 5
DAY = 86_400
#: Edits a syndicated copy may carry, in the order its kind names them.
EDITS = ("headline", "byline", "boilerplate", "trim", "edit", "correction", "number")
MIN_WORDS, MAX_WORDS = 150, 900
#: Outlets carrying a wire story: 2 to 8, mostly 3 to 5 (about 4.7 on average).
CARRIERS = (2, 3, 3, 4, 4, 5, 5, 6, 7, 8)
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})*(?![\w]|[.,]\d)")
_SENTENCE = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“])")
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
class Item:
    """One article as ingestion would see it, with its true story label."""

    id: str
    url: str
    site: str
    title: str
    text: str
    published_at: datetime  # UTC; in JSON "2026-11-20T06:15:00Z"
    story: str
    kind: str
    run: int


FIELDS = tuple(field.name for field in fields(Item))


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


# Fictional names, places and furniture, and the sentence templates the synthetic
# stories are written from: `{slot}` takes a fact, `{Slot}` the fact capitalised and
# `{a|b|c}` one of the alternatives (which may hold slots but not alternatives).
FIRST = _words(
    "Alma Bruno Celia Dmitri Esther Felix Greta Hugo Imani Jasper Keiko Lionel Marta Nikhil "
    "Odile Pavel Rosa Soren Talia Umar Vera Wendell Ximena Yusuf Zofia Anders Bianca Callum "
    "Delia Emeka Farida Gideon Hanne Ilya Josefa Kofi"
)
LAST = _words(
    "Abara Bellweather Castaneda Drummond Eklund Fairbairn Gallo Hargreaves Ivanova Jaramillo "
    "Kettering Lindahl Lorimer Mwangi Nakashima Oyelaran Pennington Quist Rasmussen Szabo "
    "Treadwell Ulloa Whitcombe Yilmaz Zeller Ashdown Brannigan Corrigan Delgado Everhart"
)
#: (town, the county or region around it)
PLACES = tuple(
    (town, region)
    for town, region in zip(
        _words("Alderbrook,Cinder Falls,Fenwick Harbour,Greyhaven,Hollins Cross,Kettle Bay,"
               "Marlow Heights,Newbridge,Oakhurst,Pine Hollow,Redcliff,Stonemere,Thornbury", ","),
        _words("Wessel County,Ostmark County,Larch Valley,Northmoor,Ardent County,Saltash "
               "Coast,Tamsin Valley,Ferris County,Pell County,Rowan County,Ostmark County,"
               "Brackwater County,Northmoor", ","),
        strict=True,
    )
)  # fmt: skip
STREETS = _words("Mill Quarry Station Chapel Wharf Linden Cooper Beacon Orchard Granary Tanner")
DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = _words("January February March April May June July August September October")
UNIVERSITIES = ("the University of Greyhaven", "Stonemere Institute of Technology",
                "Fenwick Harbour University", "Oakhurst College")  # fmt: skip
HOSPITALS = ("Greyhaven General Hospital", "St. Brigid's Hospital", "Oakhurst Royal Infirmary")
AGENCIES = ("the regional health department", "the transport ministry",
            "the state environment agency", "the national statistics office")  # fmt: skip
COMPANY = _words("Corvid Halberd Lumen Meridian Northwind Oxbow Pallas Redfern Tessera Vantage")
INDUSTRY = _words("Logistics Foods Energy Systems Pharma Steel Networks Retail Motors Mills")
NICKNAMES = _words("Rovers Wanderers Athletic Mariners Foxes Millers Comets Herons Rangers")
OUTLET_WORDS = _words("harbour valley northern lakeside coastal granite river summit prairie "
                      "highland bayshore upland westside metro island eastern")  # fmt: skip
PAPERS = _words("courier sentinel gazette tribune observer herald record chronicle ledger "
                "dispatch examiner bulletin beacon mercury clarion post star journal")  # fmt: skip
WIRES = (("newswire.example", "Newswire"), ("continental-press.example", "Continental Press"))
KICKERS = ("Update", "Explainer", "What we know", "Latest", "Analysis")
SYNONYMS = {"said": "stated", "about": "around", "people": "residents", "began": "started",
            "more than": "over", "officials": "authorities", "because": "as", "large": "big",
            "city": "town", "However": "But", "help": "assist", "quickly": "rapidly"}  # fmt: skip
SYNONYM_WORDS = re.compile(r"\b(?:" + "|".join(SYNONYMS) + r")\b")
CORRECTIONS = (
    "Correction: An earlier version of this story misspelled the name of {name}.",
    "Correction: This article has been updated to correct the day of the meeting, which was {day}.",
    "Correction: An earlier version of this story gave the wrong title for {name}.",
    "Clarification: This story has been updated to make clear that {name} spoke before the vote.",
)


@dataclass(frozen=True, slots=True)
class _Topic:
    """A kind of wire story: sentence templates and the facts that fill them."""

    picks_of: tuple[str, ...]  # slots filled together from one of `picks` ("/"-separated)
    picks: tuple[str, ...]
    numbers: tuple[tuple[int, int], ...]  # ranges of {n1}, {n2}, ...
    head: tuple[str, ...]
    lede: tuple[str, ...]
    body: tuple[str, ...]


TOPICS = (
    _Topic(
        ("who", "employer", "union"),
        ("dockworkers/the port authority/Harbour Workers Union",
         "bus drivers/the regional transit agency/Transit Workers Union",
         "nurses/the hospital trust/Nurses Association",
         "refuse collectors/the city council/Municipal Workers Union"),
        ((3, 21), (300, 4800), (3, 9), (2, 60), (10, 16), (6, 19)),
        ("{Who} in {place} end {n1}-day strike after {n3} percent pay offer",
         "{place} {who} {vote|agree} to return to work",
         "Deal ends {place} {who} walkout after {n1} days"),
        ("{Who} in {place} {voted|agreed} on {day} to end a {n1}-day strike after {employer} "
         "{offered|improved its offer to} a {n3} percent pay rise over two years.",
         "A {n1}-day strike by {who} in {place} {is over|ended on {day}} after union members "
         "accepted a {n3} percent pay offer from {employer}."),
        ("About {n2} {who} walked out in {month}, {halting|disrupting} services across {region}.",
         "“This was never only about money,” said {p1}, {president|general secretary} of the "
         "{place} {union}. “It was about {staffing|safety|respect}, and we have won on that.”",
         "{Employer} said the agreement would cost about ${n4} million a year{, most of it "
         "in the first year|}.",
         "{p2}, who {leads|chairs} the negotiating team for {employer}, said talks had been "
         "{difficult|long but constructive|tense at times}.",
         "The union had first asked for a {n5} percent rise{ and a shorter working week|}.",
         "Members {approved|backed} the deal by {pct} percent in a ballot that closed on {day}.",
         "Normal services are expected to resume by {day2}, {l2} said.",
         "Businesses in {place} said the {strike|walkout} had cost them {customers|trade}.",
         "It was the longest {strike|walkout} in {place} since {year}.",
         "{p3}, a labour economist at {university}, said the settlement was {in line with|"
         "slightly above} other recent deals in {region}.",
         "Managers worked {n6} extra shifts to keep {a skeleton service|emergency cover} going."),
    ),
    _Topic(
        ("building", "short"),
        ("a warehouse/warehouse", "an apartment block/apartment block",
         "a furniture factory/factory", "a restaurant/restaurant", "a primary school/school"),
        ((2, 14), (20, 120), (2, 9), (20, 300), (4, 20), (3, 90)),
        ("{n1} injured as fire {guts|destroys|tears through} {building} in {place}",
         "Fire on {street} Street in {place} forces {n4} people from their homes",
         "Investigators search for cause of {place} {short} fire"),
        ("{n1} people were {injured|taken to hospital} after a fire {broke out|spread} through "
         "{building} on {street} Street in {place} {late|early} on {day}, officials said.",
         "A fire {destroyed|badly damaged} {building} in {place} on {day}, injuring {n1} people "
         "and forcing {n4} residents to leave nearby homes."),
        ("About {n2} firefighters {fought|battled} the blaze for {n3} hours before bringing it "
         "under control.",
         "“{The heat was intense|It spread very quickly}, and our crews did an extraordinary "
         "job,” said {p1}, {chief of the {place} fire service|the fire chief}.",
         "{n5} fire engines were sent to the scene from across {region}.",
         "Police closed {street} Street and {several nearby roads|the surrounding streets} while "
         "crews {worked|damped down the site}.",
         "Two of the injured were in a serious condition at {hospital}, a spokesperson said.",
         "{p2}, who lives {across the road|two doors away}, said she {woke to the smell of "
         "smoke|saw flames through the roof}.",
         "Investigators {have not yet found|are still trying to establish} the cause of the fire.",
         "The {short} {had been inspected|passed a safety inspection} in {month}, according to "
         "city records.",
         "A fund for families who lost their homes had raised ${n6},000 by {day2}.",
         "{p3}, a city councillor, said the council would {review fire safety rules|offer "
         "temporary housing to those affected}."),
    ),
    _Topic(
        ("plan", "short"),
        ("a new bus network/bus network", "a flood barrier/flood barrier",
         "a housing plan/housing plan", "a library expansion/library plan"),
        ((3, 240), (5, 9), (1, 4), (50, 2000), (1, 6), (2, 6), (1, 40), (500, 9000)),
        ("{place} council approves ${n1} million {short}",
         "{place} backs {short} in {n2}-{n3} vote",
         "Councillors in {place} vote through {short} despite {objections|cost concerns}"),
        ("{place} city council {approved|voted through} {plan} costing ${n1} million on {day}, "
         "{ending|after} months of debate.",
         "Councillors in {place} voted {n2} to {n3} on {day} to {approve|back} {plan}, the "
         "largest project the city has taken on since {year}."),
        ("The plan {includes|provides for} {n4} {new homes|jobs during construction|parking "
         "spaces}, according to council documents.",
         "“{This is a once in a generation decision|We cannot afford to wait any longer},” "
         "said {p1}, the mayor of {place}.",
         "{p2}, who voted against, said {the cost had doubled since the first estimate|"
         "residents had not been consulted properly}.",
         "Property taxes will rise by {n5} percent to help pay for the {short}.",
         "Work is {due to|expected to} start in {month} and {last|take} about {n6} years.",
         "{p3} of the {place} Residents Association said {members were split|many members "
         "had concerns about noise}.",
         "The {region} government has promised ${n7} million towards the cost.",
         "The council's finance committee will review the budget again on {day2}.",
         "Opponents {have collected|say they have} {n8} signatures calling for a public vote.",
         "A previous version of the {short} was {rejected|withdrawn} in {year}."),
    ),
    _Topic(
        ("charge", "who"),
        ("fraud/man", "arson/woman", "dangerous driving/man", "theft from an employer/woman"),
        ((2, 12), (19, 68), (3, 30), (5, 900), (5, 40), (1, 5)),
        ("{place} {who} jailed for {n1} years for {charge}",
         "Jury finds {place} {who} guilty of {charge}",
         "{l1} sentenced to {n1} years after {n3}-day {charge} trial"),
        ("A {n2}-year-old {place} {who} was sentenced to {n1} years in prison on {day} for "
         "{charge}, {ending|closing} a case that {drew wide attention|divided the town}.",
         "{p1}, {n2}, was jailed for {n1} years at {region} Court on {day} after a jury found "
         "the {who} guilty of {charge}."),
        ("Judge {p2} said the {offence|crime} had caused {lasting harm|real distress} to "
         "{the victims|the community}.",
         "The jury {heard from|was told by} {n5} witnesses during the {n3}-day trial.",
         "Prosecutors said the {losses|damage} came to about ${n4},000.",
         "“{Justice has been done|We are relieved it is over},” {p3} said outside the court.",
         "{l1}'s lawyer said {an appeal was being considered|the sentence was too harsh}.",
         "The court heard that {l1} had {no previous convictions|two previous convictions}.",
         "{p3}, who {gave evidence|testified} on the second day, said {the case had taken "
         "years|the family could now move on}.",
         "Police {began investigating|opened an inquiry} in {month} {year} after a complaint.",
         "{l1} will be eligible for parole after {n6} years.",
         "The {region} prosecutor's office said it {welcomed|would study} the sentence."),
    ),
    _Topic(
        ("subject", "condition"),
        ("daily walks/heart disease", "later school start times/poor exam results",
         "screen time before bed/poor sleep", "regular gardening/depression"),
        ((300, 24000), (8, 45), (2, 15), (18, 40), (1, 30), (50, 80), (5, 30)),
        ("Study links {subject} to lower risk of {condition}",
         "Researchers tie {subject} to {n2} percent drop in {condition}",
         "{Subject} may help with {condition}, {n1}-person study suggests"),
        ("A study of {n1} people published on {day} by researchers at {university} found that "
         "{subject} {went with|came with} a {n2} percent lower risk of {condition}.",
         "Researchers at {university} say {subject} could {reduce|lower} the risk of {condition} "
         "by {n2} percent, after following {n1} people for {n3} years."),
        ("Participants were aged between {n4} and {n6}.",
         "“{We were surprised by how large the effect was|The effect held even after we "
         "adjusted for income and age},” said {p1}, {the lead author|who led the study}.",
         "The study was published in the {Journal of Public Health|Annals of Community "
         "Medicine}.",
         "{p2}, who was not involved in the research, said the findings were {promising|"
         "interesting} but {needed to be confirmed|did not prove cause and effect}.",
         "The team {controlled for|took into account} smoking, income and diet.",
         "The research was funded by a ${n5} million grant from {agency}.",
         "{p3}, a doctor in {place}, said {patients often ask about {subject}|the advice was "
         "simple to follow}.",
         "Earlier studies had {found a smaller effect|been too small to show a clear link}.",
         "The researchers plan a {larger|follow-up} trial starting in {month}.",
         "About {n7} percent of adults in {region} {have|report} {condition}, official "
         "figures show."),
    ),
    _Topic(
        ("company", "product"),
        ("Oxbow Motors/electric van", "Lumen Energy/battery", "Redfern Foods/frozen food",
         "Tessera Systems/circuit board", "Halberd Mills/furniture"),
        ((40, 2400), (10, 900), (2027, 2031), (2, 80), (300, 9000), (2, 14), (1, 9), (38, 71)),
        ("{company} to {open|build} ${n2} million {product} plant in {place}",
         "{n1} jobs {coming to|promised for} {place} as {company} expands",
         "{company} picks {place} for new {product} factory"),
        ("{company} will {build|open} a ${n2} million {product} factory in {place}, creating "
         "about {n1} jobs, the company said on {day}.",
         "{company} said on {day} it had chosen {place} for a {product} plant that will employ "
         "{n1} people by {n3}."),
        ("{p1}, chief executive of {company}, said {place} had {a skilled workforce|good rail "
         "links|strong support from local leaders}.",
         "Construction is due to begin in {month}, with production starting in {n3}.",
         "{Region} officials {offered|approved} ${n4} million in tax incentives to win the "
         "project.",
         "“{This is the biggest investment in {place} in a generation|These are good jobs for "
         "local people},” said {p2}, the mayor.",
         "The site on {street} Road {was previously|had been} {a rail yard|farmland|an empty "
         "warehouse}.",
         "{p3}, who runs a {café|hardware store} nearby, said {more customers would be "
         "welcome|she worried about traffic}.",
         "{company} already employs {n5} people at {n6} other sites.",
         "The company's shares {rose|closed up} {n7} percent after the announcement.",
         "Environmental groups said they would {study the plans closely|ask for a review of "
         "water use}.",
         "Average wages at the plant will be about ${n8},000 a year, the company said."),
    ),
)  # fmt: skip
#: Sentences any story may carry: reactions, background and what happens next.
GENERIC = (
    "{p4}, a spokesperson for {agency}, said officials would {publish more details|give an "
    "update} {on {day2}|next week}.",
    "{place}, which has about {pop} residents, lies {north|south|east|west} of {place2}.",
    "{p4} said it was {too early to say|not yet clear} what the news would mean for {place2}.",
    "It is not yet clear how the {region} government will respond.",
    "Officials {in {place2}|across {region}} are watching the outcome {closely|carefully}.",
    "A public meeting is planned for {day2} at the {place} community centre.",
    "{p5}, who has lived in {place} for {years} years, said {it was the talk of the town|"
    "people wanted answers}.",
    "“{People here deserve better|We will keep pushing for answers},” said {p5}.",
    "Residents can {find updates|read more} on the {place} city website.",
    "The last comparable case in {region} was in {year}, according to local records.",
    "Figures released this week show {place} has grown by {pct} percent since {year}.",
    "{p4} said the {region} {governor|council leader} had been briefed on {day2}.",
    "Neither side would say {whether more talks were planned|what happens next}.",
    "The news was {widely shared|much discussed} on local radio on {day2}.",
    "{place} last made headlines in {year}, when {a flood closed the main bridge|a factory fire "
    "forced hundreds from their homes}.",
    "Local businesses said they {had seen fewer customers in recent weeks|were hopeful about "
    "the months ahead}.",
    "{p4} said further details would be {shared with residents|published online} {before the "
    "end of the month|in {month}}.",
    "Opposition councillors said they would raise the matter at the next full council meeting.",
    "The {place} Chamber of Commerce said it {welcomed the clarity|would study the details}.",
    "Community groups in {place2} said they had been following the story closely.",
    "Traffic in the centre of {place} was heavier than usual on {day2}, residents said.",
    "{p5} said the mood in {place} was {cautious|hopeful|tense}.",
)  # fmt: skip
#: Vox pops: a quotation, a fresh name and who they are.
QUOTES = (
    "We have been asking for this for years", "Nobody told us anything until it was on the news",
    "It is the only thing people are talking about", "I just hope they get it right this time",
    "We will wait and see what actually happens", "There are a lot of questions left to answer",
    "It affects everyone here, whether they like it or not", "I think most people are relieved",
    "My family has lived here for three generations and I have never seen anything like it",
    "Frankly, it should have happened a long time ago", "It is good news, but it is not the end",
    "People are worried, and they have every right to be",
)  # fmt: skip
VOICES = ("a local resident", "who owns a shop nearby", "a retired teacher", "a parent of two",
          "a member of the residents' association", "a taxi driver", "a student at {university}",
          "a nurse who lives in {place}")  # fmt: skip
FOLLOW_UP = _Topic(
    ("w1", "w2", "w3", "w4"),
    ("plan/decision/report/budget", "proposal/review/inquiry/funding"),
    ((5, 95),),
    ("{p1} {faces new questions|responds to critics} over {w1}",
     "What next for the {w1} after {day}'s {meeting|decision}",
     "{p2} {calls for|urges} a review of the {w2}"),
    ("{p1} {said on {day}|told reporters on {day}} that the {w1} {would be reviewed again|was "
     "still under discussion} {in {month}|before the end of the year}.",),
    ("Separately, the {w2} {drew|prompted} {fresh|renewed} {criticism|questions} in {place} "
     "this week.",
     "“The {w1} is not going away,” said {p2}, {a local organiser|an analyst at {university}}.",
     "{p3} {is expected to|will} {meet|speak with} {l1} on {day2} to discuss the {w3}.",
     "A {report|survey} published on {day} found that {n1} percent of {residents|respondents} "
     "{were worried about|supported changes to} the {w2}.",
     "{l1}'s office did not respond to a request for comment on the {w4}.",
     "The {w3} was first raised at a {hearing|meeting} in {month}, {l2} said.",
     "Critics say the {w4} has {cost|drawn} more {money|attention} than {expected|promised}.",
     "{l3} said the {w2} and the {w3} were {separate matters|closely linked}."),
)  # fmt: skip


#: Templated stories: per category a headline and body sentences; each outlet fixes one
#: template per category (its choice of sentences and of their alternatives).
TEMPLATES = {
    "earnings": (
        ("{company} {quarter}-quarter profit {move} to ${profit} million",
         "{company} results: revenue ${rev} million, shares {move} {stock}%"),
        ("{company} reported {quarter}-quarter revenue of ${rev} million on {day}, compared "
         "with ${rev0} million a year earlier.",
         "Net profit {was|came to} ${profit} million, or ${eps} a share.",
         "Analysts at {firm} had {expected|forecast} earnings of ${est} a share.",
         "Shares of {company} {move} {stock} percent in {early|afternoon} trading.",
         "Chief executive {ceo} said demand for {segment} {remained strong|had started to "
         "recover}.",
         "The company {expects|now forecasts} full-year revenue of between ${g1} million and "
         "${g2} million.",
         "{company} employs about {staff} people and is based in {city}."),
    ),
    "sports": (
        ("{home} {beat|defeat|see off} {away} {hs}-{ag}",
         "{home} {hs} {away} {ag}: {scorer} {stars|scores}"),
        ("{home} {beat|defeated} {away} {hs}-{ag} in front of {crowd} fans at {ground} on {day}.",
         "{scorer} scored {goals} for {home}{, including a penalty| in the second half}.",
         "{away} {had led|were level} at half-time through {scorer2}.",
         "The win moves {home} up to {pos} in the {league} with {pts} points.",
         "{coach}, the {home} coach, said {the team had shown character|it was the best "
         "performance of the season}.",
         "{away} {have now lost|are without a win in} {streak} {straight games|matches}.",
         "{home} {play|travel to} {next} on {day2}."),
    ),
    "weather": (
        ("{city} weather: {cond} with highs of {hi} degrees", "{Cond} for {city} on {day}"),
        ("{city} can expect {cond} on {day}, with highs of {hi} degrees and lows of {lo}.",
         "Winds from the {dir} will reach {wind} km/h {in the afternoon|by evening}.",
         "There is a {rain} percent chance of rain {overnight|after midday}.",
         "{day2} will bring {cond2}, with temperatures reaching {hi2} degrees.",
         "The national weather service has issued a {level} warning for {region}.",
         "Sunrise is at {sunrise} and sunset at {sunset}.",
         "Forecaster {forecaster} said {the weekend looks settled|conditions should improve by "
         "{day3}}."),
    ),
    "election": (
        ("{c1} wins {city} {office} race with {v1} votes",
         "{city} {office} election: {c1} beats {c2}"),
        ("{c1} won the {city} {office} election on {day} with {v1} votes, {defeating|ahead "
         "of} {c2}, who received {v2}.",
         "Turnout was {turnout} percent, {up|down} from {turnout0} percent at the last election.",
         "{c3} finished third with {v3} votes.",
         "{c1}, a {former teacher|local business owner|two-term councillor}, {campaigned|ran} "
         "on {issue}.",
         "“{I will work for everyone in {city}|This result belongs to our volunteers},” {c1} "
         "told supporters.",
         "{c2} conceded {late on {day}|on {day2}}.",
         "The result will be certified by the {region} electoral office on {day2}."),
    ),
}  # fmt: skip
BRIEFS = (
    ("Water main burst closes {street} Street",
     "Police in {place} closed {street} Street on {day} after a water main burst near {street2} "
     "Road. {Region} Water said repairs would take about {n} hours."),
    ("Appeal after crash on {place} bypass",
     "A {age}-year-old {man|woman} was taken to {hospital} after a crash on the {place} bypass "
     "at about {hour} p.m. on {day}. Police are appealing for witnesses."),
    ("{place} library to close for repairs",
     "{place} library will close for {n} days from {day} while its roof is repaired, the "
     "council said. Books can be returned at {place2} library."),
    ("Farmers market moves to {street} Street",
     "The {place} farmers market moves to {street} Street from {day}, organiser {p} said. "
     "Opening hours, {hour} a.m. to 2 p.m., are unchanged."),
    ("Dog rescued from river in {place}",
     "Firefighters rescued a dog from the river in {place} on {day} {morning|afternoon}. The "
     "animal, a {n}-month-old spaniel, was unhurt, crew manager {p} said."),
    ("{place} winter fair tickets on sale",
     "Tickets for the {place} winter fair go on sale on {day}. Last year the fair drew {n},000 "
     "visitors, organiser {p} said."),
    ("Council to vote on {street} Street trees",
     "{place} council will vote on {day} on a plan to plant {age} trees along {street} Street, "
     "at a cost of ${n},000."),
    ("{place} baker wins {region} prize",
     "{p} of {place} has won the {region} baking prize with a {pie|loaf|cake} chosen from {age} "
     "entries, the judges said on {day}."),
    ("Power cut hits {n},000 homes in {place}",
     "About {n},000 homes in {place} lost power for {hour} hours on {day} after a fault at a "
     "substation on {street} Street, the network operator said."),
    ("Bus route {age} diverted in {place}",
     "Bus route {age} in {place} will run along {street} Street from {day} for {n} weeks while "
     "roadworks take place, the operator said."),
)  # fmt: skip
RELATED = ("{place} school named best in {region}",
           "Roadworks to close {street} Street for {n} weeks",
           "{place} bakery celebrates {n} years", "Council delays vote on {place} parking charges",
           "Heavy rain expected across {region} this weekend", "New ferry timetable for {place}",
           "Police appeal after break-ins in {place}", "{place} museum reopens after refit",
           "Jobs fair returns to {place}", "Tributes paid to former {place} mayor",
           "{place} football club appoints new coach",
           "Bridge repairs in {place} run late")  # fmt: skip
TOP = ("Skip to main content", "{name} | Local news, sport and weather for {region}",
       "Subscribe to {name} from $1 a week. Cancel anytime.", "Advertisement",
       "Listen to this article", "Breaking news alerts: turn on notifications.")  # fmt: skip
BOTTOM = ("Read more: {h1}", "Related stories: {h2}; {h3}; {h4}",
          "Sign up for {name} Today and get the day's top stories in your inbox every morning.",
          "© 2026 {name}. All rights reserved.", "Follow {name} on social media for the latest.",
          "Have a story? Email newsroom@{site}.",
          "Comments are closed on this article.")  # fmt: skip
HEAVY = (
    "We and our {n} partners store and access information on your device, such as cookies, to "
    "personalise content and adverts, measure audiences and develop our products. You can "
    "accept all cookies, reject them or choose your preferences at any time by selecting "
    "Privacy settings at the bottom of any page. Some partners process data on the basis of "
    "legitimate interest, which you can object to.",
    "{name} is an independent newsroom serving {region} since {year}. Our journalism is funded "
    "by readers like you: support local reporting from just $2 a week and get unlimited access, "
    "the daily e-edition, puzzles and our award-winning newsletters.",
    "Get our app for breaking news, live traffic and weather, and local sport on your "
    "phone. Download it free today.",
)


@dataclass(frozen=True, slots=True)
class _Outlet:
    """A news outlet: its fixed furniture lines and its one template per category."""

    site: str
    name: str
    heavy: bool
    top: tuple[str, ...]
    bottom: tuple[str, ...]
    templates: tuple[tuple[str, str, tuple[str, ...]], ...]  # (category, headline, sentences)


def _make_outlets(rng: random.Random, count: int) -> list[_Outlet]:
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
            facts[f"h{h}"] = _fill(rng, pattern, values)
        facts["n"] = str(rng.randint(120, 900))
        top = [_fill(rng, t, facts) for t in rng.sample(TOP, rng.randint(1, 2))]
        bottom = [_fill(rng, b, facts) for b in rng.sample(BOTTOM, rng.randint(2, 4))]
        if heavy := i % 4 == 0:
            # A cookie notice, a long related list, a pitch and an app promotion: more words
            # than many of the outlet's articles.
            top = [_fill(rng, HEAVY[0], facts), top[0]]
            headlines = "; ".join(facts[f"h{h}"] for h in range(5, len(RELATED) + 1))
            bottom = [
                *bottom[:2],
                f"More from {name}: {headlines}",
                *(_fill(rng, t, facts) for t in HEAVY[1:]),
            ]
        templates = []
        for category, (heads, sentences) in TEMPLATES.items():
            keep = sorted(rng.sample(range(len(sentences)), len(sentences) - rng.randint(0, 2)))
            body = tuple(_choose(rng, sentences[k]) for k in keep)
            templates.append((category, _choose(rng, rng.choice(heads)), body))
        outlets.append(_Outlet(site, name, heavy, tuple(top), tuple(bottom), tuple(templates)))
    return outlets


_SLOT = re.compile(r"\{(\w+)\}")
_ALT = re.compile(r"\{([^{}]*)\}")


def _choose(rng: random.Random, template: str) -> str:
    """The template with one alternative of each ``{a|b}`` chosen and its slots kept."""
    kept = _SLOT.sub(lambda m: f"\0{m.group(1)}\1", template)
    chosen = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), kept)
    return chosen.replace("\0", "{").replace("\1", "}")


def _fill(rng: random.Random, template: str, facts: dict[str, str]) -> str:
    """The template with its alternatives chosen and its slots filled (``{Slot}`` capitalised)."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in facts:
            return facts[key]
        text = facts[key[0].lower() + key[1:]]
        return text[:1].upper() + text[1:]

    return _SLOT.sub(value, _choose(rng, template))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _facts(rng: random.Random, topic: _Topic, keep: dict[str, str] | None = None) -> dict[str, str]:
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
    rng: random.Random, topic: _Topic, facts: dict[str, str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Headline, paragraphs (150 words up) and alternative headlines of a synthetic story."""
    headlines = tuple(dict.fromkeys(_fill(rng, h, facts) for h in topic.head))
    body = [sentence for sentence in topic.body if rng.random() < 0.85]
    for i in range(len(body) - 1):  # the order is the templates', loosened a little
        if rng.random() < 0.3:
            body[i], body[i + 1] = body[i + 1], body[i]
    voices = [f"“{q},” said {_person(rng)}, {rng.choice(VOICES)}." for q in rng.sample(QUOTES, 3)]
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    # Longer stories carry more reaction and background (up to about 550 words in all).
    extra = rng.sample(GENERIC, min(len(GENERIC), 3 + target // 60)) + voices[: 1 + target // 300]
    for sentence in extra:
        body.insert(rng.randint(min(3, len(body)), len(body)), sentence)
    sentences = [_fill(rng, sentence, facts) for sentence in body]
    paragraphs = [_fill(rng, rng.choice(topic.lede), facts)]
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


def _byline(rng: random.Random, wire: str) -> str:
    return rng.choice(
        (f"By {_person(rng)}, {wire}", f"By {_person(rng)} | {wire}", f"{wire} staff")
    )


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
            "ceo": _person(rng), "staff": f"{rng.randint(4, 300) * 100:,}",
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
            "scorer": _person(rng), "scorer2": _person(rng), "coach": _person(rng),
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
            "level": rng.choice(("yellow", "amber")), "forecaster": _person(rng),
            "sunrise": f"7:{rng.randint(0, 59):02d}", "sunset": f"16:{rng.randint(0, 59):02d}",
        }  # fmt: skip
    else:
        v3 = rng.randint(300, 9000)
        v2 = v3 + rng.randint(50, 9000)
        out |= {
            "c1": _person(rng), "c2": _person(rng), "c3": _person(rng),
            "v3": f"{v3:,}", "v2": f"{v2:,}",
            "v1": f"{v2 + rng.randint(10, 9000):,}", "turnout": str(rng.randint(28, 71)),
            "turnout0": str(rng.randint(28, 71)),
            "office": rng.choice(("mayoral", "council", "school board")),
            "issue": rng.choice(("lower rents", "safer streets", "fixing the roads", "a new pool")),
        }  # fmt: skip
    return out


def _templated(rng: random.Random, outlet: _Outlet) -> tuple[str, tuple[str, ...]]:
    """A templated story from the outlet's own template, with new numbers, names and places."""
    category, headline, sentences = rng.choice(outlet.templates)
    values = _template_facts(rng, category)
    return _fill(rng, headline, values), tuple(_fill(rng, s, values) for s in sentences)


def _brief(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """A brief of under 50 words and its headline."""
    title, body = rng.choice(BRIEFS)
    (place, region), other = rng.sample(PLACES, 2)
    street, street2 = rng.sample(STREETS, 2)
    values = {"place": place, "region": region, "place2": other[0], "street": street,
              "street2": street2, "day": rng.choice(DAYS), "n": str(rng.randint(2, 30)),
              "age": str(rng.randint(17, 90)), "hour": str(rng.randint(1, 11)),
              "p": _person(rng), "hospital": rng.choice(HOSPITALS)}  # fmt: skip
    return _fill(rng, title, values), (_fill(rng, body, values),)


@dataclass(frozen=True, slots=True)
class _Base:
    """A wire original: its text, alternative headlines and what a follow-up may reuse."""

    title: str
    paragraphs: tuple[str, ...]
    headlines: tuple[str, ...]
    place: str
    topic: _Topic | None
    facts: dict[str, str]


@dataclass(slots=True)
class _Draft:
    secs: int
    site: str
    title: str
    lines: list[str]
    story: str
    kind: str


def corpus_sources(corpora: Path) -> list[str]:
    """Reference texts of 150+ words from the corpora, title line first, cut to 900 words."""
    texts: list[list[str]] = []
    pages = corpora / "extraction-dev" / "test-pages"
    for folder in sorted(p for p in pages.iterdir() if p.is_dir()) if pages.is_dir() else []:
        lines = html_text((folder / "expected.html").read_text(encoding="utf-8")).splitlines()
        meta = folder / "expected-metadata.json"
        title = json.loads(meta.read_text(encoding="utf-8")).get("title") if meta.exists() else ""
        texts.append([str(title or ""), *lines])
    sample = corpora / "sample-article.txt"
    if sample.exists():
        lines = [line.strip() for line in sample.read_text(encoding="utf-8").splitlines()]
        texts.append(["", *(line for line in lines if line)])
    sources, seen = [], list[set[tuple[str, ...]]]()
    for title, *lines in texts:
        # A page without a title is headed by its first short line without a full stop.
        heads = [line for line in lines[:4] if len(line.split()) <= 12 and line[-1] not in ".:"]
        title = title or (heads[0] if heads else " ".join(lines[0].split()[:10]) if lines else "")
        kept: list[str] = []
        for line in lines:
            if kept and sum(len(k.split()) for k in kept) + len(line.split()) > MAX_WORDS:
                break
            kept.append(line)
        words = " ".join(kept).split()
        shingles = {tuple(words[i : i + 5]) for i in range(len(words) - 4)}
        # Unit pages reuse one lorem ipsum and one page is there twice: two sources that
        # share their text would be two stories that are in truth one.
        if (
            len(words) >= MIN_WORDS
            and title
            and all(len(shingles & other) < 0.2 * min(len(shingles), len(other)) for other in seen)
        ):
            seen.append(shingles)
            sources.append("\n".join([title, *kept]))
    return sources


def _people(text: str) -> list[str]:
    """Likely people in a text, most mentioned first: "First Last" whose surname also stands
    alone (news names a person in full once, then by surname; "New York" never says "York")
    and whose first name is no word written in lower case ("But Facebook")."""
    words = set(re.findall(r"\b[a-z]+\b", text))
    pairs = Counter(f"{a} {b}" for a, b in _NAME.findall(text) if a.lower() not in words)
    alone = Counter(re.findall(r"\b[A-Z][a-z]+\b", text))
    return [name for name, n in pairs.most_common() if alone[name.split()[1]] > n]


def _from_source(rng: random.Random, text: str) -> _Base:
    """A corpus text as a wire original; other headlines from its lede and its main name."""
    title, *paragraphs = text.splitlines()
    headlines = [
        " ".join(paragraphs[0].split()[:11]).rstrip(",;:"),
        f"{rng.choice(KICKERS)}: {title}",
    ]
    headlines += [f"{title} ({name})" for name in _people(text)[:1]]
    return _Base(title, tuple(paragraphs), tuple(headlines), "", None, {})


def _synthetic(rng: random.Random) -> _Base:
    while True:  # a story short of material is written again (rare)
        topic = rng.choice(TOPICS)
        values = _facts(rng, topic)
        title, paragraphs, headlines = _article(rng, topic, values)
        if sum(len(paragraph.split()) for paragraph in paragraphs) >= MIN_WORDS:
            return _Base(title, paragraphs, headlines, values["place"], topic, values)


def _follow_up(rng: random.Random, base: _Base) -> tuple[str, tuple[str, ...]]:
    """Another event on the same topic: the same place, people and vocabulary."""
    text = "\n".join(base.paragraphs)
    nouns = [w for w, _ in Counter(_NOUN.findall(text)).most_common(12) if w not in _COMMON]
    keep = {f"w{i}": noun for i, noun in enumerate(nouns[:4], 1)}
    if base.topic is not None:
        keep |= {k: base.facts[k] for k in ("place", "region", "place2", "p1", "l1", "p2", "l2")}
    else:
        for i, name in enumerate(_people(text)[:3], 1):
            keep[f"p{i}"], keep[f"l{i}"] = name, name.split()[-1]
    title, paragraphs, _ = _article(rng, FOLLOW_UP, _facts(rng, FOLLOW_UP, keep))
    # Half of them repeat a sentence of the earlier story as background, as follow-ups do.
    background = [
        sentence
        for paragraph in base.paragraphs[1:]
        for sentence in _SENTENCE.split(paragraph)
        if 10 <= len(sentence.split()) <= 40
    ]
    if background and rng.random() < 0.5:
        at = rng.randint(min(2, len(paragraphs)), len(paragraphs))
        paragraphs = (*paragraphs[:at], rng.choice(background), *paragraphs[at:])
    return title, paragraphs


def _renumber(rng: random.Random, title: str, lines: list[str]) -> tuple[str, list[str]] | None:
    """A figure updated everywhere it appears ("12 people" becomes "14 people")."""
    numbers = sorted({m for line in lines for m in _NUMBER.findall(line)})
    numbers = [n for n in numbers if not 1900 <= int(n.replace(",", "")) <= 2100]
    if not numbers:
        return None
    old = rng.choice(numbers)
    value = int(old.replace(",", ""))
    new = value + rng.randint(1, max(2, value // 8))
    text = f"{new:,}" if "," in old or new >= 10_000 else str(new)
    pattern = re.compile(rf"(?<![\w.,]){re.escape(old)}(?![\w]|[.,]\d)")
    return pattern.sub(text, title), [pattern.sub(text, line) for line in lines]


def _small_edits(rng: random.Random, lines: list[str]) -> list[str] | None:
    """A few words swapped for synonyms and one sentence dropped (not from the lede)."""
    out = list(lines)
    spots = [
        (i, m.start(), m.group(0))
        for i, line in enumerate(out)
        for m in SYNONYM_WORDS.finditer(line)
    ]
    # From the end of each line backwards, so that earlier offsets stay valid.
    for i, start, word in sorted(
        rng.sample(spots, min(len(spots), rng.randint(2, 4))), reverse=True
    ):
        out[i] = out[i][:start] + SYNONYMS[word] + out[i][start + len(word) :]
    split = [(i, _SENTENCE.split(line)) for i, line in enumerate(out) if i > 0]
    multi = [(i, sentences) for i, sentences in split if len(sentences) > 1]
    if multi:
        i, sentences = rng.choice(multi)
        del sentences[rng.randrange(len(sentences))]
        out[i] = " ".join(sentences)
    return out if out != lines else None


def _copy(
    rng: random.Random, base: _Base, outlet: _Outlet, wire: str
) -> tuple[str, list[str], str]:
    """A syndicated copy with a random subset of edits; its kind lists the ones applied."""
    wanted = [edit for edit in EDITS if rng.random() < 0.45] or [rng.choice(EDITS)]
    title, lines, done = base.title, list(base.paragraphs), set()
    if "number" in wanted and (renumbered := _renumber(rng, title, lines)):
        title, lines = renumbered
        done.add("number")
    if "edit" in wanted and (edited := _small_edits(rng, lines)):
        lines = edited
        done.add("edit")
    if "trim" in wanted and (cut := min(rng.randint(1, 3), len(lines) - 2)) > 0:
        lines = lines[:-cut]
        done.add("trim")
    if "correction" in wanted:
        lines.append(_fill(rng, rng.choice(CORRECTIONS), _correction_facts(rng, lines)))
        done.add("correction")
    if "byline" in wanted:
        dateline = f"{base.place.upper()} ({wire}) — " if base.place else ""
        lines = [_byline(rng, wire), dateline + lines[0], *lines[1:]]
        done.add("byline")
    if "headline" in wanted:
        title = rng.choice([h for h in base.headlines if h != base.title] or [title + " (update)"])
        done.add("headline")
    if "boilerplate" in wanted:
        lines = [*outlet.top, *lines, *outlet.bottom]
        done.add("boilerplate")
    # A wanted edit may find nothing to change (no figure to update): then it is an exact copy.
    return title, lines, "copy:" + ("+".join(e for e in EDITS if e in done) or "exact")


def _correction_facts(rng: random.Random, lines: list[str]) -> dict[str, str]:
    names = _people(" ".join(lines))
    return {"name": rng.choice(names) if names else _person(rng), "day": rng.choice(DAYS)}


def _partial(rng: random.Random, base: _Base, outlet: _Outlet) -> tuple[str, list[str], str]:
    """A lede-only copy (a feed summary) or a copy cut at 30-60% of its words (a paywall)."""
    title = rng.choice([base.title, *base.headlines])
    if rng.random() < 0.5:
        lines = list(base.paragraphs[: rng.randint(1, 2)])
        for paragraph in base.paragraphs[len(lines) :]:
            if sum(len(line.split()) for line in lines) >= 25:
                break
            lines.append(paragraph)
        return title, lines, "lede"
    words = sum(len(p.split()) for p in base.paragraphs) * rng.uniform(0.3, 0.6)
    lines, count = [], 0
    for paragraph in base.paragraphs:
        tokens = paragraph.split()
        lines.append(" ".join(tokens[: max(1, round(words - count))]))
        count += len(tokens)
        if count >= words:
            break
    if rng.random() < 0.5:
        lines = [*outlet.top, *lines, *outlet.bottom]
    return title, lines, "truncated"


def generate(seed: int, *, stories: int = 300, sources: Sequence[str] | None = None) -> list[Item]:
    """The corpus for a seed: ``stories`` wire originals, their copies and hard negatives.

    ``sources`` are wire texts, title line first (``corpus_sources``); synthetic stories
    make up the rest. Hard negatives come in proportion: per wire story about 1.7 topical
    follow-ups, 2.4 templated stories and 1.2 briefs.
    """
    if stories < 1:
        raise ValueError(f"dedup corpus: stories must be at least 1, got {stories}")
    rng = random.Random(f"dedup:{seed}")
    outlets = _make_outlets(rng, min(40, max(9, stories // 10 + 8)))
    heavy = [outlet for outlet in outlets if outlet.heavy]
    texts = rng.sample(list(sources or ()), min(stories, len(sources or ())))
    bases = [_from_source(rng, text) for text in texts]
    bases += [_synthetic(rng) for _ in range(stories - len(bases))]
    labels = (f"s{i:05d}" for i in itertools.count())
    drafts: list[_Draft] = []
    last = RUNS * DAY - 6 * 3600  # leaves copies of the latest story time to arrive
    seen = {"\n".join(base.paragraphs) for base in bases}

    def fresh(make: Callable[[], tuple[str, tuple[str, ...]]]) -> tuple[str, tuple[str, ...]]:
        # Two distinct stories written alike by chance would be one story with two labels.
        for _ in range(100):
            title, paragraphs = make()
            if (text := "\n".join(paragraphs)) not in seen:
                seen.add(text)
                return title, paragraphs
        raise RuntimeError("dedup corpus: the templates ran out of distinct stories")

    def dressed(outlet: _Outlet, lines: Sequence[str]) -> list[str]:
        return [*outlet.top, *lines, *outlet.bottom] if rng.random() < 0.5 else list(lines)

    for base in bases:
        story, secs = next(labels), rng.randrange(last)
        site, wire = rng.choice(WIRES)
        drafts.append(_Draft(secs, site, base.title, list(base.paragraphs), story, "original"))
        for outlet in rng.sample(outlets, rng.choice(CARRIERS)):
            late = secs + rng.randint(300, 10 * 3600)
            if rng.random() < 0.24:
                title, lines, kind = _partial(rng, base, outlet)
            else:
                title, lines, kind = _copy(rng, base, outlet, wire)
            drafts.append(_Draft(late, outlet.site, title, lines, story, kind))
    for _ in range(round(stories * 1.7)):
        outlet, base = rng.choice(outlets), rng.choice(bases)
        title, paragraphs = fresh(lambda: _follow_up(rng, base))  # noqa: B023 (called at once)
        lines = dressed(outlet, paragraphs)
        drafts.append(
            _Draft(rng.randrange(last), outlet.site, title, lines, next(labels), "neg:topic")
        )
    for _ in range(round(stories * 2.4)):
        outlet = rng.choice(outlets)
        title, paragraphs = fresh(lambda: _templated(rng, outlet))  # noqa: B023 (called at once)
        lines = dressed(outlet, paragraphs)
        drafts.append(
            _Draft(rng.randrange(last), outlet.site, title, lines, next(labels), "neg:template")
        )
    for _ in range(round(stories * 1.2)):
        # Briefs sit inside a heavy outlet's furniture; some are carried by other heavy outlets.
        story, secs = next(labels), rng.randrange(last)
        title, paragraphs = fresh(lambda: _brief(rng))
        carriers = rng.sample(heavy, 1 + (rng.random() < 0.35) * rng.randint(1, 2))
        for n, outlet in enumerate(carriers):
            heading, kind = title, "neg:brief"
            if n:
                secs += rng.randint(600, 4 * 3600)
                heading = rng.choice([title, f"{rng.choice(KICKERS)}: {title}"])
                kind = "copy:brief+boilerplate" + ("+headline" if heading != title else "")
            lines = [*outlet.top, *paragraphs, *outlet.bottom]
            drafts.append(_Draft(secs, outlet.site, heading, lines, story, kind))
    return _finish(drafts)


def _finish(drafts: list[_Draft]) -> list[Item]:
    drafts.sort(key=lambda d: d.secs)  # stable: creation order breaks ties
    items = []
    for i, draft in enumerate(drafts):
        when = START + timedelta(seconds=draft.secs)
        slug = "-".join(re.findall(r"[a-z0-9]+", draft.title.lower())[:8]) or "story"
        items.append(
            Item(
                id=f"n{i:06d}",
                url=f"https://{draft.site}/{when:%Y/%m/%d}/{slug}-{i}.html",
                site=draft.site,
                title=draft.title,
                text="\n".join(draft.lines),
                published_at=when,
                story=draft.story,
                kind=draft.kind,
                run=min(RUNS - 1, draft.secs // DAY),
            )
        )
    return items


def generate_scale(
    seed: int, count: int, *, sources: Sequence[str] | None = None
) -> Iterator[Item]:
    """``count`` items for scale runs: a base corpus repeated under a letter cipher per cycle.

    Each cycle maps letters and digits through its own permutation (``bytes.translate``,
    so it costs next to nothing): copies stay copies of each other within a cycle and share
    no words with other cycles, so the labels (``story.cycle``) stay true.
    """
    if count < 0:
        raise ValueError(f"dedup corpus: count must be at least 0, got {count}")
    base = generate(seed, stories=min(300, max(5, count // 12)), sources=sources)
    rng = random.Random(f"dedup:{seed}:scale")
    index = 0
    for cycle in itertools.count():
        lower = "".join(rng.sample(string.ascii_lowercase, 26))
        digits = "".join(rng.sample(string.digits, 10))
        # bytes.translate: UTF-8 leaves ASCII bytes as they are and no other byte is < 0x80.
        table = bytes.maketrans(
            (string.ascii_letters + string.digits).encode(),
            (lower + lower.upper() + digits).encode(),
        )
        shift = timedelta(days=(RUNS + 1) * cycle)
        for item in base:
            if index == count:
                return
            title, text = (
                (item.title, item.text)
                if cycle == 0
                else (_cipher(item.title, table), _cipher(item.text, table))
            )
            yield Item(
                id=f"x{index:07d}",
                url=item.url.replace("://" + item.site + "/", f"://{item.site}/c{cycle}/", 1),
                site=item.site,
                title=title,
                text=text,
                published_at=item.published_at + shift,
                story=f"{item.story}.{cycle}",
                kind=item.kind,
                run=index * RUNS // count,
            )
            index += 1


def _cipher(text: str, table: bytes) -> str:
    return text.encode().translate(table).decode()


def write_items(items: Iterable[Item], path: Path) -> int:
    """Write items as JSON lines; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            row = {field: getattr(item, field) for field in FIELDS}  # asdict deep-copies: slow
            row["published_at"] = item.published_at.strftime(TIME_FORMAT)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_items(path: Path) -> list[Item]:
    """Items from a JSON lines file written by ``write_items``."""
    with path.open(encoding="utf-8") as lines:
        rows = (json.loads(line) for line in lines if line.strip())
        return [
            Item(**{**row, "published_at": datetime.fromisoformat(row["published_at"])})
            for row in rows
        ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stories", type=int, default=300, help="wire originals")
    parser.add_argument("--scale", type=int, help="write this many items instead (fast, ciphered)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpora", type=Path, default=os.environ.get("NEWSFLOW_CORPORA"))
    parser.add_argument("--synthetic", action="store_true", help="ignore the corpora")
    args = parser.parse_args(argv)
    corpora = None if args.synthetic or args.corpora is None else Path(args.corpora)
    sources = corpus_sources(corpora) if corpora is not None and corpora.is_dir() else None
    started = time.perf_counter()
    mix = Counter[str]()
    try:
        if args.scale is not None:
            items: Iterable[Item] = generate_scale(args.seed, args.scale, sources=sources)
        else:
            items = generate(args.seed, stories=args.stories, sources=sources)
        written = write_items((_tally(mix, item) for item in items), args.out)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    origin = f"{len(sources)} corpus texts" if sources else "synthetic texts"
    took = time.perf_counter() - started
    print(f"{written} items ({origin}) written to {args.out} in {took:.1f}s", file=sys.stderr)
    for kind, n in sorted(mix.items()):
        print(f"  {kind:16s} {n:8d} {n / written:6.1%}", file=sys.stderr)
    return 0


def _tally(mix: Counter[str], item: Item) -> Item:
    """Count the item under its family ("copy", "lede", "neg:brief"...) and, for a copy,
    under each of its edits ("  +trim")."""
    family, _, edits = item.kind.partition(":")
    mix[item.kind if family == "neg" else family] += 1
    for edit in edits.split("+") if family == "copy" else ():
        mix[f"  +{edit}"] += 1
    return item


if __name__ == "__main__":
    raise SystemExit(main())
