"""What hub pages (and the profiles pages built on them) ask of the apps above: numbers and latest items for the
home page, sections of a city page, panels of /dashboard/ and parts of a person's data export.

``hub`` is the lowest layer and imports no app above it; each app answers through Wagtail hooks registered in its
``wagtail_hooks.py`` (every hook, its caller, signature and order: ``hub/hooks.py``).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import SimpleLazyObject

from wagtail import hooks

from hub import translation


@dataclass(frozen=True)
class Stat:
    """A live number on the home page (answer of a ``home_stats`` hook)."""

    key: str
    label: str
    value: int
    url: str = ""


@dataclass(frozen=True)
class LatestSection:
    """The newest items of one kind on the home page (answer of a ``home_latest`` hook)."""

    key: str
    title: str
    items: list[Any]
    url: str = ""


@dataclass(frozen=True)
class CitySection:
    """A block of a city page (answer of a ``city_page_sections`` hook); ``context`` is what ``template`` reads."""

    key: str
    title: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class DashboardSection:
    """A panel on /dashboard/ (answer of a ``dashboard_sections`` hook); ``context`` is what ``template`` reads."""

    key: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class DashboardTask:
    """One line of the dashboard's task list (answer of a ``dashboard_tasks`` hook): what to do, how many, where."""

    key: str
    label: str  # a whole sentence with the count in it
    count: int
    url: str = ""


def home_stats() -> list[dict[str, Any]]:
    """Every live number, in hook order (one COUNT query each)."""
    stats = (hook() for hook in hooks.get_hooks("home_stats"))
    return [{"key": s.key, "label": s.label, "value": s.value, "url": s.url} for s in stats if s is not None]


def home_latest(limit: int = 4) -> list[dict[str, Any]]:
    """The newest items of each kind, in hook order."""
    sections = (hook(limit) for hook in hooks.get_hooks("home_latest"))
    return [
        {"key": s.key, "title": s.title, "items": translation.translate_in_place(s.items), "url": s.url}
        for s in sections
        if s is not None
    ]


def city_sections(city_page) -> list[dict[str, Any]]:
    """Each section's context for ``city_page``, computed when the template first reads it (lazily: a fragment
    served from the aggregate cache costs no query)."""
    return SimpleLazyObject(lambda: _city_sections_now(city_page))


def _city_sections_now(city_page) -> list[dict[str, Any]]:
    sections = (hook(city_page) for hook in hooks.get_hooks("city_page_sections"))
    return [{"key": s.key, "title": s.title, "template": s.template, **s.context} for s in sections if s is not None]


def dashboard_sections(user) -> list[dict[str, Any]]:
    """The panels of the user's dashboard, in hook order; a hook answers None to show nothing."""
    sections = (hook(user) for hook in hooks.get_hooks("dashboard_sections"))
    return [{"key": s.key, "template": s.template, **s.context} for s in sections if s is not None]


def personal_data_parts(user) -> dict[str, Any]:
    """Every part of the user's data export, by key (sorted: the file reads the same whatever the hook order)."""
    parts: dict[str, Any] = {}
    for hook in hooks.get_hooks("personal_data"):
        parts.update(hook(user))
    return dict(sorted(parts.items()))


def dashboard_tasks(user) -> list[DashboardTask]:
    """The user's open tasks with their counts, in hook order; a hook answers None (or a count of 0) to add none."""
    tasks = (hook(user) for hook in hooks.get_hooks("dashboard_tasks"))
    return [task for task in tasks if task is not None and task.count > 0]
