"""A race is never a 500: a clash on a unique column becomes what the non-concurrent path answers.

Thread races (PostgreSQL, where requests overlap) and the same clashes replayed one step after the other, on both
databases: a "concurrent request" stores its row just after the service (or allauth) checked and found none.
"""

from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest
from allauth.account.internal.flows import manage_email

from calls.factories import ProposalFactory, submit_for_tests
from hub.models import Country
from profiles import services as profile_services
from profiles.factories import OrganisationFactory, ResearcherProfileFactory, UserFactory
from profiles.models import Organisation, User
from projects.models import Dataset
from projects.services import datasets as dataset_services
from projects.services import results as result_services
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.concurrency.test_create_if_absent import (
    logged_in,
    partnership,  # noqa: F401  (fixture)
)

DATA = Path(__file__).parent.parent / "projects" / "data"
PASSWORD = "Kettle-Harbour-1987!"


def csv_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("h.csv", (DATA / "households_utf8_bom.csv").read_bytes(), content_type="text/csv")


def dataset_form(**overrides) -> dict:
    data = {
        "title": "Evictions by district, Graz 2023",
        "description": "Court-ordered evictions per district.",
        "provenance": "District courts, 2023 registers.",
        "licence": "CC-BY-4.0",
        "access_level": "open",
        "personal_data": "aggregated",
        "disaggregations": ["area"],
    }
    return {**data, **overrides}


def signup_data(email: str) -> dict:
    return {
        "first_name": "Ana",
        "last_name": "Rivera",
        "account_type": User.AccountType.RESEARCHER,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def first_call_hands_out(monkeypatch, module, name: str, value) -> None:
    """The first call of ``module.name`` returns ``value``: what it computed before a concurrent insert committed."""
    original = getattr(module, name)
    state = {"done": False}

    def replacement(*args, **kwargs):
        if not state["done"]:
            state["done"] = True
            return value
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, replacement)


# --- Slugs ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_whose_free_slug_was_just_taken_gets_the_next_one(monkeypatch, partnership, researcher):  # noqa: F811
    data = dataset_form(access_level=Dataset.AccessLevel.OPEN, personal_data=Dataset.PersonalData.AGGREGATED)
    first = dataset_services.dataset_upload(partnership=partnership, by=researcher, upload=csv_upload(), data=data)
    first_call_hands_out(monkeypatch, dataset_services, "unique_dataset_slug", first.slug)

    second = dataset_services.dataset_upload(partnership=partnership, by=researcher, upload=csv_upload(), data=data)

    assert (first.slug, second.slug) == ("evictions-by-district-graz-2023", "evictions-by-district-graz-2023-2")


@pytest.mark.django_db
def test_a_result_whose_free_slug_was_just_taken_gets_the_next_one(monkeypatch, partnership, researcher):  # noqa: F811
    first = result_services.result_create(
        partnership=partnership,
        by=researcher,
        data={"title": "Findings", "abstract": "What the residents told us."},
        authors=[],
    )
    first_call_hands_out(monkeypatch, result_services, "unique_result_slug", first.slug)

    second = result_services.result_create(
        partnership=partnership,
        by=researcher,
        data={"title": "Findings", "abstract": "What the residents told us."},
        authors=[],
    )

    assert (first.slug, second.slug) == ("findings", "findings-2")


@pytest.mark.django_db
def test_an_organisation_registered_twice_at_once_gets_the_name_taken_message(monkeypatch, researcher):
    OrganisationFactory(name="Tenants' Union Graz")
    # The other registration committed after this one checked the name.
    first_call_hands_out(monkeypatch, profile_services, "organisation_name_taken", False)

    with pytest.raises(ValidationError, match="An organisation with this name is already registered"):
        profile_services.organisation_register(
            by=researcher,
            name="tenants' union graz",
            kind=Organisation.Kind.CIVIL_SOCIETY,
            country=Country.objects.get(code="AT"),
        )


@needs_postgresql
@race_db
def test_ten_uploads_with_the_same_title_at_once_get_ten_slugs(partnership, researcher):  # noqa: F811
    url = f"/partnerships/{partnership.slug}/datasets/new/"

    race(logged_in(researcher, 10), lambda i, client: client.post(url, {**dataset_form(), "file": csv_upload()}))

    slugs = list(Dataset.objects.filter(partnership=partnership).values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 10


# --- Reviewer assignment -------------------------------------------------------------------------------------------


@needs_postgresql
@race_db
@pytest.mark.parametrize("registered", [True, False], ids=["account", "no-account"])
def test_the_same_reviewer_assigned_ten_times_at_once_is_invited_once(open_call, researcher, city, registered):
    official = city[1]
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    email = "reviewer@example.org"
    if registered:
        ResearcherProfileFactory(user__email=email)
    form = {"proposal": proposal.pk, "action": "assign", f"p{proposal.pk}-reviewer_email": email}

    responses = race(logged_in(official, 10), lambda i, client: client.post(f"/calls/{open_call.pk}/manage/", form))

    assert proposal.review_assignments.count() == 1
    refused = [r for r in responses if r.status_code == 400]
    assert len(refused) == 9
    assert all("is already invited to review this proposal" in r.content.decode() for r in refused)


# --- Sign-up ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sign_up_that_loses_the_race_gets_the_usual_check_your_inbox_answer(monkeypatch, client):
    original = manage_email.email_already_exists

    def checked_then_raced(email, *args, **kwargs):
        answer = original(email, *args, **kwargs)
        UserFactory(email="ana.rivera@example.org", verified_email=False)  # the other sign-up commits now
        return answer

    monkeypatch.setattr(manage_email, "email_already_exists", checked_then_raced)

    response = client.post("/accounts/signup/", signup_data("ana.rivera@example.org"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"  # the same page as for a new address
    assert User.objects.filter(email__iexact="ana.rivera@example.org").count() == 1


@needs_postgresql
@race_db
def test_twenty_sign_ups_with_one_address_in_different_case_make_one_account():
    variants = [
        "".join(c.upper() if (i >> n) & 1 else c for n, c in enumerate("ana.rivera@example.org")) for i in range(20)
    ]

    cache.clear()  # twenty sign-ups fill allauth's per-address limit (20/m): earlier tests' must not count
    responses = race(
        [Client() for _ in variants], lambda i, client: client.post("/accounts/signup/", signup_data(variants[i]))
    )

    assert User.objects.filter(email__iexact="ana.rivera@example.org").count() == 1
    assert {r["Location"] for r in responses} == {"/accounts/confirm-email/"}
