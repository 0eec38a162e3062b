"""List endpoints run a fixed number of queries whatever the number of items (3 vs 30 on one page)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from profiles.factories import ResearcherProfileFactory

pytestmark = pytest.mark.django_db


def _calls(build):
    from calls.factories import make_call
    from hub.models import Method, Theme
    from profiles.models import CityPage

    call = make_call(city_page=CityPage.objects.get(organisation=build.city), title=f"Call {build._next()}")
    call.themes.set(Theme.objects.all()[:2])
    call.methods.set(Method.objects.all()[:2])
    call.save()


def _researchers(build):
    from hub.models import Theme

    profile = ResearcherProfileFactory()
    profile.themes.set(Theme.objects.all()[:2])


def _partnership(build):
    build.partnership_()


def _dataset(build):
    build.dataset()


def _city(build):
    """A verified city: its organisation and its live city page."""
    build.make_city(f"Town {build._next()}")


ENDPOINTS = [
    ("/api/v1/calls/", _calls),
    ("/api/v1/researchers/", _researchers),
    ("/api/v1/partnerships/", _partnership),
    ("/api/v1/results/", lambda build: build.result()),
    ("/api/v1/datasets/", _dataset),
    ("/api/v1/indicators/", lambda build: build.indicator()),
    ("/api/v1/methods/", lambda build: build.method()),
    ("/api/v1/case-studies/", lambda build: build.case_study()),
    ("/api/v1/policy-uptake/", lambda build: build.uptake()),
    ("/api/v1/cities/", _city),
    ("/api/v1/organisations/", _city),
]


PAGE = {"page_size": "50"}  # every row on one page: each is serialised


@pytest.mark.parametrize(("path", "add"), ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_list_query_count_does_not_grow_with_the_data(
    client, build, make_city, django_assert_max_num_queries, path, add
):
    build.make_city = make_city
    for _ in range(3):
        add(build)
    client.get(path, PAGE)  # warm Wagtail's site-root cache
    with CaptureQueriesContext(connection) as three:
        response = client.get(path, PAGE)
    assert response.status_code == 200
    for _ in range(27):
        add(build)
    with django_assert_max_num_queries(len(three)):
        response = client.get(path, PAGE)
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == body["count"]


def test_observations_query_count_does_not_grow_with_the_data(client, build, django_assert_max_num_queries):
    import datetime as dt

    from projects.models import Observation

    indicator = build.indicator(values=(40, 41, 42))
    path = f"/api/v1/indicators/{indicator.pk}/observations"
    client.get(path, PAGE)
    with CaptureQueriesContext(connection) as three:
        client.get(path, PAGE)
    for year in range(2030, 2057):
        Observation.objects.create(
            indicator=indicator, city=build.city, period=str(year), period_start=dt.date(year, 1, 1), value=7
        )
    with django_assert_max_num_queries(len(three)):
        body = client.get(path, PAGE).json()
    assert body["count"] == 30 and len(body["results"]) == 30
