"""Issue 20: the city's desk at 1,000 and 10,000 proposals (``python -m bench --desk-proposals 1000,10000``).

For each size N, one published call of the first bench city (``bench-city-00000``, whose admin official is the
bench's ``official`` account) holding N submitted proposals: ``bench-desk-call-<N>`` (six digits), closed two weeks
ago, with the default weighted criteria, three themes, two methods and two groups. Each proposal has

- its own lead (a seeded researcher: the bench tops the researchers up to N + 1 when there are fewer), from one of
  30 countries (Spain about one in ten), early-career in about 30 % of proposals;
- one to three more team members (co-applicants, community partners, advisers; one in ten still invited), of the
  lead's country or another, early-career in about a third;
- one or two methods, a frozen first version (``calls.snapshot.proposal_snapshot``) and its "submitted" event;
- in about half of the proposals one to three review assignments by the bench's 40 desk reviewers
  (``desk.reviewer000@bench.example`` …), three in four of them submitted with a score per criterion (0–5, now and
  then not applicable), a recommendation and a confidence; the proposal is then "under review" (a few are
  shortlisted already, or have more information requested);
- screening by the official in about a fifth (one in ten of those ineligible, with a reason), and a shared flag of
  the official in about one in sixteen.

Objects are built with the apps' factories (``ProposalFactory.build``) or model constructors and saved with
``bulk_create``, ``DESK_BATCH`` proposals per transaction, printing progress. Seeding is idempotent and resumable: a
call that holds its N proposals is left alone, and a run cut short continues where the last committed batch ended.
To seed a call again, delete it (and its proposals) or use another database.
"""

import datetime as dt
import random
import time
import uuid

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from bench.seed import (
    BATCH,
    DOMAIN,
    OFFICIAL_EMAIL,
    _affiliations,
    _analyze,
    _bulk_users,
    _researcher_ids,
    _researchers,
    affiliation_count,
)
from calls import review_numbers
from calls.factories import ProposalFactory, make_call
from calls.models import (
    Proposal,
    ProposalActivity,
    ProposalFlag,
    ProposalVersion,
    ResearchCall,
    ReviewAssignment,
    ReviewScore,
    TeamMember,
)
from calls.models.panel import Recommendation
from calls.snapshot import proposal_snapshot
from hub.models import Country, GroupAtRisk, Method, Theme
from profiles.models import CityPage, User

DESK_CITY = "bench-city-00000"  # the official's city (``bench.seed.OFFICIAL_EMAIL`` is its admin)
DESK_SLUG = "bench-desk-call-{:06d}"
DESK_BATCH = 500
DESK_REVIEWERS = 40
REVIEWER_EMAIL = "desk.reviewer{:03d}@" + DOMAIN
# Leads and teams come from these countries; Spain three times (the filter: "…, Spain").
COUNTRY_CODES = [
    "ES", "ES", "ES", "FR", "DE", "IT", "PT", "AT", "NL", "BE", "SE", "PL", "GR", "RO", "IE", "GB",
    "CO", "MX", "BR", "AR", "CL", "KE", "GH", "NG", "ZA", "IN", "KR", "JP", "US", "CA",
]  # fmt: skip
TOPICS = [
    "Housing conditions of older tenants",
    "Access to clean water in informal settlements",
    "School segregation and the right to education",
    "Accessible public transport for disabled residents",
    "Evictions and the right to adequate housing",
    "Health services for undocumented migrants",
    "Heat waves and the right to health",
    "Participatory budgeting in low-income districts",
    "Digital exclusion of older residents",
    "Policing and discrimination in public space",
]
APPROACHES = ["a participatory study", "a city-wide survey", "a community audit", "a mixed-methods evaluation"]
FLAG_LABELS = ["budget check", "ethics question", "strong partnership", "needs a second opinion"]
INELIGIBLE_REASONS = ["The lead is not based in an eligible country.", "The budget exceeds the call's maximum."]


def desk_slug(size: int) -> str:
    return DESK_SLUG.format(size)


def ensure_desk(*, sizes: list[int], log) -> dict[int, int]:
    """Seed (or complete) the desk call of each size; returns the proposals created per size."""
    official = User.objects.get(email=OFFICIAL_EMAIL)
    city_page = CityPage.objects.get(organisation__slug=DESK_CITY)
    started = time.perf_counter()
    with transaction.atomic():
        reviewers = _desk_reviewers()
        leads = _desk_leads(max(sizes) + 1)
    log(
        f"  desk: {len(reviewers)} reviewers, {len(leads)} researchers to lead in {time.perf_counter() - started:.1f} s"
    )
    created = {}
    for size in sizes:
        with transaction.atomic():
            call = _desk_call(size, city_page)
        created[size] = _desk_proposals(call, size=size, official=official, reviewers=reviewers, leads=leads, log=log)
    if any(created.values()):
        _analyze()
    return created


def _desk_reviewers() -> list[tuple[int, str]]:
    """The desk reviewers' (pk, email), created once."""
    emails = [REVIEWER_EMAIL.format(i) for i in range(DESK_REVIEWERS)]
    if len(emails) != User.objects.filter(email__in=emails).count():
        _bulk_users(
            emails,
            password=make_password("bench-only-password"),
            account_type=User.AccountType.RESEARCHER,
            rng=random.Random(0),
        )
    return list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", "email"))


def _desk_leads(count: int) -> list[int]:
    """``count`` seeded researchers (by pk), topped up when the database has fewer."""
    leads = _researcher_ids(count)
    if len(leads) < count:
        _affiliations(affiliation_count(0))  # the researchers' universities (there already after ``seed.ensure``)
        _researchers(count, password=make_password("bench-only-password"), rng=random.Random(count))
        leads = _researcher_ids(count)
    return leads


def _desk_call(size: int, city_page: CityPage) -> ResearchCall:
    """The published call of that size, closed two weeks ago, tagged with vocabularies (created once)."""
    slug = desk_slug(size)
    call = ResearchCall.objects.filter(slug=slug).first()
    if call is not None:
        return call
    rng = random.Random(size)
    call = make_call(
        city_page=city_page,
        title=f"Bench desk call: {size:,} proposals on the right to adequate housing",
        slug=slug,
        opens_in=-dt.timedelta(days=120),
        closes_in=-dt.timedelta(days=14),
        early_career="open",
        early_career_share=25,
    )
    for field, column, model, per_call in [
        ("themes", "theme_id", Theme, 3),
        ("methods", "method_id", Method, 2),
        ("groups", "groupatrisk_id", GroupAtRisk, 2),
    ]:
        choices = list(model.objects.order_by("pk").values_list("pk", flat=True))
        through = getattr(ResearchCall, field).through
        through.objects.bulk_create(
            [
                through(researchcall_id=call.pk, **{column: pk})
                for pk in rng.sample(choices, min(per_call, len(choices)))
            ],
            ignore_conflicts=True,
        )
    return call


def _desk_proposals(call: ResearchCall, *, size: int, official: User, reviewers, leads: list[int], log) -> int:
    existing = Proposal.objects.filter(call=call).count()
    if existing >= size:
        log(f"  desk {size:,}: {existing:,} proposals already; skipped.")
        return 0
    used = set(Proposal.objects.filter(call=call).values_list("lead_id", flat=True))
    free = [pk for pk in leads[1:] if pk not in used]  # researcher000000's own proposal is elsewhere
    people = {
        pk: (email, f"{first} {last}".strip() or email, affiliation or "")
        for pk, email, first, last, affiliation in User.objects.filter(pk__in=leads).values_list(
            "pk", "email", "first_name", "last_name", "researcher_profile__affiliation__name"
        )
    }
    world = _World(
        call=call,
        official=official,
        reviewers=reviewers,
        people=people,
        pool=leads,
        countries=dict(Country.objects.filter(code__in=COUNTRY_CODES).values_list("code", "pk")),
        methods=list(Method.objects.order_by("pk").values_list("pk", flat=True)),
        criteria=list(call.criteria.order_by("sort_order").values_list("pk", flat=True)),
    )
    started = time.perf_counter()
    created = 0
    for start in range(existing, size, DESK_BATCH):
        end = min(start + DESK_BATCH, size)
        with transaction.atomic():
            created += _batch(world, numbers=range(start, end), leads=free[created : created + end - start])
        log(
            f"  desk {size:,}: {end:,} / {size:,} proposals "
            f"({time.perf_counter() - started:.0f} s, {created / max(time.perf_counter() - started, 0.001):.0f}/s)"
        )
    return created


class _World:
    """What every batch of one call draws from."""

    def __init__(self, *, call, official, reviewers, people, pool, countries, methods, criteria):
        self.call = call
        self.official = official
        self.reviewers = reviewers
        self.people = people
        self.pool = pool
        self.countries = [countries[code] for code in COUNTRY_CODES if code in countries] or [None]
        self.methods = methods
        self.criteria = criteria


def _batch(world: _World, *, numbers: range, leads: list[int]) -> int:
    """One batch of proposals with their teams, methods, versions, events, reviews, screening and flags."""
    call, official = world.call, world.official
    rng = random.Random(f"desk-{call.slug}-{numbers.start}")
    now = timezone.now()
    closes_at = call.closes_at
    plans: dict[int, dict] = {}
    proposals = []
    for number, lead in zip(numbers, leads, strict=True):
        reviews = rng.choice([1, 1, 2, 2, 3]) if rng.random() < 0.5 else 0
        status = Proposal.Status.UNDER_REVIEW if reviews else Proposal.Status.SUBMITTED
        roll = rng.random()
        if reviews and roll < 0.03:
            status = Proposal.Status.SHORTLISTED
        elif roll > 0.99:
            status = Proposal.Status.INFO_REQUESTED
        screening = rng.random()
        screened = screening < 0.2
        ineligible = screening < 0.02
        proposals.append(
            ProposalFactory.build(
                call=call,
                lead_id=lead,
                stage=Proposal.Stage.FULL,
                status=status,
                title=f"{rng.choice(TOPICS)}: {rng.choice(APPROACHES)} ({number + 1:05d})",
                summary="What we will find out with the people concerned, and why it matters for their rights. " * 3,
                methodology="Mixed methods: a survey, focus groups with residents and document analysis. " * 4,
                budget=rng.randint(10, 50) * 1000,
                submitted_at=closes_at - dt.timedelta(hours=rng.randint(1, 24 * 40)),
                info_request="Please add the letters of support." if status == Proposal.Status.INFO_REQUESTED else "",
                screening=(
                    Proposal.Screening.INELIGIBLE
                    if ineligible
                    else Proposal.Screening.ELIGIBLE
                    if screened
                    else Proposal.Screening.PENDING
                ),
                screening_reason=rng.choice(INELIGIBLE_REASONS) if ineligible else "",
                screened_by=official if screened else None,
                screened_at=now if screened else None,
            )
        )
        plans[lead] = {"reviews": reviews, "quality": rng.uniform(1.2, 4.6), "flag": rng.random() < 0.06}
    Proposal.objects.bulk_create(proposals, batch_size=BATCH)
    by_lead = dict(Proposal.objects.filter(call=call, lead_id__in=leads).values_list("lead_id", "pk"))
    _teams(world, by_lead, rng=rng)
    Proposal.methods.through.objects.bulk_create(
        [
            Proposal.methods.through(proposal_id=pk, method_id=method)
            for pk in by_lead.values()
            for method in rng.sample(world.methods, min(rng.randint(1, 2), len(world.methods)))
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    versions = _versions(world, list(by_lead.values()))
    _reviews(world, {by_lead[lead]: plan for lead, plan in plans.items()}, versions, rng=rng)
    ProposalFlag.objects.bulk_create(
        [
            ProposalFlag(proposal_id=by_lead[lead], owner=official, label=rng.choice(FLAG_LABELS), shared=True)
            for lead, plan in plans.items()
            if plan["flag"]
        ],
        batch_size=BATCH,
    )
    return len(proposals)


def _teams(world: _World, by_lead: dict[int, int], *, rng: random.Random) -> None:
    """The lead and one to three more members per proposal, from the researchers, with countries and stages."""
    roles = [TeamMember.Role.CO_APPLICANT] * 3 + [TeamMember.Role.COMMUNITY_PARTNER, TeamMember.Role.ADVISOR]
    members = []
    for lead, pk in by_lead.items():
        country = rng.choice(world.countries)
        email, name, affiliation = world.people[lead]
        members.append(
            TeamMember(
                proposal_id=pk,
                user_id=lead,
                email=email,
                name=name,
                role=TeamMember.Role.LEAD,
                status=TeamMember.Status.ACCEPTED,
                affiliation=affiliation,
                country_id=country,
                early_career=rng.random() < 0.3,
            )
        )
        others = [person for person in rng.sample(world.pool, min(4, len(world.pool))) if person != lead]
        for person in others[: rng.randint(1, 3)]:
            email, name, affiliation = world.people[person]
            invited = rng.random() < 0.1
            members.append(
                TeamMember(
                    proposal_id=pk,
                    user_id=None if invited else person,
                    email=email,
                    name=name,
                    role=rng.choice(roles),
                    status=TeamMember.Status.INVITED if invited else TeamMember.Status.ACCEPTED,
                    affiliation=affiliation,
                    country_id=country if rng.random() < 0.6 else rng.choice(world.countries),
                    early_career=rng.random() < 0.35,
                )
            )
    TeamMember.objects.bulk_create(members, batch_size=BATCH)


def _versions(world: _World, pks: list[int]) -> dict[int, int]:
    """Version 1 of each proposal, frozen as a submission freezes it, and its "submitted" event; {proposal: version}."""
    proposals = list(
        Proposal.objects.filter(pk__in=pks).prefetch_related(
            Prefetch("team", TeamMember.objects.select_related("country").prefetch_related("languages")),
            "methods",
            "milestones",
            "attachments",
        )
    )
    for proposal in proposals:
        proposal.call = world.call  # one call for all: its form is read once, not per proposal
    ProposalVersion.objects.bulk_create(
        [
            ProposalVersion(
                proposal_id=p.pk,
                number=1,
                stage=p.stage,
                content=proposal_snapshot(p),
                submitted_by_id=p.lead_id,
                submitted_at=p.submitted_at,
            )
            for p in proposals
        ],
        batch_size=BATCH,
    )
    ProposalActivity.objects.bulk_create(
        [
            ProposalActivity(
                proposal_id=p.pk,
                kind=ProposalActivity.Kind.SUBMITTED,
                audience="everyone",
                actor_id=p.lead_id,
                data={"number": 1},
            )
            for p in proposals
        ],
        batch_size=BATCH,
    )
    return dict(ProposalVersion.objects.filter(proposal_id__in=pks).values_list("proposal_id", "pk"))


def _reviews(world: _World, plans: dict[int, dict], versions: dict[int, int], *, rng: random.Random) -> None:
    """Review assignments by the desk reviewers; three in four submitted, with a score per criterion."""
    call, official = world.call, world.official
    recommendations = list(Recommendation.values)
    assignments = []
    quality = {}
    for pk, plan in plans.items():
        for reviewer, email in rng.sample(world.reviewers, min(plan["reviews"], len(world.reviewers))):
            submitted = rng.random() < 0.75
            declared = call.closes_at + dt.timedelta(days=rng.randint(1, 5))
            assignments.append(
                ReviewAssignment(
                    proposal_id=pk,
                    reviewer_id=reviewer,
                    email=email,
                    token=uuid.uuid4(),
                    assigned_by=official,
                    status=ReviewAssignment.Status.SUBMITTED if submitted else ReviewAssignment.Status.ACCEPTED,
                    due_at=call.closes_at + dt.timedelta(days=30),
                    declared_at=declared,
                    version_id=versions[pk] if submitted else None,
                    comments="Clear aims and a credible plan to involve residents; the budget is tight."
                    if submitted
                    else "",
                    recommendation=rng.choice(recommendations) if submitted else "",
                    confidence=rng.randint(2, 5) if submitted else None,
                    submitted_at=declared + dt.timedelta(days=rng.randint(1, 7)) if submitted else None,
                )
            )
            quality[(pk, reviewer)] = plan["quality"]
    ReviewAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    done = list(
        ReviewAssignment.objects.filter(
            proposal_id__in=list(plans), status=ReviewAssignment.Status.SUBMITTED
        ).values_list("pk", "proposal_id", "reviewer_id")
    )
    scores = []
    for assignment, pk, reviewer in done:
        for criterion in world.criteria:
            value = None if rng.random() < 0.03 else round(quality[(pk, reviewer)] + rng.gauss(0, 0.8))
            scores.append(
                ReviewScore(
                    assignment_id=assignment,
                    criterion_id=criterion,
                    score=None if value is None else min(5, max(0, value)),
                )
            )
    ReviewScore.objects.bulk_create(scores, batch_size=BATCH)
    review_numbers.refresh(plans)  # bulk_create sends no signal: the desk sorts on the stored numbers
    ProposalActivity.objects.bulk_create(
        [
            ProposalActivity(
                proposal_id=pk, kind=ProposalActivity.Kind.REVIEW_RECEIVED, audience="internal", actor_id=reviewer
            )
            for _assignment, pk, reviewer in done
        ],
        batch_size=BATCH,
    )


def desk_calls() -> dict[int, ResearchCall]:
    """The seeded desk calls by size."""
    calls = ResearchCall.objects.filter(slug__startswith=DESK_SLUG.split("{")[0]).only("pk", "slug")
    return {int(call.slug.rsplit("-", 1)[1]): call for call in calls}


def desk_paths() -> dict[str, int]:
    """``desk_call_<N>`` and ``desk_proposal_<N>`` (a proposal with the most submitted reviews) per seeded size."""
    paths = {}
    for size, call in desk_calls().items():
        reviewed = (
            ReviewAssignment.objects.filter(proposal__call=call, status=ReviewAssignment.Status.SUBMITTED)
            .values("proposal_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "proposal_id")
            .values_list("proposal_id", flat=True)
            .first()
        )
        paths[f"desk_call_{size}"] = call.pk
        paths[f"desk_proposal_{size}"] = (
            reviewed or Proposal.objects.filter(call=call).order_by("pk").values_list("pk", flat=True).first() or 0
        )
    return paths


def desk_counts() -> dict[str, int]:
    """Proposals, reviews and team members of each desk call, for the report."""
    counts = {}
    for size, call in sorted(desk_calls().items()):
        counts[f"desk_{size}_proposals"] = Proposal.objects.filter(call=call).count()
        counts[f"desk_{size}_reviews"] = ReviewAssignment.objects.filter(
            proposal__call=call, status=ReviewAssignment.Status.SUBMITTED
        ).count()
    return counts
