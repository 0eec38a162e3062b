"""The bench seeds call pages through Wagtail's documented API: a valid tree, live pages a visitor can open."""

import random

from wagtail.models import Page

import pytest

from bench import seed
from calls.models import ResearchCall
from profiles.models import CityPage, Organisation


@pytest.fixture
def bench_city(make_city):
    organisation, _official = make_city("Benchton")
    Organisation.objects.filter(pk=organisation.pk).update(slug="bench-city-00000")
    return CityPage.objects.get(organisation=organisation)


def test_seeded_call_pages_are_live_under_their_city_and_the_tree_stays_valid(client, bench_city):
    created = seed._insert_call_pages(
        range(4),
        slug="bench-open-call-{:05d}",
        title="Bench open call {:05d}",
        shapes=[(-20, -1, 20, 120)],
        rng=random.Random(1),
    )

    assert created == 4
    calls = list(ResearchCall.objects.live().descendant_of(bench_city).order_by("path"))
    assert [call.slug for call in calls] == [f"bench-open-call-{i:05d}" for i in range(4)]
    assert all(call.organisation_id == bench_city.organisation_id for call in calls)
    for call in calls:
        response = client.get(call.url)
        assert response.status_code == 200
        assert call.title in response.content.decode()
    assert Page.find_problems() == ([], [], [], [], [])
