"""Fixtures for matching: vocabulary picks, researchers with facts, calls with lists."""

import datetime as dt
from types import SimpleNamespace

import pytest

from calls.factories import make_call
from hub.models import Country, GroupAtRisk, Language, Method, Theme
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, ProfileLanguage, ResearcherProfile


@pytest.fixture
def vocab(db):
    themes = list(Theme.objects.order_by("pk")[:4])
    methods = list(Method.objects.order_by("pk")[:4])
    return SimpleNamespace(
        housing=themes[0],
        health=themes[1],
        water=themes[2],
        education=themes[3],
        par=methods[0],
        survey=methods[1],
        focus=methods[2],
        budget=methods[3],
        group=GroupAtRisk.objects.order_by("pk").first(),
        austria=Country.objects.get(code="AT"),
        ghana=Country.objects.get(code="GH"),
        colombia=Country.objects.get(code="CO"),
        spanish=Language.objects.get(code="es"),
        english=Language.objects.get(code="en"),
        german=Language.objects.get(code="de"),
    )


@pytest.fixture
def make_profile(db):
    """A researcher profile with the given lists; vectors follow through the signals."""

    def make(
        email: str, *, themes=(), methods=(), countries=(), languages=(), groups=(), **fields
    ) -> ResearcherProfile:
        first, _, last = email.split("@")[0].partition(".")
        profile = ResearcherProfileFactory(
            user=UserFactory(email=email, first_name=first.title(), last_name=(last or "Example").title()), **fields
        )
        profile.themes.set(themes)
        profile.methods.set(methods)
        profile.countries.set(countries)
        profile.groups.set(groups)
        for language in languages:
            ProfileLanguage.objects.create(profile=profile, language=language)
        return ResearcherProfile.objects.select_related("user").get(pk=profile.pk)

    return make


@pytest.fixture
def make_fit_call(db):
    """A published call of a city with the given lists (set before publishing, like the admin does)."""

    def make(organisation, title: str, *, themes=(), methods=(), groups=(), languages=(), closes_in_days=30, **fields):
        call = make_call(
            city_page=CityPage.objects.get(organisation=organisation),
            title=title,
            closes_in=dt.timedelta(days=closes_in_days),
            publish=False,
            **fields,
        )
        call.themes.set(themes)
        call.methods.set(methods)
        call.groups.set(groups)
        call.required_languages.set(languages)
        call.save_revision().publish()
        return call.__class__.objects.get(pk=call.pk)

    return make
