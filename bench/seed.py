"""Seed the benchmark database at a scale, fast and idempotently; sign in the accounts pages use.

At scale N: N researchers with profiles (themes, methods, countries, languages), max(20, N/100)
universities, and max(200, N/50) verified cities, each verified through ``organisation_verify`` so
that it has its CityPage, its editor group and that group's per-subtree page permissions, with an
official and a few researchers as approved members. A city editor is an approved member of the
first city, a network editor of the first 20; a network coordinator verifies the cities. Objects are built with the apps' factories (``profiles.factories``, ``calls.factories``,
``projects.factories``; ``bench.factories`` for what they lack) and saved many at once with ``bulk_create``;
cities go through the service, which is what creates pages and groups, and call pages through Wagtail's
``add_child``.

The coordinator's last name records the seeded scale (the marker): a second run at that scale
skips seeding, a larger scale tops the database up, and a smaller one is refused.
"""

import datetime as dt
import random
import re
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.timezone import now as timezone_now

import factory.random
from allauth.account.models import EmailAddress

from bench import search
from bench.factories import LiveCallFactory, ResultFactory
from calls.deadlines import Status
from calls.factories import ProposalFactory, make_call
from calls.filters import status_q
from calls.matching.vectors import rebuild_all
from calls.models import CallVector, ProfileVector, Proposal, ResearchCall, TeamMember
from calls.services.proposals import proposal_start
from hub.models import Country, GroupAtRisk, Language, Method, Theme
from hub.search.models import SearchEntry
from profiles import visibility
from profiles.demo import DEMO_TOTP_SECRET
from profiles.factories import (
    CityOrganisationFactory,
    MembershipFactory,
    OrganisationFactory,
    ResearcherProfileFactory,
    UserFactory,
)
from profiles.mfa import totp_activate
from profiles.models import CitiesIndexPage, CityPage, Membership, Organisation, ResearcherProfile, User
from profiles.services import COORDINATORS_GROUP, organisation_verify, sync_editor_groups
from projects.factories import PartnershipFactory
from projects.models import Partnership, PartnershipMember, Result

SEED_VERSION = 5  # bump when the seeded data changes: older databases are then topped up
DOMAIN = "bench.example"
COORDINATOR_EMAIL = f"coordinator@{DOMAIN}"
CITY_EDITOR_EMAIL = f"city.editor@{DOMAIN}"
NETWORK_EDITOR_EMAIL = f"network.editor@{DOMAIN}"
RESEARCHER_EMAIL = f"researcher000000@{DOMAIN}"  # the first seeded researcher: "calls for you" ranks for them
# Someone who works for a city network is a member of many of its cities, so gets many editor groups.
NETWORK_EDITOR_CITIES = 20
MARKER = re.compile(r"bench seed v(?P<version>\d+) scale (?P<scale>\d+)")
MEMBERS_PER_CITY = 3
TIME_ZONES = ["Europe/Vienna", "Europe/Madrid", "Asia/Seoul", "America/Bogota", "Africa/Accra", "UTC"]
BATCH = 2000


class SeedError(Exception):
    pass


def city_count(scale: int) -> int:
    return max(200, scale // 50)


def call_count(scale: int) -> int:
    return max(400, scale // 5)


def open_call_count(scale: int) -> int:
    """Open calls the "calls for you" ranking runs over: 5,000 at scale 50,000."""
    return max(100, scale // 10)


def affiliation_count(scale: int) -> int:
    return max(20, scale // 100)


def seeded_scale() -> int | None:
    """The scale the database was seeded at, or None if it was never (completely) seeded."""
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    match = MARKER.fullmatch(coordinator.last_name) if coordinator else None
    if not match or int(match["version"]) != SEED_VERSION:
        return None
    return int(match["scale"])


def ensure(*, scale: int, log) -> bool:
    """Seed up to ``scale``; False if the database already holds exactly that scale."""
    current = seeded_scale()
    if current == scale:
        return False
    if current is not None and current > scale:
        raise SeedError(f"This database was seeded at scale {current}; use another database for scale {scale}.")
    rng = random.Random(scale)
    factory.random.reseed_random(scale)  # the factories' Faker values are reproducible too
    password = make_password("bench-only-password")
    coordinator = _coordinator(password)
    steps = [
        ("affiliations", lambda: _affiliations(affiliation_count(scale))),
        ("researchers", lambda: _researchers(scale, password=password, rng=rng)),
        ("cities", lambda: _cities(city_count(scale), password=password, rng=rng)),
        ("city verification (pages, editor groups)", lambda: _verify_cities(coordinator)),
        ("city editor", lambda: _editor(CITY_EDITOR_EMAIL, cities=1, password=password)),
        ("network editor", lambda: _editor(NETWORK_EDITOR_EMAIL, cities=NETWORK_EDITOR_CITIES, password=password)),
        ("research calls (pages, revisions)", lambda: _calls(call_count(scale), rng=rng)),
        ("open calls for matching (pages, revisions)", lambda: _open_calls(open_call_count(scale), rng=rng)),
        ("matching vectors (bulk)", _match_vectors),
    ]
    for label, step in steps:
        started = time.perf_counter()
        with transaction.atomic():
            created = step()
        log(f"  {label}: {created} created in {time.perf_counter() - started:.1f} s")
    coordinator.last_name = f"bench seed v{SEED_VERSION} scale {scale}"
    coordinator.save(update_fields=["last_name"])
    return True


def _coordinator(password: str) -> User:
    coordinator, _created = User.objects.get_or_create(
        email=COORDINATOR_EMAIL,
        defaults={"first_name": "Bench", "password": password, "account_type": User.AccountType.ORGANISATION},
    )
    coordinator.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    EmailAddress.objects.get_or_create(
        user=coordinator, email=coordinator.email, defaults={"verified": True, "primary": True}
    )
    return User.objects.get(pk=coordinator.pk)  # fresh permission cache


def _missing(model, field: str, wanted: list[str]) -> list[str]:
    existing: set[str] = set()
    for start in range(0, len(wanted), BATCH):  # SQLite allows a limited number of parameters per query
        chunk = wanted[start : start + BATCH]
        existing.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return [value for value in wanted if value not in existing]


def _bulk_users(emails: list[str], *, password: str, account_type: str, rng: random.Random) -> int:
    new = _missing(User, "email", emails)
    User.objects.bulk_create(
        [UserFactory.build(email=email, password=password, account_type=account_type) for email in new],
        batch_size=BATCH,
    )
    return len(new)


def _affiliations(count: int) -> int:
    countries = list(Country.objects.order_by("code")[:60])
    kinds = [Organisation.Kind.UNIVERSITY, Organisation.Kind.RESEARCH_INSTITUTE]
    slugs = _missing(Organisation, "slug", [f"bench-university-{i:05d}" for i in range(count)])
    Organisation.objects.bulk_create(
        [
            OrganisationFactory.build(
                name=f"Bench University {slug[-5:]}",
                slug=slug,
                kind=kinds[i % 2],
                country=countries[i % len(countries)],
                city=f"Town {slug[-5:]}",
                description="A university seeded for the benchmark.",
                verified=True,
            )
            for i, slug in enumerate(slugs)
        ],
        batch_size=BATCH,
    )
    return len(slugs)


def _researchers(count: int, *, password: str, rng: random.Random) -> int:
    emails = [f"researcher{i:06d}@{DOMAIN}" for i in range(count)]
    _bulk_users(emails, password=password, account_type=User.AccountType.RESEARCHER, rng=rng)
    users = list(
        User.objects.filter(email__endswith=f"@{DOMAIN}", email__startswith="researcher", researcher_profile=None)
    )
    affiliations = list(Organisation.objects.filter(slug__startswith="bench-university-").values_list("pk", flat=True))
    stages = list(ResearcherProfile.CareerStage.values)
    before = ResearcherProfile.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    profiles = ResearcherProfile.objects.bulk_create(
        [
            ResearcherProfileFactory.build(
                user=user, affiliation_id=rng.choice(affiliations), career_stage=rng.choice(stages)
            )
            for user in users
        ],
        batch_size=BATCH,
    )
    if not profiles:
        return 0
    profiles = list(ResearcherProfile.objects.filter(pk__gt=before).only("pk"))
    vocabularies = [
        ("themes", "theme_id", list(Theme.objects.values_list("pk", flat=True)), 3),
        ("methods", "method_id", list(Method.objects.values_list("pk", flat=True)), 2),
        ("countries", "country_id", list(Country.objects.values_list("pk", flat=True)), 2),
        ("languages", "language_id", list(Language.objects.values_list("pk", flat=True)), 2),
    ]
    for field, column, choices, per_profile in vocabularies:
        through = getattr(ResearcherProfile, field).through
        # Languages go through ProfileLanguage (with a level), whose key to the profile is ``profile``.
        owner = "profile_id" if field == "languages" else "researcherprofile_id"
        through.objects.bulk_create(
            [
                through(**{owner: profile.pk, column: pk})
                for profile in profiles
                for pk in rng.sample(choices, min(per_profile, len(choices)))
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return len(profiles)


def _cities(count: int, *, password: str, rng: random.Random) -> int:
    countries = list(Country.objects.order_by("code")[:60])
    slugs = _missing(Organisation, "slug", [f"bench-city-{i:05d}" for i in range(count)])
    Organisation.objects.bulk_create(
        [
            CityOrganisationFactory.build(
                name=f"Bench City {slug[-5:]}",
                slug=slug,
                country=rng.choice(countries),
                city=f"Bench City {slug[-5:]}",
                description="A Human Rights City seeded for the benchmark. " * 4,
                time_zone=rng.choice(TIME_ZONES),
                population=rng.randint(20_000, 5_000_000),
                hr_city_declaration_year=rng.randint(2000, 2025),
            )
            for slug in slugs
        ],
        batch_size=BATCH,
    )
    officials = [f"official{i:05d}@{DOMAIN}" for i in range(count)]
    _bulk_users(officials, password=password, account_type=User.AccountType.ORGANISATION, rng=rng)
    cities = {o.slug: o.pk for o in Organisation.objects.filter(slug__startswith="bench-city-")}
    users = dict(User.objects.filter(email__in=officials).values_list("email", "pk"))
    researchers = list(
        User.objects.filter(email__startswith="researcher", email__endswith=f"@{DOMAIN}").values_list("pk", flat=True)[
            : count * MEMBERS_PER_CITY * 2
        ]
    )
    memberships = []
    for i in range(count):
        city = cities[f"bench-city-{i:05d}"]
        memberships.append(
            MembershipFactory.build(
                user=User(pk=users[officials[i]]), organisation=Organisation(pk=city), role=Membership.Role.ADMIN
            )
        )
        for user_id in rng.sample(researchers, min(MEMBERS_PER_CITY, len(researchers))):
            memberships.append(MembershipFactory.build(user=User(pk=user_id), organisation=Organisation(pk=city)))
    Membership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
    return len(slugs)


def _verify_cities(coordinator: User) -> int:
    pending = list(Organisation.objects.filter(slug__startswith="bench-city-").filter(city_page=None).order_by("slug"))
    for organisation in pending:
        organisation_verify(organisation=organisation, by=coordinator)
    return len(pending)


def _editor(email: str, *, cities: int, password: str) -> int:
    """An organisation member approved in the first ``cities`` cities, hence in that many editor groups."""
    editor, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": "Editor",
            "last_name": email.split("@")[0],
            "password": password,
            "account_type": User.AccountType.ORGANISATION,
        },
    )
    EmailAddress.objects.get_or_create(user=editor, email=editor.email, defaults={"verified": True, "primary": True})
    for organisation in Organisation.objects.filter(slug__startswith="bench-city-").order_by("slug")[:cities]:
        Membership.objects.get_or_create(
            user=editor,
            organisation=organisation,
            defaults={"role": Membership.Role.MEMBER, "status": Membership.Status.APPROVED},
        )
    sync_editor_groups(user=editor)
    return int(created)


def _calls(count: int, *, rng: random.Random) -> int:
    """Published calls spread over the cities, in every status, tagged with themes, methods and groups.

    Calls go through ``make_call`` (tree insert, revision, publish) like real ones; their
    vocabularies are bulk-inserted afterwards, which is what makes large scales affordable.
    """
    wanted = [f"bench-call-{i:05d}" for i in range(count)]
    missing = set(_missing(ResearchCall, "slug", wanted))
    if not missing:
        return 0
    cities = list(CityPage.objects.filter(organisation__slug__startswith="bench-city-").order_by("organisation__slug"))
    day = dt.timedelta(days=1)
    now = timezone.now()
    # (opens in, closes in, extra fields) per status: open, upcoming, consultation, closed, awarded.
    shapes = [
        (-10 * day, 30 * day, {}),
        (20 * day, 80 * day, {}),
        (15 * day, 60 * day, {"consultation_opens_at": now - day, "consultation_questions": "Which areas first?"}),
        (-90 * day, -20 * day, {}),
        (-200 * day, -120 * day, {"awarded_at": now - 30 * day}),
    ]
    created = []
    for i, slug in enumerate(wanted):
        if slug not in missing:
            continue
        opens_in, closes_in, extra = shapes[i % len(shapes)]
        created.append(
            make_call(
                city_page=cities[i % len(cities)],
                title=f"Bench call {i:05d}: {rng.choice(['housing', 'water', 'health', 'schools', 'transport'])}",
                slug=slug,
                opens_in=opens_in + rng.randint(0, 10) * day,
                closes_in=closes_in + rng.randint(0, 10) * day,
                early_career=rng.choice(["open", "open", "only", "reserved"]),
                early_career_share=25,
                **extra,
            ).pk
        )
    vocabularies = [
        ("themes", "theme_id", list(Theme.objects.values_list("pk", flat=True)), 3),
        ("methods", "method_id", list(Method.objects.values_list("pk", flat=True)), 2),
        ("groups", "groupatrisk_id", list(GroupAtRisk.objects.values_list("pk", flat=True)), 2),
    ]
    for field, column, choices, per_call in vocabularies:
        through = getattr(ResearchCall, field).through
        through.objects.bulk_create(
            [
                through(researchcall_id=pk, **{column: choice})
                for pk in created
                for choice in rng.sample(choices, min(per_call, len(choices)))
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return len(created)


def _open_calls(count: int, *, rng: random.Random) -> int:
    """Top up the open calls to ``count`` (``_calls`` makes a fifth of its calls open), tagged like them.

    Thousands of pages through ``make_call`` take many minutes, so these go in through ``_insert_call_pages``:
    live, without revisions (not needed to serve or rank).
    """
    now = timezone.now().replace(microsecond=0)
    existing = ResearchCall.objects.live().filter(status_q(Status.OPEN, now)).count()
    if existing >= count:
        return 0
    start = ResearchCall.objects.filter(slug__startswith="bench-open-call-").count()
    return _insert_call_pages(
        range(start, start + count - existing),
        slug="bench-open-call-{:05d}",
        title="Bench open call {:05d}",
        shapes=[(-20, -1, 20, 120)],
        rng=rng,
    )


def _insert_call_pages(numbers, *, slug: str, title: str, shapes: list[tuple[int, int, int, int]], rng) -> int:
    """Live call pages under the bench cities, tagged with vocabularies; returns how many.

    Each page is built by ``bench.factories.LiveCallFactory`` and inserted with Wagtail's ``add_child`` (tree
    path, ``url_path``, validation), live and without a revision; the vocabularies go in with ``bulk_create``.
    ``shapes`` gives, in turn, (opens from, opens to, closes from, closes to) in days from now for each number.
    """
    now = timezone.now().replace(microsecond=0)
    cities = list(
        CityPage.objects.filter(organisation__slug__startswith="bench-city-")
        .select_related("organisation")
        .order_by("organisation__slug")
    )
    day = dt.timedelta(days=1)
    by_city: dict[int, list[int]] = defaultdict(list)
    for i in numbers:
        by_city[(i * 7) % len(cities)].append(i)
    created = []
    topics = ["housing", "water", "health", "schools", "transport"]
    for position, city_numbers in by_city.items():
        city = cities[position]
        organisation = city.organisation
        for i in city_numbers:
            opens_from, opens_to, closes_from, closes_to = shapes[i % len(shapes)]
            call = LiveCallFactory.build(
                title=f"{title.format(i)}: {rng.choice(topics)}",
                slug=slug.format(i),
                organisation=organisation,
                time_zone=organisation.time_zone,
                first_published_at=now,
                opens_at=now + rng.randint(opens_from, opens_to) * day,
                closes_at=now + rng.randint(closes_from, closes_to) * day,
                early_career=rng.choice(["open", "open", "open", "only", "reserved"]),
                cross_border=rng.choice(["allowed", "allowed", "required", "domestic"]),
            )
            city.add_child(instance=call)
            created.append(call.pk)
    languages = list(Language.objects.filter(code__in=["en", "es", "fr", "de", "pt"]).values_list("pk", flat=True))
    vocabularies = [
        ("themes", "theme_id", list(Theme.objects.values_list("pk", flat=True)), 3),
        ("methods", "method_id", list(Method.objects.values_list("pk", flat=True)), 2),
        ("groups", "groupatrisk_id", list(GroupAtRisk.objects.values_list("pk", flat=True)), 2),
        ("required_languages", "language_id", languages, 1),
    ]
    for field, column, choices, per_call in vocabularies:
        through = getattr(ResearchCall, field).through
        through.objects.bulk_create(
            [
                through(researchcall_id=pk, **{column: choice})
                for pk in created
                if field != "required_languages" or rng.random() < 0.2
                for choice in rng.sample(choices, min(per_call, len(choices)))
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return len(created)


def _match_vectors() -> int:
    """Everything above went in with bulk_create (no signals): compute the matching bitsets in bulk."""

    profiles, calls = rebuild_all()
    return profiles + calls


def ensure_matching(*, researchers: int, open_calls: int, scale: int, log) -> None:
    """For the matching pages: top up to ``researchers`` profiles and ``open_calls`` open calls, then vectors."""
    rng = random.Random(researchers + open_calls)
    password = make_password("bench-only-password")

    def vectors() -> int:
        if ProfileVector.objects.count() == ResearcherProfile.objects.count() and (
            CallVector.objects.count() == ResearchCall.objects.count()
        ):
            return 0  # nothing new since the last run
        return _match_vectors()

    steps = [
        ("matching: researchers", lambda: _researchers(max(researchers, scale), password=password, rng=rng)),
        ("matching: open calls (bulk pages)", lambda: _open_calls(open_calls, rng=rng)),
        ("matching: vectors (bulk)", vectors),
    ]
    for label, step in steps:
        started = time.perf_counter()
        with transaction.atomic():
            created = step()
        log(f"  {label}: {created} in {time.perf_counter() - started:.1f} s")


# --records N (issue 7): N objects in realistic proportions on top of the base scale's accounts and cities.
RECORD_SHARES = {"researchers": 0.50, "calls": 0.10, "proposals": 0.20, "partnerships": 0.05, "results": 0.15}
RECORDS_MARKER_EMAIL = f"records.marker@{DOMAIN}"
RECORDS_MARKER = re.compile(r"bench records v(?P<version>\d+) (?P<records>\d+)")
OFFICIAL_EMAIL = f"official00000@{DOMAIN}"  # the admin official of the first city: their dashboard is measured


def record_counts(records: int) -> dict[str, int]:
    return {name: int(records * share) for name, share in RECORD_SHARES.items()}


def seeded_records() -> int | None:
    marker = User.objects.filter(email=RECORDS_MARKER_EMAIL).first()
    match = RECORDS_MARKER.fullmatch(marker.last_name) if marker else None
    if not match or int(match["version"]) != SEED_VERSION:
        return None
    return int(match["records"])


def ensure_records(*, records: int, log) -> bool:
    """Top the database up to ``records`` objects (researchers, calls, proposals, partnerships, results).

    Objects built by the factories go in with bulk inserts (no signals), call pages with ``add_child`` (live, no
    revisions); the search index is then rebuilt
    with ``search_reindex`` and the matching vectors in bulk. False if already seeded at ``records``.
    """
    if seeded_records() == records:
        return False
    counts = record_counts(records)
    rng = random.Random(records)
    password = make_password("bench-only-password")
    steps = [
        ("records: researchers (bulk)", lambda: _researchers(counts["researchers"], password=password, rng=rng)),
        ("records: calls (bulk pages)", lambda: _bulk_calls(counts["calls"], rng=rng)),
        ("records: proposals (bulk)", lambda: _proposals(counts["proposals"], rng=rng)),
        ("records: partnerships (bulk)", lambda: _partnerships(counts["partnerships"], rng=rng)),
        ("records: results (bulk)", lambda: _results(counts["results"], rng=rng)),
        ("records: the proposal the bench saves", _bench_proposal),
        ("records: matching vectors (bulk)", _vectors_if_needed),
    ]
    for label, step in steps:
        started = time.perf_counter()
        with transaction.atomic():
            created = step()
        log(f"  {label}: {created} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    created = _search_index(records, rng=rng)  # outside a transaction: it commits per batch and VACUUMs
    log(f"  records: search index: {created} in {time.perf_counter() - started:.1f} s")
    _analyze()
    User.objects.update_or_create(
        email=RECORDS_MARKER_EMAIL,
        defaults={
            "first_name": "Bench",
            "last_name": f"bench records v{SEED_VERSION} {records}",
            "password": password,
            "is_active": False,
        },
    )
    return True


def _vectors_if_needed() -> int:
    if ProfileVector.objects.count() == ResearcherProfile.objects.count() and (
        CallVector.objects.count() == ResearchCall.objects.count()
    ):
        return 0
    return _match_vectors()


def _search_index(records: int, *, rng: random.Random) -> int:
    """/search/ over ``records`` entries: the real calls and cities through ``search_reindex`` (the other
    types take ~30 minutes to index on this machine), then synthetic entries of every type, as
    ``--only search`` seeds them, up to ``records`` in all."""
    if SearchEntry.objects.count() >= records:
        return 0
    call_command("search_reindex", type=["call", "city"], stdout=_Quiet())
    synthetic = SearchEntry.objects.filter(object_id__startswith="bench-").count()
    real = SearchEntry.objects.count() - synthetic
    search.seed(records - real, rng=rng)
    return SearchEntry.objects.count()


class _Quiet:
    def write(self, *_args, **_kwargs):
        pass

    def flush(self):
        pass


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _bulk_calls(total: int, *, rng: random.Random) -> int:
    """Top the calls up to ``total`` in every status (open, upcoming, closed, awarded-length past)."""

    existing = ResearchCall.objects.count()
    if existing >= total:
        return 0
    start = ResearchCall.objects.filter(slug__startswith="bench-bulk-call-").count()
    # (opens from, opens to, closes from, closes to) in days: open, upcoming, closed, long closed, open.
    shapes = [(-30, -1, 10, 90), (5, 40, 60, 150), (-120, -60, -50, -1), (-500, -200, -190, -100), (-10, -1, 30, 60)]
    return _insert_call_pages(
        range(start, start + total - existing),
        slug="bench-bulk-call-{:05d}",
        title="Bench call {:05d}",
        shapes=shapes,
        rng=rng,
    )


def _researcher_ids(limit: int) -> list[int]:
    return list(
        User.objects.filter(email__startswith="researcher", email__endswith=f"@{DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _proposals(total: int, *, rng: random.Random) -> int:
    """Proposals of researchers to the calls: drafts, submitted, under review, awarded, declined."""
    existing = Proposal.objects.count()
    if existing >= total:
        return 0
    calls = list(ResearchCall.objects.values_list("pk", flat=True))
    researchers = dict(
        User.objects.filter(email__startswith="researcher", email__endswith=f"@{DOMAIN}").values_list("pk", "email")
    )
    leads = sorted(researchers)[1:]  # researcher000000's own proposal is made by ``_bench_proposal``
    statuses = [
        (Proposal.Status.DRAFT, 8),
        (Proposal.Status.SUBMITTED, 5),
        (Proposal.Status.UNDER_REVIEW, 3),
        (Proposal.Status.SHORTLISTED, 1),
        (Proposal.Status.AWARDED, 1),
        (Proposal.Status.DECLINED, 2),
    ]
    weighted = [status for status, weight in statuses for _ in range(weight)]
    now = timezone_now()
    proposals = [
        ProposalFactory.build(
            call_id=rng.choice(calls),
            lead_id=rng.choice(leads),
            status=(status := rng.choice(weighted)),
            title=f"Bench proposal {i:05d} on the right to housing",
            summary="What we will find out and why it matters for human rights in the city. " * 3,
            methodology="Mixed methods: a survey, focus groups and document analysis. " * 5,
            budget=rng.randint(10, 50) * 1000,
            submitted_at=None if status == Proposal.Status.DRAFT else now,
        )
        for i in range(existing, total)
    ]
    before = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Proposal.objects.bulk_create(proposals, batch_size=BATCH)
    TeamMember.objects.bulk_create(
        [
            TeamMember(
                proposal_id=pk,
                user_id=lead,
                email=researchers[lead],
                name=f"Lead {lead}",
                role=TeamMember.Role.LEAD,
                status=TeamMember.Status.ACCEPTED,
            )
            for pk, lead in Proposal.objects.filter(pk__gt=before).values_list("pk", "lead_id")
        ],
        batch_size=BATCH,
    )
    return len(proposals)


def _partnerships(total: int, *, rng: random.Random) -> int:
    """Public partnerships between the bench cities and researchers, each with a lead and a city official."""

    existing = Partnership.objects.count()
    if existing >= total:
        return 0
    cities = list(Organisation.objects.filter(slug__startswith="bench-city-").values_list("pk", flat=True))
    researchers = _researcher_ids(20_000)
    themes = list(Theme.objects.values_list("pk", flat=True))
    methods = list(Method.objects.values_list("pk", flat=True))
    today = timezone_now().date()

    start = Partnership.objects.filter(slug__startswith="bench-partnership-").count()
    partnerships = [
        PartnershipFactory.build(
            title=f"Bench partnership {i:05d}: {rng.choice(['housing', 'water', 'health', 'schools'])} monitor",
            slug=f"bench-partnership-{i:05d}",
            summary="A partnership between a city and researchers on the right to adequate housing.",
            origin=rng.choice([Partnership.Origin.CALL, Partnership.Origin.REGISTERED]),
            status=rng.choice([Partnership.Status.ACTIVE] * 3 + [Partnership.Status.COMPLETED]),
            city_id=rng.choice(cities),
            is_public=rng.random() < 0.95,
            started_at=today - dt.timedelta(days=rng.randint(30, 900)),
        )
        for i in range(start, start + total - existing)
    ]
    created = Partnership.objects.bulk_create(partnerships, batch_size=BATCH)
    created = list(Partnership.objects.filter(slug__in=[p.slug for p in partnerships]).values_list("pk", "city_id"))
    PartnershipMember.objects.bulk_create(
        [
            PartnershipMember(
                partnership_id=pk,
                user_id=rng.choice(researchers),
                name="Bench researcher",
                role="Lead researcher",
                side=PartnershipMember.Side.RESEARCH,
            )
            for pk, _city in created
        ]
        + [
            PartnershipMember(
                partnership_id=pk,
                name="Bench official",
                role="City official",
                side=PartnershipMember.Side.CITY,
                organisation_id=city,
            )
            for pk, city in created
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    for field, column, choices in [("themes", "theme_id", themes), ("methods", "method_id", methods)]:
        through = getattr(Partnership, field).through
        through.objects.bulk_create(
            [through(partnership_id=pk, **{column: c}) for pk, _city in created for c in rng.sample(choices, 2)],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return len(created)


def _results(total: int, *, rng: random.Random) -> int:
    """Results of the public partnerships: mostly published, some drafts, a few taken down."""
    existing = Result.objects.count()
    if existing >= total:
        return 0
    partnerships = list(
        Partnership.objects.filter(slug__startswith="bench-partnership-", is_public=True).values_list("pk", flat=True)
    )
    themes = list(Theme.objects.values_list("pk", flat=True))
    kinds = list(Result.Kind.values)
    now = timezone_now()
    start = Result.objects.filter(slug__startswith="bench-result-").count()
    results = []
    for i in range(start, start + total - existing):
        status = rng.choice([Result.Status.PUBLISHED] * 8 + [Result.Status.DRAFT, Result.Status.TAKEN_DOWN])
        results.append(
            ResultFactory.build(
                partnership_id=rng.choice(partnerships),
                kind=rng.choice(kinds),
                title=f"Bench result {i:05d}: {rng.choice(['older tenants', 'water access', 'school segregation'])}",
                slug=f"bench-result-{i:05d}",
                abstract="What the partnership found about human rights in the city. " * 4,
                status=status,
                published_at=None if status == Result.Status.DRAFT else now - dt.timedelta(days=rng.randint(1, 900)),
                publication_date=(now - dt.timedelta(days=rng.randint(1, 900))).date(),
            )
        )
    Result.objects.bulk_create(results, batch_size=BATCH)
    created = list(Result.objects.filter(slug__startswith="bench-result-").values_list("pk", flat=True))
    through = Result.themes.through
    through.objects.bulk_create(
        [through(result_id=pk, theme_id=t) for pk in created for t in rng.sample(themes, 2)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return len(results)


def _bench_proposal() -> int:
    """researcher000000's draft to the first open call of the first city: the proposal save the bench POSTs."""

    researcher = User.objects.get(email=RESEARCHER_EMAIL)
    EmailAddress.objects.get_or_create(
        user=researcher, email=researcher.email, defaults={"verified": True, "primary": True}
    )
    call_id = _match_call_id()
    if Proposal.objects.filter(lead=researcher, call_id=call_id).exists():
        return 0

    proposal_start(call=ResearchCall.objects.get(pk=call_id), by=researcher, title="Bench proposal to save")
    return 1


def bench_proposal_id() -> int:
    proposal = Proposal.objects.filter(lead__email=RESEARCHER_EMAIL, call_id=_match_call_id()).first()
    return proposal.pk if proposal else 0


def bench_proposal_edit_version() -> int:
    return Proposal.objects.filter(pk=bench_proposal_id()).values_list("edit_version", flat=True).first() or 1


def _with_authenticator(user: User) -> User:
    """Coordinators must use two-factor authentication (profiles.middleware): the bench's has an authenticator app
    (the demo's known secret), as a real one would, so its session reaches the admin instead of the set-up page."""
    totp_activate(user=user, secret=DEMO_TOTP_SECRET)
    return user


def _session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _first_call_path() -> str:
    call = ResearchCall.objects.live().filter(slug="bench-call-00000").first()
    return call.url if call else "/calls/"


def _match_call_id() -> int:
    """The first open call of the city editor's city: the one "researchers who fit" ranks everybody for."""
    call = (
        ResearchCall.objects.live()
        .filter(organisation__slug="bench-city-00000")
        .filter(status_q(Status.OPEN, timezone.now()))
        .order_by("pk")
        .first()
    )
    return call.pk if call else 0


def bench_context() -> dict:
    """Values that page paths name, and a fresh session cookie for each seeded account."""
    editor = User.objects.get(email=CITY_EDITOR_EMAIL)
    city_page = CityPage.objects.get(organisation__slug="bench-city-00000")

    csrf_token = get_random_string(32)  # sent as the CSRF cookie and as the form's token (unmasked secret)
    return {
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "csrf_token": csrf_token,
        "paths": {
            "csrf_token": csrf_token,
            "city_slug": city_page.slug,
            "city_page_id": city_page.pk,
            "cities_index_id": CitiesIndexPage.objects.get().pk,
            "call_path": _first_call_path(),
            "match_call_id": _match_call_id(),
            "proposal_id": bench_proposal_id(),
            # The version the fixed proposal save names: the first save takes it, later ones are refused as stale.
            "proposal_edit_version": bench_proposal_edit_version(),
            "theme_slug": Theme.objects.order_by("pk").values_list("slug", flat=True).first() or "",
            **_detail_paths(),
        },
        "cookies": {
            "city_editor": _session_cookie(editor),
            "network_editor": _session_cookie(User.objects.get(email=NETWORK_EDITOR_EMAIL)),
            "coordinator": _session_cookie(_with_authenticator(User.objects.get(email=COORDINATOR_EMAIL))),
            "researcher": _session_cookie(User.objects.get(email=RESEARCHER_EMAIL)),
            "official": _session_cookie(User.objects.get(email=OFFICIAL_EMAIL)),
        },
        "counts": {
            "researchers": ResearcherProfile.objects.count(),
            "organisations": Organisation.objects.count(),
            "city_pages": CityPage.objects.count(),
            "groups": Group.objects.count(),
            "city_editor_groups": editor.groups.count(),
            "network_editor_groups": User.objects.get(email=NETWORK_EDITOR_EMAIL).groups.count(),
            "profile_vectors": ProfileVector.objects.count(),
            "current_call_vectors": CallVector.objects.filter(current=True, closes_at__gt=timezone_now()).count(),
            **_record_counts_now(),
        },
    }


def _detail_paths() -> dict[str, str | int]:
    """One public object of each type with a detail page (what an anonymous visitor may open)."""
    researcher = visibility.profiles_visible_to(None).order_by("pk").values_list("pk", flat=True).first()
    partnership = (
        Partnership.objects.filter(is_public=True, slug__startswith="bench-partnership-").order_by("pk").first()
    )
    result = (
        Result.objects.filter(
            status=Result.Status.PUBLISHED,
            embargo_until=None,
            partnership__is_public=True,
            slug__startswith="bench-result-",
        )
        .order_by("pk")
        .first()
    )
    return {
        "researcher_id": researcher or 0,
        "organisation_slug": "bench-city-00000",
        "partnership_slug": partnership.slug if partnership else "none",
        "result_slug": result.slug if result else "none",
    }


def _record_counts_now() -> dict[str, int]:
    return {
        "calls": ResearchCall.objects.count(),
        "proposals": Proposal.objects.count(),
        "partnerships": Partnership.objects.count(),
        "results": Result.objects.count(),
        "search_entries": SearchEntry.objects.count(),
    }
