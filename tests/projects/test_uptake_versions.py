"""Edit versions of the city's response and uptake records (issue 15 §2): two officials of the commissioning city
never overwrite each other unseen; a stale save or removal is refused, shown side by side, and can be merged."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership
from projects.models import CityResponse, PolicyUptake, Result
from projects.services import uptake as services
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.dates import city_today
from tests.security.fixtures_attacks import scrape_form

pytestmark = pytest.mark.django_db
TODAY = city_today()  # decisions are dated in the official's city
ANA_REASONS = "Ana: the rent caps are a regional matter, the rest we accept."
BEN_REPLY = "Ben: we will discuss the findings with the tenants' association in spring."


@pytest.fixture
def result(partnership):
    return Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants-in-graz",
        abstract="What older tenants in Graz told us about their housing.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=30),
    )


@pytest.fixture
def colleague(city):
    """A second official of the commissioning city."""
    user = UserFactory(email="ben@graz.example.org", first_name="Ben", last_name="Huber")
    MembershipFactory(user=user, organisation=city[0], status=Membership.Status.APPROVED)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_of(response, *fields) -> dict:
    data = scrape_form(response.content.decode(), fields=["edit_version", *fields])["data"]
    data.pop("csrfmiddlewaretoken", None)
    return data


def opened(client: Client, url: str, *fields) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_of(response, *fields)


def respond_url(result) -> str:
    return reverse("result_response", args=[result.slug])


def record(result, by, **fields) -> PolicyUptake:
    values = {"kind": "plan", "title": "Municipal Housing Plan 2025–2030", "date": TODAY, "body": "City council"}
    return services.uptake_create(result=result, by=by, **{**values, **fields})


# The city's response


@pytest.fixture
def responded(result, official):
    return services.response_save(
        result=result, by=official, stance="partly", reasons="In part.", edit_version=services.RESPONSE_BLANK_VERSION
    )


def test_a_stale_response_is_refused_side_by_side_and_the_typed_reply_kept(result, responded, official, colleague):
    ana, ben = signed_in(official), signed_in(colleague)
    ana_form, ben_form = opened(ana, respond_url(result), "stance"), opened(ben, respond_url(result), "stance")

    assert ana.post(respond_url(result), {**ana_form, "reasons": ANA_REASONS}).status_code == 302
    response = ben.post(respond_url(result), {**ben_form, "reply": BEN_REPLY})

    page = response.content.decode()
    assert response.status_code == 409
    assert "Your version and the saved version" in page
    assert 'data-conflict-saved="reasons"' in page and "Ana: the rent caps are a regional matter" in page
    assert 'data-conflict-mine="reply"' in page
    assert "Ben: we will discuss the findings with the tenants&#x27; association in spring.</textarea>" in page
    saved = CityResponse.objects.get(result=result)
    assert saved.reasons == ANA_REASONS and saved.reply == ""


def test_choosing_the_saved_reasons_publishes_both_changes(client, result, responded, official, colleague):
    ana, ben = signed_in(official), signed_in(colleague)
    ana_form, ben_form = opened(ana, respond_url(result), "stance"), opened(ben, respond_url(result), "stance")
    ana.post(respond_url(result), {**ana_form, "reasons": ANA_REASONS})
    conflict = ben.post(respond_url(result), {**ben_form, "reply": BEN_REPLY})
    assert conflict.status_code == 409

    response = ben.post(respond_url(result), {**form_of(conflict, "stance"), "merge-reasons": "saved"})

    assert response.status_code == 302
    saved = CityResponse.objects.get(result=result)
    assert (saved.reasons, saved.reply) == (ANA_REASONS, BEN_REPLY)
    page = client.get(result.get_absolute_url()).text
    assert "Ana: the rent caps are a regional matter" in page and "Ben: we will discuss the findings" in page


def test_two_first_responses_do_not_overwrite_each_other(result, official, colleague):
    """No response yet: both officials open the blank form; the second save is told about the first."""
    ana, ben = signed_in(official), signed_in(colleague)
    ana_form, ben_form = opened(ana, respond_url(result), "stance"), opened(ben, respond_url(result), "stance")

    assert ana.post(respond_url(result), {**ana_form, "stance": "partly", "reasons": ANA_REASONS}).status_code == 302
    response = ben.post(respond_url(result), {**ben_form, "stance": "accepted", "reasons": "Ben: all of it."})

    assert response.status_code == 409
    assert "Ana: the rent caps are a regional matter" in response.text and "Ben: all of it.</textarea>" in response.text
    saved = CityResponse.objects.get(result=result)
    assert (saved.stance, saved.reasons) == ("partly", ANA_REASONS)


def test_a_response_form_opened_after_the_save_saves_at_once(result, responded, official, colleague):
    ana, ben = signed_in(official), signed_in(colleague)
    ana.post(respond_url(result), {**opened(ana, respond_url(result), "stance"), "reasons": ANA_REASONS})
    assert (
        ben.post(respond_url(result), {**opened(ben, respond_url(result), "stance"), "reply": BEN_REPLY}).status_code
        == 302
    )
    saved = CityResponse.objects.get(result=result)
    assert (saved.reasons, saved.reply) == (ANA_REASONS, BEN_REPLY)


# Uptake records


def test_a_stale_uptake_edit_is_refused_and_can_be_merged(client, result, official, colleague):
    uptake = record(result, official)
    url = reverse("uptake_edit", args=[result.slug, uptake.pk])
    ana, ben = signed_in(official), signed_in(colleague)
    ana_form, ben_form = opened(ana, url, "title"), opened(ben, url, "title")
    assert ana.post(url, {**ana_form, "title": "Budget line 231.48"}).status_code == 302

    conflict = ben.post(url, {**ben_form, "description": "Measure 4.2 follows the study."})

    assert conflict.status_code == 409
    assert 'data-conflict-saved="title"' in conflict.text and "Budget line 231.48" in conflict.text
    assert "Measure 4.2 follows the study.</textarea>" in conflict.text
    assert PolicyUptake.objects.get().description == ""

    response = ben.post(url, {**form_of(conflict, "title"), "merge-title": "saved"})

    assert response.status_code == 302
    saved = PolicyUptake.objects.get()
    assert (saved.title, saved.description) == ("Budget line 231.48", "Measure 4.2 follows the study.")
    page = client.get(result.get_absolute_url()).text
    assert "Budget line 231.48" in page and "Measure 4.2 follows the study." in page


def test_removing_a_record_changed_after_the_page_was_opened_is_refused(result, official, colleague):
    uptake = record(result, official)
    delete = reverse("uptake_delete", args=[result.slug, uptake.pk])
    edit = reverse("uptake_edit", args=[result.slug, uptake.pk])
    ana, ben = signed_in(official), signed_in(colleague)
    ben_form = opened(ben, delete)
    ana.post(edit, {**opened(ana, edit, "title"), "title": "Budget line 231.48, corrected"})

    response = ben.post(delete, ben_form)

    assert response.status_code == 409
    assert "Another official changed this record after you opened this page, so nothing was removed." in response.text
    assert "Budget line 231.48, corrected" in response.text  # what it says now
    assert PolicyUptake.objects.filter(pk=uptake.pk).exists()

    assert ben.post(delete, form_of(response)).status_code == 302  # confirmed again, on what it says now
    assert not PolicyUptake.objects.exists()


@pytest.mark.parametrize("version", [None, "", "soon", "0"])
@pytest.mark.parametrize("form", ["response", "uptake_edit", "uptake_delete"])
def test_a_missing_or_garbled_version_is_refused_and_nothing_saved(result, responded, official, form, version):
    uptake = record(result, official)
    url = respond_url(result) if form == "response" else reverse(form, args=[result.slug, uptake.pk])
    ana = signed_in(official)
    data = opened(ana, url)
    data.update({"reasons": "Changed.", "title": "Changed."} if form != "uptake_delete" else {})
    if version is None:
        data.pop("edit_version")
    else:
        data["edit_version"] = version

    response = ana.post(url, data)

    assert response.status_code == 400
    assert "This form is missing its version; reload the page and try again." in response.text
    assert CityResponse.objects.get().reasons == "In part."
    assert PolicyUptake.objects.get().title == "Municipal Housing Plan 2025–2030"


@needs_postgresql
@race_db
def test_ten_simultaneous_saves_of_a_record_save_once(partnership, official):
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants-in-graz",
        abstract="What older tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=30),
    )
    uptake = record(result, official)
    url = reverse("uptake_edit", args=[result.slug, uptake.pk])
    clients = [signed_in(official) for _ in range(10)]
    form = opened(clients[0], url, "title")

    responses = race(clients, lambda i, client: client.post(url, {**form, "title": f"Decision {i}"}))

    assert sorted(r.status_code for r in responses) == [302] + [409] * 9
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    assert PolicyUptake.objects.get().title == f"Decision {winner}"


@needs_postgresql
@race_db
def test_ten_simultaneous_first_responses_save_once(partnership, official):
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants-in-graz",
        abstract="What older tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=30),
    )
    clients = [signed_in(official) for _ in range(10)]
    form = opened(clients[0], respond_url(result), "stance")

    responses = race(
        clients,
        lambda i, client: client.post(respond_url(result), {**form, "stance": "partly", "reasons": f"Reason {i}"}),
    )

    assert sorted(r.status_code for r in responses) == [302] + [409] * 9
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    assert CityResponse.objects.get().reasons == f"Reason {winner}"
