"""Contribution points through which higher apps show their numbers and items on hub pages.

``hub`` is the lowest layer and must not import ``profiles``, ``calls`` or ``projects``;
they register here from their ``AppConfig.ready`` instead.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    order: int
    count: Callable[[], int]
    url: str = ""


@dataclass(frozen=True)
class LatestSection:
    key: str
    title: str
    order: int
    items: Callable[[int], list[Any]]
    url: str = ""


_stats: dict[str, Stat] = {}
_latest: dict[str, LatestSection] = {}


def register_stat(stat: Stat) -> None:
    _stats[stat.key] = stat


def register_latest(section: LatestSection) -> None:
    _latest[section.key] = section


def home_stats() -> list[dict[str, Any]]:
    """Every registered live number, in display order (one COUNT query each)."""
    return [
        {"key": s.key, "label": s.label, "value": s.count(), "url": s.url}
        for s in sorted(_stats.values(), key=lambda s: s.order)
    ]


def home_latest(limit: int = 4) -> list[dict[str, Any]]:
    """The newest items of each registered section."""
    return [
        {"key": s.key, "title": s.title, "items": s.items(limit), "url": s.url}
        for s in sorted(_latest.values(), key=lambda s: s.order)
    ]


@dataclass(frozen=True)
class CitySection:
    """A block on a city page contributed by a higher app (calls, partnerships, indicators)."""

    key: str
    title: str
    order: int
    template: str
    context: Callable[[Any], dict]


_city_sections: dict[str, CitySection] = {}


def register_city_section(section: CitySection) -> None:
    _city_sections[section.key] = section


def city_sections(city_page) -> list[dict[str, Any]]:
    """Each registered section's context for ``city_page``, computed when the template first reads it (lazily:
    a fragment served from the aggregate cache costs no query)."""
    return SimpleLazyObject(lambda: _city_sections_now(city_page))


def _city_sections_now(city_page) -> list[dict[str, Any]]:
    return [
        {"key": s.key, "title": s.title, "template": s.template, **s.context(city_page)}
        for s in sorted(_city_sections.values(), key=lambda s: s.order)
    ]


@dataclass(frozen=True)
class DashboardSection:
    """A panel on /dashboard/ contributed by a higher app; ``context(user)`` returns None to hide it."""

    key: str
    order: int
    template: str
    context: Callable[[Any], dict | None]


_dashboard_sections: dict[str, DashboardSection] = {}


def register_dashboard_section(section: DashboardSection) -> None:
    _dashboard_sections[section.key] = section


def dashboard_sections(user) -> list[dict[str, Any]]:
    sections = []
    for s in sorted(_dashboard_sections.values(), key=lambda s: s.order):
        context = s.context(user)
        if context is not None:
            sections.append({"key": s.key, "template": s.template, **context})
    return sections


@dataclass(frozen=True)
class PersonalDataPart:
    """A part of a person's data export contributed by a higher app; ``export(user)`` returns JSON-ready data."""

    key: str
    export: Callable[[Any], Any]


_personal_data: dict[str, PersonalDataPart] = {}


def register_personal_data(part: PersonalDataPart) -> None:
    _personal_data[part.key] = part


def personal_data_parts(user) -> dict[str, Any]:
    return {key: part.export(user) for key, part in sorted(_personal_data.items())}
