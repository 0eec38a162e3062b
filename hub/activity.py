"""Where the hub is active: countries and their cities with counts, drawn as an SVG on the home page.

``hub`` knows no cities, calls or results; the apps that do answer two Wagtail hooks (``hub/hooks.py``):
``activity_places`` (profiles: the live city pages) and ``activity_measures`` (calls and projects: public
calls, partnerships, results per city). Each answer is one grouped query, so the overview costs
the same number of queries whatever the number of cities.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wagtail import hooks

from hub.vocabulary_names import country_name

MAX_COUNTRIES = 12
BAR_WIDTH = 360
LABEL_WIDTH = 170
ROW_HEIGHT = 30
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Place:
    """A city where the hub can be active (one per city organisation)."""

    organisation_id: int
    name: str
    url: str
    country_code: str
    country_name: str
    page: Any = None  # the city's Wagtail page, when there is one: links follow the reader's language


@dataclass(frozen=True)
class Measure:
    """One kind of activity counted per city organisation id (answer of an ``activity_measures`` hook)."""

    key: str
    label: str
    per_organisation: dict[int, int]  # {organisation_id: count}
    # "1 call" / "2 calls" in the active language (ngettext): a count is never glued to a plural label.
    describe: Callable[[int], str] = lambda count: str(count)


@dataclass
class CityActivity:
    place: Place
    counts: dict[str, int]
    # (label, count, "2 calls") per measure with activity, in measure order: what the city's line shows.
    shown: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class CountryActivity:
    code: str
    name: str
    cities: list[CityActivity] = field(default_factory=list)

    def count(self, key: str) -> int:
        return sum(city.counts.get(key, 0) for city in self.cities)

    @property
    def localized_name(self) -> str:
        return country_name(self.code, self.name)

    @property
    def total(self) -> int:
        return sum(city.total for city in self.cities)


def overview(max_countries: int = MAX_COUNTRIES) -> dict[str, Any] | None:
    """Countries with their cities and counts, most active first, and the SVG geometry to draw them."""
    places = [place for hook in hooks.get_hooks("activity_places") for place in hook()]
    if not places:
        return None
    measures = [hook() for hook in hooks.get_hooks("activity_measures")]
    counts = {measure.key: measure.per_organisation for measure in measures}
    countries: dict[str, CountryActivity] = {}
    for place in places:
        country = countries.setdefault(place.country_code, CountryActivity(place.country_code, place.country_name))
        values = {m.key: counts[m.key].get(place.organisation_id, 0) for m in measures}
        shown = [(m.label, values[m.key], m.describe(values[m.key])) for m in measures if values[m.key]]
        country.cities.append(CityActivity(place, values, shown))
    ordered = sorted(countries.values(), key=lambda c: (-c.total, -len(c.cities), c.name))
    for country in ordered:
        country.cities.sort(key=lambda c: (-c.total, c.place.name))
    shown, hidden = ordered[:max_countries], ordered[max_countries:]
    return {
        "measures": measures,
        "countries": shown,
        "more_countries": len(hidden),
        "country_count": len(ordered),
        "city_count": len(places),
        "totals": {m.key: sum(c.count(m.key) for c in ordered) for m in measures},
        "chart": _chart(shown, measures),
    }


def _chart(countries: list[CountryActivity], measures: list[Measure]) -> dict[str, Any]:
    """Bars per country (one segment per measure) scaled to the most active country."""
    largest = max((c.total for c in countries), default=0) or 1
    rows = []
    for index, country in enumerate(countries):
        y = index * ROW_HEIGHT
        x = LABEL_WIDTH
        segments = []
        for position, measure in enumerate(measures):
            value = country.count(measure.key)
            width = round(BAR_WIDTH * value / largest, 1)
            if value:
                segments.append(
                    {
                        "x": x,
                        "width": max(width, 2),
                        "value": value,
                        "label": measure.label,
                        "text": measure.describe(value),
                        "style": position,
                    }
                )
            x += width if value else 0
        rows.append(
            {
                "country": country,
                "y": y,
                "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                "text_y": y + ROW_HEIGHT / 2 + 5,
                "segments": segments,
                "end_x": x + 6,
            }
        )
    return {
        "rows": rows,
        "width": LABEL_WIDTH + BAR_WIDTH + 70,
        "height": max(len(rows), 1) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "label_x": LABEL_WIDTH - 8,
    }
