"""The researcher directory, profile pages, organisation members and researchers on city pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from hub.models import Country, Language, Method, SDGTarget, Theme
from profiles.factories import MembershipFactory, ResearcherProfileFactory, UserFactory
from profiles.models import ProfileLanguage, Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_rich_profiles(university):
    """Profiles with every relation filled, so that a missing prefetch shows up as extra queries."""
    themes = list(Theme.objects.order_by("pk")[:3])
    methods = list(Method.objects.order_by("pk")[:2])
    targets = list(SDGTarget.objects.filter(code__in=["11.1", "10.2", "5.5"]))
    countries = list(Country.objects.filter(code__in=["AT", "ES"]))
    languages = list(Language.objects.filter(code__in=["en", "es"]))
    made = []

    def add(n: int) -> list:
        for _ in range(n):
            profile = ResearcherProfileFactory(affiliation=university, orcid="0000-0002-1825-0097")
            profile.themes.set(themes)
            profile.methods.set(methods)
            profile.sdg_targets.set(targets)
            profile.countries.set(countries)
            for language in languages:
                ProfileLanguage.objects.create(profile=profile, language=language, level="fluent")
            for year in (2023, 2024):
                Publication.objects.create(profile=profile, title=f"Paper {year}", year=year, doi="10.5281/zenodo.1")
            made.append(profile)
        return made

    return add


def _queries(client, url: str) -> int:
    client.get(url)  # warm caches as in production
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_directory_queries_stay_constant_as_researchers_are_added(
    client, add_rich_profiles, django_assert_max_num_queries, signed_in
):
    if signed_in:
        client.force_login(UserFactory(email="viewer@example.org"))
    add_rich_profiles(2)
    url = "/researchers/?theme=adequate-housing&country=AT"
    few = (_queries(client, "/researchers/"), _queries(client, url))

    add_rich_profiles(20)
    many = (_queries(client, "/researchers/"), _queries(client, url))

    assert many == few
    with django_assert_max_num_queries(14):
        client.get("/researchers/")


def test_profile_page_queries_do_not_grow_with_its_content(client, add_rich_profiles, django_assert_max_num_queries):
    [profile] = add_rich_profiles(1)
    few = _queries(client, profile.get_absolute_url())

    profile.sdg_targets.set(SDGTarget.objects.all()[:40])
    profile.themes.set(Theme.objects.all())
    for n in range(15):
        Publication.objects.create(profile=profile, title=f"More {n}", year=2020)
    many = _queries(client, profile.get_absolute_url())

    assert many == few
    with django_assert_max_num_queries(12):
        client.get(profile.get_absolute_url())


@pytest.mark.parametrize(
    "query",
    [
        "theme=no-such-theme",
        "sdg=abc",
        "sdg=99999999999999999999999",
        "country=%00",
        "country=Atlantis",
        "language=<script>",
        "career_stage=professor",
        "available=maybe",
        "page=999",
        "page=-1",
        "theme=adequate-housing&theme=x&method=%E2%9C%93",
        "q=" + "x" * 500,
    ],
)
def test_garbage_in_the_query_string_never_breaks_the_directory(client, add_rich_profiles, query):
    add_rich_profiles(1)

    response = client.get(f"/researchers/?{query}")

    assert response.status_code == 200


def test_malformed_filter_is_reported_and_ignored(client, add_rich_profiles):
    add_rich_profiles(2)

    response = client.get("/researchers/?sdg=abc&career_stage=professor")

    assert b"Some filters were not understood and are ignored" in response.content
    assert response.context["page"].paginator.count == 2


def test_unknown_vocabulary_value_shows_zero_matches_and_a_way_back(client, add_rich_profiles):
    add_rich_profiles(2)

    response = client.get("/researchers/?theme=no-such-theme")

    assert response.context["page"].paginator.count == 0
    assert b"No researchers match these filters" in response.content


def test_facets_filter_and_count(client, add_rich_profiles):
    add_rich_profiles(3)
    other = ResearcherProfileFactory(career_stage="student", is_available=False, availability_visibility="public")
    other.sdg_targets.set(SDGTarget.objects.filter(code="4.1"))

    everyone = client.get("/researchers/")
    facets = {f.name: {o.value: o.count for o in f.options} for f in everyone.context["facets"]}
    assert facets["sdg"] == {"4": 1, "5": 3, "10": 3, "11": 3}
    assert facets["career_stage"] == {"student": 1, "early_career": 3}
    assert facets["language"] == {"en": 3, "es": 3}
    assert facets["available"] == {"no": 1}  # the others show availability to members only

    students = client.get("/researchers/?career_stage=student")
    assert [c.profile.pk for c in students.context["cards"]] == [other.pk]
    assert b"Career stage: Student" in students.content  # the active-filter chip

    goal = client.get("/researchers/?sdg=11")
    assert goal.context["page"].paginator.count == 3


def test_directory_paginates(client, add_rich_profiles):
    add_rich_profiles(26)

    first = client.get("/researchers/")
    second = client.get("/researchers/?page=2")

    assert len(first.context["cards"]) == 24 and len(second.context["cards"]) == 2
    assert b'href="?page=2"' in first.content


def test_organisation_page_lists_only_members_who_chose_to_be_listed(client, university):
    listed = MembershipFactory(organisation=university, user__first_name="Listed", user__last_name="Person")
    MembershipFactory(organisation=university, user__first_name="Quiet", user__last_name="Person", is_listed=False)
    MembershipFactory(organisation=university, user__first_name="Pending", user__last_name="Person", status="requested")
    ResearcherProfileFactory(user=listed.user)

    body = client.get(university.get_absolute_url()).content.decode()

    assert "Listed Person" in body and listed.user.researcher_profile.get_absolute_url() in body
    assert "Quiet Person" not in body and "Pending Person" not in body


def test_city_page_shows_its_calls_and_researchers_who_worked_with_it(client, city, open_call, make_city):
    from projects.models import Partnership, PartnershipMember

    organisation, _official = city
    partnership = Partnership.objects.create(title="Housing study", slug="housing-study", city=organisation)
    worked = ResearcherProfileFactory(user__first_name="Worked", user__last_name="Here")
    unlisted = ResearcherProfileFactory(user__first_name="Unlisted", user__last_name="Here", is_public=False)
    for profile in (worked, unlisted):
        PartnershipMember.objects.create(partnership=partnership, user=profile.user, name=str(profile))
    elsewhere_org, _ = make_city("Linz")
    elsewhere = Partnership.objects.create(title="Elsewhere", slug="elsewhere", city=elsewhere_org)
    stranger = ResearcherProfileFactory(user__first_name="Worked", user__last_name="Elsewhere")
    PartnershipMember.objects.create(partnership=elsewhere, user=stranger.user, name=str(stranger))

    body = client.get("/cities/city-of-graz/").content.decode()

    assert open_call.title in body
    assert "Researchers who worked with this city" in body
    assert "Worked Here" in body and worked.get_absolute_url() in body
    assert "Unlisted Here" not in body and "Worked Elsewhere" not in body
