"""Story templates for reports: company earnings, a health study, university research,
a basketball game and a storm."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime

from flows.samplesite.texts import (
    BROKERS,
    COMPANIES,
    INVENTIONS,
    NICKNAMES,
    PROGRAMS,
    Topic,
    between,
    money,
    month_name,
    ordinal,
    pct,
    spell,
)


def _earnings(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    company, sector, segment, driver = rng.choice(COMPANIES)
    up = rng.random() < 0.7
    revenue = rng.randint(120, 4800) * 1e6
    eps = between(rng, 0.25, 3.5, 0.01)
    stock = between(rng, 0.8, 9.5, 0.1)
    stock_updated = stock + between(rng, 0.5, 2.5, 0.1)
    return {
        "company": company,
        "sector": sector,
        "segment": segment,
        "driver": driver,
        "quarter": ordinal((when.month - 1) // 3 or 4),
        "rose_fell": "rose" if up else "fell",
        "as_despite": "as" if up else "even as",
        "h_rise": "rises" if up else "falls",
        "h_beat": "beats" if up else "misses",
        "h_climb": "climb" if up else "slip",
        "moved": "rose" if up else "fell",
        "profit_pct": pct(between(rng, 2.0, 31.0, 0.5)),
        "profit": money(revenue * between(rng, 0.04, 0.16, 0.01)),
        "eps": f"${eps:.2f}",
        "revenue": money(revenue),
        "eps_est": f"${eps + (-0.06 if up else 0.07):.2f}",
        "rev_est": money(revenue * (0.98 if up else 1.03)),
        "stock_pct": pct(stock),
        "stock_pct_updated": pct(stock_updated),
        "mcap": money(revenue * between(rng, 3.0, 12.0, 0.5) * 4),
        "guide_low": money(revenue * 3.8),
        "guide_high": money(revenue * 4.2),
        "seg_pct": pct(between(rng, 3.0, 24.0, 0.5)),
        "margin": pct(between(rng, 8.0, 19.0, 0.5)),
        "margin_prev": pct(between(rng, 7.0, 18.0, 0.5)),
        "broker": rng.choice(BROKERS),
        "data_firm": rng.choice(("MarketLens", "Consensus Data", "Tickerline")),
        "employees": f"{rng.randint(12, 140) * 100:,}",
        "hires": f"{rng.randint(2, 15) * 50:,}",
        "buyback": money(rng.randint(50, 900) * 1e6),
        "dividend": f"${between(rng, 0.1, 0.9, 0.01):.2f}",
        "settlement": money(rng.randint(3, 60) * 1e6),
        "savings": money(rng.randint(10, 90) * 1e6),
    }


EARNINGS = Topic(
    key="earnings",
    section="Business",
    headlines=(
        "{company} profit {h_rise} {profit_pct} in {quarter} quarter",
        "{company} {h_beat} forecasts with {revenue} in quarterly revenue",
        "{company} shares {h_climb} after {quarter}-quarter results",
    ),
    lede="{dateline} {company}, the {place}-based {sector}, said on {weekday} that its "
    "{quarter}-quarter net profit {rose_fell} {profit_pct} to {profit}, or {eps} a share, on "
    "revenue of {revenue}, {as_despite} {driver}.",
    body=(
        '"The quarter showed what this business can do when we stay disciplined on costs," '
        'Chief Executive {p1} said on a call with analysts. "We still see uncertainty in the '
        'economy, and we are planning for it rather than hoping it goes away."',
        "Analysts polled by {data_firm} had expected earnings of {eps_est} a share on revenue of "
        "{rev_est}. Shares of {company} {moved} {stock_pct} in afternoon trading, giving the "
        "company a market value of about {mcap}.",
        "Chief Financial Officer {p2} said the company would keep its forecast for full-year "
        'revenue between {guide_low} and {guide_high}. "We are not seeing anything in our order '
        'data that would make us change course," {p2_last} said.',
        "Revenue from the {segment} business grew {seg_pct} from a year earlier, while costs "
        "for materials and shipping fell for a second straight quarter. Operating margin came "
        "in at {margin}, compared with {margin_prev} a year ago.",
        "{p3}, an analyst at {broker}, said the results showed the company was gaining market "
        'share. "The numbers are cleaner than they have been in a while, although the outlook '
        'leaves little room for a surprise," {p3_last} wrote in a note to clients.',
        "{company} employs about {employees} people, most of them in {region}, and said it "
        "planned to hire {hires} more by the end of next year as it expands a distribution "
        "center on the edge of {place}.",
        "The company also said its board had approved a share buyback of up to {buyback} and "
        "raised the quarterly dividend to {dividend} a share, payable next month to "
        "shareholders of record.",
        "Earlier this year {company} settled a dispute with a former supplier for {settlement} "
        "and closed an older plant in {place2}, moves that executives said would save about "
        "{savings} a year.",
    ),
    fill=_earnings,
    subject="company",
    update="stock_pct",
)


def _health(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    program, short, condition = rng.choice(PROGRAMS)
    old_rate = rng.randint(19, 34)
    new_rate = old_rate - rng.randint(5, 12)
    return {
        "program": program,
        "short": short,
        "short_cap": short[:1].upper() + short[1:],
        "condition": condition,
        "reduction": f"{round((old_rate - new_rate) / old_rate * 100)}%",
        "months_w": spell(rng.choice((3, 6, 9, 12))),
        "journal": rng.choice(("the Journal of Community Medicine", "Regional Health Review")),
        "participants": f"{rng.randint(3, 28) * 100 + rng.randint(1, 99):,}",
        "y1": str(when.year - rng.randint(3, 5)),
        "y2": str(when.year - rng.randint(1, 2)),
        "rate_new": f"{new_rate}%",
        "rate_old": f"{old_rate}%",
        "savings_per": money(rng.randint(9, 60) * 100),
        "savings_per_updated": money(rng.randint(61, 90) * 100),
        "age": str(rng.randint(61, 84)),
        "grant": money(rng.randint(4, 30) * 1e5),
        "share_pct": f"{rng.randint(45, 78)}%",
        "clinics_w": spell(rng.randint(3, 12)),
        "trial_w": spell(rng.randint(5, 14)),
    }


HEALTH = Topic(
    key="health",
    section="Health",
    headlines=(
        "{short_cap} cut hospital readmissions by {reduction}, study finds",
        "{hospital} study links {short} to fewer {condition} emergencies",
        "Study of {participants} patients finds {short} keep people out of hospital",
    ),
    lede="{dateline} Patients with {condition} who took part in {program} were {reduction} less "
    "likely to return to the hospital within {months_w} months than those who received standard "
    "care, according to a study by researchers at {hospital} published on {weekday}.",
    body=(
        '"We were surprised by how large the effect was," said Dr. {p1}, who led the study. '
        '"These are simple, inexpensive steps, and they made a real difference for people who '
        'often fall through the cracks once they leave the hospital."',
        "The study, published in {journal}, followed {participants} adults treated at "
        "{hospital} between {y1} and {y2}. Half were randomly assigned to the program and half "
        "received the usual discharge instructions and follow-up appointments.",
        "Readmissions in the program group fell to {rate_new}, from {rate_old} in the "
        "comparison group. The researchers estimated that the program saved about {savings_per} "
        "per patient, mostly by avoiding emergency room visits and overnight stays.",
        "{p2}, a {age}-year-old retired bus driver who took part in the study, said the contact "
        'helped. "Someone was checking on me, asking about my medicine, noticing when something '
        'was off before it turned into an ambulance ride," {p2_last} said.',
        "Dr. {p3}, a specialist at {university} who was not involved in the research, called "
        'the findings encouraging but said they needed to be confirmed. "One hospital is not '
        'the whole country, and its patients may differ from those elsewhere," {p3_last} said.',
        "The study was funded by a {grant} grant from the {region} Health Foundation. The "
        "authors reported no financial ties to companies that make products used in the "
        "program, according to a disclosure published with the paper.",
        "About {share_pct} of patients in the study were 65 or older, and nearly a third lived "
        "alone. The researchers said those groups benefited most, with readmission rates "
        "falling by more than half in some months.",
        "{hospital} said it would extend the program to {clinics_w} clinics next year and was "
        "in talks with two insurers about covering its cost. The researchers are planning a "
        "larger trial involving {trial_w} hospitals in {region}.",
    ),
    fill=_health,
    subject="program",
    update="savings_per",
)


def _research(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    invention, short, result, metric = rng.choice(INVENTIONS)
    units = rng.randint(2, 40) * 10
    return {
        "invention": invention,
        "short": short,
        "result": result,
        "metric": metric.format(m=f"{rng.randint(82, 97)}%"),
        "baseline": f"{rng.randint(48, 79)}%",
        "journal": rng.choice(("Applied Field Engineering", "Water and Soil Letters")),
        "months_w": spell(rng.randint(4, 18)),
        "sites_w": spell(rng.randint(3, 12)),
        "cost": money(rng.randint(40, 900)),
        "cheaper": f"{rng.randint(30, 75)}%",
        "grant": money(rng.randint(3, 40) * 1e5),
        "licensees_w": spell(rng.randint(2, 5)),
        "next_units": spell(units),
        "next_units_updated": spell(units + 50),
        "partners_w": spell(rng.randint(2, 8)),
        "results_year": str(when.year + rng.randint(1, 3)),
        "authors": str(rng.randint(8, 16)),
        "students_w": spell(rng.randint(2, 6)),
        "building_cost": money(rng.randint(30, 140) * 1e6),
        "opened_year": str(when.year - rng.randint(2, 9)),
        "enroll_pct": f"{rng.randint(12, 60)}%",
    }


RESEARCH = Topic(
    key="research",
    section="Science",
    headlines=(
        "Researchers at {university} develop {invention}",
        "{place} scientists say their new {short} {result}",
        "Cheaper {short} shows promise in early tests, {place} researchers say",
    ),
    lede="{dateline} Researchers at {university} say they have developed {invention} that "
    "{result}, according to a paper published on {weekday} in the journal {journal}. The team "
    "tested the design for {months_w} months at {sites_w} sites in {region}.",
    body=(
        '"We wanted something a small town could afford and maintain without hiring '
        'specialists," said {p1}, a professor of engineering who led the project. "Most of the '
        'parts can be bought off the shelf, and that was the point from the start."',
        "In field tests, the {short} {metric}, compared with {baseline} for equipment in common "
        "use today. The prototype costs about {cost} to build, roughly {cheaper} less than "
        "commercial systems, the researchers said.",
        "{p2}, a doctoral student on the team, spent much of last winter installing test units. "
        '"There were weeks when nothing worked and we were back in the lab every night," '
        '{p2_last} said. "The first good result came in at two in the morning."',
        "The project received {grant} from the state science fund and a regional utility, which "
        "has offered to help test the design on a larger scale. The university has applied for "
        "a patent and is talking with {licensees_w} companies about licensing it.",
        "{p3}, who studies similar technology at {university2} and was not involved in the "
        'work, said the results were promising but limited. "It is a small study, and the real '
        'test is whether it still works after five years of weather," {p3_last} said.',
        "The team plans to install {next_units} units next year in partnership with {partners_w} "
        "local governments, which will share maintenance data with the researchers. Results "
        "from that phase are expected in {results_year}.",
        "The paper lists {authors} authors, including {students_w} undergraduates who joined "
        "through a summer research program. The university said it would publish the design "
        "files so that other laboratories can repeat the tests.",
        "{university} has expanded its engineering school in recent years, opening a "
        "{building_cost} research building in {opened_year}. Enrollment in its engineering "
        "programs has grown by {enroll_pct} since then, the university said.",
    ),
    fill=_research,
    subject="invention",
    update="next_units",
)


def _game(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    home, away = rng.sample(NICKNAMES, 2)
    w_score = rng.randint(96, 124)
    attendance = rng.randint(61, 189) * 100 + rng.randint(1, 99)
    wins, losses = rng.randint(6, 14), rng.randint(2, 9)
    return {
        "winner": f"{base['place']} {home}",
        "winner_short": home,
        "loser": f"{base['place2']} {away}",
        "loser_short": away,
        "w_score": str(w_score),
        "l_score": str(w_score - rng.randint(2, 14)),
        "points": str(rng.randint(24, 41)),
        "rebounds": spell(rng.randint(5, 14)),
        "streak_ord": ordinal(rng.randint(2, 6)),
        "deficit": spell(rng.randint(8, 17)),
        "run_a": str(rng.randint(14, 22)),
        "run_b": str(rng.randint(2, 6)),
        "fg_pct": f"{rng.randint(48, 61)}%",
        "l_points": str(rng.randint(19, 33)),
        "reb_a": str(rng.randint(44, 52)),
        "reb_b": str(rng.randint(34, 43)),
        "turnovers_w": spell(rng.randint(5, 9)),
        "losses_w": spell(rng.randint(3, 4)),
        "attendance": f"{attendance:,}",
        "attendance_updated": f"{attendance + rng.randint(100, 400):,}",
        "arena": f"{base['place']} {rng.choice(('Arena', 'Civic Center', 'Fieldhouse'))}",
        "wins": str(wins),
        "losses": str(losses),
        "standing": ordinal(rng.randint(1, 4)),
        "division": rng.choice(("Coastal", "Northern", "Valley")),
        "games_back": spell(rng.randint(1, 5)),
        "twenty_w": spell(rng.randint(5, 8)),
        "games_w": spell(rng.randint(9, 12)),
        "contract": money(rng.randint(30, 90) * 1e6),
        "bench": str(rng.randint(28, 47)),
        "next_opp": f"the {rng.choice([n for n in NICKNAMES if n not in (home, away)])}",
        "trip_w": spell(rng.randint(3, 6)),
    }


GAME = Topic(
    key="game",
    section="Sport",
    headlines=(
        "{winner} beat {loser} {w_score}-{l_score} behind {points} points from {p1_last}",
        "{p1_last} leads {winner_short} past {loser_short} for {streak_ord} straight win",
        "{winner_short} hold off late {loser_short} rally to win {w_score}-{l_score}",
    ),
    lede="{dateline} {p1} scored {points} points and grabbed {rebounds} rebounds as the "
    "{winner} beat the {loser} {w_score}-{l_score} on {weekday} night for their {streak_ord} "
    "straight win.",
    body=(
        '"We talked all week about getting stops, and tonight we got them when it mattered," '
        '{winner_short} coach {p2} said. "{p1_last} was terrific, but the defense in the fourth '
        'quarter is what won us the game."',
        "The {winner_short} trailed by {deficit} points early in the third quarter before a "
        "{run_a}-{run_b} run, capped by two three-pointers from {p1_last}, put them ahead for "
        "good. They shot {fg_pct} from the field in the second half.",
        "{p3} led the {loser_short} with {l_points} points, and the visitors outrebounded their "
        "hosts {reb_a}-{reb_b}, but {turnovers_w} turnovers in the final quarter proved costly. "
        "The {loser_short} have lost {losses_w} of their last five games.",
        '"We had our chances," {p3_last} said. "We turned it over too many times down the '
        "stretch, and against a team like that you cannot give away possessions. We will watch "
        'the film and be better on {next_day}."',
        "A crowd of {attendance} watched at the {arena}, the largest of the season. The "
        "{winner_short} improved to {wins}-{losses} and moved into {standing} place in the "
        "{division} Division, {games_back} games behind the leaders.",
        "{p1_last}, a second-year guard, has scored at least 20 points in {twenty_w} of the last "
        "{games_w} games. The performance came two days after the team announced a contract "
        "extension worth {contract} over four years.",
        "The {winner_short} played without two injured starters, and {p2_last} said both could "
        "return next week. Reserves combined for {bench} points, the most by the bench this "
        "season, and the starters sat for most of the final three minutes.",
        "The {winner_short} host {next_opp} on {next_day}, while the {loser_short} begin a "
        "{trip_w}-game road trip. Tickets for the home game went on sale on {weekday} and were "
        "close to selling out, the team said.",
    ),
    fill=_game,
    subject="winner",
    update="attendance",
)


def _storm(rng: random.Random, base: Mapping[str, str], when: datetime) -> dict[str, str]:
    outages = rng.randint(8, 95) * 1000
    return {
        "rain": f"{between(rng, 1.5, 4.8, 0.1):.1f}",
        "gusts": str(rng.randint(45, 75)),
        "outages": f"{outages:,}",
        "outages_updated": f"{outages + rng.randint(2, 12) * 1000:,}",
        "utility": f"{base['place']} Power and Light",
        "restored": f"{rng.randint(55, 90)}%",
        "crews": spell(rng.randint(60, 240)),
        "old_record": f"{between(rng, 1.0, 1.4, 0.1):.1f}",
        "record_year": str(when.year - rng.randint(12, 80)),
        "month_rain": f"{between(rng, 4.0, 7.9, 0.1):.1f}",
        "normal_pct": f"{rng.randint(120, 190)}%",
        "month_name": month_name(when),
        "rescues_w": spell(rng.randint(3, 14)),
        "years": spell(rng.randint(11, 38)),
        "trees": f"{rng.randint(60, 400)}",
        "high": str(rng.randint(48, 64)),
        "crest": f"{between(rng, 14.0, 18.5, 0.5):.1f}",
    }


STORM = Topic(
    key="storm",
    section="Weather",
    headlines=(
        "Storm knocks out power to {outages} homes and businesses in {place}",
        "Heavy rain and {gusts} mph winds batter {place} as storm moves through",
        "{place} cleans up after storm brings record {month_name} rainfall",
    ),
    lede="{dateline} A fast-moving storm brought {rain} inches of rain and wind gusts of up to "
    "{gusts} miles per hour to {place} on {weekday}, knocking out power to about {outages} homes "
    "and businesses and flooding low-lying streets near the river, officials said.",
    body=(
        '"This was a strong system for this time of year, and it moved in faster than the '
        'models suggested," said {p1}, a forecaster with the {region} Weather Service. "The '
        'heaviest rain fell in about three hours, which is why the drains could not keep up."',
        "{p2}, a spokesperson for {utility}, said crews had restored power to {restored} of "
        'affected customers by evening. "We have {crews} crews working through the night, and '
        'we expect most customers to be back by {next_day}," {p2_last} said.',
        "The rain total at the {place} airport broke the daily record of {old_record} inches set "
        "in {record_year}. Rainfall for the month now stands at {month_rain} inches, more than "
        "{normal_pct} of the normal amount for all of {month_name}.",
        "Police closed parts of {street} Avenue and {street2} Street for several hours after "
        "water covered the road, and at least {rescues_w} drivers had to be helped from stalled "
        "cars. No serious injuries were reported.",
        "{p3}, who owns a bakery near the river, spent the afternoon moving flour sacks off the "
        'floor. "The water came under the door in about twenty minutes," {p3_last} said. "We '
        'have been here {years} years, and I have seen it this bad only once before."',
        "City crews cleared more than {trees} fallen trees and branches from roads and "
        "sidewalks. Residents were asked to report downed lines to the utility and to stay at "
        "least 30 feet away from any wire on the ground.",
        "Schools in {place} will open two hours late on {next_day}, and the regional transit "
        "authority said several bus routes would be detoured around flooded streets until the "
        "water recedes.",
        "Forecasters expect drier weather over the weekend, with highs near {high} degrees, "
        "though another round of rain is possible early next week. The river is forecast to "
        "crest at {crest} feet, just below flood stage, on {next_day} afternoon.",
    ),
    fill=_storm,
    subject="place",
    update="outages",
)

TOPICS = (EARNINGS, HEALTH, RESEARCH, GAME, STORM)
