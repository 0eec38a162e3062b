"""Demo results for the demo partnerships (clearly marked as demo), with one takedown for the transparency log.

Each partnership with a research member gets a report, a policy brief and an article with a fictional
DOI (10.5555 is a test prefix); in every third partnership the article is embargoed until a future date.
Reports carry a tiny generated PDF. Idempotent: results are keyed by slug and left as they are.
"""

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hub.models import Language
from profiles.models import User
from profiles.services import COORDINATORS_GROUP
from projects.models import Partnership, PartnershipMember, Result, Takedown
from projects.services import results as services
from projects.services.takedowns import take_down

DEMO = "Demo content: this result is illustrative; it was not produced by real research."
TAKEDOWN_REASON = (
    "Demo takedown: the brief quoted interviewees with enough detail to identify them (personal data). "
    "The research team has been asked to publish an anonymised version."
)

KINDS = [
    (
        Result.Kind.REPORT,
        "report",
        "{topic}: findings of a participatory study",
        "We worked with residents, civil-society organisations and city staff to document how {topic_lower} "
        "is experienced in daily life, and what the city can do about it. The report sets out the evidence "
        "and twelve recommendations.",
    ),
    (
        Result.Kind.POLICY_BRIEF,
        "brief",
        "{topic}: five recommendations for the city",
        "A four-page summary of our findings for decision makers, with five recommendations the city can act "
        "on within its own competences and budget.",
    ),
    (
        Result.Kind.ARTICLE,
        "article",
        "Local human-rights research and {topic_lower}: lessons from a city partnership",
        "A peer-reviewed article on the methods we used, what worked in involving the community, and what "
        "other cities can reuse.",
    ),
]


def tiny_pdf(title: str) -> bytes:
    """A valid one-page PDF with the title, built in memory (no library needed)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:80]
    stream = f"BT /F1 14 Tf 50 780 Td ({text}) Tj 0 -24 Td (Demo content - Bridges) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _author(member: PartnershipMember) -> dict:
    profile = getattr(member.user, "researcher_profile", None) if member.user_id else None
    return {"profile": profile, "name": member.name, "affiliation": member.affiliation}


def seed(*, rng: random.Random, stdout) -> None:
    today = timezone.localdate()
    english = Language.objects.filter(code="en").first()
    created = 0
    partnerships = Partnership.objects.select_related("city").prefetch_related("themes", "methods").order_by("pk")
    for index, partnership in enumerate(partnerships):
        research = list(
            partnership.members.filter(side=PartnershipMember.Side.RESEARCH, user__isnull=False)
            .select_related("user__researcher_profile")
            .order_by("pk")
        )
        if not research:
            continue
        by = research[0].user
        topic = partnership.title.rstrip(".")
        for number, (kind, key, title, abstract) in enumerate(KINDS, start=1):
            slug = f"{partnership.slug}-{key}"[:200]
            if Result.objects.filter(slug=slug).exists():
                continue
            data = {
                "kind": kind,
                "title": title.format(topic=topic, topic_lower=topic[0].lower() + topic[1:])[:300],
                "abstract": f"{abstract.format(topic_lower=topic[0].lower() + topic[1:])}\n\n{DEMO}",
                "language": english,
                "licence": "CC-BY-4.0",
                "doi": f"10.5555/bridges-demo.{partnership.pk}.{number}" if kind == Result.Kind.ARTICLE else "",
                "url": f"https://example.org/demo/results/{slug}" if kind == Result.Kind.POLICY_BRIEF else "",
                "publication_date": today - dt.timedelta(days=rng.randint(10, 400)),
                "themes": list(partnership.themes.all()),
                "methods": list(partnership.methods.all()),
            }
            result = services.result_create(
                partnership=partnership, by=by, data=data, authors=[_author(m) for m in research[:4]]
            )
            Result.objects.filter(pk=result.pk).update(slug=slug)
            result.slug = slug
            if kind == Result.Kind.REPORT:
                upload = SimpleUploadedFile("report.pdf", tiny_pdf(result.title), content_type="application/pdf")
                services.result_file_add(result=result, by=by, upload=upload, title="Full report (demo)")
            embargo = (
                today + dt.timedelta(days=rng.randint(60, 300))
                if kind == Result.Kind.ARTICLE and index % 3 == 2
                else None
            )
            services.result_publish(result=result, by=by, embargo_until=embargo)
            created += 1
    _demo_takedown()
    stdout.write(f"Demo results: {created} created.")


def _demo_takedown() -> None:
    """One policy brief taken down by the demo coordinator, so that /transparency/ has an entry."""
    if Takedown.objects.exists():
        return
    coordinator = User.objects.filter(groups__name=COORDINATORS_GROUP, is_active=True).order_by("pk").first()
    brief = (
        Result.objects.public().filter(kind=Result.Kind.POLICY_BRIEF, slug__endswith="-brief").order_by("-pk").first()
    )
    if coordinator is None or brief is None:
        return
    take_down(obj=brief, reason=TAKEDOWN_REASON, by=coordinator)
