"""Demo versions (issue 19 §2): a report with a second published version, and a dataset with a second file.

Both are marked as demo in their notes; idempotent (nothing is added once a second version exists). Their "Cite"
sections (formatted, BibTeX, RIS, CSL-JSON, DataCite XML) come from these versions.
"""

import csv
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from projects import datasets_io
from projects.models import Dataset, PartnershipMember, Result
from projects.services import results as result_services
from projects.services import versions as services

RESULT_NOTE = "Demo: corrected the number of households surveyed in table 2 and added a plain-language summary."
DATASET_NOTE = "Demo: added a column naming the source of each figure."


def _research_user(partnership):
    member = (
        partnership.members.filter(side=PartnershipMember.Side.RESEARCH, user__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user if member else None


def _second_result_version() -> bool:
    result = (
        Result.objects.public()
        .filter(kind=Result.Kind.REPORT, version_number=1)
        .select_related("partnership")
        .order_by("pk")
        .first()
    )
    if result is None or Result.objects.filter(version_number__gte=2).exists():
        return False
    by = _research_user(result.partnership)
    if by is None:
        return False
    data = {
        "kind": result.kind,
        "title": result.title,
        "abstract": result.abstract.replace(
            "\n\n", "\n\nIn plain words: the city can act now on most of what we found.\n\n", 1
        ),
        "language": result.language,
        "licence": result.licence,
        "doi": result.doi,
        "url": result.url,
        "publication_date": result.publication_date,
        "version_note": RESULT_NOTE,
    }
    authors = [{"keep": a, "name": a.name, "affiliation": a.affiliation} for a in result.authors.all()]
    result_services.result_update(result=result, by=by, data=data, authors=authors, edit_version=result.edit_version)
    return True


def _second_dataset_version() -> bool:
    if Dataset.objects.filter(version_number__gte=2).exists():
        return False
    dataset = (
        Dataset.objects.open().filter(version_number=1).exclude(file="").select_related("partnership").order_by("pk")
    ).first()
    if dataset is None or not dataset.versions.exists():
        return False
    by = _research_user(dataset.partnership)
    if by is None:
        return False
    columns = datasets_io.header_of(dataset)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*columns, "source"])
    for row in datasets_io.iter_rows(dataset):
        writer.writerow([*(row.get(c, "") for c in columns), "Demo survey, corrected file"])
    upload = SimpleUploadedFile("data-v2.csv", buffer.getvalue().encode("utf-8"), content_type="text/csv")
    pending = services.dataset_version_upload(dataset=dataset, by=by, upload=upload, note=DATASET_NOTE)
    services.dataset_version_confirm(version=pending, by=by)
    return True


def seed(*, rng: random.Random, stdout) -> None:
    result = _second_result_version()
    dataset = _second_dataset_version()
    stdout.write(f"Demo versions: result {'added' if result else 'kept'}, dataset {'added' if dataset else 'kept'}.")
