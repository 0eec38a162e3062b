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
from django.utils.timezone import now as timezone_now

from allauth.account.models import EmailAddress

from hub.models import Country, Language, Method, Theme
from profiles.models import CitiesIndexPage, CityPage, Membership, Organisation, ResearcherProfile, User
from profiles.services import COORDINATORS_GROUP, organisation_verify, sync_editor_groups

SEED_VERSION = 4  # bump when the seeded data changes: older databases are then topped up
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
    before = ResearcherProfile.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
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


def _open_calls(count: int, *, rng: random.Random) -> int:
    """Top up the open calls to ``count`` (``_calls`` makes a fifth of its calls open), tagged like them.

    Thousands of pages through ``make_call`` take many minutes, so these are inserted in bulk:
    tree paths computed under each city page, the Page rows with ``bulk_create``, the ResearchCall
    rows with one INSERT per batch. They are live, without revisions (not needed to serve or rank).
    """
    import datetime as dt
    import uuid
    from collections import defaultdict

    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F
    from django.utils import timezone

    from wagtail.models import Locale, Page

    from calls.deadlines import Status
    from calls.filters import status_q
    from calls.models import ResearchCall
    from hub.models import GroupAtRisk

    now = timezone.now().replace(microsecond=0)
    existing = ResearchCall.objects.live().filter(status_q(Status.OPEN, now)).count()
    if existing >= count:
        return 0
    start = ResearchCall.objects.filter(slug__startswith="bench-open-call-").count()
    cities = list(
        CityPage.objects.filter(organisation__slug__startswith="bench-city-")
        .select_related("organisation")
        .order_by("organisation__slug")
    )
    content_type = ContentType.objects.get_for_model(ResearchCall)
    locale = Locale.get_default()
    day = dt.timedelta(days=1)
    by_city: dict[int, list[int]] = defaultdict(list)
    for i in range(start, start + count - existing):
        by_city[(i * 7) % len(cities)].append(i)
    created = []
    for position, numbers in by_city.items():
        city = Page.objects.get(pk=cities[position].pk)
        last = city.get_last_child()
        step = last._get_lastpos_in_path() if last else 0
        pages = []
        for offset, i in enumerate(numbers, start=1):
            slug = f"bench-open-call-{i:05d}"
            title = f"Bench open call {i:05d}: {rng.choice(['housing', 'water', 'health', 'schools'])}"
            pages.append(
                Page(
                    path=Page._get_path(city.path, city.depth + 1, step + offset),
                    depth=city.depth + 1,
                    numchild=0,
                    title=title,
                    draft_title=title,
                    slug=slug,
                    url_path=f"{city.url_path}{slug}/",
                    content_type=content_type,
                    locale=locale,
                    translation_key=uuid.uuid4(),
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                )
            )
        Page.objects.bulk_create(pages, batch_size=BATCH)
        Page.objects.filter(pk=city.pk).update(numchild=F("numchild") + len(pages))
        organisation = cities[position].organisation
        calls = [
            ResearchCall(
                page_ptr_id=page.pk,
                organisation=organisation,
                time_zone=organisation.time_zone,
                summary="An open call seeded in bulk for the matching benchmark.",
                budget_min=10000,
                budget_max=50000,
                opens_at=now - rng.randint(1, 20) * day,
                closes_at=now + rng.randint(20, 120) * day,
                early_career=rng.choice(["open", "open", "open", "only", "reserved"]),
                early_career_share=25,
                cross_border=rng.choice(["allowed", "allowed", "required", "domestic"]),
            )
            for page in Page.objects.filter(path__in=[p.path for p in pages]).only("pk")
        ]
        fields = ResearchCall._meta.local_concrete_fields
        for batch in range(0, len(calls), 500):
            ResearchCall._base_manager._insert(calls[batch : batch + 500], fields=fields)
        created += [call.page_ptr_id for call in calls]
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
    from calls.matching.vectors import rebuild_all

    profiles, calls = rebuild_all()
    return profiles + calls


def ensure_matching(*, researchers: int, open_calls: int, scale: int, log) -> None:
    """For the matching pages: top up to ``researchers`` profiles and ``open_calls`` open calls, then vectors."""
    rng = random.Random(researchers + open_calls)
    password = make_password("bench-only-password")
    from calls.models import CallVector, ProfileVector, ResearchCall

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


def _match_call_id() -> int:
    """The first open call of the city editor's city: the one "researchers who fit" ranks everybody for."""
    from django.utils import timezone

    from calls.deadlines import Status
    from calls.filters import status_q
    from calls.models import ResearchCall

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
    from calls.models import CallVector, ProfileVector

    editor = User.objects.get(email=CITY_EDITOR_EMAIL)
    city_page = CityPage.objects.get(organisation__slug="bench-city-00000")
    return {
        "paths": {
            "city_slug": city_page.slug,
            "city_page_id": city_page.pk,
            "cities_index_id": CitiesIndexPage.objects.get().pk,
            "call_path": _first_call_path(),
            "match_call_id": _match_call_id(),
        },
        "cookies": {
            "city_editor": _session_cookie(editor),
            "network_editor": _session_cookie(User.objects.get(email=NETWORK_EDITOR_EMAIL)),
            "coordinator": _session_cookie(User.objects.get(email=COORDINATOR_EMAIL)),
            "researcher": _session_cookie(User.objects.get(email=RESEARCHER_EMAIL)),
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
        },
    }
