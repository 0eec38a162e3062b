"""Fixtures for hub page tests: a fresh cache, and builders for many cities and researchers."""

from django.core.cache import cache

import pytest

from hub.models import Country, Language, Method, Theme
from profiles.factories import MembershipFactory, ResearcherProfileFactory
from profiles.models import ResearcherProfile


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def add_cities(make_city):
    """Add ``n`` verified cities, each with a live city page and a listed member."""
    made = []

    def add(n: int) -> list:
        for _ in range(n):
            number = len(made) + 1
            organisation, _official = make_city(f"Town{number:02d}")
            MembershipFactory(organisation=organisation, user__email=f"member{number}@town.example.org")
            made.append(organisation)
        return made

    return add


@pytest.fixture
def add_researchers(university):
    """Add ``n`` public researchers with an affiliation, themes, methods, countries and languages."""
    themes = list(Theme.objects.order_by("pk")[:3])
    methods = list(Method.objects.order_by("pk")[:2])
    countries = list(Country.objects.filter(code__in=["AT", "ES", "KR"]))
    languages = list(Language.objects.filter(code__in=["en", "es"]))

    def add(n: int) -> list[ResearcherProfile]:
        profiles = []
        for _ in range(n):
            profile = ResearcherProfileFactory(affiliation=university)
            profile.themes.set(themes)
            profile.methods.set(methods)
            profile.countries.set(countries)
            profile.languages.set(languages)
            profiles.append(profile)
        return profiles

    return add
