"""Mass assignment: fields a form does not offer (status, owner, staff flags, scores…) are ignored when posted.

Every user-facing form is posted as a browser would (its fields scraped from the page), plus hostile extra
fields naming privileged attributes; the stored object must keep what the service decided. The API is
read-only: writes are 405.
"""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from calls.models import Proposal, ReviewScore, SavedSearch
from calls.services import proposals as proposal_services
from hub.models import Country
from profiles.factories import OrganisationFactory, UserFactory
from profiles.models import Membership, Organisation, ResearcherProfile, User
from profiles.services import COORDINATORS_GROUP
from projects.models import CityResponse, Dataset, Milestone, PolicyUptake, Result, WorkspaceDocument, WorkspaceNote
from tests.dates import city_today
from tests.security.fixtures_attacks import (  # noqa: F401  (fixtures, injected by name)
    PDF,
    SIMPLE_CSV,
    call_page,
    csv_upload,
    dataset,
    draft_proposal,
    draft_result,
    form_data,
    official,
    outsider,
    partnership,
    published_result,
    review,
    scrape_form,
    uptake,
)

pytestmark = pytest.mark.django_db

TODAY = city_today()


@dataclass
class Attack:
    """The privileged values an attacker slips into a form."""

    intruder: User
    other_organisation: Organisation
    powerful_group: Group

    def fields(self, status: str) -> dict:
        return {
            "status": status,
            "owner": str(self.intruder.pk),
            "organisation": str(self.other_organisation.pk),
            "is_staff": "on",
            "is_superuser": "on",
            "score": "100",
            "verified": "on",
            "groups": str(self.powerful_group.pk),
            "user": str(self.intruder.pk),
            "author": str(self.intruder.pk),
            "lead": str(self.intruder.pk),
            "created_by": str(self.intruder.pk),
            "partnership": "999999",
            "city": str(self.other_organisation.pk),
        }


@pytest.fixture
def attack(db):
    return Attack(
        intruder=UserFactory(email="intruder@example.org"),
        other_organisation=OrganisationFactory(name="Intruder University"),
        powerful_group=Group.objects.get(name=COORDINATORS_GROUP),
    )


@dataclass
class Form:
    """One user-facing form: who posts it where, what they type, and what the stored object must be."""

    user: Callable  # (fx) -> User
    url: Callable  # (fx) -> str
    stored: Callable  # (fx) -> the object after the post
    expected: Callable  # (fx, obj) -> {attribute: value the service decides}
    typed: Callable = lambda fx: {}  # what the person types into the form
    files: Callable = lambda fx: {}
    status: str = "published"  # the status an attacker would like
    action: str | None = None  # which form of the page (its action ends with this)


class Fixtures:
    """Lazy access to pytest fixtures by attribute: ``fx.partnership``."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


def _pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


FORMS = {
    "profile edit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: "/dashboard/profile/",
        typed=lambda fx: {"headline": "Housing researcher"},
        stored=lambda fx: ResearcherProfile.objects.get(user=fx.researcher),
        expected=lambda fx, obj: {"user": fx.researcher, "headline": "Housing researcher"},
    ),
    "account edit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: "/dashboard/account/",
        typed=lambda fx: {"first_name": "Ana"},
        stored=lambda fx: User.objects.get(pk=fx.researcher.pk),
        expected=lambda fx, obj: {"first_name": "Ana", "is_staff": False, "is_superuser": False},
    ),
    "organisation create": Form(
        user=lambda fx: fx.founder,
        url=lambda fx: "/organisations/new/",
        typed=lambda fx: {
            "name": "City of Salzburg",
            "kind": Organisation.Kind.LOCAL_GOVERNMENT,
            "country": str(Country.objects.get(code="AT").pk),
            "city": "Salzburg",
            "time_zone": "Europe/Vienna",
        },
        stored=lambda fx: Organisation.objects.get(name="City of Salzburg"),
        expected=lambda fx, obj: {"verified": False, "verified_by": None, "created_by": fx.founder},
    ),
    "organisation edit": Form(
        user=lambda fx: fx.linz[1],
        url=lambda fx: f"/organisations/{fx.linz[0].slug}/edit/",
        typed=lambda fx: {"description": "Changed description"},
        stored=lambda fx: Organisation.objects.get(pk=fx.linz[0].pk),
        expected=lambda fx, obj: {"verified": False, "verified_by": None, "description": "Changed description"},
    ),
    "membership request": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/organisations/{fx.university.slug}/",
        action="join/",
        typed=lambda fx: {"message": "Please add me"},
        stored=lambda fx: Membership.objects.get(user=fx.researcher, organisation=fx.university),
        expected=lambda fx, obj: {
            "status": Membership.Status.REQUESTED,
            "role": Membership.Role.MEMBER,
            "decided_by": None,
        },
        status="approved",
    ),
    "proposal create": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/proposals/start/{fx.open_call.pk}/",
        typed=lambda fx: {"title": "Older tenants"},
        stored=lambda fx: Proposal.objects.get(title="Older tenants"),
        expected=lambda fx, obj: {
            "status": Proposal.Status.DRAFT,
            "lead": fx.researcher,
            "call": fx.open_call,
            "submitted_at": None,
        },
        status="awarded",
    ),
    "proposal edit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/proposals/{fx.draft_proposal.pk}/edit/",
        typed=lambda fx: {"summary": "We map housing conditions."},
        stored=lambda fx: Proposal.objects.get(pk=fx.draft_proposal.pk),
        expected=lambda fx, obj: {
            "status": Proposal.Status.DRAFT,
            "lead": fx.researcher,
            "summary": "We map housing conditions.",
            "submitted_at": None,
        },
        status="awarded",
    ),
    "proposal submit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/proposals/{fx.filled_proposal.pk}/",
        action="submit/",
        stored=lambda fx: Proposal.objects.get(pk=fx.filled_proposal.pk),
        expected=lambda fx, obj: {"status": Proposal.Status.SUBMITTED, "lead": fx.researcher},
        status="awarded",
    ),
    "review form": Form(
        user=lambda fx: fx.review[1],
        url=lambda fx: f"/reviews/{fx.review[0].pk}/",
        typed=lambda fx: {
            "comments": "Solid design.",
            "recommendation": "fund",
            "confidence": "3",
            **{f"criterion_{c.pk}": "3" for c in fx.review[0].proposal.call.criteria.all()},
        },
        stored=lambda fx: type(fx.review[0]).objects.get(pk=fx.review[0].pk),
        expected=lambda fx, obj: {"reviewer": fx.review[1], "proposal": fx.review[0].proposal},
        status="declined",
    ),
    "result create": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/partnerships/{fx.partnership.slug}/results/new/",
        typed=lambda fx: {
            "kind": "policy_brief",
            "title": "Rent burden of single parents",
            "abstract": "Single parents spend half their income on rent.",
            "licence": "CC-BY-4.0",
            "authors-0-name": "Maria Huber",
        },
        stored=lambda fx: Result.objects.get(title="Rent burden of single parents"),
        expected=lambda fx, obj: {
            "status": Result.Status.DRAFT,
            "partnership": fx.partnership,
            "created_by": fx.researcher,
            "published_by": None,
            "published_at": None,
        },
    ),
    "result edit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/results/{fx.draft_result.slug}/edit/",
        typed=lambda fx: {"abstract": "A changed abstract."},
        stored=lambda fx: Result.objects.get(pk=fx.draft_result.pk),
        expected=lambda fx, obj: {
            "status": Result.Status.DRAFT,
            "partnership": fx.partnership,
            "created_by": fx.researcher,
            "published_at": None,
            "abstract": "A changed abstract.",
        },
    ),
    "dataset upload": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/partnerships/{fx.partnership.slug}/datasets/new/",
        typed=lambda fx: {
            "title": "Rents by district",
            "description": "Median rents.",
            "personal_data": Dataset.PersonalData.NONE,
        },
        files=lambda fx: {"file": csv_upload(SIMPLE_CSV)},
        stored=lambda fx: Dataset.objects.get(title="Rents by district"),
        expected=lambda fx, obj: {
            "status": Dataset.Status.DRAFT,
            "partnership": fx.partnership,
            "created_by": fx.researcher,
            "published_at": None,
        },
    ),
    "dataset edit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/data/datasets/{fx.dataset.slug}/edit/",
        typed=lambda fx: {"description": "Changed description."},
        stored=lambda fx: Dataset.objects.get(pk=fx.dataset.pk),
        expected=lambda fx, obj: {
            "status": Dataset.Status.DRAFT,
            "partnership": fx.partnership,
            "created_by": fx.researcher,
            "published_at": None,
            "description": "Changed description.",
        },
    ),
    "city response": Form(
        user=lambda fx: fx.official,
        url=lambda fx: f"/results/{fx.published_result.slug}/response/",
        typed=lambda fx: {"stance": "accepted", "reasons": "The findings hold."},
        stored=lambda fx: CityResponse.objects.get(result=fx.published_result),
        expected=lambda fx, obj: {"city": fx.city[0], "responded_by": fx.official, "stance": "accepted"},
    ),
    "uptake create": Form(
        user=lambda fx: fx.official,
        url=lambda fx: f"/results/{fx.published_result.slug}/uptake/new/",
        typed=lambda fx: {"kind": "plan", "title": "Municipal Housing Plan", "date": TODAY.isoformat()},
        stored=lambda fx: PolicyUptake.objects.get(title="Municipal Housing Plan"),
        expected=lambda fx, obj: {
            "city": fx.city[0],
            "recorded_by": fx.official,
            "result": fx.published_result,
        },
    ),
    "uptake edit": Form(
        user=lambda fx: fx.official,
        url=lambda fx: f"/results/{fx.published_result.slug}/uptake/{fx.uptake.pk}/edit/",
        typed=lambda fx: {"title": "Changed plan"},
        stored=lambda fx: PolicyUptake.objects.get(pk=fx.uptake.pk),
        expected=lambda fx, obj: {"city": fx.city[0], "recorded_by": fx.official, "title": "Changed plan"},
    ),
    "workspace note": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: fx.partnership.get_workspace_url(),
        action="notes/add/",
        typed=lambda fx: {"note-body": "Fieldwork starts on Monday."},
        stored=lambda fx: WorkspaceNote.objects.get(body="Fieldwork starts on Monday."),
        expected=lambda fx, obj: {"author": fx.researcher, "partnership": fx.partnership},
    ),
    "workspace milestone": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: fx.partnership.get_workspace_url(),
        action="milestones/add/",
        typed=lambda fx: {
            "milestone-title": "Survey fieldwork",
            "milestone-due_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        },
        stored=lambda fx: Milestone.objects.get(title="Survey fieldwork"),
        expected=lambda fx, obj: {"created_by": fx.researcher, "partnership": fx.partnership},
    ),
    "workspace document": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: fx.partnership.get_workspace_url(),
        action="documents/add/",
        typed=lambda fx: {"document-title": "Interview guide"},
        files=lambda fx: {"document-file": _pdf("guide.pdf")},
        stored=lambda fx: WorkspaceDocument.objects.get(title="Interview guide"),
        expected=lambda fx, obj: {"created_by": fx.researcher, "partnership": fx.partnership},
    ),
    "saved search create": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: "/dashboard/alerts/new/?source=calls&query=theme%3Dadequate-housing",
        typed=lambda fx: {"source": "calls", "query": "theme=adequate-housing", "name": "Housing"},
        stored=lambda fx: SavedSearch.objects.get(name="Housing"),
        expected=lambda fx, obj: {"user": fx.researcher},
    ),
    "saved search edit": Form(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/dashboard/alerts/{fx.saved_search.pk}/",
        typed=lambda fx: {"name": "Renamed"},
        stored=lambda fx: SavedSearch.objects.get(pk=fx.saved_search.pk),
        expected=lambda fx, obj: {"user": fx.researcher, "name": "Renamed"},
    ),
}


@pytest.fixture
def founder(db):
    return UserFactory(email="founder@example.org", account_type=User.AccountType.ORGANISATION)


@pytest.fixture
def linz(make_city):
    """An organisation that is not verified yet, with its admin official."""
    return make_city("Linz", verify=False)


@pytest.fixture
def filled_proposal(draft_proposal, researcher):
    from tests.calls.test_proposal_services import FILLED

    proposal = proposal_services.proposal_save_draft(
        proposal=draft_proposal, by=researcher, data=FILLED, edit_version=draft_proposal.edit_version
    )
    proposal_services.attachment_add(proposal=proposal, by=researcher, upload=_pdf())
    return proposal


@pytest.fixture
def saved_search(researcher):
    return SavedSearch.objects.create(
        user=researcher, source="calls", name="Housing", query="theme=adequate-housing", frequency="weekly"
    )


@pytest.mark.parametrize("name", list(FORMS))
def test_extra_fields_posted_to_a_form_are_ignored(client, request, attack, name):
    form = FORMS[name]
    fx = Fixtures(request)
    user = form.user(fx)
    client.force_login(user)
    url = form.url(fx)
    response = client.get(url)
    assert response.status_code == 200, (name, response.status_code)
    typed = form.typed(fx)
    scraped = scrape_form(response.content.decode(), form.action, [*typed, *form.files(fx)])
    data = {**scraped["data"], **typed}
    data.pop("csrfmiddlewaretoken", None)
    # The extras must be fields the form does not offer; a field it offers is not mass assignment.
    extras = {key: value for key, value in attack.fields(form.status).items() if key not in scraped["names"]}
    target = scraped["action"] or url
    response = client.post(target, {**data, **extras, **form.files(fx)})

    assert response.status_code == 302, (name, response.status_code, _errors(response))
    stored = form.stored(fx)
    for attribute, expected in form.expected(fx, stored).items():
        assert getattr(stored, attribute) == expected, (name, attribute)
    for attribute in ("user", "author", "owner", "lead", "created_by", "recorded_by", "responded_by"):
        if hasattr(stored, f"{attribute}_id"):
            assert getattr(stored, f"{attribute}_id") != attack.intruder.pk, (name, attribute)
    for attribute in ("organisation", "city"):
        if hasattr(stored, f"{attribute}_id"):
            assert getattr(stored, f"{attribute}_id") != attack.other_organisation.pk, (name, attribute)
    for attribute in ("verified", "is_staff", "is_superuser"):
        if hasattr(stored, attribute):
            assert getattr(stored, attribute) is False, (name, attribute)
    if name == "review form":
        assert set(ReviewScore.objects.values_list("score", flat=True)) == {3}
    user = User.objects.get(pk=user.pk)
    assert not user.is_staff and not user.is_superuser, name
    assert not user.groups.filter(pk=attack.powerful_group.pk).exists(), name
    assert not Membership.objects.filter(user=user, organisation=attack.other_organisation).exists(), name


def _errors(response) -> str:
    context = getattr(response, "context", None) or {}
    for key in ("form", "formset"):
        if key in context and hasattr(context[key], "errors"):
            return str(context[key].errors)
    return response.content.decode()[:2000] if response.status_code != 302 else ""


def test_signup_ignores_staff_superuser_and_group_fields(client, attack):
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Ana",
            "last_name": "Rivera",
            "account_type": User.AccountType.RESEARCHER,
            "email": "ana.rivera@example.org",
            "password1": "Kettle-Harbour-1987!",
            "password2": "Kettle-Harbour-1987!",
            **attack.fields("active"),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="ana.rivera@example.org")
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists()
    assert not Membership.objects.filter(user=user).exists()


API_LISTS = [
    "calls",
    "case-studies",
    "cities",
    "datasets",
    "indicators",
    "methods",
    "organisations",
    "partnerships",
    "policy-uptake",
    "researchers",
    "results",
]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, method, researcher, attack):
    client.force_login(researcher)
    profile = ResearcherProfile.objects.get(user=researcher)
    before = ResearcherProfile.objects.count(), Organisation.objects.count()
    payload = {"title": "Injected", **attack.fields("published")}
    for resource in API_LISTS:
        response = getattr(client, method)(f"/api/v1/{resource}/", payload, content_type="application/json")
        assert response.status_code == 405, (method, resource, response.status_code)
    response = getattr(client, method)(f"/api/v1/researchers/{profile.pk}", payload, content_type="application/json")
    assert response.status_code == 405, (method, "detail", response.status_code)
    assert (ResearcherProfile.objects.count(), Organisation.objects.count()) == before
