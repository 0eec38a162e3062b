"""'Only me' means only me, in every lookup (issue 14, class 3).

Every form that finds a person — a result's authors, a proposal's team, a reviewer, the members of a registered
partnership — shows only what the person shows to the one who asks, answers the same whether or not an address has an
account ("we will email them"), finds no unlisted profile and no hidden ORCID iD, and copies to the record only what the
person shows to its readers or chooses to show.
"""

import re

from django.core import mail

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import ReviewAssignment, TeamMember
from profiles.factories import OrganisationFactory, ResearcherProfileFactory, UserFactory
from profiles.models import Visibility
from projects.factories import PartnershipFactory, add_member
from projects.models import Partnership, PartnershipMember, Result, ResultAuthor
from projects.services import results as result_services

pytestmark = pytest.mark.django_db

SECRET = "Zqsecretinstitutexv"  # the name of an affiliation its researcher keeps to themselves
ORCID = "0000-0003-1415-9269"
UNKNOWN_ORCID = "0000-0001-1618-0331"
UNKNOWN_EMAIL = "nobody-here@example.org"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def private_researcher(email="private@example.org", **profile):
    """A researcher whose affiliation is theirs alone ("only me")."""
    defaults = {
        "affiliation": OrganisationFactory(name=SECRET),
        "affiliation_visibility": Visibility.HIDDEN,
        "orcid": ORCID,
        "orcid_visibility": Visibility.PUBLIC,
    }
    return ResearcherProfileFactory(user__email=email, user__last_name="Privatova", **{**defaults, **profile}).user


def same_page(body: str, address: str) -> str:
    """A page with the address itself, the CSRF token and ids blanked, to compare two answers."""
    body = _CSRF.sub("", body.replace(address, "ADDRESS"))
    return re.sub(r"\d+", "#", body)


def answers(client, url: str, data_for, addresses) -> list[tuple[int, str]]:
    """The answer to each address, each posted in a savepoint that is rolled back afterwards."""
    from django.db import transaction

    seen = []
    for address in addresses:
        with transaction.atomic():
            response = client.post(url, data_for(address), follow=True)
            seen.append((response.status_code, same_page(response.content.decode(), address)))
            transaction.set_rollback(True)
    return seen


@pytest.fixture
def partnership(city, researcher):
    organisation, official = city
    partnership = PartnershipFactory(title="Housing monitor", slug="housing-monitor", city=organisation)
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)
    return partnership


def result_post(researcher_key: str, name: str = "") -> dict:
    return {
        "kind": "report",
        "title": "Rent burden of single parents",
        "abstract": "Single parents spend half their income on rent.",
        "licence": "CC-BY-4.0",
        "doi": "10.5555/bridges-lookup.1",
        "publication_date": "2026-02-10",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "50",
        "authors-0-researcher": researcher_key,
        "authors-0-name": name,
        "authors-0-ORDER": "1",
    }


# --- Result authors -------------------------------------------------------------------------------------------------


def test_an_author_found_by_orcid_brings_no_only_me_affiliation_to_the_published_result(
    client, partnership, researcher
):
    person = private_researcher()
    client.force_login(researcher)
    response = client.post(f"/partnerships/{partnership.slug}/results/new/", result_post(ORCID))
    assert response.status_code == 302
    result = Result.objects.get()
    author = result.authors.get()
    assert author.profile == person.researcher_profile and author.name == person.display_name
    assert SECRET not in author.affiliation
    result_services.result_publish(result=result, by=researcher)
    client.logout()
    for url in (result.get_absolute_url(), f"/api/v1/results/{result.pk}", "/results/export.csv"):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and SECRET not in body.decode(), url


def test_an_author_found_by_orcid_brings_an_affiliation_shown_to_everyone(client, partnership, researcher):
    private_researcher(affiliation_visibility=Visibility.PUBLIC)
    client.force_login(researcher)
    client.post(f"/partnerships/{partnership.slug}/results/new/", result_post(ORCID))
    assert ResultAuthor.objects.get().affiliation == SECRET


@pytest.mark.parametrize(
    "profile",
    [{"is_public": False}, {"orcid_visibility": Visibility.HIDDEN}, {"orcid_visibility": Visibility.MEMBERS}],
    ids=["unlisted profile", "ORCID iD only me", "ORCID iD signed-in"],
)
def test_an_orcid_the_team_cannot_read_finds_nobody(client, partnership, researcher, profile):
    """Unlisted, hidden and unknown iDs get the same answer; signed-in-only iDs are found by a signed-in team."""
    private_researcher(**profile)
    client.force_login(researcher)
    url = f"/partnerships/{partnership.slug}/results/new/"
    known, unknown = answers(client, url, result_post, [ORCID, UNKNOWN_ORCID])
    if profile.get("orcid_visibility") == Visibility.MEMBERS:
        assert known[0] == 200 and ResultAuthor.objects.count() == 0  # rolled back; found, as the team may read it
        return
    assert known == unknown
    assert known[0] == 400 and "No profile you can see on Bridges shows this ORCID iD" in known[1].replace("&#x#;", "'")
    assert "Privatova" not in known[1] and SECRET not in known[1]


def test_an_author_by_email_gets_the_same_answer_whether_or_not_the_address_has_an_account(
    client, partnership, researcher
):
    person = private_researcher(is_public=False)
    client.force_login(researcher)
    url = f"/partnerships/{partnership.slug}/results/new/"
    known, unknown = answers(
        client, url, lambda address: result_post(address, name="Ada Author"), [person.email, UNKNOWN_EMAIL]
    )
    assert known == unknown
    assert known[0] == 200 and "We will email ADDRESS to confirm the authorship" in known[1]
    assert "Privatova" not in known[1] and SECRET not in known[1]


def test_the_invited_author_confirms_and_chooses_what_the_result_shows(
    client, partnership, researcher, django_capture_on_commit_callbacks
):
    person = private_researcher(is_public=False)
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/partnerships/{partnership.slug}/results/new/", result_post(person.email.upper(), name="Ada Author")
        )
    author = ResultAuthor.objects.get()
    assert author.profile is None and author.invited_email == person.email
    assert [m.to for m in mail.outbox] == [[person.email]]
    link = f"/results/authorship/{author.token}/"
    assert link in mail.outbox[0].body and "Sign in with" in mail.outbox[0].body

    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    refused = client.post(link, {"answer": "accept"})
    assert refused.status_code == 403 and SECRET not in refused.content.decode()

    client.force_login(person)
    assert "lists you as an author" in client.get("/dashboard/").content.decode()
    page = client.get(link).content.decode()
    assert SECRET in page  # the owner is offered their own affiliation
    response = client.post(link, {"answer": "accept", "show_affiliation": "on"})
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.profile == person.researcher_profile and author.affiliation == SECRET


def test_an_address_without_an_account_is_invited_to_sign_up(
    client, partnership, researcher, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/partnerships/{partnership.slug}/results/new/", result_post(UNKNOWN_EMAIL, name="Ada Author"))
    assert [m.to for m in mail.outbox] == [[UNKNOWN_EMAIL]]
    assert "sign up on Bridges with" in mail.outbox[0].body


def test_the_edit_form_never_shows_an_address_the_team_did_not_type(client, partnership, researcher):
    """An author linked earlier keeps the link; the form shows no login address and no hidden ORCID iD."""
    person = private_researcher(orcid_visibility=Visibility.HIDDEN)
    result = Result.objects.create(
        partnership=partnership, title="Earlier brief", slug="earlier-brief", abstract="Found.", created_by=researcher
    )
    ResultAuthor.objects.create(result=result, profile=person.researcher_profile, name="Paula Privatova")
    client.force_login(researcher)
    page = client.get(f"/results/{result.slug}/edit/").content.decode()
    assert person.email not in page and ORCID not in page
    data = result_post("", name="Paula Privatova")
    data.update({"authors-INITIAL_FORMS": "1", "authors-0-author": str(result.authors.get().pk)})
    data["edit_version"] = str(result.edit_version)
    assert client.post(f"/results/{result.slug}/edit/", data).status_code == 302
    assert result.authors.get().profile == person.researcher_profile  # the link is kept


# --- Team invitations -----------------------------------------------------------------------------------------------


@pytest.fixture
def draft(open_call, researcher):
    return ProposalFactory(call=open_call, lead=researcher, title="Older tenants")


def test_a_team_invitation_answers_the_same_whether_or_not_the_address_has_an_account(client, draft, researcher):
    person = private_researcher(is_public=False)
    client.force_login(researcher)
    known, unknown = answers(
        client,
        f"/proposals/{draft.pk}/team/",
        lambda address: {"email": address, "name": "Cora Colleague", "role": "co_applicant"},
        [person.email, UNKNOWN_EMAIL],
    )
    assert known == unknown and known[0] == 200
    assert "Privatova" not in known[1] and SECRET not in known[1]


def test_accepting_a_team_invitation_brings_only_what_the_person_shows_or_chooses(client, draft, researcher):
    person = private_researcher()
    member = TeamMember.objects.create(proposal=draft, email=person.email, name="Paula")
    client.force_login(person)
    page = client.get(f"/proposals/invitations/{member.token}/").content.decode()
    assert SECRET in page  # offered to its owner, unticked
    assert client.post(f"/proposals/invitations/{member.token}/", {"answer": "accept"}).status_code == 302
    member.refresh_from_db()
    assert member.status == TeamMember.Status.ACCEPTED and member.affiliation == "" and member.organisation is None
    client.force_login(researcher)
    assert SECRET not in client.get(f"/proposals/{draft.pk}/team/").content.decode()


def test_a_team_member_may_choose_to_bring_a_hidden_affiliation(client, draft):
    person = private_researcher()
    member = TeamMember.objects.create(proposal=draft, email=person.email, name="Paula")
    client.force_login(person)
    client.post(f"/proposals/invitations/{member.token}/", {"answer": "accept", "share": ["affiliation"]})
    member.refresh_from_db()
    assert member.affiliation == SECRET


def test_an_award_publishes_no_affiliation_the_lead_keeps_to_themselves(client, open_call, city):
    """The lead's team row took their profile's affiliation for the city; the public partnership page does not."""
    from calls.services.proposals import proposal_start
    from calls.services.reviews import call_decide
    from tests.calls.award_helpers import ready_to_award

    lead = private_researcher()
    proposal = proposal_start(call=open_call, by=lead, title="Older tenants")
    assert proposal.team.get().affiliation == SECRET  # the lead's own proposal, read by the city
    submit_for_tests(proposal)
    ready_to_award(open_call, [proposal], official=city[1])
    call_decide(call=open_call, by=city[1], award=[proposal], message="Congratulations!")
    partnership = Partnership.objects.get()
    assert SECRET not in client.get(partnership.get_absolute_url()).content.decode()
    assert SECRET not in client.get(f"/api/v1/partnerships/{partnership.slug}").content.decode()


# --- Reviewer assignment --------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Older tenants")
    submit_for_tests(proposal)
    return proposal


def reviewer_post(proposal):
    return lambda address: {"proposal": proposal.pk, "action": "assign", f"p{proposal.pk}-reviewer_email": address}


def test_assigning_a_reviewer_answers_the_same_whether_or_not_the_address_has_an_account(
    client, open_call, city, submitted
):
    person = private_researcher(is_public=False)
    unverified = UserFactory(email="unverified@example.org", verified_email=False)
    client.force_login(city[1])
    url = f"/calls/{open_call.pk}/manage/"
    known, unverified_answer, unknown = answers(
        client, url, reviewer_post(submitted), [person.email, unverified.email, UNKNOWN_EMAIL]
    )
    assert known == unknown == unverified_answer
    assert known[0] == 200 and "We will email ADDRESS an invitation to review" in known[1]
    assert "Privatova" not in known[1] and person.display_name not in known[1]


def test_a_conflict_from_a_hidden_affiliation_is_not_told_to_the_city(client, open_call, city, submitted, researcher):
    """The lead and the reviewer share an institute the reviewer keeps to themselves: the city learns nothing,
    the reviewer cannot declare "no conflict"."""
    person = private_researcher()
    lead_profile = researcher.researcher_profile
    lead_profile.affiliation = person.researcher_profile.affiliation
    lead_profile.save()
    client.force_login(city[1])
    response = client.post(f"/calls/{open_call.pk}/manage/", reviewer_post(submitted)(person.email), follow=True)
    content = response.content.decode()
    assert response.status_code == 200 and "We will email" in content and SECRET not in content
    assignment = ReviewAssignment.objects.get()
    client.force_login(person)
    refused = client.post(f"/reviews/{assignment.pk}/declare/", {"answer": "no_conflict"})
    assert refused.status_code == 400 and "conflict of interest" in refused.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.INVITED


# --- Partnership members --------------------------------------------------------------------------------------------


def partnership_post(city):
    def data(address):
        return {
            "title": "Evictions monitor",
            "city": city.pk,
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "30",
            "members-0-email": address,
            "members-0-name": "Mo Member",
            "members-0-side": "research",
        }

    return data


def test_registering_a_member_answers_the_same_whether_or_not_the_address_has_an_account(client, coordinator, city):
    person = private_researcher(is_public=False)
    client.force_login(coordinator)
    known, unknown = answers(
        client, "/partnerships/register/", partnership_post(city[0]), [person.email, UNKNOWN_EMAIL]
    )
    assert known == unknown and known[0] == 200
    assert "Privatova" not in known[1] and SECRET not in known[1]


def test_a_registered_member_joins_only_by_answering_the_invitation(
    client, coordinator, city, django_capture_on_commit_callbacks
):
    person = private_researcher(is_public=False)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/partnerships/register/", partnership_post(city[0])(person.email))
    partnership = Partnership.objects.get()
    member = partnership.members.get()
    assert member.user is None and member.invited_email == person.email
    assert [m.to for m in mail.outbox] == [[person.email]]
    client.force_login(person)
    assert client.get(partnership.get_workspace_url()).status_code == 404
    assert "You are invited to join" in client.get("/dashboard/").content.decode()
    response = client.post(f"/partnerships/join/{member.token}/", {"answer": "accept"})
    assert response.status_code == 302
    assert client.get(partnership.get_workspace_url()).status_code == 200
