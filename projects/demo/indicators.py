"""Demo human-rights indicators with observations 2017–2025 for the demo cities (clearly marked; idempotent).

Values are plausible, not real: each city gets its own level and trend, a few years are missing so that the
data-gap view has something to show, and some indicators are broken down by sex or age group.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from hub.models import GroupAtRisk, SDGIndicator, Theme
from profiles.models import Organisation
from projects.models import Indicator, Observation, Partnership, disaggregation_key

DEMO = "Demo figures: illustrative values generated for the Bridges demo, not official statistics."
DEMO_NOTE = "Demo figure"
YEARS = range(2017, 2026)

# slug, title, type, obligation, theme, SDG indicator, groups, unit, count?, definition, (low, high, yearly trend),
# disaggregations {dimension: {value: factor}}
INDICATORS = [
    (
        "households-overburdened-by-housing-costs",
        "Households overburdened by housing costs",
        Indicator.Type.OUTCOME,
        Indicator.Obligation.FULFIL,
        "adequate-housing",
        "11.1.1",
        ["poverty", "homeless"],
        "% of households",
        False,
        "Share of households whose housing costs (rent or mortgage, utilities) exceed 40% of their disposable income.",
        (12.0, 28.0, -0.35),
        {"sex": {"female": 1.18, "male": 0.86}},
    ),
    (
        "evictions-per-10000-households",
        "Evictions executed per 10,000 households",
        Indicator.Type.OUTCOME,
        Indicator.Obligation.PROTECT,
        "adequate-housing",
        None,
        ["poverty"],
        "per 10,000 households",
        False,
        "Court-ordered evictions carried out in the year, per 10,000 private households.",
        (4.0, 19.0, -0.4),
        {},
    ),
    (
        "budget-share-social-housing",
        "Municipal budget share for social housing",
        Indicator.Type.PROCESS,
        Indicator.Obligation.FULFIL,
        "adequate-housing",
        None,
        [],
        "% of municipal budget",
        False,
        "Expenditure on building, renovating and subsidising social housing as a share of total municipal spending.",
        (1.5, 6.5, 0.12),
        {},
    ),
    (
        "anti-discrimination-ordinance",
        "Existence of a municipal anti-discrimination ordinance",
        Indicator.Type.STRUCTURAL,
        Indicator.Obligation.RESPECT,
        "non-discrimination",
        None,
        ["minorities", "migrants", "lgbtiq"],
        "1 = in force, 0 = none",
        False,
        "Whether the city has an ordinance prohibiting discrimination in municipal services, with a complaints body.",
        (0.0, 1.0, 0.0),
        {},
    ),
    (
        "public-buildings-step-free",
        "Public buildings with step-free access",
        Indicator.Type.PROCESS,
        Indicator.Obligation.FULFIL,
        "disability-rights",
        "11.7.1",
        ["persons-with-disabilities", "older-persons"],
        "% of municipal buildings",
        False,
        "Share of municipal buildings open to the public with a step-free entrance and an accessible toilet.",
        (35.0, 80.0, 2.4),
        {},
    ),
    (
        "children-in-poverty",
        "Children in poverty",
        Indicator.Type.OUTCOME,
        Indicator.Obligation.FULFIL,
        "rights-of-the-child",
        "1.2.1",
        ["children", "poverty"],
        "% of children",
        False,
        "Share of children under 18 living in households below 60% of the national median equivalised income.",
        (9.0, 31.0, -0.25),
        {"age_group": {"0-5": 1.1, "6-11": 1.0, "12-17": 0.92}},
    ),
    (
        "discrimination-complaints",
        "Discrimination complaints received by the municipal ombudsperson",
        Indicator.Type.PROCESS,
        Indicator.Obligation.PROTECT,
        "non-discrimination",
        None,
        ["minorities", "women-girls"],
        "complaints",
        True,
        "Complaints of discrimination by municipal services received in the year. Counts of people: small numbers "
        "are suppressed in public.",
        (2.0, 140.0, 4.0),
        {"sex": {"female": 0.58, "male": 0.42}},
    ),
]

# Which demo cities report which indicators, and from which year (the rest are gaps on purpose).
COVERAGE = {
    "Graz": {
        "households-overburdened-by-housing-costs": 2017,
        "evictions-per-10000-households": 2018,
        "budget-share-social-housing": 2017,
        "anti-discrimination-ordinance": 2017,
        "public-buildings-step-free": 2019,
        "children-in-poverty": 2017,
        "discrimination-complaints": 2017,
    },
    "Barcelona": {
        "households-overburdened-by-housing-costs": 2017,
        "evictions-per-10000-households": 2017,
        "budget-share-social-housing": 2018,
        "anti-discrimination-ordinance": 2017,
        "children-in-poverty": 2019,
    },
    "Vienna": {
        "households-overburdened-by-housing-costs": 2017,
        "budget-share-social-housing": 2017,
        "public-buildings-step-free": 2017,
        "children-in-poverty": 2017,
        "discrimination-complaints": 2019,
    },
    "Utrecht": {
        "households-overburdened-by-housing-costs": 2018,
        "evictions-per-10000-households": 2018,
        "anti-discrimination-ordinance": 2017,
        "discrimination-complaints": 2020,
    },
    "York": {
        "households-overburdened-by-housing-costs": 2019,
        "children-in-poverty": 2017,
        "public-buildings-step-free": 2020,
    },
    "Montréal": {"households-overburdened-by-housing-costs": 2017, "evictions-per-10000-households": 2019},
    "Bogotá": {"children-in-poverty": 2017, "households-overburdened-by-housing-costs": 2017},
    "Gwangju": {"anti-discrimination-ordinance": 2017, "public-buildings-step-free": 2018},
}
# Cities whose series stop early: their data is old in the data-gap view.
LAST_YEAR = {"Montréal": 2019, "Gwangju": 2020}


def _indicator(spec) -> Indicator:
    slug, title, kind, obligation, theme, sdg, groups, unit, is_count, definition, _shape, dis = spec
    indicator, _created = Indicator.objects.update_or_create(
        slug=slug,
        defaults={
            "title": title,
            "type": kind,
            "obligation": obligation,
            "theme": Theme.objects.get(slug=theme),
            "sdg_indicator": SDGIndicator.objects.filter(code=sdg).first() if sdg else None,
            "unit": unit,
            "value_is_count": is_count,
            "definition": f"{definition}\n\n{DEMO}",
            "disaggregations": list(dis),
        },
    )
    indicator.groups.set(GroupAtRisk.objects.filter(slug__in=groups))
    return indicator


def _series(rng: random.Random, shape, start: int, end: int, *, structural: bool) -> dict[int, float]:
    low, high, trend = shape
    if structural:
        adopted = rng.choice([None, 2016, 2019, 2021])
        return {year: 1.0 if adopted is not None and year >= adopted else 0.0 for year in range(start, end + 1)}
    level = rng.uniform(low, high)
    values = {}
    for year in range(start, end + 1):
        level = max(0.0, level + trend * rng.uniform(0.4, 1.6) + rng.gauss(0, (high - low) * 0.02))
        if year == 2020 and trend < 0:  # the pandemic years interrupt improvements
            level += abs(trend) * 2
        values[year] = level
    return values


def seed(*, rng: random.Random, stdout) -> None:
    indicators = {spec[0]: (_indicator(spec), spec) for spec in INDICATORS}
    cities = {o.city: o for o in Organisation.objects.filter(kind__in=Organisation.GOVERNMENT_KINDS, verified=True)}
    partnerships = {}
    for partnership in Partnership.objects.filter(city__in=cities.values()).order_by("pk"):
        partnerships.setdefault(partnership.city_id, partnership)
    rows: list[Observation] = []
    for city_name, coverage in COVERAGE.items():
        city = cities.get(city_name)
        if city is None:
            continue
        partnership = partnerships.get(city.pk)
        for slug, start in coverage.items():
            indicator, spec = indicators[slug]
            end = LAST_YEAR.get(city_name, YEARS[-1])
            values = _series(rng, spec[10], start, end, structural=indicator.type == Indicator.Type.STRUCTURAL)
            decimals = 0 if indicator.value_is_count or indicator.type == Indicator.Type.STRUCTURAL else 1
            scale = 0.15 if indicator.value_is_count and city.population and city.population < 400_000 else 1.0
            for year, value in values.items():
                total = round(value * scale, decimals)
                rows.append(_observation(indicator, city, year, total, {}, partnership))
                for dimension, factors in spec[11].items():
                    if year < 2021:  # breakdowns only in recent surveys
                        continue
                    for label, factor in factors.items():
                        part = round(total * factor * rng.uniform(0.95, 1.05), decimals)
                        rows.append(_observation(indicator, city, year, part, {dimension: label}, partnership))
            if partnership is not None:
                indicator.partnerships.add(partnership)
    with transaction.atomic():
        # Hand-entered values are unique through a partial index, which no portable upsert can target: replace the
        # demo figures, and leave any other value of the same cell as it is.
        Observation.objects.filter(
            source_dataset__isnull=True, note=DEMO_NOTE, indicator__in=[i for i, _spec in indicators.values()]
        ).delete()
        Observation.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    stdout.write(f"  indicators: {len(indicators)} demo indicators, {len(rows)} demo observations")


def _observation(indicator, city, year: int, value: float, disaggregation: dict, partnership) -> Observation:
    return Observation(
        indicator=indicator,
        city=city,
        period=str(year),
        period_start=dt.date(year, 1, 1),
        value=Decimal(str(value)),
        disaggregation=disaggregation,
        disaggregation_key=disaggregation_key(disaggregation),
        partnership=partnership,
        note=DEMO_NOTE,
    )
