"""Factories for calls, proposals and reviews; the demo content and the tests share them."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from calls.models import EvaluationCriterion, Proposal, ProposalVersion, ResearchCall, TeamMember
from calls.snapshot import proposal_snapshot
from profiles.models import CityPage

DEFAULT_CRITERIA = [
    ("Relevance to the city's human-rights priorities", 30),
    ("Quality of the methodology", 30),
    ("Participation of communities and civil society", 25),
    ("Team and feasibility", 15),
]


def make_call(
    *,
    city_page: CityPage,
    title: str = "Housing conditions of older tenants",
    opens_in: dt.timedelta = -dt.timedelta(days=7),
    closes_in: dt.timedelta = dt.timedelta(days=30),
    criteria: list[tuple[str, int]] | None = None,
    publish: bool = True,
    **fields,
) -> ResearchCall:
    """A call under ``city_page`` opening/closing relative to now, with weighted criteria; published by default."""
    now = timezone.now().replace(microsecond=0)
    fields.setdefault("summary", f"{title}: research commissioned by {city_page.title}.")
    fields.setdefault("budget_min", Decimal("10000"))
    fields.setdefault("budget_max", Decimal("50000"))
    fields.setdefault("currency", "EUR")
    fields.setdefault("live", publish)
    call = ResearchCall(title=title, opens_at=now + opens_in, closes_at=now + closes_in, **fields)
    for order, (name, weight) in enumerate(criteria or DEFAULT_CRITERIA):
        call.criteria.add(EvaluationCriterion(name=name, weight=weight, sort_order=order))
    city_page.add_child(instance=call)
    revision = call.save_revision()
    if publish:
        revision.publish()
    return ResearchCall.objects.get(pk=call.pk)


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Participatory study {n}")
    summary = "We will map the situation together with the people concerned."
    methodology = "Community-based needs assessment followed by participatory action research."
    participation_plan = "Residents co-design the survey and interpret the results in public workshops."
    data_management_plan = "Pseudonymised data, stored in the EU, deleted after five years."
    ethics = "Approved by the university's ethics board; informed consent in plain language."
    budget = Decimal("30000")

    @factory.post_generation
    def with_lead(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            profile = getattr(obj.lead, "researcher_profile", None)
            TeamMember.objects.get_or_create(
                proposal=obj,
                email=obj.lead.email,
                defaults={
                    "user": obj.lead,
                    "name": obj.lead.display_name,
                    "role": TeamMember.Role.LEAD,
                    "status": TeamMember.Status.ACCEPTED,
                    "affiliation": profile.affiliation.name if profile and profile.affiliation else "",
                    "country": profile.affiliation.country if profile and profile.affiliation else None,
                    "early_career": bool(profile and profile.is_early_career),
                },
            )


def submit_for_tests(proposal: Proposal, *, by=None, when: dt.datetime | None = None):
    """Freeze a version and mark the proposal submitted, bypassing deadline checks (test and demo set-up only)."""
    when = when or timezone.now()
    number = (proposal.versions.count() or 0) + 1
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        stage=proposal.stage,
        content=proposal_snapshot(proposal),
        submitted_by=by or proposal.lead,
        submitted_at=when,
    )
    proposal.status = Proposal.Status.SUBMITTED
    proposal.submitted_at = when
    proposal.save(update_fields=["status", "submitted_at", "updated_at"])
    return version
