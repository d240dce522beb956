"""The words the near-duplicate corpus is written from: names, places, story templates
and outlet furniture, and the helpers that fill a template from a dict of facts.

``bench.dedup_stories`` writes stories from them and ``bench.dedup_corpus`` turns those
into a labelled corpus.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


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
class Topic:
    """A kind of wire story: sentence templates and the facts that fill them."""

    picks_of: tuple[str, ...]  # slots filled together from one of `picks` ("/"-separated)
    picks: tuple[str, ...]
    numbers: tuple[tuple[int, int], ...]  # ranges of {n1}, {n2}, ...
    head: tuple[str, ...]
    lede: tuple[str, ...]
    body: tuple[str, ...]


TOPICS = (
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
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
FOLLOW_UP = Topic(
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


_SLOT = re.compile(r"\{(\w+)\}")
_ALT = re.compile(r"\{([^{}]*)\}")


def choose(rng: random.Random, template: str) -> str:
    """The template with one alternative of each ``{a|b}`` chosen and its slots kept."""
    kept = _SLOT.sub(lambda m: f"\0{m.group(1)}\1", template)
    chosen = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), kept)
    return chosen.replace("\0", "{").replace("\1", "}")


def fill(rng: random.Random, template: str, facts: dict[str, str]) -> str:
    """The template with its alternatives chosen and its slots filled (``{Slot}`` capitalised)."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in facts:
            return facts[key]
        text = facts[key[0].lower() + key[1:]]
        return text[:1].upper() + text[1:]

    return _SLOT.sub(value, choose(rng, template))


def person(rng: random.Random) -> str:
    """A fictional full name."""
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
