"""Story templates for civic news: a port strike, a city budget, transit fares,
a housing vote and a wildfire."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from flows.samplesite.texts import Topic, ap_date, between, money, month_name, pct, spell


def _strike(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    days = rng.randint(4, 16)
    raise_ = between(rng, 3.5, 6.0, 0.5)
    yes = rng.randint(58, 91)
    return {
        "days_w": spell(days),
        "raise": pct(raise_),
        "ask": pct(raise_ + between(rng, 1.5, 3.0, 0.5)),
        "offer": pct(raise_ - between(rng, 1.0, 2.0, 0.5)),
        "ships": spell(rng.randint(12, 48)),
        "union": f"the Harbor Workers Union Local {rng.randint(4, 60)}",
        "members": f"{rng.randint(9, 48) * 100:,}",
        "containers": f"{rng.randint(18, 95) * 1000:,}",
        "containers_updated": f"{rng.randint(18, 95) * 1000 + 500:,}",
        "clear_w": spell(rng.randint(6, 21)),
        "yes": f"{yes}%",
        "no": f"{100 - yes}%",
        "turnout": f"{rng.randint(71, 94)}%",
        "start": ap_date(when - timedelta(days=days)),
        "berths": spell(rng.randint(5, 14)),
        "loss": money(rng.randint(12, 180) * 1e6),
        "auto_year": str(when.year + rng.randint(3, 6)),
        "meeting": ap_date(when + timedelta(days=rng.randint(3, 12))),
    }


STRIKE = Topic(
    key="strike",
    section="Business",
    headlines=(
        "Port strike in {place} ends after {days_w} days as union accepts {raise} raise",
        "Dockworkers return to work in {place} after {days_w}-day strike",
        "{place} port deal ends walkout that stranded {ships} cargo ships",
    ),
    lede="{dateline} Dockworkers at the port of {place} will return to work on {weekday} after "
    "their union accepted a contract offering a {raise} raise over three years, ending a "
    "{days_w}-day strike that left {ships} cargo ships waiting offshore.",
    body=(
        '"This is a fair deal, and our members earned every cent of it," said {p1}, president '
        'of {union}, which represents about {members} workers at the port. "Nobody wanted to '
        'stay out this long, but we were not going to accept less than the job is worth."',
        "{p2}, a spokesperson for the {place} Port Authority, said the port expected to clear "
        'a backlog of roughly {containers} containers within {clear_w} days. "Our priority now '
        'is getting cargo moving and trucks back on the road," {p2_last} said.',
        "Members approved the agreement by {yes} to {no} in a vote that closed late on "
        "{prev_weekday}, according to figures released by the union. Turnout was {turnout}, "
        "the highest in more than a decade, organizers said.",
        "The strike began on {start} after talks broke down over wages, overtime rules and the "
        "use of automated cranes on two of the port's {berths} berths. The union had sought a "
        "raise of {ask}, while the port authority first offered {offer}.",
        "Local businesses said the stoppage had cost them dearly. The {place} Chamber of "
        "Commerce estimated losses at {loss} in delayed shipments, spoiled goods and idle "
        "trucking contracts, with smaller importers hit hardest.",
        "{p3}, an economist at {university} who studies regional trade, said the deal was "
        'likely to hold. "Both sides had every reason to settle before the holiday shipping '
        'peak," {p3_last} said, adding that the raise was close to the regional average.',
        "Under the agreement, the port will not extend automation to the remaining berths "
        "before {auto_year}, and any new equipment will need a joint review by managers and "
        "union representatives, according to a summary of the terms.",
        "The contract still requires approval from the port authority board, which meets on "
        "{meeting}. Board members said they expect to ratify it without changes, and shipping "
        "lines have begun returning vessels that had been diverted to other ports in {region}.",
    ),
    fill=_strike,
    subject="place",
    update="containers",
)


def _budget(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    total = rng.randint(180, 960) * 1e6 + rng.randint(1, 9) * 1e5
    yes = rng.randint(5, 8)
    return {
        "total": money(total),
        "tax": pct(between(rng, 1.5, 6.5, 0.5)),
        "vote": f"{yes}-{9 - yes}",
        "gap": money(rng.randint(8, 45) * 1e6 + rng.randint(1, 9) * 1e5),
        "cut_jobs": spell(rng.randint(12, 85)),
        "home_value": money(rng.randint(28, 64) * 10_000),
        "per_home": money(rng.randint(9, 31) * 10),
        "police": money(total * between(rng, 0.18, 0.26, 0.01)),
        "fire": money(total * between(rng, 0.07, 0.12, 0.01)),
        "firefighters": spell(rng.randint(8, 30)),
        "roads": money(rng.randint(6, 28) * 1e6),
        "miles": spell(rng.randint(14, 60)),
        "survey_month": month_name(when - timedelta(days=rng.randint(60, 200))),
        "sales_gap": pct(between(rng, 2.0, 7.5, 0.5)),
        "speakers": spell(rng.randint(40, 160)),
        "speakers_updated": spell(rng.randint(170, 240)),
    }


BUDGET = Topic(
    key="budget",
    section="Local",
    headlines=(
        "{place} council approves {total} budget with {tax} property tax increase",
        "City budget passes {vote} in {place} after late-night debate",
        "{place} adopts spending plan that closes {gap} gap",
    ),
    lede="{dateline} The {place} City Council approved a {total} budget for next year by a "
    "vote of {vote} late on {prev_weekday}, raising the property tax rate by {tax} and closing "
    "a projected shortfall of {gap}.",
    body=(
        '"We made hard choices, but this budget protects the services people count on every '
        'day," Mayor {p1} said after the vote. "Nobody likes raising taxes, and we cut '
        '{cut_jobs} vacant positions before we asked residents for a single dollar more."',
        "Council member {p2}, who voted against the plan, said the increase would fall hardest "
        'on older homeowners with fixed incomes. "We are asking people to pay more without '
        'showing them where the savings went," {p2_last} said during the debate.',
        "For a typical home assessed at {home_value}, the change adds about {per_home} a year "
        "to the tax bill, according to an analysis by the city finance department. Renters "
        "could see part of the cost passed on when leases come up for renewal.",
        "The largest share of new spending goes to public safety. The police budget rises to "
        "{police}, while the fire department receives {fire} to hire {firefighters} "
        "firefighters and replace two engines that are more than 20 years old.",
        "The plan also sets aside {roads} for road repairs, a figure city engineers said would "
        "cover about {miles} miles of resurfacing. Residents listed potholes as their top "
        "complaint in a city survey published in {survey_month}.",
        "{p3}, the city budget director, told council members that sales tax revenue had come "
        'in {sales_gap} below forecasts. "We budgeted for a stronger year than the one we got," '
        "{p3_last} said, pointing to weaker spending at downtown shops.",
        "Libraries will keep their current hours after an earlier draft proposed closing two "
        "branches on Sundays. More than {speakers} residents spoke at a public hearing this "
        "month, most of them opposing the library cuts.",
        "The budget takes effect on Jan. 1. The council is expected to return to the question "
        "of long-term pension costs in the spring, when an outside review of the retirement "
        "fund for city workers in {place} is due.",
    ),
    fill=_budget,
    subject="place",
    update="speakers",
)


def _transit(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    old = between(rng, 1.75, 2.75, 0.25)
    new = old + between(rng, 0.25, 0.75, 0.25)
    effective = when + timedelta(days=rng.randint(30, 90))
    yes = rng.randint(5, 8)
    return {
        "old_fare": f"${old:.2f}",
        "new_fare": f"${new:.2f}",
        "fare_pct": f"{round((new - old) / old * 100)}%",
        "last_year": str(when.year - rng.randint(4, 11)),
        "effective": ap_date(effective),
        "effective_month": month_name(effective),
        "old_pass": f"${rng.randint(70, 95)}",
        "new_pass": f"${rng.randint(96, 120)}",
        "reduced": f"${between(rng, 0.75, 1.25, 0.25):.2f}",
        "riders": f"{rng.randint(40, 390) * 1000:,}",
        "recovery": f"{rng.randint(68, 93)}%",
        "revenue": money(rng.randint(6, 38) * 1e6),
        "vote": f"{yes}-{9 - yes}",
        "speakers": spell(rng.randint(25, 120)),
        "speakers_updated": spell(rng.randint(130, 190)),
        "routes_w": spell(rng.randint(3, 9)),
        "pay_cash": f"{rng.randint(11, 34)}%",
    }


TRANSIT = Topic(
    key="transit",
    section="Local",
    headlines=(
        "Bus and rail fares in {place} to rise to {new_fare} in {effective_month}",
        "{place} transit board votes to raise fares for first time since {last_year}",
        "Riders face {fare_pct} fare increase as {place} transit closes budget gap",
    ),
    lede="{dateline} The board of the {place} Regional Transit Authority voted on {weekday} to "
    "raise the standard bus and rail fare from {old_fare} to {new_fare}, the first increase "
    "since {last_year}, citing rising fuel and labor costs.",
    body=(
        '"We held fares flat for as long as we responsibly could," said {p1}, the authority\'s '
        'general manager. "Without this change, we would be talking about cutting service on '
        'the routes people depend on most, and that is a worse outcome for everyone."',
        "{p2}, who leads the riders group Fair Fares {place}, called the decision a blow to "
        'low-income workers. "The people who ride the bus at 5 in the morning are the people '
        'least able to absorb this," {p2_last} said.',
        "The increase takes effect on {effective}. Monthly passes will rise from {old_pass} to "
        "{new_pass}, while fares for seniors, students and riders with disabilities stay at "
        "{reduced}, according to the plan approved by the board.",
        "Ridership on the system averaged {riders} trips a weekday in the most recent quarter, "
        "about {recovery} of the level before the pandemic. Officials expect the fare change to "
        "raise about {revenue} a year.",
        "The board approved the plan by a vote of {vote} after a public comment period in which "
        "{speakers} people spoke, most of them against the increase. Several drivers also "
        "addressed the board about crowded evening buses.",
        "Board member {p3}, who voted in favor, said the authority would study a low-income "
        'discount next year. "I voted yes because the alternative was service cuts, but we owe '
        'riders a plan that makes fares fairer," {p3_last} said.',
        "The authority also plans to add service on {routes_w} of its busiest routes in "
        "{effective_month}, running buses every 10 minutes instead of every 15 during the "
        "morning and evening rush.",
        "Transit agencies across {region} have raised fares over the past two years as federal "
        "relief money has run out. A survey by the authority found that {pay_cash} of riders "
        "still pay in cash on board.",
    ),
    fill=_transit,
    subject="place",
    update="speakers",
)


def _housing(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    yes = rng.randint(5, 7)
    units = rng.randint(9, 46) * 100
    return {
        "vote": f"{yes}-{9 - yes}",
        "site_name": rng.choice(("Mercer Street", "North Canal", "Quarry Road", "Eastline")),
        "units": f"{units:,}",
        "cars": f"{rng.randint(2, 9) * 1000:,}",
        "developer": rng.choice(("Larchmont Homes", "Beacon Yard Partners", "Tidewell Group")),
        "phases_w": spell(rng.randint(3, 5)),
        "first_units": f"{rng.randint(2, 6) * 100 + 20}",
        "start_season": rng.choice(("spring", "summer", "fall")),
        "park_acres": spell(rng.randint(4, 12)),
        "fees": money(rng.randint(18, 70) * 1e6),
        "speakers": spell(rng.randint(90, 260)),
        "speakers_updated": spell(rng.randint(270, 340)),
        "rent": f"${rng.randint(14, 32) * 100:,}",
        "rent_pct": pct(between(rng, 3.0, 11.5, 0.5)),
        "vacancy": pct(between(rng, 1.5, 4.0, 0.5)),
    }


HOUSING = Topic(
    key="housing",
    section="Politics",
    headlines=(
        "{place} council approves {units} homes on former rail yard",
        "Divided council backs {place} housing plan in {vote} vote",
        "{place} clears way for its largest housing project in decades",
    ),
    lede="{dateline} The {place} City Council voted {vote} on {prev_weekday} night to rezone "
    "the former {site_name} rail yard for housing, clearing the way for about {units} homes, a "
    "third of them priced for households earning below the area median income.",
    body=(
        '"This is the most important housing decision this city has made in a generation," '
        'said Council President {p1}, who sponsored the measure. "Young families and essential '
        "workers are being priced out, and we finally have a site big enough to make a "
        'difference."',
        "Council member {p2}, who voted no, said the plan did too little about traffic and "
        'school crowding. "I support more housing, but not a project that adds {cars} cars to '
        'streets that are already jammed at rush hour," {p2_last} said.',
        "The developer, {developer}, plans to build in {phases_w} phases over roughly eight "
        "years, starting with {first_units} apartments along the north edge of the site. "
        "Construction could begin next {start_season} if permits are approved.",
        "The project includes a {park_acres}-acre park, a site for a new elementary school and "
        "a bus line connecting the neighborhood to downtown. The developer has also agreed to "
        "pay {fees} in fees for road and sewer improvements.",
        "More than {speakers} people signed up to speak at the hearing, which lasted nearly six "
        'hours. Supporters wore green stickers reading "Homes for {place}," while a group of '
        "neighbors held signs calling for a smaller project.",
        "{p3}, who lives two blocks from the site and leads a neighborhood association, said "
        'residents would consider a legal challenge. "We were told this would be a '
        'conversation, and instead it was decided before we walked in," {p3_last} said.',
        "Median rent for a two-bedroom apartment in {place} rose to {rent} this year, up "
        "{rent_pct} from a year earlier, according to a report from the county housing office. "
        "The rental vacancy rate is below {vacancy}.",
        "The council must hold a second, procedural vote on the zoning change next month before "
        "it becomes final. Such votes rarely change the outcome, though opponents said they "
        "would keep lobbying members who supported the plan.",
    ),
    fill=_housing,
    subject="place",
    update="speakers",
)


FIRE_NAMES = (
    "Cedar Gulch", "Hollow Pine", "Lone Mesa", "Bitter Creek", "Dry Fork", "Red Saddle",
    "Owl Canyon", "Silver Flat", "Tamarack", "Chalk Hill", "Deer Run", "Whistle Peak",
)  # fmt: skip


def _wildfire(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    acres = rng.randint(12, 160) * 100
    return {
        "fire_name": rng.choice(FIRE_NAMES),
        "acres": f"{acres:,}",
        "acres_updated": f"{acres + rng.randint(4, 30) * 100:,}",
        "contain": f"{rng.randint(5, 45)}%",
        "homes_w": spell(rng.randint(3, 60)),
        "evacuated": f"{rng.randint(8, 90) * 100:,}",
        "gusts": str(rng.randint(35, 60)),
        "fire_road": rng.choice(("Juniper Ridge", "Old Mill", "Sawtooth", "Canyon View")),
        "firefighters": f"{rng.randint(3, 14) * 100:,}",
        "aircraft_w": spell(rng.randint(4, 16)),
        "engines": spell(rng.randint(40, 140)),
        "injured_w": spell(rng.randint(2, 6)),
        "zones_w": spell(rng.randint(4, 19)),
        "shelters_w": spell(rng.randint(2, 5)),
        "rain_pct": f"{rng.randint(18, 55)}%",
        "dry_weeks": spell(rng.randint(9, 20)),
        "big_year": str(when.year - rng.randint(6, 30)),
        "big_acres": f"{acres + rng.randint(20, 90) * 100:,}",
        "cost": money(rng.randint(4, 40) * 1e6),
    }


WILDFIRE = Topic(
    key="wildfire",
    section="Local",
    headlines=(
        "{fire_name} Fire grows to {acres} acres near {place}, forcing evacuations",
        "Crews gain ground on {fire_name} Fire as containment reaches {contain}",
        "Thousands evacuated as wildfire burns {homes_w} homes outside {place}",
    ),
    lede="{dateline} A wildfire burning in the hills east of {place} had grown to {acres} acres "
    "by {weekday} morning, destroying {homes_w} homes and forcing about {evacuated} residents to "
    "leave, fire officials said. The blaze, named the {fire_name} Fire, was {contain} contained.",
    body=(
        '"The wind is the enemy right now," said {p1}, chief of the {region} Fire District, at '
        'a news briefing. "Our crews made progress overnight, but gusts of {gusts} miles per '
        'hour are expected this afternoon, and that could undo a lot of that work."',
        "{p2}, who fled a house on {fire_road} Road with two dogs and a box of family "
        'photographs, watched the glow from an evacuation center in a school gym. "You just '
        'grab what you can and go," {p2_last} said.',
        "About {firefighters} firefighters were assigned to the fire, supported by {aircraft_w} "
        "aircraft and {engines} engines, according to the fire district. Officials said "
        "{injured_w} firefighters had minor injuries and no deaths had been reported.",
        "The fire started on {prev_weekday} afternoon near a campground off {fire_road} Road. "
        "Investigators have not determined the cause, but officials said a downed power line "
        "was among the possibilities under review.",
        "{p3}, the {region} emergency services director, said evacuation orders covered "
        "{zones_w} zones and that shelters at {shelters_w} schools had room for more people. "
        "Residents can check the county website for maps and road closures.",
        "Air quality in {place} reached unhealthy levels on {weekday}, and the county health "
        "office advised residents to stay indoors, keep windows closed and run air purifiers if "
        "they have them. Schools canceled outdoor sports.",
        "The region has had {rain_pct} of its normal rainfall since the summer, leaving grass "
        "and brush unusually dry. Forecasters said a cold front early next week could bring "
        "cooler temperatures and the first rain in {dry_weeks} weeks.",
        "The {fire_name} Fire is the largest in the county since {big_year}, when a blaze "
        "burned more than {big_acres} acres. Officials estimated firefighting costs so far at "
        "{cost}, a figure expected to rise as crews stay on the lines.",
    ),
    fill=_wildfire,
    subject="fire_name",
    update="acres",
)

TOPICS = (STRIKE, BUDGET, TRANSIT, HOUSING, WILDFIRE)
