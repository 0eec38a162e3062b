"""Vocabulary names translated in the admin (issue 16 §7): one field per language, shown on /es/ and /fr/ pages."""

from django.apps import apps
from django.utils import translation

import pytest

from hub.models import GroupAtRisk, Method, SDGGoal, Theme
from hub.vocabulary_names import load_name_translations

pytestmark = pytest.mark.django_db

EDIT_URL = "/admin/snippets/hub/theme/edit/{pk}/"


def _theme_form(client, theme) -> dict:
    """The edit form's fields as the admin renders them (inline articles included), ready to post back."""
    response = client.get(EDIT_URL.format(pk=theme.pk))
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for formset in form.formsets.values():
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management[name].value())
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is not None:
                    data[f"{subform.prefix}-{name}"] = str(value)
    return data


def test_loaded_names_carry_their_catalogue_translations():
    housing = Theme.objects.get(slug="adequate-housing")
    assert housing.translations["es"]["name"] == "Derecho a una vivienda adecuada"
    assert housing.name_in("fr") == "Droit à un logement convenable"
    assert housing.name_in("en") == "Right to adequate housing"


def test_the_edit_form_has_one_name_field_per_language_filled_from_the_stored_translations(client, coordinator):
    client.force_login(coordinator)
    response = client.get(EDIT_URL.format(pk=Theme.objects.get(slug="adequate-housing").pk))
    html = response.content.decode()
    assert 'name="name_es"' in html and 'name="name_fr"' in html
    assert "Derecho a una vivienda adecuada" in html
    assert 'name="translations"' not in html  # no raw JSON to edit


def test_a_spanish_name_edited_in_the_admin_shows_on_spanish_pages_and_keeps_english(client, coordinator):
    client.force_login(coordinator)
    housing = Theme.objects.get(slug="adequate-housing")
    data = _theme_form(client, housing)
    data["name_es"] = "Derecho a la vivienda digna"
    response = client.post(EDIT_URL.format(pk=housing.pk), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response

    housing.refresh_from_db()
    assert housing.translations["es"]["name"] == "Derecho a la vivienda digna"
    assert housing.translations["fr"]["name"] == "Droit à un logement convenable"  # untouched
    client.logout()
    assert "Derecho a la vivienda digna" in client.get("/es/vocabularies/themes/").content.decode()
    assert "Derecho a la vivienda digna" in client.get("/es/vocabularies/themes/adequate-housing/").content.decode()
    english = client.get("/vocabularies/themes/").content.decode()
    assert "Right to adequate housing" in english and "Derecho a la vivienda digna" not in english


def test_an_emptied_translation_falls_back_to_the_catalogue_then_to_the_name():
    housing = Theme.objects.get(slug="adequate-housing")
    housing.translations = {}
    housing.save()
    assert housing.name_in("es") == "Derecho a una vivienda adecuada"  # the catalogue
    new = Method.objects.create(slug="photovoice", name="Photovoice")
    with translation.override("es"):
        assert new.localized_name == "Photovoice"  # no translation anywhere: as written, never empty
    new.translations = {"es": {"name": "Fotovoz"}}
    new.save()
    with translation.override("es"):
        assert str(new) == "Fotovoz"


def test_sdg_titles_keep_their_other_languages_when_edited(client, coordinator):
    client.force_login(coordinator)
    goal = SDGGoal.objects.get(number=11)
    german = goal.translations["de"]
    response = client.get(f"/admin/snippets/hub/sdggoal/edit/{goal.pk}/")
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["short_es"] = "Ciudades sostenibles"
    assert client.post(f"/admin/snippets/hub/sdggoal/edit/{goal.pk}/", data).status_code == 302
    goal.refresh_from_db()
    assert goal.title_in("es", field="short") == "Ciudades sostenibles"
    assert goal.translations["de"] == german


def test_reloading_from_the_catalogues_keeps_names_edited_in_the_admin():
    group = GroupAtRisk.objects.get(slug="roma")
    group.translations = {"es": {"name": "Pueblo gitano"}}
    group.save()
    load_name_translations(apps)
    group.refresh_from_db()
    assert group.translations["es"]["name"] == "Pueblo gitano"
    assert group.translations["fr"]["name"]  # filled from the catalogue
