"""Editing a call in the Wagtail admin: times in the city's zone, weights that must add up to 100."""

import pytest

from calls.models import ResearchCall
from profiles.models import CityPage

pytestmark = pytest.mark.django_db


def test_city_editor_opens_the_call_editor(client, city, open_call):
    _organisation, official = city
    client.force_login(official)
    response = client.get(f"/admin/pages/{open_call.pk}/edit/")
    assert response.status_code == 200
    assert "Time zone: Europe/Vienna" in response.content.decode() or "Time zone:" in response.content.decode()


def test_call_add_form_offers_research_call_under_the_city(client, city):
    organisation, official = city
    client.force_login(official)
    city_page = CityPage.objects.get(organisation=organisation)
    response = client.get(f"/admin/pages/add/calls/researchcall/{city_page.pk}/")
    assert response.status_code == 200


def test_call_knows_its_city(open_call, city):
    organisation, _ = city
    assert open_call.organisation == organisation
    assert open_call.status == ResearchCall.Status.OPEN
