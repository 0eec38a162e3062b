"""Three featured demo case studies, made from demo partnerships the way a coordinator would.

Each is created with the same service as the "Turn into a case study" button, then given a
story and published. Idempotent: a partnership that has a case study is left as it is.
"""

import random

from django.utils.html import escape

from profiles.models import User
from profiles.services import COORDINATORS_GROUP
from projects.models import CaseStudyPage, Partnership
from projects.services.case_studies import case_study_from_partnership

DEMO = "Demo content."
WANTED = 3

# What changed and lessons, used in turn; the context comes from the partnership itself.
STORIES = [
    (
        [
            "The findings were presented to the city's housing committee, which added a repair fund for "
            "older tenants in privately rented flats to the next budget and asked the housing office to "
            "report on it every year.",
            "Tenants who took part as co-researchers formed an association that now meets the housing "
            "office twice a year.",
        ],
        [
            "Start with the people affected: their questions were sharper than ours.",
            "Agree early how results will reach decision-makers, and who in the administration owns them.",
        ],
    ),
    (
        [
            "The city adopted three new indicators on energy poverty, disaggregated by household type, and "
            "publishes them on its city page each winter.",
            "Social services now use a short screening question developed in the project.",
        ],
        [
            "Small-cell suppression mattered: some neighbourhoods had too few cases to publish safely.",
            "Budget for translation and childcare if you want participants from every group.",
        ],
    ),
    (
        [
            "The focus groups showed that migrant workers avoided clinics for fear of costs they did not "
            "actually face. The city rewrote its health-access leaflets in six languages with participants.",
        ],
        [
            "Trusted community organisations were essential to reach participants.",
            "Publishing the anonymised data let another city repeat the study within months.",
        ],
    ),
]


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


def seed(*, rng: random.Random, stdout) -> None:
    coordinator = User.objects.filter(groups__name=COORDINATORS_GROUP, is_active=True).order_by("pk").first()
    if coordinator is None:
        stdout.write("Demo case studies: skipped (no network coordinator).")
        return
    have = CaseStudyPage.objects.filter(partnership__isnull=False).values("partnership_id")
    candidates = list(Partnership.objects.public().exclude(pk__in=have).order_by("pk")[:WANTED])
    existing = CaseStudyPage.objects.count()
    created = 0
    for n, partnership in enumerate(candidates[: max(0, WANTED - existing)]):
        changed, lessons = STORIES[(existing + n) % len(STORIES)]
        page = case_study_from_partnership(partnership=partnership, by=coordinator)
        page.summary = f"{page.summary[: 600 - len(DEMO) - 1]} {DEMO}".strip()
        page.what_changed = _paragraphs(changed)
        page.lessons = _paragraphs(lessons)
        if "context" in page.placeholder_fields():
            page.context = _paragraphs([partnership.summary or partnership.title])
        page.featured = True
        page.save_revision(user=coordinator).publish(user=coordinator)
        created += 1
    stdout.write(f"Demo case studies: {created} published.")
