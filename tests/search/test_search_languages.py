"""Search across languages: a call is found by its themes' names in every interface language (issue 16 §7)."""

import pytest

from hub.models import Theme

pytestmark = pytest.mark.django_db


def test_vivienda_and_logement_find_a_housing_call(client, open_call, settings):
    settings.ELASTICSEARCH_URL = ""
    open_call.themes.set([Theme.objects.get(slug="adequate-housing")])
    open_call.save_revision().publish()

    assert open_call.title in client.get("/es/search/", {"q": "vivienda"}).content.decode()
    assert open_call.title in client.get("/search/", {"q": "logement"}).content.decode()
    assert open_call.title not in client.get("/es/search/", {"q": "agua potable"}).content.decode()
