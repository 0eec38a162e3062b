"""Demo partnerships: every awarded one gets milestones, partner members and notes; two are registered outside a call.

Idempotent: what exists is left alone, so running the demo twice gives the same counts.
"""

import datetime as dt
import random

from django.utils import timezone
from django.utils.text import slugify

from hub.models import Country, GroupAtRisk, Method, SDGTarget, Theme
from profiles.models import Organisation, User
from projects.models import Milestone, Partnership, PartnershipMember, WorkspaceNote
from projects.services.partnerships import MemberInput, partnership_join, partnership_register

DEMO = "Demo content."
COORDINATOR = "coordinator@bridges.example"

# title, days from the partnership's start, status
MILESTONES = [
    ("Kick-off with the city's departments", 7, Milestone.Status.DONE),
    ("Ethics approval and data management plan", 45, Milestone.Status.DONE),
    ("Fieldwork: survey and focus groups", -10, Milestone.Status.IN_PROGRESS),  # days before today: late
    ("Findings workshop with residents", 40, Milestone.Status.PLANNED),  # days after today
    ("Final report and policy brief", 120, Milestone.Status.PLANNED),  # days after today
]
NOTES = [
    "Minutes of the kick-off are in the shared documents. Next meeting in two weeks. (Demo content.)",
    "The survey questionnaire is translated; the ombudsman's office reviewed the consent form. (Demo content.)",
]
# Partners added to awarded partnerships: (organisation, person, role, country of the person).
PARTNERS = [
    ("Austrian Ombudsman Board", "Eva Steiner (demo)", "Advisor on human-rights monitoring", "AT"),
    ("Housing Rights Collective (demo)", "Núria Ferrer (demo)", "Community researcher", "ES"),
    ("Migrant Voices Forum (demo)", "Yasmin El Idrissi (demo)", "Participation lead", "NL"),
]
REGISTERED = [
    {
        "title": "Housing evictions and the right to adequate housing in Barcelona",
        "summary": "Barcelona City Council, the Universitat de Barcelona and the Síndic de Greuges document "
        f"evictions and the support evicted households receive. {DEMO}",
        "city": "Barcelona City Council",
        "official": "official.barcelona@bridges.example",
        "researcher": "pablo.serrano@researchers.example",
        "university": "Universitat de Barcelona",
        "partner": ("Síndic de Greuges de Barcelona (demo)", Organisation.Kind.NHRI, "ES", "Anna Soler (demo)"),
        "themes": ["adequate-housing", "non-discrimination"],
        "methods": ["participatory-action-research", "human-rights-indicators"],
        "groups": ["poverty", "migrants", "homeless"],
        "targets": ["11.1", "1.4"],
        "started": 400,
    },
    {
        "title": "Accessible Vienna: public space and transport for persons with disabilities",
        "summary": "The City of Vienna and an organisation of persons with disabilities map barriers in public "
        f"transport and public space, with a team from the University of Graz. {DEMO}",
        "city": "City of Vienna",
        "official": "official.vienna@bridges.example",
        "researcher": "clara.weiss@researchers.example",
        "university": "University of Graz",
        "partner": ("Accessible Vienna Alliance (demo)", Organisation.Kind.CIVIL_SOCIETY, "AT", "Markus Huber (demo)"),
        "themes": ["disability-rights", "participation"],
        "methods": ["mapping", "citizen-science", "focus-groups"],
        "groups": ["persons-with-disabilities", "older-persons"],
        "targets": ["11.2", "11.7"],
        "started": 250,
    },
    {
        "title": "Schooling for migrant children in Bogotá: barriers and what helps",
        "summary": "The Mayor's Office of Bogotá and the Universidad Nacional de Colombia follow how migrant "
        f"children enrol and stay in school, with a migrant families' network. {DEMO}",
        "city": "Alcaldía Mayor de Bogotá",
        "official": "official.bogota@bridges.example",
        "researcher": "valentina.ruiz@researchers.example",
        "university": "Universidad Nacional de Colombia",
        "partner": ("Red de Familias Migrantes (demo)", Organisation.Kind.CIVIL_SOCIETY, "CO", "Carolina Mejía (demo)"),
        "themes": ["education", "rights-of-the-child", "migrants-refugees"],
        "methods": ["community-needs-assessment", "survey"],
        "groups": ["children", "migrants", "refugees-asylum-seekers"],
        "targets": ["4.1", "4.5", "10.7"],
        "started": 540,
    },
    {
        "title": "Older persons' right to health services in Gwangju",
        "summary": "Gwangju Metropolitan City and Chonnam National University study how older residents reach "
        f"primary care and home-care services, district by district. {DEMO}",
        "city": "Gwangju Metropolitan City",
        "official": "official.gwangju@bridges.example",
        "researcher": "min-seo.kim@researchers.example",
        "university": "Chonnam National University",
        "partner": (
            "Gwangju Senior Citizens' Council (demo)",
            Organisation.Kind.CIVIL_SOCIETY,
            "KR",
            "Seo-yeon Lim (demo)",
        ),
        "themes": ["health", "non-discrimination"],
        "methods": ["survey", "hria"],
        "groups": ["older-persons", "persons-with-disabilities"],
        "targets": ["3.8", "10.2"],
        "started": 300,
    },
]


def seed(*, rng: random.Random, stdout) -> None:
    registered = _register_outside_calls(stdout)
    enriched = 0
    for n, partnership in enumerate(Partnership.objects.order_by("pk")):
        enriched += _enrich(partnership, rng=rng, index=n)
    if registered or enriched:
        stdout.write(f"Demo partnerships: {registered} registered, {enriched} enriched.")


def _organisation(name: str, kind: str, country_code: str) -> Organisation:
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=name,
            slug=slugify(name)[:200],
            kind=kind,
            country=Country.objects.get(code=country_code),
            description=DEMO,
        )
    return organisation


def _register_outside_calls(stdout) -> int:
    coordinator = User.objects.filter(email=COORDINATOR).first()
    if coordinator is None:
        return 0
    created = 0
    today = timezone.localdate()
    for spec in REGISTERED:
        city = Organisation.objects.filter(name=spec["city"], verified=True).first()
        if city is None or Partnership.objects.filter(title=spec["title"]).exists():
            continue
        official = User.objects.filter(email=spec["official"]).first()
        researcher = User.objects.filter(email=spec["researcher"]).first()
        university = Organisation.objects.filter(name=spec["university"]).first()
        partner_name, kind, country, person = spec["partner"]
        partner = _organisation(partner_name, kind, country)
        members = [MemberInput(side=PartnershipMember.Side.PARTNER, name=person, role="Partner", organisation=partner)]
        if researcher:
            members.append(
                MemberInput(
                    side=PartnershipMember.Side.RESEARCH,
                    email=researcher.email,
                    name=researcher.display_name,
                    role="Lead researcher",
                    organisation=university,
                )
            )
        if official:
            members.append(
                MemberInput(
                    side=PartnershipMember.Side.CITY,
                    email=official.email,
                    name=official.display_name,
                    role="City official",
                    organisation=city,
                )
            )
        partnership = partnership_register(
            by=coordinator,
            title=spec["title"],
            city=city,
            members=members,
            summary=spec["summary"],
            description=f"{spec['summary']}\n\nThis collaboration began before it joined Bridges.",
            themes=Theme.objects.filter(slug__in=spec["themes"]),
            methods=Method.objects.filter(slug__in=spec["methods"]),
            groups=GroupAtRisk.objects.filter(slug__in=spec["groups"]),
            sdg_targets=SDGTarget.objects.filter(code__in=spec["targets"]),
            started_at=today - dt.timedelta(days=spec["started"]),
        )
        # The demo's people answer their invitations at once, so that they can open the workspace.
        for member in partnership.members.exclude(invited_email=""):
            user = User.objects.filter(email__iexact=member.invited_email).first()
            if user is not None:
                partnership_join(member=member, user=user, accept=True)
        created += 1
    return created


def _enrich(partnership: Partnership, *, rng: random.Random, index: int) -> int:
    """Milestones, a partner from an NHRI or civil society, notes; only what is still missing."""
    changed = 0
    today = timezone.localdate()
    start = partnership.started_at or today - dt.timedelta(days=90)
    if not partnership.milestones.exists():
        author = partnership.members.filter(user__isnull=False).order_by("pk").first()
        for title, days, status in MILESTONES[: 4 + index % 2]:
            if status == Milestone.Status.DONE:
                due = min(start + dt.timedelta(days=days), today - dt.timedelta(days=1))
            else:
                due = today + dt.timedelta(days=days)
            Milestone.objects.create(
                partnership=partnership,
                title=title,
                description=DEMO,
                due_date=due,
                status=status,
                completed_at=due if status == Milestone.Status.DONE else None,
                created_by=author.user if author else None,
            )
        changed = 1
    if not partnership.members.filter(side=PartnershipMember.Side.PARTNER).exists():
        organisation_name, person, role, country = PARTNERS[index % len(PARTNERS)]
        organisation = Organisation.objects.filter(name=organisation_name).first()
        PartnershipMember.objects.create(
            partnership=partnership,
            name=person,
            role=role,
            side=PartnershipMember.Side.PARTNER,
            organisation=organisation,
            affiliation=organisation_name,
            country=Country.objects.filter(code=country).first(),
        )
        changed = 1
    if not partnership.notes.exists():
        authors = [m.user for m in partnership.members.filter(user__isnull=False).select_related("user")]
        if authors:
            for n, body in enumerate(NOTES):
                WorkspaceNote.objects.create(partnership=partnership, author=authors[n % len(authors)], body=body)
            changed = 1
    return changed
