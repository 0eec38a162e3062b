"""List endpoints run a fixed number of queries whatever the number of items (1 vs 10)."""

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
    ("/api/v1/cities/", lambda build: None),
    ("/api/v1/organisations/", lambda build: None),
]


@pytest.mark.parametrize(("path", "add"), ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_list_query_count_does_not_grow_with_the_data(client, build, django_assert_max_num_queries, path, add):
    add(build)
    client.get(path)  # warm Wagtail's site-root cache
    with CaptureQueriesContext(connection) as one:
        response = client.get(path)
    assert response.status_code == 200
    for _ in range(9):
        add(build)
    with django_assert_max_num_queries(len(one)):
        response = client.get(path)
    assert response.status_code == 200


def test_observations_query_count_does_not_grow_with_the_data(client, build, django_assert_max_num_queries):
    import datetime as dt

    from projects.models import Observation

    indicator = build.indicator(values=(40,))
    path = f"/api/v1/indicators/{indicator.pk}/observations"
    client.get(path)
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for year in range(2030, 2040):
        Observation.objects.create(
            indicator=indicator, city=build.city, period=str(year), period_start=dt.date(year, 1, 1), value=7
        )
    with django_assert_max_num_queries(len(one)):
        body = client.get(path).json()
    assert body["count"] == 11
