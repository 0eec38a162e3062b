"""Per-field visibility, through every channel: the module itself, the profile page, the directory and the export."""

import json

import pytest

from hub.models import Country, Language, Theme
from profiles import visibility
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.models import ProfileLanguage, Publication, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_person(university):
    """A listed researcher who shows bio to members only and hides countries, ORCID and publications."""
    profile = ResearcherProfileFactory(
        user__email="rosa.private@example.org",
        user__first_name="Rosa",
        user__last_name="Private",
        headline="Water and sanitation in informal settlements",
        bio="Members-only biography text.",
        orcid="0000-0002-1825-0097",
        affiliation=university,
        bio_visibility=Visibility.MEMBERS,
        countries_visibility=Visibility.HIDDEN,
        orcid_visibility=Visibility.HIDDEN,
        publications_visibility=Visibility.HIDDEN,
        languages_visibility=Visibility.MEMBERS,
        availability_visibility=Visibility.PUBLIC,
        is_available=False,
    )
    profile.countries.set([Country.objects.get(code="KR")])
    profile.themes.set([Theme.objects.get(slug="adequate-housing")])
    ProfileLanguage.objects.create(profile=profile, language=Language.objects.get(code="ko"), level="native")
    Publication.objects.create(profile=profile, title="Hidden paper on wells", year=2024, doi="10.5281/zenodo.123456")
    return profile


@pytest.fixture
def open_person():
    profile = ResearcherProfileFactory(
        user__email="omar.open@example.org", user__first_name="Omar", user__last_name="Open"
    )
    profile.countries.set([Country.objects.get(code="KR")])
    ProfileLanguage.objects.create(profile=profile, language=Language.objects.get(code="ko"), level="fluent")
    return profile


@pytest.fixture
def member():
    return UserFactory(email="member@example.org")


def test_allowed_levels_depend_on_signing_in(member):
    from django.contrib.auth.models import AnonymousUser

    assert visibility.allowed_levels(AnonymousUser()) == {"public"}
    assert visibility.allowed_levels(None) == {"public"}
    assert visibility.allowed_levels(member) == {"public", "members"}


def test_visible_fields_per_viewer(private_person, member):
    from django.contrib.auth.models import AnonymousUser

    anonymous = visibility.visible_fields(private_person, AnonymousUser())
    signed_in = visibility.visible_fields(private_person, member)
    owner = visibility.visible_fields(private_person, private_person.user)

    assert {"bio", "languages", "countries", "orcid", "publications"}.isdisjoint(anonymous)
    assert {"affiliation", "availability", "photo", "career_stage"} <= anonymous
    assert {"bio", "languages"} <= signed_in and {"countries", "orcid", "publications"}.isdisjoint(signed_in)
    assert owner == set(visibility.PERSONAL_FIELDS)


def test_public_view_blanks_what_the_viewer_may_not_see(private_person, member):
    view = visibility.public_view(private_person, member)

    assert view.bio == "Members-only biography text."
    assert view.orcid is None and view.countries == [] and view.publications == []
    data = view.to_dict()
    assert "orcid" not in data and "countries" not in data and "publications" not in data
    assert data["languages"] == [{"language": "ko", "level": "native"}]


def test_unknown_field_name_is_a_programming_error():
    with pytest.raises(ValueError):
        visibility.visible_q("themes", None)


def test_anonymous_page_shows_only_public_fields(client, private_person):
    response = client.get(private_person.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "Rosa Private" in body and "University of Graz" in body
    assert "Members-only biography text." not in body
    assert "Korean" not in body and "South Korea" not in body and "Korea" not in body
    assert "0000-0002-1825-0097" not in body
    assert "Hidden paper on wells" not in body
    assert "Not available for new partnerships" in body


def test_signed_in_page_adds_members_fields_but_not_hidden_ones(client, private_person, member):
    client.force_login(member)

    body = client.get(private_person.get_absolute_url()).content.decode()

    assert "Members-only biography text." in body
    assert "Korean" in body and "(native or bilingual)" in body
    assert "0000-0002-1825-0097" not in body
    assert "Hidden paper on wells" not in body


def test_owner_sees_every_field_with_who_can_see_it(client, private_person):
    client.force_login(private_person.user)

    body = client.get(private_person.get_absolute_url()).content.decode()

    assert "Members-only biography text." in body
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in body
    assert "Hidden paper on wells" in body and 'href="https://doi.org/10.5281/zenodo.123456"' in body
    assert "Only me" in body and "Signed-in users only" in body


def test_unlisted_profile_is_404_for_others_but_open_to_its_owner(client, private_person, member):
    private_person.is_public = False
    private_person.save()

    assert client.get(private_person.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert client.get(private_person.get_absolute_url()).status_code == 404
    client.force_login(private_person.user)
    response = client.get(private_person.get_absolute_url())
    assert response.status_code == 200
    assert b"only you can see this page" in response.content


def test_directory_cards_hide_hidden_fields(client, private_person, open_person):
    body = client.get("/researchers/").content.decode()

    cards = {card.split("</h2>")[0].rsplit(">", 2)[-2]: card for card in body.split('<article class="card')[1:]}
    assert set(cards) == {"Rosa Private</a", "Omar Open</a"}
    assert "South Korea" in cards["Omar Open</a"]
    assert "South Korea" not in cards["Rosa Private</a"]
    assert "South Korea (1)" in body  # the facet counts Omar only


def _facet(response, name):
    return {o.value: o.count for o in next(f for f in response.context["facets"] if f.name == name).options}


def test_filtering_on_a_hidden_field_does_not_find_the_researcher(client, private_person, open_person):
    response = client.get("/researchers/", {"country": "KR"})

    names = [card.profile.user.email for card in response.context["cards"]]
    assert names == ["omar.open@example.org"]
    assert _facet(client.get("/researchers/"), "country") == {"KR": 1}


def test_members_only_field_is_filterable_by_members_only(client, private_person, open_person, member):
    anonymous = client.get("/researchers/", {"language": "ko"})
    assert [c.profile.pk for c in anonymous.context["cards"]] == [open_person.pk]
    assert _facet(anonymous, "language") == {"ko": 1}

    client.force_login(member)
    signed_in = client.get("/researchers/", {"language": "ko"})
    assert {c.profile.pk for c in signed_in.context["cards"]} == {open_person.pk, private_person.pk}
    assert _facet(signed_in, "language") == {"ko": 2}


def test_owner_finds_themself_by_their_own_hidden_field(client, private_person, open_person):
    client.force_login(private_person.user)

    response = client.get("/researchers/", {"country": "KR"})

    assert {c.profile.pk for c in response.context["cards"]} == {open_person.pk, private_person.pk}


def test_facet_counts_follow_the_other_filters(client, private_person, open_person):
    response = client.get("/researchers/", {"theme": "adequate-housing"})

    assert [c.profile.pk for c in response.context["cards"]] == [private_person.pk]
    assert _facet(response, "theme")["adequate-housing"] == 1
    assert _facet(response, "available") == {"no": 1}  # Rosa shows availability publicly
    assert _facet(response, "country") == {}  # Rosa's countries are hidden


def test_export_gives_the_owner_every_field_and_the_visibility_settings(client, private_person):
    client.force_login(private_person.user)

    data = json.loads(client.get("/dashboard/export/").content)["researcher_profile"]

    assert data["bio"] == "Members-only biography text."
    assert data["orcid"] == "0000-0002-1825-0097"
    assert data["countries"] == ["KR"]
    assert data["languages"] == [{"language": "ko", "level": "native"}]
    assert data["publications"] == [
        {"title": "Hidden paper on wells", "year": 2024, "doi": "10.5281/zenodo.123456", "url": None}
    ]
    assert data["visibility"]["countries"] == "hidden" and data["visibility"]["bio"] == "members"
    assert data["available"] is False
