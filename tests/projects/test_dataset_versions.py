"""No silent lost update on a dataset's edit page (issue 15 §2) and no button that throws typed text away (16 §3).

Two members of the research team open the same edit page; the second save of the same version is refused with
both versions side by side, nothing of it saved, the typed text kept, and a per-field merge (the columns as one
row). Publishing saves what was typed first, with the same version check.
"""

import html

from django.urls import reverse

import pytest

from profiles.factories import ResearcherProfileFactory
from projects.factories import add_member
from projects.models import Dataset, PartnershipMember
from projects.services import datasets as services
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.projects.test_datasets_views import make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(partnership):
    """A second member of the research team."""
    user = ResearcherProfileFactory(user__email="colleague@example.org").user
    add_member(partnership, user, side=PartnershipMember.Side.RESEARCH, role="Data manager")
    return user


@pytest.fixture
def draft(partnership, researcher):
    return make_dataset(partnership, researcher, publish=False, provenance="District courts.")


def edit_form(dataset: Dataset, **overrides) -> dict:
    """What the edit page posts when opened now and saved unchanged (plus ``overrides``)."""
    dataset = Dataset.objects.get(pk=dataset.pk)
    data = {
        "title": dataset.title,
        "description": dataset.description,
        "provenance": dataset.provenance,
        "licence": dataset.licence,
        "access_level": dataset.access_level,
        "personal_data": dataset.personal_data,
        "personal_data_note": dataset.personal_data_note,
        "disaggregations": list(dataset.disaggregations or []),
        "min_cell_count": dataset.min_cell_count or "",
        "edit_version": str(dataset.edit_version),
        "schema-TOTAL_FORMS": str(len(dataset.schema)),
        "schema-INITIAL_FORMS": str(len(dataset.schema)),
    }
    for index, column in enumerate(dataset.schema):
        data[f"schema-{index}-name"] = column["name"]
        data[f"schema-{index}-type"] = column["type"]
        data[f"schema-{index}-description"] = column.get("description", "")
        if column.get("is_count"):
            data[f"schema-{index}-is_count"] = "on"
    data.update(overrides)
    return data


def login(client, user):
    client.force_login(user)
    return client


def test_the_second_save_of_the_same_version_shows_both_and_saves_nothing(client, draft, researcher, colleague):
    url = reverse("dataset_edit", args=[draft.slug])
    a_form, b_form = edit_form(draft), edit_form(draft)  # both opened on version 1
    response = login(client, researcher).post(url, {**a_form, "description": "Evictions per district, by A."})
    assert response.status_code == 302
    assert Dataset.objects.get(pk=draft.pk).edit_version == 2

    response = login(client, colleague).post(url, {**b_form, "provenance": "Court registers, typed by B."})
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Your version and the saved version" in page
    assert "Evictions per district, by A." in page  # the saved description, beside B's
    assert "Court registers, typed by B." in page  # B's typed provenance is still in the form
    assert 'name="edit_version" value="2"' in response.content.decode()  # the next save names the saved version
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.description == "Evictions per district, by A." and saved.provenance == "District courts."
    assert saved.edit_version == 2


def test_choosing_the_saved_field_merges_both_changes(client, draft, researcher, colleague):
    url = reverse("dataset_edit", args=[draft.slug])
    b_form = edit_form(draft)
    login(client, researcher).post(url, {**edit_form(draft), "description": "Evictions per district, by A."})
    typed = {**b_form, "provenance": "Court registers, typed by B."}
    response = login(client, colleague).post(url, typed)
    assert response.status_code == 409
    # B keeps the saved description and their own provenance, naming the saved version.
    response = client.post(
        url, {**typed, "edit_version": "2", "merge-description": "saved", "merge-provenance": "mine"}
    )
    assert response.status_code == 302
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.description == "Evictions per district, by A."
    assert saved.provenance == "Court registers, typed by B."
    assert saved.edit_version == 3


def test_columns_that_differ_are_one_row_and_the_saved_ones_can_be_taken(client, draft, researcher, colleague):
    url = reverse("dataset_edit", args=[draft.slug])
    b_form = edit_form(draft)
    login(client, researcher).post(url, {**edit_form(draft), "schema-0-description": "District of Graz (A)"})
    typed = {**b_form, "schema-1-description": "Kind of household (B)", "title": "Evictions 2023 (B)"}
    response = login(client, colleague).post(url, typed)
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert '<th scope="row">Columns</th>' in page
    assert "District of Graz (A)" in page and "Kind of household (B)" in page
    assert 'value="Kind of household (B)"' in page  # still typed in the columns table
    assert Dataset.objects.get(pk=draft.pk).schema[1]["description"] == ""

    response = client.post(url, {**typed, "edit_version": "2", "merge-schema": "saved", "merge-title": "mine"})
    assert response.status_code == 302
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.title == "Evictions 2023 (B)"
    assert saved.schema[0]["description"] == "District of Graz (A)"


def test_keeping_my_columns_after_a_conflict_saves_them(client, draft, researcher, colleague):
    url = reverse("dataset_edit", args=[draft.slug])
    b_form = edit_form(draft)
    login(client, researcher).post(url, {**edit_form(draft), "schema-0-description": "District of Graz (A)"})
    typed = {**b_form, "schema-1-description": "Kind of household (B)"}
    assert login(client, colleague).post(url, typed).status_code == 409
    assert client.post(url, {**typed, "edit_version": "2", "merge-schema": "mine"}).status_code == 302
    schema = Dataset.objects.get(pk=draft.pk).schema
    assert schema[1]["description"] == "Kind of household (B)" and schema[0]["description"] == ""


def test_publishing_makes_an_edit_form_opened_before_it_stale(client, draft, researcher, colleague):
    url = reverse("dataset_edit", args=[draft.slug])
    b_form = edit_form(draft)
    services.dataset_publish(dataset=draft, by=researcher)
    response = login(client, colleague).post(url, {**b_form, "description": "Typed before it was published."})
    assert response.status_code == 409
    assert "Typed before it was published." in html.unescape(response.content.decode())
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.status == Dataset.Status.PUBLISHED and saved.description != "Typed before it was published."


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-3"])
def test_a_missing_or_garbage_version_is_refused_with_a_message(client, draft, researcher, version):
    form = edit_form(draft, description="Should not be saved.")
    if version is None:
        del form["edit_version"]
    else:
        form["edit_version"] = version
    response = login(client, researcher).post(reverse("dataset_edit", args=[draft.slug]), form)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    if version in (None, ""):
        assert "This form is missing its version; reload the page and try again." in response.content.decode()
    assert "Should not be saved." in response.content.decode()  # typed text kept
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.description != "Should not be saved." and saved.edit_version == 1


# --- The page's buttons (issue 16 §3): each keeps everything typed -----------------------------------------------


def test_save_changes_keeps_columns_and_provenance(client, draft, researcher):
    form = edit_form(draft, provenance="Typed provenance", **{"schema-0-description": "Typed column"})
    response = login(client, researcher).post(reverse("dataset_edit", args=[draft.slug]), form)
    assert response.status_code == 302
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.provenance == "Typed provenance" and saved.schema[0]["description"] == "Typed column"
    assert saved.status == Dataset.Status.DRAFT


def test_publish_dataset_saves_everything_typed_first(client, draft, researcher):
    page = login(client, researcher).get(reverse("dataset_edit", args=[draft.slug])).content.decode()
    assert 'name="publish"' in page and 'id="dataset-edit-form"' in page
    form = edit_form(draft, provenance="Typed provenance", publish="1", **{"schema-0-description": "Typed column"})
    response = client.post(reverse("dataset_edit", args=[draft.slug]), form)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.status == Dataset.Status.PUBLISHED
    assert saved.provenance == "Typed provenance" and saved.schema[0]["description"] == "Typed column"


def test_the_publish_address_also_saves_a_posted_edit_form_first(client, draft, researcher):
    form = edit_form(draft, provenance="Typed provenance")
    response = login(client, researcher).post(reverse("dataset_publish", args=[draft.slug]), form)
    assert response.status_code == 302
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.status == Dataset.Status.PUBLISHED and saved.provenance == "Typed provenance"


def test_publish_refused_by_a_check_saves_nothing_and_keeps_the_text(client, partnership, researcher):
    draft = make_dataset(
        partnership,
        researcher,
        publish=False,
        title="Tenant contacts",
        file="with_email.csv",
        access_level="on_request",
        personal_data="personal",
        personal_data_note="Consent collected.",
    )
    form = edit_form(draft, access_level="open", provenance="Typed provenance", publish="1")
    response = login(client, researcher).post(reverse("dataset_edit", args=[draft.slug]), form)
    assert response.status_code == 400 and "cannot be open" in response.content.decode()
    assert "Typed provenance" in response.content.decode()
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.status == Dataset.Status.DRAFT and saved.provenance == "" and saved.edit_version == 1


def test_a_stale_publish_is_refused_and_nothing_is_published(client, draft, researcher, colleague):
    url = reverse("dataset_edit", args=[draft.slug])
    b_form = edit_form(draft)
    login(client, researcher).post(url, {**edit_form(draft), "description": "Changed by A."})
    response = login(client, colleague).post(url, {**b_form, "provenance": "B's provenance", "publish": "1"})
    assert response.status_code == 409
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.status == Dataset.Status.DRAFT and saved.provenance == "District courts."


def test_service_refuses_a_stale_version(draft, researcher):
    from hub.versioning import StaleEdit

    services.dataset_update(dataset=draft, by=researcher, data={"provenance": "First"}, edit_version=1)
    stale = Dataset.objects.get(pk=draft.pk)
    with pytest.raises(StaleEdit) as error:
        services.dataset_update(dataset=stale, by=researcher, data={"provenance": "Second"}, edit_version=1)
    assert error.value.current.provenance == "First"
    assert Dataset.objects.get(pk=draft.pk).provenance == "First"


# --- Thread race (PostgreSQL) --------------------------------------------------------------------------------------

RACERS = 8


@needs_postgresql
@race_db
def test_simultaneous_saves_of_one_version_one_wins_the_others_get_the_conflict(partnership, researcher):
    from django.test import Client

    draft = make_dataset(partnership, researcher, publish=False)
    url = reverse("dataset_edit", args=[draft.slug])
    form = edit_form(draft)
    clients = []
    for _ in range(RACERS):
        racer = Client()
        racer.force_login(researcher)
        clients.append(racer)
    responses = race(clients, lambda i, c: c.post(url, {**form, "provenance": f"Racer {i}"}))
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [409] * (RACERS - 1)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    saved = Dataset.objects.get(pk=draft.pk)
    assert saved.provenance == f"Racer {winner}" and saved.edit_version == 2
