"""Demo calls in every status, with consultation comments, proposals, reviews and one awarded call.

Every call and proposal says it is demo content. Idempotent: a city that already has a
call with the demo slug is left as it is.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from wagtail import hooks
from wagtail.models import Locale

from calls import demo_dialogue, review_numbers
from calls.demo_panel import seed_panel
from calls.demo_reviewers import seed_reviewer_matching
from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.matching.vectors import rebuild_all
from calls.models import ConsultationComment, Proposal, ResearchCall, ReviewAssignment, ReviewScore, TeamMember
from hub.models import Country, GroupAtRisk, HomePage, Language, Method, SDGTarget, Theme
from hub.translation import originals, translate_page
from profiles.models import CityPage, Membership, Organisation, ResearcherProfile, User

DEMO = "Demo content: this call is illustrative and was not issued by the city."
DAY = dt.timedelta(days=1)

# city name, slug, title, status wish, themes, methods, groups, SDG targets, extra fields
CALLS = [
    (
        "City of Graz",
        "older-tenants-housing",
        "Housing conditions of older tenants",
        "open",
        ["adequate-housing", "adequate-standard-of-living"],
        ["community-needs-assessment", "participatory-action-research"],
        ["older-persons", "poverty"],
        ["11.1", "1.4"],
        {"required_languages": ["de"], "cross_border": "allowed", "early_career": "reserved", "early_career_share": 30},
    ),
    (
        "Barcelona City Council",
        "energy-poverty-consultation",
        "Energy poverty and the right to housing",
        "consultation",
        ["adequate-housing", "healthy-environment"],
        ["participatory-action-research", "survey"],
        ["poverty", "women-girls"],
        ["7.1", "11.1"],
        {"required_languages": ["es"], "cross_border": "allowed"},
    ),
    (
        "Gwangju Metropolitan City",
        "migrant-workers-health",
        "Access to health care for migrant workers",
        "upcoming",
        ["health", "migrants-refugees"],
        ["focus-groups", "human-rights-indicators"],
        ["migrants"],
        ["3.8", "10.7"],
        {"cross_border": "required"},
    ),
    (
        "Municipality of Utrecht",
        "inclusive-public-space",
        "Who is welcome in public space?",
        "closed",
        ["non-discrimination", "participation"],
        ["mapping", "citizen-science"],
        ["youth", "lgbtiq", "persons-with-disabilities"],
        ["11.7", "10.2"],
        {"blind_review": True},
    ),
    (
        "Ville de Montréal",
        "homelessness-indicators",
        "Human-rights indicators on homelessness",
        "awarded",
        ["adequate-housing", "social-security"],
        ["human-rights-indicators", "hrba-data"],
        ["homeless"],
        ["11.1", "1.3"],
        {"required_languages": ["fr"], "cross_border": "allowed"},
    ),
    (
        "Alcaldía Mayor de Bogotá",
        "young-researchers-water",
        "Young researchers: water and sanitation in informal settlements",
        "open",
        ["water-sanitation", "health"],
        ["community-needs-assessment", "mapping"],
        ["poverty", "children", "internally-displaced"],
        ["6.1", "6.2"],
        {"required_languages": ["es"], "cross_border": "required", "early_career": "only", "two_stage": True},
    ),
    (
        "City of Vienna",
        "digital-services-privacy",
        "Privacy in the city's digital services",
        "cancelled",
        ["privacy", "participation"],
        ["hria", "legal-policy-analysis"],
        ["older-persons", "persons-with-disabilities"],
        ["16.10", "16.7"],
        {},
    ),
    (
        "City of York",
        "older-tenants-housing-york",
        "Housing conditions of older tenants in York",
        "open",
        ["adequate-housing"],
        ["community-needs-assessment", "survey"],
        ["older-persons"],
        ["11.1"],
        {"template_of": ("City of Graz", "older-tenants-housing")},
    ),
]

BODY = [
    {
        "type": "paragraph",
        "value": (
            "<p>The city wants to understand how residents experience this right today, which groups are "
            "left behind, and which local policies could make a difference. We look for a research team that "
            "works with the people concerned, not only about them.</p>"
            "<h3>Research questions</h3><ul><li>What do residents report about their situation?</li>"
            "<li>Which data does the city already hold, and where are the gaps?</li>"
            "<li>Which measures should the city take first?</li></ul>"
        ),
    }
]


def _dates(status: str, now: dt.datetime) -> dict:
    return {
        "open": {"opens_in": -10 * DAY, "closes_in": 35 * DAY},
        "consultation": {"opens_in": 25 * DAY, "closes_in": 80 * DAY, "consultation_opens_at": now - 5 * DAY},
        "upcoming": {"opens_in": 40 * DAY, "closes_in": 100 * DAY},
        "closed": {"opens_in": -70 * DAY, "closes_in": -8 * DAY},
        "awarded": {"opens_in": -150 * DAY, "closes_in": -90 * DAY},
        "cancelled": {"opens_in": -20 * DAY, "closes_in": 30 * DAY},
    }[status]


def rebuild_match_vectors() -> None:
    """Demo content may be bulk-created (no signals): leave every matching vector up to date."""
    rebuild_all()


def seed(*, rng: random.Random, stdout) -> None:
    """Create the demo calls and what happened to them."""
    now = timezone.now().replace(second=0, microsecond=0)
    researchers = list(
        User.objects.filter(email__endswith="@researchers.example", researcher_profile__isnull=False).order_by("email")
    )
    if len(researchers) < 12:
        rebuild_match_vectors()
        return
    created = 0
    for city_name, slug, title, status, themes, methods, groups, targets, extra in CALLS:
        city_page = CityPage.objects.filter(organisation__name=city_name).first()
        if city_page is None or ResearchCall.objects.filter(slug=slug).exists():
            continue
        extra = dict(extra)
        languages = extra.pop("required_languages", [])
        template_of = extra.pop("template_of", None)
        dates = _dates(status, now)
        consultation_opens_at = dates.pop("consultation_opens_at", None)
        if extra.get("two_stage"):
            extra["full_proposal_closes_at"] = now + dates["closes_in"] + 45 * DAY
        organisation = city_page.organisation
        call = make_call(
            city_page=city_page,
            title=title,
            slug=slug,
            summary=f"{city_name.split(' ')[-1] if ' ' in city_name else city_name} commissions research on "
            f"{title[0].lower()}{title[1:]}. {DEMO}",
            body=BODY,
            budget_min=Decimal("15000"),
            budget_max=Decimal(rng.choice(["40000", "60000", "80000"])),
            currency={"KR": "KRW", "CA": "CAD", "CO": "COP", "GB": "GBP"}.get(organisation.country.code, "EUR"),
            duration_months=rng.choice([9, 12, 18]),
            consultation_opens_at=consultation_opens_at,
            consultation_questions=(
                "1. Which households are hit hardest?\n2. Which data should the study collect, and how?\n"
                "3. How should residents take part?"
            )
            if consultation_opens_at
            else "",
            data_protection="Personal data is collected only with informed consent, pseudonymised and stored in "
            "the city's jurisdiction; a data management plan is part of the proposal.",
            ethics="Approval by a research ethics committee before fieldwork; no payment conditional on answers.",
            contact_name=f"{organisation.memberships.filter(role='admin').first().user.get_full_name()}",
            contact_email=f"research@{slug}.example",
            **{k: v for k, v in extra.items() if k not in ("cross_border",)},
            cross_border=extra.get("cross_border", "allowed"),
            **dates,
        )
        call.themes.set(Theme.objects.filter(slug__in=themes))
        call.methods.set(Method.objects.filter(slug__in=methods))
        call.groups.set(GroupAtRisk.objects.filter(slug__in=groups))
        call.sdg_targets.set(SDGTarget.objects.filter(code__in=targets))
        call.required_languages.set(Language.objects.filter(code__in=languages))
        if template_of:
            call.template_source = ResearchCall.objects.filter(slug=template_of[1]).first()
        call.save_revision().publish()
        call = ResearchCall.objects.get(pk=call.pk)
        created += 1
        _happenings(call=call, status=status, researchers=researchers, rng=rng, now=now)
    if created:
        stdout.write(f"Demo calls: {created} created.")
    seed_application_form(researchers=researchers, stdout=stdout)
    seed_translations(stdout=stdout)
    if seed_reviewer_matching(researchers):  # issue 18 §2: bids, conflicts and a balanced assignment
        stdout.write("Demo reviewer matching: bids and a balanced assignment.")
    seed_panel(stdout=stdout)  # issue 18 §4: recommendations, a chair and a meta-review
    demo_dialogue.seed(stdout=stdout)
    rebuild_match_vectors()


def _official(call: ResearchCall) -> User:
    return Membership.objects.filter(organisation=call.organisation, role="admin", status="approved").first().user


def _happenings(*, call: ResearchCall, status: str, researchers: list[User], rng: random.Random, now) -> None:
    if status == "consultation":
        _consultation(call)
    elif status == "open":
        _proposal(call, researchers[0], researchers[7], submit=False)
    elif status == "closed":
        official = _official(call)
        proposals = [
            _proposal(call, lead, partner, submit=True)
            for lead, partner in rng.sample(list(zip(researchers[:6], researchers[6:12], strict=True)), 3)
        ]
        _reviews(call, proposals, reviewers=researchers[20:23], rng=rng, official=official)
    elif status == "awarded":
        official = _official(call)
        proposals = [
            _proposal(call, researchers[12], researchers[13], submit=True),
            _proposal(call, researchers[14], researchers[15], submit=True),
        ]
        _reviews(call, proposals, reviewers=researchers[24:26], rng=rng, official=official)
        winner, other = proposals
        winner.status, winner.decided_at = Proposal.Status.AWARDED, now - 30 * DAY
        winner.outcome_message = "Congratulations: the panel ranked your proposal first."
        winner.save()
        other.status, other.decided_at = Proposal.Status.DECLINED, now - 30 * DAY
        other.outcome_message = "Thank you: a strong proposal, but the panel ranked another one first."
        other.save()
        ResearchCall.objects.filter(pk=call.pk).update(awarded_at=now - 30 * DAY)
        for handler in hooks.get_hooks("award_handlers"):
            handler(proposal=winner, by=official)
    elif status == "cancelled":
        ResearchCall.objects.filter(pk=call.pk).update(
            cancelled_at=now - 2 * DAY,
            cancellation_reason="The city council moved this work into the national data-protection review; "
            "a new call will follow next year.",
        )


def _consultation(call: ResearchCall) -> None:
    commenters = Membership.objects.filter(
        status="approved", organisation__kind__in=[Organisation.Kind.CIVIL_SOCIETY, Organisation.Kind.NHRI]
    ).select_related("user", "organisation")
    texts = [
        (
            "Please include tenants in rented rooms, who are often missed by household surveys.",
            "taken_up",
            "Added to question 1: the study will cover sub-letting and rented rooms.",
        ),
        ("Residents should be paid for their time in the research workshops.", "undecided", ""),
        (
            "Could the study compare neighbourhoods with and without energy-advice offices?",
            "not_taken_up",
            "Interesting, but outside this call's budget; we note it for a later call.",
        ),
    ]
    people = list(commenters) or list(
        Membership.objects.filter(status="approved").select_related("user", "organisation")[:1]
    )
    for index, (body, uptake, response) in enumerate(texts):
        membership = people[index % len(people)]
        ConsultationComment.objects.create(
            call=call,
            author=membership.user,
            organisation=membership.organisation,
            body=f"{body} (demo)",
            status=ConsultationComment.Status.PUBLISHED,
            uptake=uptake,
            city_response=response,
            moderated_at=timezone.now(),
        )


def _member(proposal: Proposal, user: User, role=TeamMember.Role.CO_APPLICANT) -> None:
    profile = ResearcherProfile.objects.filter(user=user).select_related("affiliation__country").first()
    member, _ = TeamMember.objects.get_or_create(
        proposal=proposal,
        email=user.email,
        defaults={
            "user": user,
            "name": user.display_name,
            "role": role,
            "status": TeamMember.Status.ACCEPTED,
            "affiliation": profile.affiliation.name if profile and profile.affiliation else "",
            "country": profile.affiliation.country if profile and profile.affiliation else Country.objects.first(),
            "early_career": bool(profile and profile.is_early_career),
        },
    )
    if profile:
        member.languages.set(profile.languages.all())


def _proposal(call: ResearchCall, lead: User, partner: User, *, submit: bool) -> Proposal:
    proposal = ProposalFactory(
        call=call,
        lead=lead,
        title=f"{call.title}: a participatory study (demo)",
        summary=f"Demo proposal. We study {call.title.lower()} together with residents and civil society, "
        "combining a needs assessment with participatory action research.",
        stage=Proposal.Stage.CONCEPT if call.two_stage else Proposal.Stage.FULL,
        budget=call.budget_min + Decimal("10000"),
    )
    lead_member = proposal.team.get(user=lead)
    lead_member.languages.set(ResearcherProfile.objects.get(user=lead).languages.all())
    _member(proposal, partner)
    proposal.methods.set(call.methods.all())
    proposal.milestones.create(month=2, title="Research design agreed with the resident advisory group")
    proposal.milestones.create(month=6, title="Fieldwork completed")
    proposal.milestones.create(month=min(call.duration_months, 12), title="Public report and policy brief")
    if submit:
        submit_for_tests(proposal, when=call.closes_at - 3 * DAY)
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.UNDER_REVIEW)
        proposal.refresh_from_db()
    return proposal


def _reviews(call: ResearchCall, proposals: list[Proposal], *, reviewers: list[User], rng, official: User) -> None:
    criteria = list(call.criteria.all())
    for proposal in proposals:
        version = proposal.versions.order_by("-number").first()
        for reviewer in reviewers[:2]:
            assignment, created = ReviewAssignment.objects.get_or_create(
                proposal=proposal,
                reviewer=reviewer,
                defaults={"assigned_by": official, "status": ReviewAssignment.Status.SUBMITTED, "version": version},
            )
            if not created:
                continue
            assignment.declared_at = assignment.submitted_at = call.closes_at + 5 * DAY
            assignment.comments = "Demo review: clear questions and a credible plan to involve residents."
            assignment.save()
            ReviewScore.objects.bulk_create(
                ReviewScore(assignment=assignment, criterion=criterion, score=rng.choice([2, 3, 4, 4, 5]))
                for criterion in criteria
            )
            review_numbers.refresh([proposal.pk])  # the scores came after the assignment's save
        # A third reviewer who has not started yet, so the demo city has reviews pending.
        if len(reviewers) > 2:
            ReviewAssignment.objects.get_or_create(
                proposal=proposal,
                reviewer=reviewers[2],
                defaults={"assigned_by": official, "due_at": timezone.now() + 7 * DAY},
            )


# Issue 18 §1: the open Graz call asks its own questions, one of them shown only for a "yes".
DEMO_FORM = [
    {"type": "heading", "value": {"heading": "Community partners", "text": "Who carries the research with you."}},
    {
        "type": "choice",
        "value": {
            "key": "community_partner",
            "label": "Does a tenants' or older persons' organisation take part?",
            "help_text": "Calls of the City of Graz favour research done with the people concerned.",
            "required": True,
            "show_when_key": "",
            "show_when_value": "",
            "choices": "yes\nno",
        },
    },
    {
        "type": "long_text",
        "value": {
            "key": "partner_role",
            "label": "What does the partner organisation do in the project?",
            "help_text": "",
            "required": True,
            "show_when_key": "community_partner",
            "show_when_value": "yes",
            "max_words": 150,
        },
    },
    {
        "type": "number",
        "value": {
            "key": "participants",
            "label": "How many older tenants will take part?",
            "help_text": "",
            "required": False,
            "show_when_key": "",
            "show_when_value": "",
            "min_value": "1",
            "max_value": "2000",
        },
    },
    {
        "type": "budget_table",
        "value": {
            "key": "budget_lines",
            "label": "Budget by category",
            "help_text": "",
            "required": True,
            "show_when_key": "",
            "show_when_value": "",
            "categories": "Staff\nFieldwork and workshops\nTranslation and accessibility",
        },
    },
    {
        "type": "consent",
        "value": {
            "key": "data_consent",
            "label": "We agree that the City of Graz processes the personal data in this application to assess it.",
            "help_text": "",
            "required": True,
            "show_when_key": "",
            "show_when_value": "",
        },
    },
]
DEMO_REVIEW_QUESTIONS = [
    {"type": "question", "value": {"key": "strengths", "label": "Main strengths", "help_text": "", "required": True}},
    {
        "type": "question",
        "value": {"key": "changes", "label": "What should the team change?", "help_text": "", "required": False},
    },
]
DEMO_ANSWERS = {
    "community_partner": "yes",
    "partner_role": "The Graz tenants' association co-designs the survey, recruits participants and co-hosts the "
    "public workshops (demo).",
    "participants": "120",
    "budget_lines": [
        {"category": "Staff", "amount": "18000.00"},
        {"category": "Fieldwork and workshops", "amount": "5000.00"},
        {"category": "Translation and accessibility", "amount": "2000.00"},
    ],
    "data_consent": True,
}


def seed_application_form(*, researchers: list[User], stdout) -> None:
    """The open demo call gets a conditional form, and a submitted demo proposal answers it (idempotent)."""
    call = ResearchCall.objects.filter(slug="older-tenants-housing").first()
    if call is None or len(researchers) < 12:
        return
    if not call.application_form.raw_data:
        call.application_form = DEMO_FORM
        call.review_questions = DEMO_REVIEW_QUESTIONS
        call.save_revision().publish()
        call = ResearchCall.objects.get(pk=call.pk)
        stdout.write("Demo application form: added to the open Graz call.")
    for proposal in call.proposals.filter(answers={}):
        proposal.answers = DEMO_ANSWERS
        proposal.save(update_fields=["answers", "updated_at"])
    lead = researchers[1]
    if not call.proposals.filter(lead=lead).exists():
        proposal = _proposal(call, lead, researchers[8], submit=False)
        proposal.answers = DEMO_ANSWERS | {"participants": "80"}
        proposal.save(update_fields=["answers", "updated_at"])
        submit_for_tests(proposal, when=timezone.now() - DAY)


# Issue 16 §7: the home page and one call translated as an editor would (the rest is shown in English under /es/ and
# /fr/ until someone translates it).
TRANSLATIONS = {
    "home": {
        "es": {
            "intro": "Bridges une a los gobiernos locales con personas investigadoras para estudiar y mejorar los "
            "derechos humanos en las ciudades. Las ciudades publican convocatorias de investigación; investigadoras "
            "e investigadores, jóvenes y consolidados, proponen proyectos y forman equipos transfronterizos; "
            "resultados, métodos y datos abiertos quedan públicos para que cualquier ciudad los reutilice."
        },
        "fr": {
            "intro": "Bridges relie les collectivités locales aux chercheuses et chercheurs pour étudier et améliorer "
            "les droits humains dans les villes. Les villes publient des appels à recherche ; les chercheurs, "
            "jeunes ou confirmés, proposent des projets et forment des équipes transfrontalières ; résultats, "
            "méthodes et données ouvertes restent publics pour que chaque ville puisse les réutiliser."
        },
    },
    "older-tenants-housing": {
        "es": {
            "title": "Condiciones de vivienda de las personas inquilinas mayores",
            "summary": "Graz encarga una investigación sobre las condiciones de vivienda de las personas inquilinas "
            "mayores. Contenido de demostración: esta convocatoria es ilustrativa y la ciudad no la ha publicado.",
        },
        "fr": {
            "title": "Conditions de logement des locataires âgés",
            "summary": "Graz commande une recherche sur les conditions de logement des locataires âgés. Contenu de "
            "démonstration : cet appel est illustratif et n'a pas été publié par la ville.",
        },
    },
}


def seed_translations(*, stdout) -> None:
    """Spanish and French translations of the home page and of Graz's open call (idempotent)."""
    pages = {"home": HomePage.objects.filter(depth=2).order_by("path").first()}
    pages["older-tenants-housing"] = originals(ResearchCall.objects.filter(slug="older-tenants-housing")).first()
    made = 0
    for key, languages in TRANSLATIONS.items():
        page = pages.get(key)
        if page is None:
            continue
        for language, words in languages.items():
            if page.get_translation_or_none(Locale.objects.get(language_code=language)) is None:
                translate_page(page, language, words)
                made += 1
    if made:
        stdout.write(f"Demo translations: {made} pages translated.")
