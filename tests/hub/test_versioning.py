"""The shared core of edit versions (hub/versioning.py) and its side-by-side include, on real models."""

import datetime as dt
from html import unescape

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

import pytest

from hub.models import Theme
from hub.versioning import KEEP_MINE, TAKE_SAVED, StaleEdit, VersionedFormMixin, claim_edit
from profiles.factories import OrganisationFactory, ResearcherProfileFactory
from profiles.models import Organisation, ResearcherProfile

pytestmark = pytest.mark.django_db


class OrganisationDetailsForm(VersionedFormMixin, forms.ModelForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "website", "description", "population", "logo", "networks"]


class ProfileDetailsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ResearcherProfile
        fields = ["headline", "career_stage", "is_public", "themes", "available_from"]
        labels = {"headline": "Headline", "is_public": "Listed in the directory"}


def _stored(instance):
    return type(instance)._base_manager.get(pk=instance.pk)


def _save_elsewhere(instance, **changes):
    """What another person's save does: change the row and move it to the next version."""
    other = _stored(instance)
    with transaction.atomic():
        claim_edit(other, expected=other.edit_version)
        for name, value in changes.items():
            setattr(other, name, value)
        other.save()
    return other


def _data(organisation, **typed) -> dict:
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "website": organisation.website,
        "description": organisation.description,
        "population": "" if organisation.population is None else str(organisation.population),
        "edit_version": str(organisation.edit_version),
    }
    data.update(typed)
    return data


# claim_edit -------------------------------------------------------------------------------------------


def test_claim_edit_moves_the_row_to_the_next_version():
    organisation = OrganisationFactory(name="City of Graz")

    with transaction.atomic():
        claim_edit(organisation, expected=1)

    assert organisation.edit_version == 2
    assert _stored(organisation).edit_version == 2


def test_a_claim_on_an_older_version_raises_with_the_saved_object():
    organisation = OrganisationFactory(name="City of Graz", description="First text.")
    _save_elsewhere(organisation, description="Text saved meanwhile.")

    with pytest.raises(StaleEdit) as stale, transaction.atomic():
        claim_edit(organisation, expected=1)

    assert stale.value.current.description == "Text saved meanwhile."
    assert stale.value.current.edit_version == 2
    assert organisation.edit_version == 1  # the stale copy is left as it was
    assert _stored(organisation).edit_version == 2


def test_expected_none_claims_the_version_the_instance_was_read_at():
    organisation = OrganisationFactory()
    stale_copy = _stored(organisation)
    with transaction.atomic():
        claim_edit(organisation, expected=None)

    with pytest.raises(StaleEdit), transaction.atomic():
        claim_edit(stale_copy, expected=None)
    assert _stored(organisation).edit_version == 2


def test_a_rolled_back_transaction_does_not_bump_the_version():
    organisation = OrganisationFactory()

    with pytest.raises(ValidationError), transaction.atomic():
        claim_edit(organisation, expected=1)
        raise ValidationError("refused after the claim")

    assert _stored(organisation).edit_version == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_claim_edit_outside_a_transaction_is_a_programming_error():
    organisation = OrganisationFactory()

    with pytest.raises(RuntimeError, match="transaction.atomic"):
        claim_edit(organisation, expected=1)

    assert _stored(organisation).edit_version == 1


# VersionedFormMixin -----------------------------------------------------------------------------------


def test_an_unbound_form_carries_the_objects_version_in_a_hidden_field():
    organisation = _save_elsewhere(OrganisationFactory())

    form = OrganisationDetailsForm(instance=organisation, versioned=organisation)

    assert form["edit_version"].value() == 2
    assert 'type="hidden" name="edit_version" value="2"' in str(form["edit_version"])


@pytest.mark.parametrize("version", [None, "", "seven", "0", "2147483648"])
def test_a_missing_or_unreadable_version_is_one_clear_error(version):
    organisation = OrganisationFactory()
    data = _data(organisation, edit_version=version)
    if version is None:
        data.pop("edit_version")

    form = OrganisationDetailsForm(data, instance=organisation, versioned=organisation)

    assert not form.is_valid()
    assert form.errors["edit_version"] == ["This form is missing its version; reload the page and try again."]


def test_show_conflict_keeps_the_typed_text_and_names_the_saved_version():
    organisation = OrganisationFactory(
        name="City of Graz", description="First text.", website="https://www.graz.at", population=290000
    )
    form = OrganisationDetailsForm(
        _data(organisation, description="My longer text.\r\nSecond line."),
        instance=organisation,
        versioned=organisation,
    )
    assert form.is_valid()
    current = _save_elsewhere(organisation, website="https://humanrights.graz.at")

    form.show_conflict(current)

    assert form["description"].value() == "My longer text.\r\nSecond line."
    assert form["edit_version"].value() == "2"
    assert form.conflict_saved is current and form.versioned is current
    assert form.non_field_errors()[0].startswith("Someone else saved this after you opened it.")
    # Only the field that differs; name, kind, population and description are the same or only this user's.
    rows = {row.name: row for row in form.conflict}
    assert set(rows) == {"website", "description"}
    assert (rows["website"].label, rows["website"].mine, rows["website"].saved) == (
        "Website",
        "https://www.graz.at",
        "https://humanrights.graz.at",
    )
    assert rows["website"].merge_name == "merge-website" and rows["website"].choice == KEEP_MINE


def test_show_conflict_says_choices_booleans_dates_and_many_to_many_in_words():
    housing, water = Theme.objects.order_by("pk")[:2]
    profile = ResearcherProfileFactory(career_stage="student", is_public=True)
    profile.themes.set([housing])
    data = {
        "headline": "",
        "career_stage": "established",
        "is_public": "",
        "themes": [str(water.pk)],
        "available_from": "2027-03-01",
        "edit_version": "1",
    }
    form = ProfileDetailsForm(data, instance=profile, versioned=profile)
    assert form.is_valid(), form.errors
    current = _save_elsewhere(profile, headline="Saved headline")

    form.show_conflict(current)

    rows = {row.name: (row.label, row.mine, row.saved) for row in form.conflict}
    assert rows == {
        "headline": ("Headline", "(empty)", "Saved headline"),
        "career_stage": ("Career stage", "Established researcher", "Student"),
        "is_public": ("Listed in the directory", "No", "Yes"),
        "themes": ("Themes", water.name, housing.name),
        "available_from": ("Available from", "March 1, 2027", "(empty)"),
    }


def test_files_and_equal_values_are_never_listed():
    organisation = OrganisationFactory(description="Same text.")
    form = OrganisationDetailsForm(
        _data(organisation, description="Same text.\r\n"), instance=organisation, versioned=organisation
    )
    assert form.is_valid()

    form.show_conflict(_save_elsewhere(organisation))

    assert form.conflict == []


def test_taking_the_saved_one_replaces_the_typed_value_and_keeping_mine_does_not():
    organisation = OrganisationFactory(description="First text.", website="https://www.graz.at")
    current = _save_elsewhere(organisation, description="Saved text.", website="https://saved.example.org")
    data = _data(
        current,
        description="My text.",
        website="https://mine.example.org",
        **{"merge-description": TAKE_SAVED, "merge-website": KEEP_MINE},
    )

    form = OrganisationDetailsForm(data, instance=current, versioned=current)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["description"] == "Saved text."
    assert form.cleaned_data["website"] == "https://mine.example.org"
    assert form.instance.description == "Saved text."


def test_a_choice_made_before_is_remembered_when_the_conflict_comes_back():
    organisation = OrganisationFactory(description="First text.")
    form = OrganisationDetailsForm(
        _data(organisation, description="My text.", **{"merge-description": TAKE_SAVED}),
        instance=organisation,
        versioned=organisation,
    )
    assert form.is_valid()

    form.show_conflict(_save_elsewhere(organisation, description="Saved twice."))

    assert [(row.name, row.choice) for row in form.conflict] == [("description", TAKE_SAVED)]


# The include ------------------------------------------------------------------------------------------


def _conflicted_form():
    organisation = OrganisationFactory(description="First text.", website="https://www.graz.at")
    form = OrganisationDetailsForm(
        _data(organisation, description="My <b>text</b>.\nSecond line.", website="https://mine.example.org"),
        instance=organisation,
        versioned=organisation,
    )
    assert form.is_valid()
    form.show_conflict(_save_elsewhere(organisation, description="Saved text."))
    return form


def test_the_include_shows_both_texts_side_by_side_with_labelled_choices():
    form = _conflicted_form()

    html = render_to_string("includes/edit_conflict.html", {"form": form})

    assert '<table class="edit-conflict__table">' in html
    assert "Your version and the saved version" in html
    assert "The saved version is version 2." in html
    text = unescape(html)
    assert '<td class="edit-conflict__text" data-conflict-mine="description"' in html
    assert "My <b>text</b>.<br>Second line." in text  # escaped text, its line breaks kept
    assert "<b>" not in html
    assert "Saved text." in text and "https://mine.example.org" in text and "https://www.graz.at" in text
    for field in ("Description", "Website"):
        assert f"Which “{field}” to keep" in text
    name = "merge-description"
    assert f'<label><input type="radio" name="{name}" value="mine" checked> Mine</label>' in html
    assert f'<label><input type="radio" name="{name}" value="saved"> The saved one</label>' in html


def test_the_include_says_so_when_nothing_differs_and_shows_nothing_without_a_conflict():
    organisation = OrganisationFactory(description="Same.")
    form = OrganisationDetailsForm(_data(organisation), instance=organisation, versioned=organisation)
    assert render_to_string("includes/edit_conflict.html", {"form": form}).strip() == ""
    assert form.is_valid()

    form.show_conflict(_save_elsewhere(organisation))
    html = render_to_string("includes/edit_conflict.html", {"form": form})

    assert "<table" not in html
    assert "Your text matches the saved version field by field; saving again keeps it." in html


def test_the_include_names_when_the_saved_version_was_saved(settings):
    settings.TIME_ZONE = "Europe/Vienna"
    profile = ResearcherProfileFactory(headline="First")
    form = ProfileDetailsForm(
        {"headline": "Mine", "career_stage": profile.career_stage, "is_public": "on", "edit_version": "1"},
        instance=profile,
        versioned=profile,
    )
    assert form.is_valid(), form.errors
    current = _save_elsewhere(profile, headline="Saved")
    ResearcherProfile.objects.filter(pk=profile.pk).update(updated_at=dt.datetime(2026, 12, 6, 19, 5, tzinfo=dt.UTC))
    current.refresh_from_db()

    form.show_conflict(current)
    html = render_to_string("includes/edit_conflict.html", {"form": form})

    assert "The saved version (version 2) was saved on Dec. 6, 2026, 8:05 p.m." in html


def test_a_row_deleted_meanwhile_is_a_404_not_a_500(db):
    from django.db import transaction
    from django.http import Http404

    from hub.versioning import claim_edit
    from profiles.factories import OrganisationFactory
    from profiles.models import Organisation

    organisation = OrganisationFactory(name="Gone Org")
    Organisation.objects.filter(pk=organisation.pk).delete()
    with pytest.raises(Http404), transaction.atomic():
        claim_edit(organisation, expected=organisation.edit_version)
