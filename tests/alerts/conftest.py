"""Fixtures of the alerts tests: a city page, vocabulary terms, saved searches and published calls."""

import datetime as dt

from django.utils import timezone

import pytest

from calls.factories import make_call
from calls.models import SavedSearch
from hub.models import Method, Theme
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage


@pytest.fixture
def graz_page(city):
    return CityPage.objects.get(organisation=city[0])


@pytest.fixture
def housing(db):
    return Theme.objects.get(slug="adequate-housing")


@pytest.fixture
def health(db):
    return Theme.objects.get(slug="health")


@pytest.fixture
def survey(db):
    return Method.objects.get(slug="survey")


@pytest.fixture
def other_researcher(db):
    return ResearcherProfileFactory(user__email="other@example.org").user


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the transaction to commit (instant alerts, queued emails) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def saved():
    """A saved search made a minute ago, so that calls published in the test are new to it."""

    def make(user, query: str, frequency: str = "daily", source: str = "calls", name: str = "") -> SavedSearch:
        return SavedSearch.objects.create(
            user=user,
            source=source,
            query=query,
            frequency=frequency,
            name=name or f"Search {query}",
            created_at=timezone.now() - dt.timedelta(minutes=1),
        )

    return make


@pytest.fixture
def publish(graz_page):
    """Publish a call with vocabulary terms set before anything reads it."""

    def make(title: str, **vocabularies):
        call = make_call(city_page=graz_page, title=title)
        for name, terms in vocabularies.items():
            getattr(call, name).set(terms)
        call.save()
        return call

    return make
