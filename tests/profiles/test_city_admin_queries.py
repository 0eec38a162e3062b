"""The Wagtail admin of a city editor costs the same number of queries however many cities the site has: the
explorer, the editor of the city page and of a call, the call's add form and the admin's home."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from calls.factories import make_call
from profiles.models import CityPage

pytestmark = pytest.mark.django_db


def admin_urls(city_page, call) -> dict[str, str]:
    return {
        "admin home": "/admin/",
        "explorer of the city": f"/admin/pages/{city_page.pk}/",
        "city page editor": f"/admin/pages/{city_page.pk}/edit/",
        "call editor": f"/admin/pages/{call.pk}/edit/",
        "call add form": f"/admin/pages/add/calls/researchcall/{city_page.pk}/",
    }


def add_cities(make_city, names):
    for name in names:
        organisation, _official = make_city(name)
        make_call(city_page=CityPage.objects.get(organisation=organisation), title=f"Call of {name}")


def query_counts(client, urls) -> dict[str, int]:
    counts = {}
    for label, url in urls.items():
        client.get(url)  # warm the per-process caches (content types, site root paths)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, label
        counts[label] = len(queries.captured_queries)
    return counts


def test_city_editor_admin_queries_do_not_grow_with_the_number_of_cities(client, city, make_city):
    organisation, official = city
    city_page = CityPage.objects.get(organisation=organisation)
    call = make_call(city_page=city_page)
    add_cities(make_city, ["Linz", "Wels"])
    client.force_login(official)
    urls = admin_urls(city_page, call)
    few = query_counts(client, urls)

    add_cities(make_city, [f"Town {n}" for n in range(8)])
    many = query_counts(client, urls)

    assert many == few


def test_coordinator_organisation_list_and_edit_do_not_grow(client, city, make_city, coordinator):
    organisation, _official = city
    urls = {
        "organisation list": "/admin/snippets/profiles/organisation/",
        "organisation editor": f"/admin/snippets/profiles/organisation/edit/{organisation.pk}/",
    }
    client.force_login(coordinator)
    few = query_counts(client, urls)
    add_cities(make_city, [f"Town {n}" for n in range(6)])
    many = query_counts(client, urls)
    assert many == few
