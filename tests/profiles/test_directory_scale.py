"""The researcher directory at scale: facet counts from the link tables, cached counts and totals, and
a query budget that does not grow with the number of researchers."""

from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from hub.models import Country, Language, Method, SDGTarget, Theme
from profiles import visibility
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.filters import RESEARCHER_FACETS
from profiles.models import ProfileLanguage, ResearcherProfile, Visibility

pytestmark = pytest.mark.django_db

PERSONAL = {
    "country": "countries",
    "language": "languages",
    "career_stage": "career_stage",
    "available": "availability",
}


def _profile(email: str, *, themes=(), methods=(), targets=(), countries=(), languages=(), **fields):
    profile = ResearcherProfileFactory(user__email=email, **fields)
    profile.themes.set(Theme.objects.filter(slug__in=themes))
    profile.methods.set(Method.objects.filter(slug__in=methods))
    profile.sdg_targets.set(SDGTarget.objects.filter(code__in=targets))
    profile.countries.set(Country.objects.filter(code__in=countries))
    for code in languages:
        ProfileLanguage.objects.create(profile=profile, language=Language.objects.get(code=code))
    return profile


@pytest.fixture
def researchers():
    """Researchers with every kind of visibility, and two who are not in the directory at all."""
    housing, health, education = (t.slug for t in Theme.objects.order_by("pk")[:3])
    method = Method.objects.order_by("pk").first().slug
    return {
        "open": _profile(
            "open@example.org",
            themes=[housing, health],
            methods=[method],
            targets=["11.1", "11.2", "5.5"],  # two targets of goal 11 count once
            countries=["AT", "KR"],
            languages=["en", "ko"],
            career_stage="student",
            availability_visibility=Visibility.PUBLIC,
        ),
        "members": _profile(
            "members@example.org",
            themes=[housing],
            targets=["11.1"],
            countries=["AT"],
            languages=["ko"],
            countries_visibility=Visibility.MEMBERS,
            languages_visibility=Visibility.MEMBERS,
            career_stage_visibility=Visibility.MEMBERS,
            is_available=False,
        ),
        "hidden": _profile(
            "hidden@example.org",
            themes=[health, education],
            methods=[method],
            countries=["KR"],
            languages=["en"],
            career_stage="established",
            countries_visibility=Visibility.HIDDEN,
            languages_visibility=Visibility.HIDDEN,
            career_stage_visibility=Visibility.HIDDEN,
            availability_visibility=Visibility.HIDDEN,
        ),
        "plain": _profile("plain@example.org", availability_visibility=Visibility.PUBLIC),
        "unlisted": _profile("unlisted@example.org", themes=[housing], countries=["AT"], is_public=False),
        "inactive": _profile("inactive@example.org", themes=[housing], countries=["AT"], user__is_active=False),
    }


def _values(profile: ResearcherProfile, name: str) -> set[str]:
    """The facet values of one profile, read in Python (the reference the SQL counts must agree with)."""
    if name == "theme":
        return {t.slug for t in profile.themes.all()}
    if name == "method":
        return {m.slug for m in profile.methods.all()}
    if name == "sdg":
        return {str(t.goal.number) for t in profile.sdg_targets.all()}
    if name == "group":
        return {g.slug for g in profile.groups.all()}
    if name == "country":
        return {c.code for c in profile.countries.all()}
    if name == "language":
        return {pl.language.code for pl in profile.profile_languages.all()}
    if name == "career_stage":
        return {profile.career_stage}
    return {"yes" if profile.is_available else "no"}


def _shown(profile: ResearcherProfile, name: str, viewer) -> set[str]:
    if name in PERSONAL and not visibility.can_see(profile, PERSONAL[name], viewer):
        return set()
    return _values(profile, name)


def _expected(params: dict, viewer) -> tuple[int, dict[str, dict[str, int]]]:
    """The directory's total and facet counts by their definition: listed profiles of active users, each
    facet counting those that match every other filter, personal values only where the viewer may see them."""
    listed = list(ResearcherProfile.objects.filter(is_public=True, user__is_active=True))

    def matches(profile, skip: str | None = None) -> bool:
        return all(value in _shown(profile, name, viewer) for name, value in params.items() if name != skip)

    total = sum(matches(p) for p in listed)
    facets = {}
    for name in RESEARCHER_FACETS:
        counts = Counter(value for p in listed if matches(p, skip=name) for value in _shown(p, name, viewer))
        facets[name] = dict(counts)
    return total, facets


def _shown_counts(response) -> tuple[int, dict[str, dict[str, int]]]:
    facets = {
        f.name: {o.value: o.count for o in f.options if o.count}  # an unknown selected value is listed with 0
        for f in response.context["facets"]
    }
    return response.context["page"].paginator.count, facets


QUERIES = [
    {},
    {"theme": "adequate-housing"},
    {"country": "KR"},
    {"country": "AT", "theme": "adequate-housing"},
    {"language": "ko", "career_stage": "student"},
    {"available": "no"},
    {"sdg": "11"},
    {"theme": "no-such-theme"},
]


@pytest.mark.parametrize("who", ["anonymous", "member", "owner of hidden fields", "owner of unlisted profile"])
@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_counts_and_total_follow_the_visibility_rules(client, researchers, who, params):
    viewer = {
        "anonymous": None,
        "member": UserFactory(email="viewer@example.org"),
        "owner of hidden fields": researchers["hidden"].user,
        "owner of unlisted profile": researchers["unlisted"].user,
    }[who]
    if viewer is not None:
        client.force_login(viewer)

    response = client.get("/researchers/", params)

    assert _shown_counts(response) == _expected(params, viewer)


def test_the_owner_alone_counts_their_hidden_fields(client, researchers):
    anonymous = _shown_counts(client.get("/researchers/", {"country": "KR"}))
    client.force_login(researchers["hidden"].user)
    owner = _shown_counts(client.get("/researchers/", {"country": "KR"}))
    client.force_login(UserFactory(email="viewer@example.org"))
    member = _shown_counts(client.get("/researchers/", {"country": "KR"}))

    assert (anonymous[0], owner[0], member[0]) == (1, 2, 1)
    assert (anonymous[1]["country"], owner[1]["country"], member[1]["country"]) == (
        {"AT": 1, "KR": 1},
        {"AT": 2, "KR": 2},  # members see the members-only AT; only the owner sees their own hidden KR
        {"AT": 2, "KR": 1},
    )
    assert owner[1]["career_stage"] == {"student": 1, "established": 1}
    assert member[1]["career_stage"] == {"student": 1}


def test_an_unlisted_profile_counts_for_nobody_not_even_its_owner(client, researchers):
    client.force_login(researchers["unlisted"].user)

    total, facets = _shown_counts(client.get("/researchers/"))

    assert total == 4
    assert facets["country"] == {"AT": 2, "KR": 1}  # the open and members-only ones; not the unlisted AT


@pytest.fixture
def aggregate_cache(settings):
    """Cached aggregates on, as in production, with an empty cache and the site settings row in place."""
    from django.core.cache import cache

    from wagtail.models import Site

    from hub.models import SiteSettings

    SiteSettings.for_site(Site.objects.get(is_default_site=True))  # its creation would invalidate the cache
    cache.clear()
    settings.AGGREGATE_CACHE_SECONDS = 300


def _commit() -> None:
    """What the end of a request's transaction does: run its on-commit callbacks (the content generation's
    bump among them). The test's own transaction never commits, and while a change is pending the aggregate
    cache stays out of the way (``hub.aggregates``)."""
    while connection.run_on_commit:  # after a real commit, what the callbacks register runs at once too
        callbacks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, func, _robust in callbacks:
            func()


def _counting_queries(client, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/researchers/", params or {}).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_cached_counts_are_reused_until_a_profile_changes(client, researchers, aggregate_cache):
    params = {"theme": "adequate-housing"}
    _commit()
    assert _counting_queries(client, params)  # computed once
    assert _counting_queries(client, params) == []  # then read from the cache
    assert _shown_counts(client.get("/researchers/", params)) == _expected(params, None)

    def changed() -> tuple[int, dict]:
        _commit()
        shown = _shown_counts(client.get("/researchers/", params))
        assert shown == _expected(params, None)
        return shown

    _profile("new@example.org", themes=["adequate-housing"], countries=["AT"])
    assert changed()[0] == 3

    researchers["open"].countries_visibility = Visibility.HIDDEN
    researchers["open"].save()
    assert changed()[1]["country"] == {"AT": 1}

    researchers["members"].themes.clear()
    assert changed()[0] == 2

    ProfileLanguage.objects.create(profile=researchers["plain"], language=Language.objects.get(code="es"))
    researchers["plain"].themes.add(Theme.objects.get(slug="adequate-housing"))
    total, facets = changed()
    assert total == 3 and facets["language"] == {"en": 1, "ko": 1, "es": 1}

    researchers["open"].user.is_active = False
    researchers["open"].user.save()
    assert changed()[0] == 2  # the new researcher and the plain one who just added the theme


def test_cached_counts_are_never_served_to_another_viewer(researchers, aggregate_cache):
    from django.test import Client

    owner, member = researchers["hidden"].user, UserFactory(email="viewer@example.org")
    clients = {"anonymous": (Client(), None), "owner": (Client(), owner), "member": (Client(), member)}
    for client, viewer in clients.values():
        if viewer is not None:
            client.force_login(viewer)
    _commit()  # signing in is a change of its own

    for who in ["owner", "anonymous", "member", "owner", "anonymous", "member"]:
        client, viewer = clients[who]
        assert _shown_counts(client.get("/researchers/")) == _expected({}, viewer), who
    for client, _viewer in clients.values():
        assert _counting_queries(client) == []  # each viewer's own counts, from the cache


@pytest.fixture
def add_profiles():
    """Profiles with every relation the directory counts, so that a count per profile shows up as queries."""
    targets = list(SDGTarget.objects.filter(code__in=["11.1", "10.2"]))

    def add(n: int) -> None:
        for _ in range(n):
            profile = ResearcherProfileFactory()
            profile.themes.set(Theme.objects.order_by("pk")[:2])
            profile.methods.set(Method.objects.order_by("pk")[:2])
            profile.sdg_targets.set(targets)
            profile.countries.set(Country.objects.filter(code__in=["AT", "ES"]))
            ProfileLanguage.objects.create(profile=profile, language=Language.objects.get(code="en"))

    return add


@pytest.mark.parametrize("cache_on", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_directory_queries_are_the_same_for_3_and_30_researchers(client, add_profiles, request, signed_in, cache_on):
    if cache_on:
        request.getfixturevalue("aggregate_cache")
    if signed_in:
        client.force_login(UserFactory(email="viewer@example.org"))
    urls = ["/researchers/", "/researchers/?theme=adequate-housing&country=AT", "/researchers/?page=2"]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    add_profiles(3)
    _commit()
    few = queries()
    add_profiles(27)
    _commit()
    many = queries()

    assert many == few
    assert max(many) <= (7 if cache_on else 9)  # cached: no facet or count query
