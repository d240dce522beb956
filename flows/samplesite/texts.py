"""Word lists, outlet names, page clutter and number formatting for the sample site.

Every name here is fictional. Topic templates live in `topics_news` and
`topics_reports`; this module holds what they share.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

FIRST_NAMES = (
    "Ana", "Marcus", "Priya", "Tomasz", "Helen", "David", "Lucia", "Samuel",
    "Mei", "Farah", "Oliver", "Grace", "Rafael", "Ingrid", "Kwame", "Nadia",
    "Peter", "Sofia", "Daniel", "Amara", "Jonas", "Elena", "Victor", "Ruth",
    "Hamid", "Claire", "Luis", "Yuki", "Robert", "Leila", "Martin", "Joanna",
)  # fmt: skip
LAST_NAMES = (
    "Ruiz", "Okafor", "Lindqvist", "Brennan", "Castellano", "Whitfield", "Nakamura",
    "Haddad", "Kowalski", "Ferreira", "Abernathy", "Osei", "Delacroix", "Marsh",
    "Varga", "Thornton", "Quintero", "Halvorsen", "Petrov", "Dunmore", "Achterberg",
    "Salcedo", "Farrow", "Iqbal", "Reinholt", "Carraway", "Oduya", "Lemaire",
    "Sandoval", "Pruitt", "Tamsin", "Ellery",
)  # fmt: skip

#: (city, surrounding region)
PLACES = (
    ("Port Alder", "Alder County"), ("Millbrook", "Greer County"),
    ("Eastvale", "Vale County"), ("Kestrel Bay", "Marren County"),
    ("Lindenport", "Linden County"), ("Westhollow", "Tolland County"),
    ("Granite Ridge", "Granite County"), ("Ashford Springs", "Ashford County"),
    ("Saltmarsh", "Brine County"), ("Corriston", "Corris County"),
    ("Redwater", "Redwater County"), ("Harbor City", "Bayline County"),
)  # fmt: skip
UNIVERSITIES = (
    "the University of Eastvale", "Lindenport Institute of Technology",
    "Kestrel Bay State University", "Corriston College", "Granite Ridge University",
)  # fmt: skip
HOSPITALS = (
    "Millbrook General Hospital", "St. Ansel Medical Center", "Port Alder Community Hospital",
    "Westhollow Regional Medical Center", "Redwater Valley Hospital",
)  # fmt: skip
STREETS = (
    "Willow", "Front", "Mercer", "Canal", "Juniper", "Garfield", "Orchard", "Bayview",
    "Lantern", "Quarry", "Elm", "Harbor",
)  # fmt: skip

#: The wire service whose stories several outlets carry.
AGENCY = "Newswire"

#: Outlets in creation order: (path prefix, name). More are generated when needed.
OUTLET_NAMES = (
    ("ledger", "The Daily Ledger"), ("courier", "Harbor Courier"),
    ("gazette", "Northern Gazette"), ("metropost", "Metro Wire Post"),
    ("sentinel", "Valley Sentinel"), ("tribune", "Lakeside Tribune"),
    ("observer", "Eastvale Observer"), ("herald", "Coastal Herald"),
    ("record", "Millbrook Record"), ("chronicle", "Granite Ridge Chronicle"),
)  # fmt: skip
OUTLET_WORDS = ("Westside", "Upland", "Bayshore", "Riverbend", "Summit", "Prairie", "Highland")
OUTLET_NOUNS = ("Times", "Dispatch", "Examiner", "Bulletin", "Beacon", "Mercury", "Clarion")

# Facts for the report topics (topics_reports).
#: (name, description, business segment, what drove the quarter)
COMPANIES = (
    ("Corvane Logistics", "freight company", "warehousing", "demand for trucking held up"),
    ("Meridel Foods", "packaged food maker", "snack", "higher prices offset lower volumes"),
    ("Brightwater Energy", "electric utility", "renewables", "a hot summer lifted demand"),
    ("Talvik Systems", "software maker", "cloud", "more customers signed longer contracts"),
    ("Halden Pharmaceuticals", "drugmaker", "generic drug", "sales of heart medicines grew"),
    ("Oakridge Mutual", "insurer", "home insurance", "storm claims were lower"),
    ("Larchmont Steel", "steelmaker", "construction steel", "orders from builders picked up"),
    ("Pellucid Networks", "telecommunications provider", "fiber", "broadband sign-ups rose"),
    ("Ostrander Retail", "department store chain", "online", "online orders grew"),
    ("Quillfeather Media", "publisher", "digital subscription", "subscriptions kept growing"),
)
BROKERS = ("Halvard Securities", "Pinecrest Capital", "Marlowe and Finch", "Northgate Research")

#: (what was tried, short name, condition)
PROGRAMS = (
    ("a nurse-led program of weekly phone calls", "weekly nurse calls", "heart failure"),
    ("a program of daily text message reminders", "text message reminders", "type 2 diabetes"),
    ("a supervised community walking program", "group walks", "chronic lung disease"),
    ("home visits by trained pharmacists", "pharmacist home visits", "high blood pressure"),
)

#: (what was built, short name, what it does, how it did in tests)
INVENTIONS = (
    ("a low-cost sensor for old water pipes", "leak sensor",
     "can find leaks before they reach the surface", "detected {m} of simulated leaks"),
    ("a dust-repelling coating for solar panels", "panel coating",
     "could raise the output of solar farms in dry regions", "kept {m} of rated output"),
    ("a paper test strip for well water", "test strip",
     "detects arsenic in under ten minutes", "correctly flagged {m} of contaminated samples"),
    ("a wheat variety bred for dry summers", "wheat variety",
     "produces normal yields with a third less water", "gave {m} of a normal harvest"),
)  # fmt: skip

NICKNAMES = ("Mariners", "Foxes", "Miners", "Gulls", "Rangers", "Rams", "Comets", "Herons")

NAV_SECTIONS = ("Local", "Business", "Politics", "Health", "Science", "Sport", "Weather")
FOOTER_LINKS = ("About us", "Contact", "Advertise", "Privacy policy", "Terms of use", "Careers")
NEWSLETTERS = ("The Morning Briefing", "First Edition", "The Daily Digest", "Early Read")
COOKIE_TEXT = (
    "We and our partners use cookies to personalise content and ads, to provide social "
    "media features and to analyse our traffic. You can accept all cookies or manage "
    "your preferences at any time."
)
SPONSORED = (
    "Sponsored: Homeowners in your area are switching insurers. Compare quotes in two minutes.",
    "Sponsored: The winter sale is on. Up to 40% off outdoor gear this week only.",
    "Sponsored: Learn a language in 15 minutes a day. Try your first month free.",
)
COMMENTERS = (
    "riverwatcher58", "J. Pruitt", "northside_mom", "OldHarborHand", "civic_minded",
    "Tomasz K.", "skeptical_reader", "bikelane_bob", "M. Varga", "longtime_subscriber",
)  # fmt: skip
COMMENTS = (
    "Finally some good news for this town. Took long enough.",
    "Who is paying for all of this? Not the people making the decisions, that much is clear.",
    "I remember when this was all farmland. Things change fast around here.",
    "Great reporting as always. Please keep following up on this one.",
    "The headline says one thing and the numbers say another. Read to the end, folks.",
    "My neighbor works there and says it is a lot more complicated than this.",
    "Can we get an update on the bridge repairs next? Still waiting.",
    "This paper never tells the other side. Cancelling my subscription.",
    "Thank you for explaining this clearly. Sharing with my family.",
    "Same story every year and nothing ever changes.",
)

_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
_MONTHS = (
    "Jan.", "Feb.", "March", "April", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Fill = Callable[[random.Random, Mapping[str, str], datetime], dict[str, str]]


@dataclass(frozen=True, slots=True)
class Topic:
    """One kind of news story: headline and paragraph templates plus the facts that fill them.

    Templates use `str.format` fields. `{p1}` names a person in full, `{p1_last}` by
    surname; a surname whose person is not yet named in the text becomes the full name.
    The first two `body` templates always appear; the rest are optional.
    """

    key: str
    section: str
    headlines: tuple[str, ...]
    lede: str
    body: tuple[str, ...]
    fill: Fill
    #: The context key that names what the story is about; a related story differs in it.
    subject: str
    #: The context key an updated copy of the story changes (a revised count or figure).
    update: str


def spell(n: int) -> str:
    """News style numbers: one to nine in words, 10 and up in digits with separators."""
    return _SMALL[n] if 0 <= n < 10 else f"{n:,}"


def ordinal(n: int) -> str:
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pct(value: float) -> str:
    return f"{value:.1f}%"


def money(value: float) -> str:
    if value >= 1e9:
        return f"${value / 1e9:.1f} billion"
    if value >= 1e6:
        return f"${value / 1e6:.1f} million"
    return f"${value:,.0f}"


def ap_date(when: datetime) -> str:
    return f"{_MONTHS[when.month - 1]} {when.day}"


def month_name(when: datetime) -> str:
    return _MONTH_NAMES[when.month - 1]


def long_date(when: datetime) -> str:
    hour = when.hour % 12 or 12
    meridiem = "a.m." if when.hour < 12 else "p.m."
    return f"{month_name(when)} {when.day}, {when.year}, {hour}:{when.minute:02d} {meridiem}"


def between(rng: random.Random, low: float, high: float, step: float = 0.1) -> float:
    """A random multiple of `step` in [low, high], rounded for display."""
    steps = round((high - low) / step)
    return round(low + step * rng.randint(0, steps), 6)
