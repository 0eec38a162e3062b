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

ACTORS = ("anonymous", "other_researcher", "other_city_official", "other_proposal_reviewer")


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
    from calls.models import ResearchCall
    from calls.services import proposals as proposal_services
    from calls.services.reviews import review_assign, review_declare, review_submit
    from profiles.factories import (
        CityOrganisationFactory,
        MembershipFactory,
        OrganisationFactory,
        ResearcherProfileFactory,
        UserFactory,
    )
    from profiles.models import CityPage, Membership, User, Visibility
    from profiles.services import COORDINATORS_GROUP, membership_request, organisation_verify
    from projects.factories import PartnershipFactory, add_member
    from projects.models import Dataset, PartnershipMember, Result, ResultFile
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
    ):
        m[kind] = _marker(kind)
    m["published_call"], m["published_result"], m["dataset_title"] = "zqtwincallxv", "zqtwinresultxv", "zqtwindataxv"
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

    world.users.update(
        {
            "anonymous": None,
            "other_researcher": researcher("sec-other-researcher@example.org"),
            "other_city_official": official_b,
            "other_proposal_reviewer": other_reviewer,
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
            "draft_call": draft_call,
            "draft_call_url": draft_call.url,
            "draft_revision": draft_call.latest_revision_id,
            "partnership": partnership,
            "document": document,
            "draft_result": draft_result,
            "published_result": published_result,
            "result_file": result_file,
            "dataset": dataset,
            "membership": membership,
            "membership_status": Membership.Status.REQUESTED,
            "exporter": exporter,
            "exporter_profile": exporter.researcher_profile,
            "lookup_proposal": lookup_proposal,
            "word": word,
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
