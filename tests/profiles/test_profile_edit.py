"""Editing one's researcher profile at /dashboard/profile/: everything at once, or nothing when something is wrong."""

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.images import get_image_model
from wagtail.models import GroupCollectionPermission

import pytest

from hub.models import Country, GroupAtRisk, Language, Method, SDGTarget, Theme
from profiles.models import ResearcherProfile
from profiles.services import PHOTO_COLLECTION, account_delete

pytestmark = pytest.mark.django_db

URL = "/dashboard/profile/"


@pytest.fixture
def signed_in(client, researcher):
    client.force_login(researcher)
    return client


def _profile(user) -> ResearcherProfile:
    return ResearcherProfile.objects.get(user=user)


def _errors(response) -> str:
    return response.content.decode()


def test_a_full_profile_is_saved_and_shown(signed_in, researcher, profile_post, university):
    housing = Theme.objects.get(slug="adequate-housing")
    target = SDGTarget.objects.get(code="11.1")
    method = Method.objects.order_by("pk").first()
    group = GroupAtRisk.objects.order_by("pk").first()
    spanish = Language.objects.get(code="es")
    data = profile_post(
        headline="Housing and participation",
        career_stage="student",
        affiliation=str(university.pk),
        orcid="https://orcid.org/0000-0002-1825-0097",
        bio="I study housing.",
        themes=[str(housing.pk)],
        sdg_targets=[str(target.pk)],
        methods=[str(method.pk)],
        groups=[str(group.pk)],
        countries=[str(Country.objects.get(code="ES").pk)],
        available_from="2027-03-01",
        bio_visibility="members",
        languages=[(spanish.pk, "fluent")],
        publications=[{"title": "Rent and rights", "year": "2025", "doi": "https://doi.org/10.5281/zenodo.1234567"}],
    )

    response = signed_in.post(URL, data, follow=True)

    assert response.redirect_chain[-1][0] == _profile(researcher).get_absolute_url()
    profile = _profile(researcher)
    assert profile.orcid == "0000-0002-1825-0097"
    assert profile.career_stage == "student" and profile.affiliation == university
    assert list(profile.themes.all()) == [housing] and list(profile.sdg_targets.all()) == [target]
    assert list(profile.groups.all()) == [group] and profile.bio_visibility == "members"
    assert [(pl.language.code, pl.level) for pl in profile.profile_languages.all()] == [("es", "fluent")]
    [publication] = profile.publications.all()
    assert (publication.title, publication.year, publication.doi) == ("Rent and rights", 2025, "10.5281/zenodo.1234567")
    body = response.content.decode()
    assert "Your profile was saved." in body
    assert "Rent and rights" in body and "Spanish" in body and "https://orcid.org/0000-0002-1825-0097" in body
    assert "Open to new partnerships from 1 March 2027" in body


def test_form_shows_sdg_targets_grouped_by_goal(signed_in):
    body = signed_in.get(URL).content.decode()

    assert body.count('<details class="sdg-goal"') == 17
    assert body.count('name="sdg_targets"') == SDGTarget.objects.count()
    assert "Who can see your biography?" in body


def test_orcid_with_a_wrong_check_digit_is_refused_and_the_rest_is_kept(signed_in, researcher, profile_post):
    response = signed_in.post(URL, profile_post(orcid="0000-0002-1825-0098", headline="Kept headline", bio="Kept bio"))

    assert response.status_code == 200
    body = _errors(response)
    assert "check digit does not match" in body
    assert 'value="Kept headline"' in body and "Kept bio</textarea>" in body
    assert 'value="0000-0002-1825-0098"' in body
    assert _profile(researcher).headline != "Kept headline"


def test_publication_with_a_bad_doi_saves_nothing(signed_in, researcher, profile_post):
    spanish = Language.objects.get(code="es")
    data = profile_post(
        headline="Should not be saved",
        languages=[(spanish.pk, "basic")],
        publications=[
            {"title": "Good paper", "doi": "10.5281/zenodo.42"},
            {"title": "Bad paper", "year": "2020", "doi": "not a doi"},
        ],
    )

    response = signed_in.post(URL, data)

    body = _errors(response)
    assert response.status_code == 200
    assert "A DOI looks like 10.1000/xyz123" in body and "Publication 2, DOI" in body
    assert 'value="Bad paper"' in body and 'value="not a doi"' in body and 'value="Good paper"' in body
    profile = _profile(researcher)
    assert profile.headline != "Should not be saved"
    assert not profile.publications.exists() and not profile.profile_languages.exists()


def test_publication_needs_a_title(signed_in, profile_post):
    response = signed_in.post(URL, profile_post(publications=[{"title": "", "doi": "10.5281/zenodo.42"}]))

    assert "Please give the publication" in _errors(response)


def test_more_than_twenty_publications_are_refused(signed_in, researcher, profile_post):
    data = profile_post(publications=[{"title": f"Paper {n}"} for n in range(21)])

    response = signed_in.post(URL, data)

    assert response.status_code == 200
    assert "Please submit at most 20 forms." in _errors(response)
    assert not _profile(researcher).publications.exists()


def test_the_same_language_twice_is_refused(signed_in, profile_post):
    spanish = Language.objects.get(code="es")

    response = signed_in.post(URL, profile_post(languages=[(spanish.pk, "basic"), (spanish.pk, "fluent")]))

    assert "You listed Spanish twice." in _errors(response)


def test_hostile_html_in_the_bio_is_shown_as_text(signed_in, researcher, profile_post):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>\nSecond line'
    signed_in.post(URL, profile_post(bio=hostile))

    body = signed_in.get(_profile(researcher).get_absolute_url()).content.decode()

    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<br>Second line" in body


def _upload(content: bytes, name: str, content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_photo_is_stored_as_a_wagtail_image_in_the_photo_collection(signed_in, researcher, profile_post, image_bytes):
    response = signed_in.post(
        URL, {**profile_post(), "photo_upload": _upload(image_bytes("JPEG", (800, 600)), "me.jpg")}
    )

    assert response.status_code == 302
    photo = _profile(researcher).photo
    assert photo is not None and photo.collection.name == PHOTO_COLLECTION
    assert photo.file.name.endswith(".jpg")
    body = signed_in.get(_profile(researcher).get_absolute_url()).content.decode()
    assert ".fill-240x240.jpg" in body and 'width="240"' in body
    directory = signed_in.get("/researchers/").content.decode()
    assert ".fill-64x64.jpg" in directory
    # City editors get permissions on their own collections only.
    editor_groups = Group.objects.filter(name__startswith="City editors")
    assert not GroupCollectionPermission.objects.filter(group__in=editor_groups, collection=photo.collection).exists()


def test_replacing_the_photo_deletes_the_old_image(signed_in, researcher, profile_post, image_bytes):
    signed_in.post(URL, {**profile_post(), "photo_upload": _upload(image_bytes("PNG"), "one.png")})
    first = _profile(researcher).photo

    signed_in.post(URL, {**profile_post(), "photo_upload": _upload(image_bytes("WEBP"), "two.webp", "image/webp")})

    second = _profile(researcher).photo
    assert second.pk != first.pk
    assert not get_image_model().objects.filter(pk=first.pk).exists()

    signed_in.post(URL, {**profile_post(), "remove_photo": "on"})
    assert _profile(researcher).photo is None
    assert not get_image_model().objects.filter(pk=second.pk).exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "me.svg", "SVG"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "me.png", "SVG"),
        (b"Dear committee, this is my CV in plain text.", "cv.png", "not an image we can read"),
    ],
    ids=["svg-with-script", "svg-renamed-png", "text-renamed-png"],
)
def test_photo_that_is_not_a_raster_image_is_refused(signed_in, researcher, profile_post, content, name, message):
    response = signed_in.post(URL, {**profile_post(headline="Typed"), "photo_upload": _upload(content, name)})

    assert response.status_code == 200
    assert message in _errors(response) and 'value="Typed"' in _errors(response)
    assert _profile(researcher).photo is None
    assert not get_image_model().objects.exists()


def test_gif_is_refused(signed_in, profile_post, image_bytes):
    response = signed_in.post(URL, {**profile_post(), "photo_upload": _upload(image_bytes("GIF"), "me.gif")})

    assert "GIF images are not accepted" in _errors(response)


def test_a_40_mb_photo_is_refused_with_its_size(signed_in, researcher, profile_post, image_bytes):
    big = image_bytes("JPEG") + b"\0" * (40 * 1024 * 1024)

    response = signed_in.post(URL, {**profile_post(), "photo_upload": _upload(big, "huge.jpg", "image/jpeg")})

    # Far over the limit: refused by its length before it is read (hub.upload_handlers), with the limit named.
    assert response.status_code == 413
    assert "may be at most 5.0\xa0MB" in response.content.decode()
    assert _profile(researcher).photo is None


def test_a_pixel_flood_is_refused_before_decoding(signed_in, researcher, profile_post, image_bytes):
    flood = image_bytes("PNG", (8000, 6000), mode="1")  # 48 megapixels in a few kilobytes
    assert len(flood) < 1024 * 1024

    response = signed_in.post(URL, {**profile_post(), "photo_upload": _upload(flood, "flood.png")})

    assert response.status_code == 200
    assert "8000 × 6000 pixels; the limit is 40 megapixels" in _errors(response)
    assert _profile(researcher).photo is None


def test_deleting_the_account_removes_photo_languages_and_publications(researcher, profile_post, client, image_bytes):
    client.force_login(researcher)
    spanish = Language.objects.get(code="es")
    client.post(
        URL,
        {
            **profile_post(languages=[(spanish.pk, "basic")], publications=[{"title": "A paper"}]),
            "photo_upload": _upload(image_bytes("PNG"), "me.png"),
        },
    )
    profile = _profile(researcher)
    photo_pk = profile.photo_id
    assert photo_pk and profile.publications.exists() and profile.profile_languages.exists()

    account_delete(user=researcher)

    assert not get_image_model().objects.filter(pk=photo_pk).exists()
    assert not ResearcherProfile.objects.filter(pk=profile.pk).exists()
    from profiles.models import ProfileLanguage, Publication

    assert not Publication.objects.filter(profile_id=profile.pk).exists()
    assert not ProfileLanguage.objects.filter(profile_id=profile.pk).exists()


def test_organisation_members_are_sent_to_their_account_settings(client, city):
    _organisation, official = city
    client.force_login(official)

    assert client.get(URL)["Location"] == "/dashboard/account/"


def test_a_good_photo_sent_with_a_bad_orcid_is_not_stored_and_the_user_is_told(
    signed_in, researcher, profile_post, image_bytes
):
    data = {**profile_post(orcid="1234"), "photo_upload": _upload(image_bytes("PNG"), "me.png")}

    response = signed_in.post(URL, data)

    assert "An ORCID iD looks like 0000-0002-1825-0097" in _errors(response)
    assert "please choose it again" in _errors(response)
    assert _profile(researcher).photo is None and not get_image_model().objects.exists()
