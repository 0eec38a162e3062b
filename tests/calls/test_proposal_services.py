"""Proposal services: starting, saving drafts, attachments, submitting and withdrawing, with their refusals."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from calls.factories import make_call
from calls.models import Proposal, ProposalVersion, ResearchCall, TeamMember
from calls.services import proposals as services
from hub.models import Country, Language
from profiles.factories import OrganisationFactory, ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, User

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FILLED = {
    "title": "Older tenants and the right to housing",
    "summary": "We map housing conditions of older tenants with them.",
    "methodology": "Participatory action research with tenant associations.",
    "participation_plan": "Tenants co-design the survey and interpret results.",
    "data_management_plan": "Pseudonymised, stored in the EU, deleted after five years.",
    "ethics": "University ethics board approval.",
    "budget": Decimal("30000"),
}


def pdf(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def lead(db):
    university = OrganisationFactory(name="University of Graz")
    profile = ResearcherProfileFactory(user__email="lead@example.org", affiliation=university)
    profile.languages.set(Language.objects.filter(code__in=["de", "en"]))
    return profile.user


@pytest.fixture
def colleague(db):
    university = OrganisationFactory(name="Universidad de Antioquia", country=Country.objects.get(code="CO"))
    profile = ResearcherProfileFactory(user__email="colega@example.org", affiliation=university)
    profile.languages.set(Language.objects.filter(code__in=["es"]))
    return profile.user


@pytest.fixture
def draft(open_call, lead):
    return services.proposal_start(call=open_call, by=lead, title="Older tenants")


@pytest.fixture
def filled(draft, lead):
    return services.proposal_save_draft(proposal=draft, by=lead, data=FILLED, edit_version=draft.edit_version)


def join(proposal, lead, user, email=None):
    member = services.team_invite(
        proposal=proposal, by=lead, email=email or user.email, name=user.display_name, role="co_applicant"
    )
    return services.team_respond(member=member, user=user, accept=True)


def move_deadline(call: ResearchCall, delta: dt.timedelta) -> ResearchCall:
    ResearchCall.objects.filter(pk=call.pk).update(closes_at=timezone.now() + delta)
    return ResearchCall.objects.get(pk=call.pk)


# Starting


def test_lead_is_on_the_team_with_facts_from_their_profile(draft, lead):
    member = draft.team.get()
    assert member.user == lead and member.role == TeamMember.Role.LEAD and member.status == "accepted"
    assert member.affiliation == "University of Graz"
    assert member.country.code == "AT"
    assert sorted(member.languages.values_list("code", flat=True)) == ["de", "en"]
    assert draft.stage == Proposal.Stage.FULL and draft.status == Proposal.Status.DRAFT


def test_starting_twice_returns_the_same_draft(open_call, lead, draft):
    assert services.proposal_start(call=open_call, by=lead, title="Another") == draft
    assert Proposal.objects.filter(call=open_call).count() == 1


def test_organisation_account_cannot_lead_and_is_told_to_switch(open_call):
    user = UserFactory(account_type=User.AccountType.ORGANISATION)
    with pytest.raises(PermissionDenied, match="Switch your account to researcher"):
        services.proposal_start(call=open_call, by=user, title="X")


def test_unverified_email_cannot_start(open_call):
    user = UserFactory(verified_email=False)
    with pytest.raises(PermissionDenied, match="Confirm your email"):
        services.proposal_start(call=open_call, by=user, title="X")


def test_closed_call_refuses_new_proposals(open_call, lead):
    call = move_deadline(open_call, -dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="does not accept proposals"):
        services.proposal_start(call=call, by=lead, title="X")


def test_two_stage_call_starts_with_a_concept_note(city, lead):
    organisation, _ = city
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        title="Two stages",
        two_stage=True,
        full_proposal_closes_at=timezone.now() + dt.timedelta(days=60),
    )
    proposal = services.proposal_start(call=call, by=lead, title="Concept")
    assert proposal.stage == Proposal.Stage.CONCEPT


# Drafts


def test_budget_outside_the_range_is_refused_and_nothing_saved(draft, lead):
    with pytest.raises(ValidationError) as error:
        services.proposal_save_draft(
            proposal=draft, by=lead, data={**FILLED, "budget": Decimal("90000")}, edit_version=draft.edit_version
        )
    assert "The budget must be between 10,000 and 50,000 EUR." in error.value.message_dict["budget"]
    draft.refresh_from_db()
    assert draft.summary == "" and draft.budget is None


def test_someone_outside_the_team_cannot_save(draft):
    with pytest.raises(PermissionDenied):
        services.proposal_save_draft(proposal=draft, by=UserFactory(), data=FILLED, edit_version=draft.edit_version)


def test_milestones_beyond_the_call_duration_are_refused(draft, lead):
    with pytest.raises(ValidationError):
        services.proposal_save_draft(
            proposal=draft,
            by=lead,
            data=FILLED,
            milestones=[{"title": "Late", "month": 13, "description": ""}],
            edit_version=draft.edit_version,
        )
    services.proposal_save_draft(
        proposal=draft,
        by=lead,
        data=FILLED,
        milestones=[{"title": "Survey", "month": 3, "description": ""}],
        edit_version=draft.edit_version,
    )
    assert list(draft.milestones.values_list("month", flat=True)) == [3]


# Attachments


def test_pdf_is_attached(draft, lead):
    attachment = services.attachment_add(proposal=draft, by=lead, upload=pdf())
    assert attachment.original_name == "plan.pdf" and attachment.size == len(PDF)
    assert attachment.file.read().startswith(b"%PDF-")


@pytest.mark.parametrize("content", [b"MZ\x90\x00\x03" + b"\x00" * 200, b"\x7fELF\x02\x01\x01" + b"\x00" * 200])
def test_executable_renamed_pdf_is_refused(draft, lead, content):
    with pytest.raises(ValidationError, match="is not a PDF"):
        services.attachment_add(proposal=draft, by=lead, upload=pdf("report.pdf", content))
    assert not draft.attachments.exists()


def test_fifty_megabyte_pdf_is_refused_with_the_limit(draft, lead):
    big = pdf("huge.pdf", PDF + b"0" * (50 * 1024 * 1024))
    with pytest.raises(ValidationError, match="at most 10"):
        services.attachment_add(proposal=draft, by=lead, upload=big)


def test_at_most_ten_attachments(draft, lead):
    for n in range(services.MAX_ATTACHMENTS):
        services.attachment_add(proposal=draft, by=lead, upload=pdf(f"{n}.pdf"))
    with pytest.raises(ValidationError, match="at most 10 attachments"):
        services.attachment_add(proposal=draft, by=lead, upload=pdf("eleven.pdf"))


def test_removed_attachment_stays_in_the_earlier_version(filled, lead):
    attachment = services.attachment_add(proposal=filled, by=lead, upload=pdf())
    services.proposal_submit(proposal=filled, by=lead)
    services.proposal_withdraw(proposal=filled, by=lead)
    services.attachment_remove(attachment=attachment, by=lead)
    services.proposal_submit(proposal=filled, by=lead)
    first, second = filled.versions.order_by("number")
    assert [a["name"] for a in first.content["attachments"]] == ["plan.pdf"]
    assert second.content["attachments"] == []
    attachment.refresh_from_db()
    assert attachment.removed and attachment.file.storage.exists(attachment.file.name)


# Submitting


def test_submit_freezes_version_one(filled, lead):
    version = services.proposal_submit(proposal=filled, by=lead)
    filled.refresh_from_db()
    assert version.number == 1 and filled.status == Proposal.Status.SUBMITTED and filled.submitted_at
    assert version.content["summary"] == FILLED["summary"]
    assert version.content["team"][0]["name"] == lead.display_name


def test_submitted_proposal_can_no_longer_be_changed(filled, lead):
    services.proposal_submit(proposal=filled, by=lead)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.proposal_save_draft(
            proposal=filled, by=lead, data={**FILLED, "title": "Changed"}, edit_version=filled.edit_version
        )
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.attachment_add(proposal=filled, by=lead, upload=pdf())


def test_submit_lists_every_missing_field(draft, lead):
    with pytest.raises(ValidationError) as error:
        services.proposal_submit(proposal=draft, by=lead)
    text = " ".join(error.value.messages)
    assert "a summary" in text and "participation plan" in text and "data management" in text
    assert "budget" in text
    assert not ProposalVersion.objects.exists()


def test_only_the_lead_submits(filled, lead, colleague):
    join(filled, lead, colleague)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(proposal=filled, by=colleague)


def test_submit_after_the_deadline_is_refused_with_the_local_deadline(filled, lead):
    call = filled.call
    closes = dt.datetime(2026, 3, 15, 11, 0, tzinfo=dt.UTC)  # 12:00 in Vienna (CET, before summer time)
    ResearchCall.objects.filter(pk=call.pk).update(closes_at=closes, opens_at=closes - dt.timedelta(days=30))
    with pytest.raises(ValidationError) as error:
        services.proposal_submit(proposal=filled, by=lead)
    assert "The deadline was 15 March 2026, 12:00 (Europe/Vienna)" in error.value.messages[0]


def test_submit_refused_when_the_deadline_passed_after_the_page_was_loaded(filled, lead):
    proposal = Proposal.objects.get(pk=filled.pk)  # loaded while the call is open
    move_deadline(filled.call, -dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="The deadline was .* \\(Europe/Vienna\\)"):
        services.proposal_submit(proposal=proposal, by=lead)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT and not proposal.versions.exists()


def test_cross_border_call_refuses_a_one_country_team_until_a_colleague_accepts(filled, lead, colleague):
    ResearchCall.objects.filter(pk=filled.call_id).update(cross_border=ResearchCall.CrossBorder.REQUIRED)
    filled = Proposal.objects.get(pk=filled.pk)
    with pytest.raises(ValidationError, match="Add a team member from another country"):
        services.proposal_submit(proposal=filled, by=lead)
    member = services.team_invite(proposal=filled, by=lead, email=colleague.email, name="Ana", role="co_applicant")
    with pytest.raises(ValidationError, match="another country"):  # a pending invitation does not count
        services.proposal_submit(proposal=filled, by=lead)
    services.team_respond(member=member, user=colleague, accept=True)
    assert services.proposal_submit(proposal=filled, by=lead).number == 1


def test_required_language_is_met_by_a_colleague_profile(filled, lead, colleague):
    call = filled.call
    call.required_languages.set(Language.objects.filter(code="es"))
    call.save()  # a ParentalManyToManyField is stored when the page is saved
    with pytest.raises(ValidationError, match="Nobody in the team has declared Spanish"):
        services.proposal_submit(proposal=filled, by=lead)
    join(filled, lead, colleague)
    assert services.proposal_submit(proposal=filled, by=lead).number == 1


def test_withdraw_and_resubmit_makes_version_two(filled, lead):
    services.proposal_submit(proposal=filled, by=lead)
    services.proposal_withdraw(proposal=filled, by=lead)
    filled.refresh_from_db()
    assert filled.status == Proposal.Status.WITHDRAWN and filled.is_editable
    assert filled.versions.get(number=1).is_withdrawn
    services.proposal_save_draft(
        proposal=filled, by=lead, data={**FILLED, "summary": "Sharper summary."}, edit_version=filled.edit_version
    )
    version = services.proposal_submit(proposal=filled, by=lead)
    assert version.number == 2 and version.content["summary"] == "Sharper summary."


def test_withdraw_after_the_deadline_is_refused(filled, lead):
    services.proposal_submit(proposal=filled, by=lead)
    move_deadline(filled.call, -dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="The deadline was"):
        services.proposal_withdraw(proposal=filled, by=lead)


def test_answer_to_an_information_request_may_come_after_the_deadline(filled, lead):
    services.proposal_submit(proposal=filled, by=lead)
    Proposal.objects.filter(pk=filled.pk).update(
        status=Proposal.Status.INFO_REQUESTED, info_request="Add the consent forms."
    )
    move_deadline(filled.call, -dt.timedelta(days=1))
    proposal = Proposal.objects.get(pk=filled.pk)
    services.proposal_save_draft(
        proposal=proposal,
        by=lead,
        data={**FILLED, "ethics": "Consent forms attached."},
        edit_version=proposal.edit_version,
    )
    version = services.proposal_submit(proposal=proposal, by=lead)
    proposal.refresh_from_db()
    assert version.number == 2 and proposal.status == Proposal.Status.SUBMITTED


def test_invited_concept_is_submitted_as_full_proposal_by_the_second_deadline(city, lead):
    organisation, _ = city
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        title="Two stages",
        two_stage=True,
        full_proposal_closes_at=timezone.now() + dt.timedelta(days=60),
    )
    proposal = services.proposal_start(call=call, by=lead, title="Concept")
    services.proposal_save_draft(proposal=proposal, by=lead, data=FILLED, edit_version=proposal.edit_version)
    concept = services.proposal_submit(proposal=proposal, by=lead)
    assert concept.stage == Proposal.Stage.CONCEPT
    ResearchCall.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(days=1))
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.INVITED)
    proposal = Proposal.objects.get(pk=proposal.pk)
    full = services.proposal_submit(proposal=proposal, by=lead)
    proposal.refresh_from_db()
    assert full.number == 2 and full.stage == Proposal.Stage.FULL and proposal.stage == Proposal.Stage.FULL
