"""One row per "create if absent": a double click or a race between check and insert finds the first row.

Each path is tested twice. The thread races send the same request from several clients at once (each thread has
its own database connection) and count rows; they run on PostgreSQL, where requests really overlap (SQLite runs
one write transaction at a time, so the race cannot happen there). The deterministic tests run on both databases:
they let a "concurrent request" store the row just after the service's own check found none, which is the race
replayed one step after the other; the service must then answer with the existing row or the form's message (a
message rolls the service's transaction back, the stand-in row with it: in a real race that row is committed).
"""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import ConsultationComment, Proposal, ReviewAssignment
from calls.services import calls as call_services
from calls.services import proposals as proposal_services
from calls.services import reviews as review_services
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, Membership
from projects.factories import PartnershipFactory, add_member
from projects.models import DataAccessRequest, Dataset, PartnershipMember
from projects.services import datasets as dataset_services
from tests.concurrency.races import needs_postgresql, race, race_db

RACERS = 20
DATA = Path(__file__).parent.parent / "projects" / "data"


def logged_in(user, count: int = RACERS) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def raced(monkeypatch, module, name: str, concurrent) -> None:
    """Let ``concurrent()`` store its row right after the first call of the service's check ``module.name``."""
    original = getattr(module, name)
    state = {"done": False}

    def check(*args, **kwargs):
        answer = original(*args, **kwargs)
        if not state["done"]:
            state["done"] = True
            concurrent()
        return answer

    monkeypatch.setattr(module, name, check)


# --- Set-up ------------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    return proposal


@pytest.fixture
def reviewer(db):
    user = UserFactory(email="reviewer@example.org")
    ResearcherProfileFactory(user=user)
    return user


@pytest.fixture
def partnership(city, researcher):
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)
    return partnership


@pytest.fixture
def on_request(partnership, researcher):
    dataset = dataset_services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=SimpleUploadedFile("h.csv", (DATA / "households_utf8_bom.csv").read_bytes(), content_type="text/csv"),
        data={
            "title": "Survey of tenants",
            "description": "Households per district.",
            "licence": "CC-BY-4.0",
            "access_level": Dataset.AccessLevel.ON_REQUEST,
            "personal_data": Dataset.PersonalData.AGGREGATED,
            "personal_data_note": "",
        },
    )
    return dataset_services.dataset_publish(dataset=dataset, by=researcher)


@pytest.fixture
def outsider(db):
    return ResearcherProfileFactory(user__email="outsider@example.org").user


@pytest.fixture
def consultation_call(city):
    return make_call(
        city_page=CityPage.objects.get(organisation=city[0]),
        title="Draft questions on housing",
        opens_in=dt.timedelta(days=10),
        closes_in=dt.timedelta(days=40),
        consultation_opens_at=timezone.now() - dt.timedelta(days=1),
        consultation_questions="Which neighbourhoods should the study cover?",
        consultation_open_to_all=True,
    )


PURPOSE = "Comparing eviction rates across Austrian cities for my thesis."


# --- Proposal start ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_start_raced_between_check_and_insert_returns_the_draft_already_there(monkeypatch, open_call, researcher):
    first = {}
    raced(
        monkeypatch,
        proposal_services,
        "start_problem",
        lambda: first.setdefault(
            "draft", Proposal.objects.create(call=open_call, lead=researcher, title="First click")
        ),
    )

    proposal = proposal_services.proposal_start(call=open_call, by=researcher, title="Second click")

    assert proposal == first["draft"]
    assert Proposal.objects.filter(call=open_call, lead=researcher).count() == 1


@needs_postgresql
@race_db
def test_twenty_simultaneous_starts_make_one_draft(open_call, researcher):
    url = f"/proposals/start/{open_call.pk}/"

    responses = race(logged_in(researcher), lambda i, client: client.post(url, {"title": f"Older tenants {i}"}))

    drafts = Proposal.objects.filter(call=open_call, lead=researcher)
    assert drafts.count() == 1
    assert {r["Location"] for r in responses} == {f"/proposals/{drafts.get().pk}/edit/"}
    assert drafts.get().team.count() == 1


# --- Reviewer assignment --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("registered", [True, False], ids=["account", "no-account"])
def test_an_assignment_raced_between_check_and_insert_gets_the_already_invited_message(
    monkeypatch, submitted, city, reviewer, registered
):
    official = city[1]
    email = reviewer.email if registered else "newcomer@example.org"
    raced(
        monkeypatch,
        review_services,
        "account_for_address",
        lambda: ReviewAssignment.objects.create(
            proposal=submitted, reviewer=reviewer if registered else None, email=email, assigned_by=official
        ),
    )

    with pytest.raises(ValidationError, match="is already invited to review this proposal"):
        review_services.review_assign(proposal=submitted, reviewer_email=email, by=official)


# --- Dataset access requests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_access_request_raced_between_check_and_insert_gets_the_waiting_message(monkeypatch, on_request, outsider):
    raced(
        monkeypatch,
        dataset_services,
        "can_request_access",
        lambda: DataAccessRequest.objects.create(dataset=on_request, requester=outsider, purpose=PURPOSE),
    )

    with pytest.raises(ValidationError, match="the partnership has not decided yet"):
        dataset_services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE)


@pytest.mark.django_db
def test_after_a_refusal_the_person_may_ask_again(on_request, outsider, researcher):
    first = dataset_services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE)
    dataset_services.access_request_decide(access_request=first, by=researcher, approve=False, note="Not yet.")

    again = dataset_services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE + " Again.")

    assert again.status == DataAccessRequest.Status.PENDING
    assert on_request.access_requests.count() == 2


@needs_postgresql
@race_db
def test_simultaneous_access_requests_store_one(on_request, outsider):
    url = f"/data/datasets/{on_request.slug}/request/"

    race(logged_in(outsider, 10), lambda i, client: client.post(url, {"purpose": PURPOSE, "organisation": ""}))

    assert on_request.access_requests.filter(requester=outsider).count() == 1


# --- Consultation comments ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_comment_sent_twice_is_stored_once(consultation_call, researcher):
    body = "Please include tenants of social housing in the scope."

    first = call_services.consultation_comment_post(call=consultation_call, author=researcher, body=body)
    second = call_services.consultation_comment_post(call=consultation_call, author=researcher, body=body + "  ")
    other = call_services.consultation_comment_post(call=consultation_call, author=researcher, body="And students.")

    assert second == first
    assert other != first
    assert ConsultationComment.objects.filter(call=consultation_call, author=researcher).count() == 2


# --- Membership requests ----------------------------------------------------------------------------------------


@needs_postgresql
@race_db
def test_simultaneous_requests_to_join_store_one(university):
    applicant = UserFactory(email="applicant@example.org")

    responses = race(
        logged_in(applicant, 10),
        lambda i, client: client.post(f"/organisations/{university.slug}/join/", {"message": "Hello"}),
    )

    assert Membership.objects.filter(user=applicant, organisation=university).count() == 1
    assert all(r.status_code in (200, 302) for r in responses)
