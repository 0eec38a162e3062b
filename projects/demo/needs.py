"""Demo research needs (clearly marked as demo): three needs posted by civil society, an NHRI and a resident; one
answered by its city, one turned into a draft call, one open with endorsements, a comment and a thesis topic.
Idempotent: a need whose title exists is left as it is."""

import random

from hub.models import GroupAtRisk, SDGTarget, Theme
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership, Organisation, ResearcherProfile, User
from projects.models import ResearchNeed
from projects.services import needs as services

DEMO = "Demo content: this need is illustrative and was not posted by the people named."

NEEDS = [
    {
        "city": "Barcelona City Council",
        "organisation": "Housing Rights Collective (demo)",
        "author": ("housing.collective@civil-society.example", "Laia", "Ferrer"),
        "title": "Evictions of families with children in Ciutat Vella",
        "situation": "Families with children in Ciutat Vella tell our advice desk that they are evicted after "
        "short-term rental conversions, and that they end up in shelters far from their children's schools.",
        "missing_evidence": "How many families with children were evicted since 2020, where they moved, and how "
        "the move affected school attendance.",
        "themes": ["adequate-housing", "rights-of-the-child"],
        "groups": ["children", "poverty"],
        "sdg": ["11.1", "1.4"],
        "outcome": "call",
    },
    {
        "city": "City of Graz",
        "organisation": "Austrian Ombudsman Board",
        "author": ("ombudsman.liaison@nhri.example", "Florian", "Wagner"),
        "title": "Accessibility of district offices for persons with disabilities",
        "situation": "Complaints to the Ombudsman Board show that wheelchair users and blind persons cannot use "
        "several district offices in Graz without help.",
        "missing_evidence": "Which offices are inaccessible, for which impairments, and what it costs to fix them.",
        "themes": ["disability-rights", "non-discrimination"],
        "groups": ["persons-with-disabilities"],
        "sdg": ["11.7", "10.2"],
        "outcome": "covered",
    },
    {
        "city": "Municipality of Utrecht",
        "organisation": None,
        "author": ("resident.utrecht@residents.example", "Fatima", "El Amrani"),
        "title": "Language barriers for migrant parents at primary schools",
        "situation": "As a parent, I see that many migrant parents in Overvecht miss school meetings and letters "
        "because they are only in Dutch.",
        "missing_evidence": "How many parents need interpretation, and whether schools that offer it see better "
        "contact with parents.",
        "themes": ["education", "migrants-refugees"],
        "groups": ["migrants", "children"],
        "sdg": ["4.5"],
        "outcome": "open",
    },
]


def _official(city: Organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=city, status=Membership.Status.APPROVED).select_related("user").first()
    )
    return membership.user if membership else None


def seed(*, rng: random.Random, stdout) -> None:
    created = 0
    for spec in NEEDS:
        if ResearchNeed.objects.filter(title=spec["title"]).exists():
            continue
        city = Organisation.objects.filter(name=spec["city"], verified=True).first()
        if city is None or not hasattr(city, "city_page"):
            continue
        email, first, last = spec["author"]
        author = UserFactory(email=email, first_name=first, last_name=last)
        organisation = Organisation.objects.filter(name=spec["organisation"]).first() if spec["organisation"] else None
        if organisation is not None:
            MembershipFactory(user=author, organisation=organisation)
        need = services.need_create(
            by=author,
            city=city,
            organisation=organisation,
            title=spec["title"],
            situation=f"{spec['situation']} {DEMO}",
            missing_evidence=spec["missing_evidence"],
            themes=Theme.objects.filter(slug__in=spec["themes"]),
            groups=GroupAtRisk.objects.filter(slug__in=spec["groups"]),
            sdg_targets=SDGTarget.objects.filter(code__in=spec["sdg"]),
        )
        created += 1
        supporters = list(User.objects.filter(email__endswith="@researchers.example").order_by("pk")[:4])
        for supporter in supporters[: 2 + len(spec["title"]) % 3]:
            services.need_endorse(need=need, by=supporter)
        official = _official(city)
        if spec["outcome"] == "call" and official is not None:
            services.need_to_call(need=need, by=official)
        elif spec["outcome"] == "covered" and official is not None:
            services.need_answer(
                need=need,
                by=official,
                status=ResearchNeed.Status.COVERED,
                answer="The city's 2024 accessibility audit of public buildings covers the district offices; its "
                "action plan sets a date for each office. We will publish progress every six months.",
                covered_by_url="https://example.org/demo/graz-accessibility-audit-2024",
                seen_status=ResearchNeed.Status.OPEN,
            )
        elif supporters:
            services.comment_add(
                need=need,
                by=supporters[0],
                body="Our school survey in 2023 found the same in Kanaleneiland; happy to share the questionnaire.",
            )
            student = (
                ResearcherProfile.objects.filter(career_stage=ResearcherProfile.CareerStage.STUDENT)
                .select_related("user")
                .first()
            )
            if student is not None:
                services.topic_mark(
                    need=need, by=student.user, kind="thesis", note="Master's thesis, starting in spring (demo)."
                )
    if created:
        stdout.write(f"Demo research needs: {created} created.")
