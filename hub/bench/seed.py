"""Seed the benchmark database at a scale, fast and idempotently; sign in the accounts pages use.

At scale N: N researchers with profiles (themes, methods, countries, languages), max(20, N/100)
universities, and max(200, N/50) verified cities, each verified through ``organisation_verify`` so
that it has its CityPage, its editor group and that group's per-subtree page permissions, with an
official and a few researchers as approved members. A city editor is an approved member of the
first city, a network editor of the first 20; a network coordinator verifies the cities. Everything that is not a city goes in with
``bulk_create``; cities go through the service, which is what creates pages and groups.

The coordinator's last name records the seeded scale (the marker): a second run at that scale
skips seeding, a larger scale tops the database up, and a smaller one is refused.
"""

import random
import re
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction

from allauth.account.models import EmailAddress

from hub.models import Country, Language, Method, Theme
from profiles.models import CitiesIndexPage, CityPage, Membership, Organisation, ResearcherProfile, User
from profiles.services import COORDINATORS_GROUP, organisation_verify, sync_editor_groups

SEED_VERSION = 3  # bump when the seeded data changes: older databases are then topped up
DOMAIN = "bench.example"
COORDINATOR_EMAIL = f"coordinator@{DOMAIN}"
CITY_EDITOR_EMAIL = f"city.editor@{DOMAIN}"
NETWORK_EDITOR_EMAIL = f"network.editor@{DOMAIN}"
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
    existing = set(model.objects.filter(**{f"{field}__in": wanted}).values_list(field, flat=True))
    return [value for value in wanted if value not in existing]


def _bulk_users(emails: list[str], *, password: str, account_type: str, rng: random.Random) -> int:
    new = _missing(User, "email", emails)
    User.objects.bulk_create(
        [
            User(
                email=email,
                first_name=rng.choice(["Ada", "Bo", "Chen", "Dara", "Eli", "Femi", "Gita", "Hugo", "Ines", "Jun"]),
                last_name=f"{rng.choice(['Lund', 'Moreno', 'Nakamura', 'Okoro', 'Petit', 'Quinn'])} {email.split('@')[0][-6:]}",
                password=password,
                account_type=account_type,
            )
            for email in new
        ],
        batch_size=BATCH,
    )
    return len(new)


def _affiliations(count: int) -> int:
    countries = list(Country.objects.order_by("code")[:60])
    kinds = [Organisation.Kind.UNIVERSITY, Organisation.Kind.RESEARCH_INSTITUTE]
    slugs = _missing(Organisation, "slug", [f"bench-university-{i:05d}" for i in range(count)])
    Organisation.objects.bulk_create(
        [
            Organisation(
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
    profiles = ResearcherProfile.objects.bulk_create(
        [
            ResearcherProfile(
                user=user,
                affiliation_id=rng.choice(affiliations),
                career_stage=rng.choice(stages),
                headline=f"Researcher on local human rights, profile {user.email[10:16]}",
                bio="A researcher seeded for the benchmark. " * 6,
            )
            for user in users
        ],
        batch_size=BATCH,
    )
    if not profiles:
        return 0
    profiles = list(ResearcherProfile.objects.filter(user__in=users).only("pk"))
    vocabularies = [
        ("themes", "theme_id", list(Theme.objects.values_list("pk", flat=True)), 3),
        ("methods", "method_id", list(Method.objects.values_list("pk", flat=True)), 2),
        ("countries", "country_id", list(Country.objects.values_list("pk", flat=True)), 2),
        ("languages", "language_id", list(Language.objects.values_list("pk", flat=True)), 2),
    ]
    for field, column, choices, per_profile in vocabularies:
        through = getattr(ResearcherProfile, field).through
        through.objects.bulk_create(
            [
                through(researcherprofile_id=profile.pk, **{column: pk})
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
            Organisation(
                name=f"Bench City {slug[-5:]}",
                slug=slug,
                kind=Organisation.Kind.LOCAL_GOVERNMENT,
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
            Membership(
                user_id=users[officials[i]],
                organisation_id=city,
                role=Membership.Role.ADMIN,
                status=Membership.Status.APPROVED,
            )
        )
        for user_id in rng.sample(researchers, min(MEMBERS_PER_CITY, len(researchers))):
            memberships.append(Membership(user_id=user_id, organisation_id=city, status=Membership.Status.APPROVED))
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
    import datetime as dt

    from django.utils import timezone

    from calls.factories import make_call
    from calls.models import ResearchCall
    from hub.models import GroupAtRisk

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


def _session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _first_call_path() -> str:
    from calls.models import ResearchCall

    call = ResearchCall.objects.live().filter(slug="bench-call-00000").first()
    return call.url if call else "/calls/"


def bench_context() -> dict:
    """Values that page paths name, and a fresh session cookie for each seeded account."""
    editor = User.objects.get(email=CITY_EDITOR_EMAIL)
    city_page = CityPage.objects.get(organisation__slug="bench-city-00000")
    return {
        "paths": {
            "city_slug": city_page.slug,
            "city_page_id": city_page.pk,
            "cities_index_id": CitiesIndexPage.objects.get().pk,
            "call_path": _first_call_path(),
        },
        "cookies": {
            "city_editor": _session_cookie(editor),
            "network_editor": _session_cookie(User.objects.get(email=NETWORK_EDITOR_EMAIL)),
            "coordinator": _session_cookie(User.objects.get(email=COORDINATOR_EMAIL)),
        },
        "counts": {
            "researchers": ResearcherProfile.objects.count(),
            "organisations": Organisation.objects.count(),
            "city_pages": CityPage.objects.count(),
            "groups": Group.objects.count(),
            "city_editor_groups": editor.groups.count(),
            "network_editor_groups": User.objects.get(email=NETWORK_EDITOR_EMAIL).groups.count(),
        },
    }
