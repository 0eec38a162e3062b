"""Demo datasets of the demo partnerships, generated in code and uploaded through the services (clearly marked).

Idempotent: a dataset whose slug exists is left alone. The values are plausible, not real.
"""

import csv
import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from hub.models import Country, GroupAtRisk, SDGTarget, Theme
from projects.models import Dataset, Partnership, PartnershipMember
from projects.services import datasets as services

DEMO = "Demo data: generated for the Bridges demo, not real figures."

BARCELONA_DISTRICTS = [
    "Ciutat Vella",
    "Eixample",
    "Sants-Montjuïc",
    "Les Corts",
    "Sarrià-Sant Gervasi",
    "Gràcia",
    "Horta-Guinardó",
    "Nou Barris",
    "Sant Andreu",
    "Sant Martí",
]
HOUSEHOLD_TYPES = [
    ("Single adult with children", 0.5),
    ("Person living alone", 0.9),
    ("Couple with children", 1.0),
    ("Older person living alone", 0.25),
    ("Other household", 0.4),
]
VIENNA_DISTRICTS = ["Innere Stadt", "Leopoldstadt", "Landstraße", "Favoriten", "Ottakring", "Floridsdorf", "Donaustadt"]
BUILDING_TYPES = ["School", "Public library", "District office", "Health centre", "Community centre"]


def _csv(rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _evictions(rng: random.Random) -> bytes:
    rows = [["year", "district", "household_type", "evictions"]]
    for year in range(2019, 2025):
        for position, district in enumerate(BARCELONA_DISTRICTS):
            level = 40 - position * 2.5 - (year - 2019) * 2
            for household, share in HOUSEHOLD_TYPES:
                rows.append([year, district, household, max(0, int(rng.gauss(level * share * 0.5, 3)))])
    # Semicolons and Windows-1252, as a municipal spreadsheet export would be.
    return _csv(rows, delimiter=";", encoding="cp1252")


def _accessibility(rng: random.Random) -> bytes:
    rows = [
        [
            "building",
            "district",
            "building_type",
            "step_free_entrance",
            "accessible_toilet",
            "audit_date",
            "barriers_found",
        ]
    ]
    number = 0
    for district in VIENNA_DISTRICTS:
        for building_type in BUILDING_TYPES:
            for _copy in range(rng.randint(1, 3)):
                number += 1
                step_free = rng.random() < 0.72
                rows.append(
                    [
                        f"{building_type} {district} {number}",
                        district,
                        building_type,
                        "yes" if step_free else "no",
                        "yes" if rng.random() < 0.6 else "no",
                        f"2024-{rng.randint(3, 11):02d}-{rng.randint(1, 28):02d}",
                        rng.randint(0, 4) + (0 if step_free else 3),
                    ]
                )
    return _csv(rows)


def _health_survey(rng: random.Random) -> bytes:
    rows = [
        [
            "respondent_code",
            "age_group",
            "sex",
            "region_of_birth",
            "years_in_austria",
            "has_gp",
            "unmet_need",
            "language_barrier",
        ]
    ]
    regions = ["Western Balkans", "Türkiye", "Syria and Iraq", "Afghanistan", "EU", "Sub-Saharan Africa", "Other"]
    for n in range(1, 241):
        years = rng.choice(["<2", "2-5", "6-10", ">10"])
        barrier = rng.random() < (0.6 if years in ("<2", "2-5") else 0.25)
        rows.append(
            [
                f"R-{n:04d}",
                rng.choice(["18-29", "30-44", "45-64", "65+"]),
                rng.choice(["female", "male", "female", "male", "non-binary"]),
                rng.choice(regions),
                years,
                "yes" if rng.random() < (0.45 if barrier else 0.8) else "no",
                "yes" if rng.random() < (0.5 if barrier else 0.2) else "no",
                "yes" if barrier else "no",
            ]
        )
    return _csv(rows)


def _advice_cases(rng: random.Random) -> bytes:
    rows = [["case_number", "opened_on", "contact_phone", "issue", "outcome"]]
    issues = ["Eviction notice", "Rent increase", "Mould and damp", "Deposit withheld", "Discrimination by landlord"]
    for n in range(1, 61):
        rows.append(
            [
                f"2023-{n:03d}",
                f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"+43 316 {rng.randint(100000, 999999)}",  # fictitious numbers
                rng.choice(issues),
                rng.choice(["Resolved", "Referred to court", "Pending", "Withdrawn"]),
            ]
        )
    return _csv(rows)


SPECS = [
    {
        "city": "Barcelona",
        "slug": "evictions-by-district-and-household-type-barcelona-2019-2024",
        "title": "Evictions by district and household type, Barcelona 2019–2024",
        "description": "Evictions carried out per year, district and household type. Counts below five are hidden "
        "in public tables and downloads.",
        "provenance": "Compiled from court enforcement records and municipal housing-office case files.",
        "licence": "CC-BY-4.0",
        "access_level": Dataset.AccessLevel.OPEN,
        "personal_data": Dataset.PersonalData.AGGREGATED,
        "disaggregations": ["household", "area"],
        "themes": ["adequate-housing"],
        "groups": ["poverty"],
        "targets": ["11.1", "1.4"],
        "country": "ES",
        "period": ("2019-01-01", "2024-12-31"),
        "file": _evictions,
        "descriptions": {"evictions": "Evictions carried out in the year"},
    },
    {
        "city": "Vienna",
        "slug": "accessibility-audit-of-public-buildings-vienna",
        "title": "Accessibility audit of public buildings, Vienna",
        "description": "Step-free entrances, accessible toilets and barriers found in an audit of public buildings, "
        "carried out with disabled people's organisations.",
        "provenance": "On-site audits in 2024 by trained auditors with lived experience of disability.",
        "licence": "CC0-1.0",
        "access_level": Dataset.AccessLevel.OPEN,
        "personal_data": Dataset.PersonalData.NONE,
        "disaggregations": ["disability", "area"],
        "themes": ["disability-rights", "non-discrimination"],
        "groups": ["persons-with-disabilities"],
        "targets": ["11.7", "10.2"],
        "country": "AT",
        "period": ("2024-03-01", "2024-11-30"),
        "file": _accessibility,
        "not_counts": ["barriers_found"],  # barriers in a building, not people: no suppression needed
        "descriptions": {"barriers_found": "Barriers the auditors recorded in the building"},
    },
    {
        "city": "Graz",
        "slug": "survey-of-migrants-access-to-health-services-graz",
        "title": "Survey of migrants' access to health services, Graz",
        "description": "Answers of 240 migrants to a survey on general practitioners, unmet health needs and language "
        "barriers. One row per respondent, with a pseudonymous code.",
        "provenance": "Face-to-face survey in 2024 with community interpreters; sampling through migrant associations.",
        "licence": "CC-BY-4.0",
        "access_level": Dataset.AccessLevel.ON_REQUEST,
        "personal_data": Dataset.PersonalData.PSEUDONYMISED,
        "personal_data_note": "Respondents consented to research use. The key linking codes to people stays with the "
        "research team at the University of Graz and is deleted in 2027.",
        "disaggregations": ["sex", "age_group", "migration_status"],
        "themes": ["health", "migrants-refugees"],
        "groups": ["migrants", "refugees-asylum-seekers"],
        "targets": ["3.8"],
        "country": "AT",
        "period": ("2024-01-01", "2024-12-31"),
        "file": _health_survey,
    },
    {
        "city": "Graz",
        "slug": "housing-rights-advice-cases-graz-2023",
        "title": "Housing-rights advice cases, Graz 2023",
        "description": "Case log of a housing-rights advice service. Closed: it holds contact details of the people "
        "advised; the aggregated findings are in the partnership's report.",
        "provenance": "Advice service case management system, exported January 2024.",
        "licence": "CC-BY-4.0",
        "access_level": Dataset.AccessLevel.CLOSED,
        "personal_data": Dataset.PersonalData.PERSONAL,
        "personal_data_note": "Contact numbers of clients, kept only to follow up their cases; access limited to the "
        "advice service and the research team under a data-processing agreement.",
        "disaggregations": [],
        "themes": ["adequate-housing", "access-to-justice"],
        "groups": ["poverty", "homeless"],
        "targets": ["16.3"],
        "country": "AT",
        "period": ("2023-01-01", "2023-12-31"),
        "file": _advice_cases,
    },
]


def _partnership(city: str) -> tuple[Partnership, object] | None:
    """A public partnership of the city with a research-side member, who acts as uploader."""
    research = Q(members__side=PartnershipMember.Side.RESEARCH, members__user__isnull=False)
    partnership = (
        Partnership.objects.filter(research, is_public=True, city__city=city).order_by("pk").first()
        or Partnership.objects.filter(research, is_public=True).order_by("pk").first()
    )
    if partnership is None:
        return None
    member = partnership.members.filter(side=PartnershipMember.Side.RESEARCH, user__isnull=False).order_by("pk")
    return partnership, member.first().user


def seed(*, rng: random.Random, stdout) -> None:
    created = 0
    for spec in SPECS:
        if Dataset.objects.filter(slug=spec["slug"]).exists():
            continue
        found = _partnership(spec["city"])
        if found is None:
            stdout.write(f"  datasets: no partnership with a research team for {spec['city']}; skipped")
            continue
        partnership, uploader = found
        start, end = spec["period"]
        data = {
            "title": spec["title"],
            "description": f"{spec['description']}\n\n{DEMO}",
            "provenance": spec["provenance"],
            "licence": spec["licence"],
            "access_level": spec["access_level"],
            "personal_data": spec["personal_data"],
            "personal_data_note": spec.get("personal_data_note", ""),
            "disaggregations": spec["disaggregations"],
            "period_start": _date(start),
            "period_end": _date(end),
            "themes": list(Theme.objects.filter(slug__in=spec["themes"])),
            "groups": list(GroupAtRisk.objects.filter(slug__in=spec["groups"])),
            "sdg_targets": list(SDGTarget.objects.filter(code__in=spec["targets"])),
            "countries": list(Country.objects.filter(code=spec["country"])),
        }
        upload = SimpleUploadedFile(f"{spec['slug']}.csv", spec["file"](rng), content_type="text/csv")
        dataset = services.dataset_upload(partnership=partnership, by=uploader, upload=upload, data=data)
        schema = [
            {
                **column,
                "description": spec.get("descriptions", {}).get(column["name"], column["description"]),
                "is_count": column["is_count"] and column["name"] not in spec.get("not_counts", []),
            }
            for column in dataset.schema
        ]
        services.dataset_update(dataset=dataset, by=uploader, data={}, schema=schema, edit_version=dataset.edit_version)
        if dataset.slug != spec["slug"]:
            Dataset.objects.filter(pk=dataset.pk).update(slug=spec["slug"])
            dataset.slug = spec["slug"]
        services.dataset_publish(dataset=dataset, by=uploader)
        created += 1
    stdout.write(f"  datasets: {created} created")


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
