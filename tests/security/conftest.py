"""Shared fixtures of the attack suite.

``access_world`` builds, once per test module, the private objects of every type with their rightful owners and
the people who attack them (see ``tests/security/access_matrix.py``). It lives in one transaction that is rolled
back when the module ends, and every test runs in a savepoint inside it, so the tests stay independent and fast.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

import pytest

from hub import bulk

# Issue 18 adds a team member of another proposal of the call and a reviewer of another call of the same city.
ACTORS = (
    "anonymous",
    "other_researcher",
    "other_city_official",
    "other_proposal_reviewer",
    "other_team_member",
    "other_call_reviewer",
)


@dataclass
class AccessWorld:
    """Objects by name (for the table's URL templates), users by role, and the marker of each private object."""

    objects: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    markers: dict = field(default_factory=dict)
    seen: dict = field(default_factory=dict)  # responses by (user pk, path): the world never changes

    def url(self, template: str) -> str:
        return template.format(**self.objects)


def _marker(kind: str) -> str:
    """A lower-case word no real text contains (safe in slugs, search queries and CSV cells)."""
    return f"zq{kind.replace('_', '')}xv"


def _pdf(marker: str) -> bytes:
    return f"%PDF-1.4\n% {marker}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".encode()


def _with_second_factor(user):
    """Coordinators and superusers must have an authenticator app before the site lets them in."""
    from profiles.mfa import totp_activate

    totp_activate(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def build_access_world() -> AccessWorld:
    """Two verified cities, a call with two proposals and their reviewers, a partnership, and one private object per
    type, each carrying its own marker word (and the public twins that prove a listing would show such objects)."""
    from wagtail.log_actions import log

    from calls.factories import ProposalFactory, make_call, submit_for_tests
    from calls.models import MetaReview, ProposalFlag, ResearchCall, TeamMember
    from calls.services import proposals as proposal_services
    from calls.services.dialogue import comment_post
    from calls.services.reviewer_matching import bids_save
    from calls.services.reviews import review_assign, review_declare, review_submit
    from profiles.factories import (
        CityOrganisationFactory,
        MembershipFactory,
        OrganisationFactory,
        ResearcherProfileFactory,
        UserFactory,
    )
    from profiles.models import CityPage, Membership, User, Visibility
    from profiles.notify import notify
    from profiles.services import COORDINATORS_GROUP, membership_request, organisation_verify
    from projects.factories import PartnershipFactory, add_member
    from projects.models import Dataset, PartnershipMember, Result, ResultFile
    from projects.services import lifecycle as lifecycle_services
    from projects.services import versions as version_services
    from projects.services.workspace import document_create

    world = AccessWorld()
    m = world.markers
    for kind in (
        "proposal",
        "proposal_attachment",
        "proposal_version",
        "review",
        "workspace_file",
        "dataset_on_request",
        "draft_call",
        "draft_result",
        "membership_request",
        "personal_data_export",
        "person_lookup",
        "partnership_report",
        "partnership_agreement",
        "moderation_report",
        "meta_review",
        "proposal_flag",
        "proposal_comment",
        "comment_attachment",
        "notification",
        "members_only_deliverable",
        "embargoed_result_version",
        "dataset_version_file",
        "pending_dataset_version",
        "team_comment",
        "team_comment_attachment",
        "review_bid",
    ):
        m[kind] = _marker(kind)
    m["published_call"], m["published_result"], m["dataset_title"] = "zqtwincallxv", "zqtwinresultxv", "zqtwindataxv"
    m["public_deliverable"] = "zqtwindeliverablexv"
    m["search_word"] = "quokkaridge"  # every private text and every public twin contains it

    coordinator = UserFactory(email="sec-coordinator@example.org", account_type=User.AccountType.ORGANISATION)
    coordinator.groups.add(Group.objects.get(name=COORDINATORS_GROUP))

    def city(name: str):
        organisation = CityOrganisationFactory(name=f"City of {name}", city=name)
        official = UserFactory(email=f"sec-official.{name.lower()}@example.org", account_type="organisation")
        MembershipFactory(user=official, organisation=organisation, role="admin", status="approved")
        organisation = organisation_verify(organisation=organisation, by=coordinator)
        return organisation, User.objects.get(pk=official.pk)

    def researcher(email: str, **profile):
        return ResearcherProfileFactory(user__email=email, **profile).user

    city_a, official_a = city("Secura")
    _city_b, official_b = city("Othera")
    page_a = CityPage.objects.get(organisation=city_a)
    word = m["search_word"]

    # A published call of city A (the public twin of the draft call) with two submitted proposals.
    call = make_call(city_page=page_a, title=f"Housing {word} {m['published_call']}")
    lead, other_lead = researcher("sec-lead@example.org"), researcher("sec-other-lead@example.org")
    proposal = ProposalFactory(
        call=call,
        lead=lead,
        title=f"Older tenants {word} {m['proposal']}",
        summary=f"We map housing with tenants, {word} {m['proposal_version']}.",
    )
    attachment = proposal_services.attachment_add(
        proposal=proposal,
        by=lead,
        upload=SimpleUploadedFile(
            f"{m['proposal_attachment']}.pdf", _pdf(m["proposal_attachment"]), content_type="application/pdf"
        ),
    )
    submit_for_tests(proposal)
    other_proposal = ProposalFactory(call=call, lead=other_lead, title="Water access of informal settlements")
    other_member = researcher("sec-other-member@example.org")
    TeamMember.objects.create(
        proposal=other_proposal,
        user=other_member,
        email=other_member.email,
        name="Olga Other",
        role=TeamMember.Role.CO_APPLICANT,
        status=TeamMember.Status.ACCEPTED,
    )
    submit_for_tests(other_proposal)

    reviewer, other_reviewer = researcher("sec-reviewer@example.org"), researcher("sec-other-reviewer@example.org")
    review = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official_a)
    review_declare(assignment=review, by=reviewer, has_conflict=False)
    review = review_submit(
        assignment=review,
        by=reviewer,
        scores={c.pk: 4 for c in call.criteria.all()},
        comments=f"Convincing plan {word} {m['review']}.",
    )
    other_review = review_assign(proposal=other_proposal, reviewer_email=other_reviewer.email, by=official_a)
    review_declare(assignment=other_review, by=other_reviewer, has_conflict=False)
    # A reviewer of another call of city A.
    second_call = make_call(city_page=page_a, title="Access to justice")
    second_proposal = ProposalFactory(
        call=second_call, lead=researcher("sec-second-lead@example.org"), title="Legal aid desks"
    )
    submit_for_tests(second_proposal)
    other_call_reviewer = researcher("sec-other-call-reviewer@example.org")
    second_review = review_assign(proposal=second_proposal, reviewer_email=other_call_reviewer.email, by=official_a)
    review_declare(assignment=second_review, by=other_call_reviewer, has_conflict=False)
    # The reviewer's bid on the other proposal. A bid has no text: its marker is the owner's checked choice as the
    # bids page renders it (the positive control proves the page shows it so).
    bids_save(call=call, by=reviewer, levels={other_proposal.pk: "eager"})
    m["review_bid"] = f'name="bid-{other_proposal.pk}" value="eager" id="id_bid-{other_proposal.pk}_1" checked'
    # The panel (issue 18 §4–5): the meta-review of the proposal, and a flag the city's official shared with the city.
    MetaReview.objects.create(
        proposal=proposal,
        author=official_a,
        summary=f"The panel agrees {word} {m['meta_review']}.",
        recommendation="fund",
    )
    ProposalFlag.objects.create(
        proposal=proposal, owner=official_a, label=f"check {m['proposal_flag']}", note=f"{word}", shared=True
    )
    # Issue 18 §3: an internal comment of the city with a PDF, and a notification of the lead.
    comment = comment_post(
        proposal=proposal,
        by=official_a,
        body=f"Internal remark {word} {m['proposal_comment']}.",
        visibility="internal",
        upload=SimpleUploadedFile(
            f"{m['comment_attachment']}.pdf", _pdf(m["comment_attachment"]), content_type="application/pdf"
        ),
    )
    notify(lead, kind="test", message=f"A new comment {word} {m['notification']}", url="", email=False)
    # The other end of the audiences: a team-only comment of the lead, with a PDF.
    team_comment = comment_post(
        proposal=proposal,
        by=lead,
        body=f"Team note {word} {m['team_comment']}.",
        visibility="team",
        upload=SimpleUploadedFile(
            f"{m['team_comment_attachment']}.pdf", _pdf(m["team_comment_attachment"]), content_type="application/pdf"
        ),
    )

    # A draft call of city A, never published, waiting in the city's moderation workflow.
    draft_call = make_call(city_page=page_a, title=f"Draft {word} {m['draft_call']}", publish=False)
    draft_call.get_workflow().start(draft_call, official_a)
    # Locked by its official too, so that the admin's locked pages report lists it (ADMIN_REPORTS).
    ResearchCall.objects.filter(pk=draft_call.pk).update(locked=True, locked_by=official_a, locked_at=timezone.now())

    # A public partnership of city A: a workspace file, a draft result, an on-request dataset.
    member = researcher("sec-member@example.org")
    partnership = PartnershipFactory(title="Secura housing monitor", slug="secura-housing-monitor", city=city_a)
    add_member(partnership, member, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, official_a, side=PartnershipMember.Side.CITY, organisation=city_a)
    document = document_create(
        partnership=partnership,
        by=member,
        title=f"Interview plan {word} {m['workspace_file']}",
        upload=SimpleUploadedFile("plan.pdf", _pdf(m["workspace_file"]), content_type="application/pdf"),
    )
    # A partnership's life (issue 19): a submitted report with an attachment, and the signed agreement.
    report = lifecycle_services.report_schedule(
        partnership=partnership, by=official_a, kind="progress", due_date=timezone.localdate()
    )
    lifecycle_services.report_save(
        report=report,
        by=member,
        fields={"work_done": f"Interviews {word} {m['partnership_report']}"},
        edit_version=report.edit_version,
        submit=True,
        uploads=[SimpleUploadedFile("annex.pdf", _pdf(m["partnership_report"]), content_type="application/pdf")],
    )
    agreement = lifecycle_services.agreement_add(
        partnership=partnership,
        by=official_a,
        kind="agreement",
        title=f"Agreement {word} {m['partnership_agreement']}",
        signed_on=timezone.localdate(),
        upload=SimpleUploadedFile("agreement.pdf", _pdf(m["partnership_agreement"]), content_type="application/pdf"),
    )
    now = timezone.now()
    published_result = Result.objects.create(
        partnership=partnership,
        title=f"Report {word} {m['published_result']}",
        slug=f"report-{m['published_result']}",
        abstract="What tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=now - dt.timedelta(days=1),
    )
    draft_result = Result.objects.create(
        partnership=partnership,
        title=f"Draft brief {word} {m['draft_result']}",
        slug=f"brief-{m['draft_result']}",
        abstract=f"Not yet public {word} {m['draft_result']}.",
        status=Result.Status.DRAFT,
        created_by=member,
    )
    result_file = ResultFile(result=draft_result, original_name="brief.pdf", size=100, uploaded_by=member)
    result_file.file.save("brief.pdf", ContentFile(_pdf(m["draft_result"])), save=False)
    result_file.save()
    dataset = Dataset(
        partnership=partnership,
        title=f"Tenant interviews {word} {m['dataset_title']}",
        slug=f"tenant-interviews-{m['dataset_title']}",
        description="Answers per district; available on request.",
        access_level=Dataset.AccessLevel.ON_REQUEST,
        status=Dataset.Status.PUBLISHED,
        schema=[
            {"name": "district", "type": "string", "description": "District", "is_count": False},
            {"name": "households", "type": "integer", "description": "Households", "is_count": True},
        ],
        row_count=2,
    )
    rows = f"district,households\r\nLend,12\r\n{m['dataset_on_request']},40\r\n"
    dataset.file.save("data.csv", ContentFile(rows.encode()), save=False)
    dataset.save()

    # Issue 19 §1: a members-only deliverable, beside a public one (the twin that proves the page, the API and the
    # exports list deliverables).
    for kind, is_public in (("public_deliverable", True), ("members_only_deliverable", False)):
        deliverable = lifecycle_services.deliverable_add(
            partnership=partnership,
            by=member,
            data={
                "title": f"Deliverable {word} {m[kind]}",
                "description": f"What it is {m[kind]}.",
                "due_date": timezone.localdate(),
                "is_public": is_public,
            },
        )
    members_only_deliverable = deliverable
    # Issue 19 §2: versions that are not public. A published result under embargo has its version 1 (the team reads
    # it; nobody else before the embargo ends). A dataset on request has an older file (version 1, the marker in its
    # rows) behind the current one, and a new file waiting for the team's confirmation (the marker in a new column).
    embargoed_result = Result.objects.create(
        partnership=partnership,
        title=f"Embargoed brief {word} {m['embargoed_result_version']}",
        slug=f"brief-{m['embargoed_result_version']}",
        abstract=f"Not public before the embargo ends {word} {m['embargoed_result_version']}.",
        status=Result.Status.PUBLISHED,
        published_at=now - dt.timedelta(days=1),
        embargo_until=timezone.localdate() + dt.timedelta(days=90),
        created_by=member,
    )
    version_services.result_version_create(result=embargoed_result, by=member)
    versioned_dataset = Dataset(
        partnership=partnership,
        title=f"Tenant files {word}",
        slug="tenant-files-by-year",
        description="One file per year; available on request.",
        access_level=Dataset.AccessLevel.ON_REQUEST,
        status=Dataset.Status.PUBLISHED,
        schema=dataset.schema,
        row_count=2,
        version_number=1,
    )
    first = f"district,households\r\nLend,12\r\n{m['dataset_version_file']},40\r\n"
    versioned_dataset.file.save("data.csv", ContentFile(first.encode()), save=False)
    versioned_dataset.save()
    version_services.dataset_first_version(dataset=versioned_dataset, by=member)

    def new_file(text: str, note: str):
        upload = SimpleUploadedFile("data.csv", text.encode(), content_type="text/csv")
        return version_services.dataset_version_upload(dataset=versioned_dataset, by=member, upload=upload, note=note)

    version_services.dataset_version_confirm(
        version=new_file("district,households\r\nLend,14\r\nGries,41\r\n", "The 2025 file."), by=member
    )
    pending_dataset_version = new_file(
        f"district,households,{m['pending_dataset_version']}\r\nLend,15,1\r\nGries,44,2\r\n",
        f"Adds a column {m['pending_dataset_version']}.",
    )

    # A membership request to city A, and a researcher whose hidden bio only their own export shows.
    # The requester has no public profile, so their name and address (both with the marker) are private too.
    requester = UserFactory(
        email=f"{m['membership_request']}@example.org",
        first_name="Zora",
        last_name=m["membership_request"],
        account_type=User.AccountType.ORGANISATION,
    )
    membership = membership_request(
        user=requester, organisation=city_a, message=f"Please add me {word} {m['membership_request']}"
    )
    # A coordinator's edit in the admin puts it in the audit log (the site history report of ADMIN_REPORTS).
    log(instance=membership, action="wagtail.edit", user=coordinator)
    # The exporter's address (in the admin's user list) and hidden bio are private; their name is public.
    exporter = researcher(
        f"{m['personal_data_export']}@example.org",
        bio=f"Private notes {word} {m['personal_data_export']}",
        bio_visibility=Visibility.HIDDEN,
    )

    # People the person lookups must not reveal (tests/security/access_matrix.py, LOOKUPS): an unlisted researcher
    # whose ORCID iD is public on the unlisted profile, and a listed one who hides their ORCID iD; both keep their
    # affiliation to themselves. The marker is in the hidden affiliation and in the unlisted researcher's name.
    hidden_institute = OrganisationFactory(
        name=f"Institute {m['person_lookup']}", slug=f"institute-{m['person_lookup']}"
    )
    private = {"affiliation": hidden_institute, "affiliation_visibility": Visibility.HIDDEN}
    unlisted_target = researcher(
        "sec-unlisted@example.org",
        user__first_name="Quiet",
        user__last_name=m["person_lookup"],
        is_public=False,
        orcid="0000-0003-1415-9269",
        orcid_visibility=Visibility.PUBLIC,
        **private,
    )
    listed_target = researcher(
        "sec-listed@example.org", orcid="0000-0002-7182-8185", orcid_visibility=Visibility.HIDDEN, **private
    )
    # A lead with a draft to invite co-applicants to (the lookups' own attacker: no one else's objects change).
    lookup_lead = researcher("sec-lookup-lead@example.org")
    lookup_proposal = ProposalFactory(call=call, lead=lookup_lead, title="Lookup probe draft")

    # A public research need with a comment, and a private report of the comment (issue 19 §4).
    from projects.services import needs as need_services

    reporter = researcher("sec-reporter@example.org")
    need = need_services.need_create(
        by=reporter, city=city_a, title=f"Evictions {word}", situation="Older tenants.", missing_evidence="Numbers."
    )
    need_comment, _new = need_services.comment_add(need=need, by=lead, body=f"Public comment {word}.")
    need_services.report_create(
        obj=need_comment, by=reporter, reason="abuse", details=f"Reported because {word} {m['moderation_report']}."
    )

    world.users.update(
        {
            "reporter": reporter,
            "anonymous": None,
            "other_researcher": researcher("sec-other-researcher@example.org"),
            "other_city_official": official_b,
            "other_proposal_reviewer": other_reviewer,
            "other_team_member": other_member,
            "other_call_reviewer": other_call_reviewer,
            "lead": lead,
            "reviewer": reviewer,
            "city_official": official_a,
            "member": member,
            "requester": requester,
            "exporter": exporter,
            "unlisted_target": unlisted_target,
            "listed_target": listed_target,
            "lookup_lead": lookup_lead,
            "coordinator": _with_second_factor(User.objects.get(pk=coordinator.pk)),
            "site_admin": _with_second_factor(
                UserFactory(email="sec-admin@example.org", is_superuser=True, is_staff=True)
            ),
        }
    )
    world.objects.update(
        {
            "city": city_a,
            "city_page": page_a,
            "call": call,
            "proposal": proposal,
            "attachment": attachment,
            "review": review,
            "comment": comment,
            "team_comment": team_comment,
            "draft_call": draft_call,
            "draft_call_url": draft_call.url,
            "draft_revision": draft_call.latest_revision_id,
            "partnership": partnership,
            "document": document,
            "report": report,
            "report_attachment": report.attachments.get(),
            "agreement": agreement,
            "draft_result": draft_result,
            "published_result": published_result,
            "result_file": result_file,
            "dataset": dataset,
            "members_only_deliverable": members_only_deliverable,
            "embargoed_result": embargoed_result,
            "versioned_dataset": versioned_dataset,
            "pending_dataset_version": pending_dataset_version,
            "membership": membership,
            "membership_status": Membership.Status.REQUESTED,
            "exporter": exporter,
            "exporter_profile": exporter.researcher_profile,
            "lookup_proposal": lookup_proposal,
            "word": word,
            "need": need,
        }
    )
    return world


@pytest.fixture(scope="module")
def access_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The objects of the access matrix, built once per module and rolled back after it."""
    media = tmp_path_factory.mktemp("access-world")
    with (
        django_db_blocker.unblock(),
        # URLs are built in English whatever language an earlier test of this worker left active.
        translation.override(settings.LANGUAGE_CODE),
        override_settings(
            MEDIA_ROOT=str(media / "media"),
            PRIVATE_MEDIA_ROOT=str(media / "private-media"),
            API_ANON_RATE="100000/min",
        ),
    ):
        cache.clear()
        with transaction.atomic():
            world = build_access_world()
            bulk.build_now()  # /data/bulk.zip is built by a worker, never by the request that asks for it
            yield world
            transaction.set_rollback(True)
        cache.clear()
