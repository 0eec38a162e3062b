"""No silent lost update (issue 15 §2) on organisation and researcher profiles.

Two admins edit the same organisation, or one researcher edits their profile in two tabs: the save of a form
opened before the last save is refused (409) with both versions side by side and the typed text kept, and a
choice per field merges the two on the next save.
"""

from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wagtail.images import get_image_model

import pytest

from hub.models import Language
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership, Organisation, ResearcherProfile, User
from profiles.services import organisation_verify
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.security.fixtures_attacks import media_files, scrape_form

pytestmark = pytest.mark.django_db

PROFILE_URL = "/dashboard/profile/"
CONFLICT = "Someone else saved this after you opened it."


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _opened(client: Client, url: str) -> dict:
    """What the browser will send from the form it shows at ``url`` (hidden version included)."""
    response = client.get(url)
    assert response.status_code == 200
    return _form_of(response)


def _form_of(response) -> dict:
    data = scrape_form(response.content.decode(), fields=["edit_version"])["data"]
    data.pop("csrfmiddlewaretoken", None)
    return data


def _page(response) -> str:
    return unescape(response.content.decode())


# Organisations ----------------------------------------------------------------------------------------


@pytest.fixture
def two_admins(make_city):
    """The city of Graz with two approved administrators, each in their own browser."""
    organisation, first = make_city("Graz")
    Organisation.objects.filter(pk=organisation.pk).update(
        description="Europe's first Human Rights City.", website="https://www.graz.at"
    )
    second = UserFactory(email="second.admin@example.org", account_type=User.AccountType.ORGANISATION)
    MembershipFactory(
        user=second, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    )
    organisation.refresh_from_db()
    return organisation, _client(first), _client(second)


def _edit_url(organisation) -> str:
    return f"/organisations/{organisation.slug}/edit/"


def test_a_stale_organisation_save_is_refused_with_both_versions_and_the_typed_text_kept(two_admins):
    organisation, anna, boris = two_admins
    url = _edit_url(organisation)
    form_a, form_b = _opened(anna, url), _opened(boris, url)
    assert form_a["edit_version"] == form_b["edit_version"] == str(organisation.edit_version)

    saved = anna.post(url, {**form_a, "description": "Graz declared itself a Human Rights City in 2001."})
    assert saved.status_code == 302
    refused = boris.post(url, {**form_b, "website": "https://humanrights.graz.at"})

    assert refused.status_code == 409
    page = _page(refused)
    assert CONFLICT in page
    # Side by side: the saved description beside Boris's (older) one, and his website beside the saved one.
    assert "Graz declared itself a Human Rights City in 2001." in page
    assert "Europe's first Human Rights City." in page
    assert 'value="https://humanrights.graz.at"' in page  # his typed website is still in the form
    rows = {row.name: row for row in refused.context["form"].conflict}
    assert set(rows) == {"description", "website"}
    assert rows["website"].label == "Website" and rows["website"].saved == "https://www.graz.at"
    organisation.refresh_from_db()
    assert organisation.description == "Graz declared itself a Human Rights City in 2001."
    assert organisation.website == "https://www.graz.at"
    # The form now names the saved version, so that saving again is not refused again.
    assert _form_of(refused)["edit_version"] == str(organisation.edit_version)


def test_taking_the_saved_description_and_keeping_ones_own_website_merges_both(two_admins):
    organisation, anna, boris = two_admins
    url = _edit_url(organisation)
    form_a, form_b = _opened(anna, url), _opened(boris, url)
    anna.post(url, {**form_a, "description": "Graz declared itself a Human Rights City in 2001."})
    refused = boris.post(url, {**form_b, "website": "https://humanrights.graz.at"})
    assert refused.status_code == 409

    merged = boris.post(url, {**_form_of(refused), "merge-description": "saved", "merge-website": "mine"})

    assert merged.status_code == 302
    organisation.refresh_from_db()
    assert organisation.description == "Graz declared itself a Human Rights City in 2001."
    assert organisation.website == "https://humanrights.graz.at"
    public = _page(Client().get(organisation.get_absolute_url()))
    assert "Graz declared itself a Human Rights City in 2001." in public
    assert "https://humanrights.graz.at" in public


def test_a_stale_save_stores_no_uploaded_logo(two_admins, image_bytes):
    organisation, anna, boris = two_admins
    url = _edit_url(organisation)
    form_a, form_b = _opened(anna, url), _opened(boris, url)
    anna.post(url, {**form_a, "city": "Graz (Styria)"})
    before = media_files()

    logo = SimpleUploadedFile("logo.png", image_bytes("PNG", (120, 120)), content_type="image/png")
    refused = boris.post(url, {**form_b, "logo": logo})

    assert refused.status_code == 409
    assert media_files() == before
    organisation.refresh_from_db()
    assert not organisation.logo
    assert "choose it again" in _page(refused)
    assert "logo" not in {row.name for row in refused.context["form"].conflict}


def test_a_verification_meanwhile_is_kept_and_refuses_nothing(make_city, coordinator):
    organisation, official = make_city("Linz", verify=False)
    admin = _client(official)
    url = _edit_url(organisation)
    form = _opened(admin, url)

    organisation_verify(organisation=organisation, by=coordinator)
    response = admin.post(url, {**form, "description": "Linz, city of human rights."})

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verified and organisation.verified_by == coordinator
    assert organisation.description == "Linz, city of human rights."


@pytest.mark.parametrize("version", [None, "", "seven", "0", "-3", "99999999999999"])
def test_an_organisation_form_without_a_readable_version_saves_nothing(two_admins, version):
    organisation, anna, _boris = two_admins
    url = _edit_url(organisation)
    data = {**_opened(anna, url), "description": "Changed without a version."}
    if version is None:
        data.pop("edit_version")
    else:
        data["edit_version"] = version

    response = anna.post(url, data)

    assert response.status_code == 400
    assert "This form is missing its version; reload the page and try again." in _page(response)
    organisation.refresh_from_db()
    assert organisation.description == "Europe's first Human Rights City."


# Researcher profiles -------------------------------------------------------------------------------


@pytest.fixture
def two_tabs(researcher):
    """A researcher with their profile open in two tabs of the same browser."""
    ResearcherProfile.objects.filter(user=researcher).update(headline="Housing", bio="I study rents.")
    client = _client(researcher)
    return researcher, client, _opened(client, PROFILE_URL), _opened(client, PROFILE_URL)


def _profile(user) -> ResearcherProfile:
    return ResearcherProfile.objects.get(user=user)


def test_a_profile_saved_in_another_tab_is_not_overwritten(two_tabs):
    researcher, client, tab_a, tab_b = two_tabs
    assert client.post(PROFILE_URL, {**tab_a, "headline": "Housing rights and participation"}).status_code == 302

    refused = client.post(PROFILE_URL, {**tab_b, "bio": "I study rents and evictions."})

    assert refused.status_code == 409
    page = _page(refused)
    assert CONFLICT in page
    assert "Housing rights and participation" in page  # the saved headline …
    assert 'value="Housing"' in page  # … beside this tab's, still in its field
    assert "I study rents and evictions." in page
    rows = {row.name: row for row in refused.context["form"].conflict}
    assert set(rows) == {"headline", "bio"}
    profile = _profile(researcher)
    assert (profile.headline, profile.bio) == ("Housing rights and participation", "I study rents.")


def test_choosing_the_saved_headline_keeps_both_tabs_changes(two_tabs):
    researcher, client, tab_a, tab_b = two_tabs
    client.post(PROFILE_URL, {**tab_a, "headline": "Housing rights and participation"})
    refused = client.post(PROFILE_URL, {**tab_b, "bio": "I study rents and evictions."})

    merged = client.post(PROFILE_URL, {**_form_of(refused), "merge-headline": "saved"})

    assert merged.status_code == 302
    profile = _profile(researcher)
    assert (profile.headline, profile.bio) == ("Housing rights and participation", "I study rents and evictions.")


def test_languages_and_publications_of_another_tab_are_shown_and_can_be_kept(two_tabs):
    researcher, client, tab_a, tab_b = two_tabs
    spanish = Language.objects.get(code="es")
    tab_a = {
        **tab_a,
        "languages-0-language": str(spanish.pk),
        "languages-0-level": "fluent",
        "publications-0-title": "Rent and rights",
        "publications-0-year": "2025",
    }
    assert client.post(PROFILE_URL, tab_a).status_code == 302

    refused = client.post(PROFILE_URL, {**tab_b, "bio": "I study rents and evictions."})

    assert refused.status_code == 409
    rows = {row.name: row for row in refused.context["form"].conflict}
    assert set(rows) == {"bio", "languages", "publications"}
    assert rows["languages"].saved == "Spanish (Fluent)" and rows["languages"].mine == "(empty)"
    assert rows["publications"].saved == "Rent and rights (2025)"
    page = _page(refused)
    assert "Working languages" in page and "Rent and rights (2025)" in page

    merged = client.post(PROFILE_URL, {**_form_of(refused), "merge-languages": "saved", "merge-publications": "saved"})

    assert merged.status_code == 302
    profile = _profile(researcher)
    assert profile.bio == "I study rents and evictions."
    assert [(pl.language.code, pl.level) for pl in profile.profile_languages.all()] == [("es", "fluent")]
    assert [(p.title, p.year) for p in profile.publications.all()] == [("Rent and rights", 2025)]


def test_keeping_ones_own_languages_replaces_the_saved_ones(two_tabs):
    researcher, client, tab_a, tab_b = two_tabs
    spanish, french = Language.objects.get(code="es"), Language.objects.get(code="fr")
    client.post(PROFILE_URL, {**tab_a, "languages-0-language": str(spanish.pk), "languages-0-level": "fluent"})
    refused = client.post(PROFILE_URL, {**tab_b, "languages-0-language": str(french.pk), "languages-0-level": "basic"})
    assert refused.status_code == 409

    assert client.post(PROFILE_URL, _form_of(refused)).status_code == 302

    assert [pl.language.code for pl in _profile(researcher).profile_languages.all()] == ["fr"]


def test_a_stale_profile_save_stores_no_photo(two_tabs, image_bytes):
    researcher, client, tab_a, tab_b = two_tabs
    client.post(PROFILE_URL, {**tab_a, "headline": "Housing rights"})
    images = get_image_model().objects.count()
    before = media_files()

    photo = SimpleUploadedFile("me.png", image_bytes("PNG"), content_type="image/png")
    refused = client.post(PROFILE_URL, {**tab_b, "photo_upload": photo})

    assert refused.status_code == 409
    assert get_image_model().objects.count() == images
    assert media_files() == before
    assert _profile(researcher).photo is None
    assert "please choose it again" in _page(refused)


@pytest.mark.parametrize("version", [None, "", "x", "0"])
def test_a_profile_form_without_a_readable_version_saves_nothing(two_tabs, version):
    researcher, client, tab_a, _tab_b = two_tabs
    data = {**tab_a, "headline": "Changed without a version."}
    if version is None:
        data.pop("edit_version")
    else:
        data["edit_version"] = version

    response = client.post(PROFILE_URL, data)

    assert response.status_code == 400
    assert "This form is missing its version; reload the page and try again." in _page(response)
    assert _profile(researcher).headline == "Housing"


# Thread races (PostgreSQL) -------------------------------------------------------------------------


@needs_postgresql
@race_db
def test_simultaneous_saves_of_one_organisation_version_let_exactly_one_win(make_city):
    organisation, first = make_city("Graz")
    admins = [first]
    for n in range(3):
        admin = UserFactory(email=f"admin{n}@example.org", account_type=User.AccountType.ORGANISATION)
        MembershipFactory(
            user=admin, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
        )
        admins.append(admin)
    clients = [_client(admin) for admin in admins]
    url = _edit_url(organisation)
    forms = [_opened(client, url) for client in clients]

    responses = race(clients, lambda i, client: client.post(url, {**forms[i], "description": f"Version {i}"}))

    assert sorted(r.status_code for r in responses) == [302, 409, 409, 409]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    organisation.refresh_from_db()
    assert organisation.description == f"Version {winner}"
    assert organisation.edit_version == int(forms[0]["edit_version"]) + 1


@needs_postgresql
@race_db
def test_simultaneous_saves_of_one_profile_version_let_exactly_one_win(researcher):
    clients = [_client(researcher) for _ in range(4)]
    forms = [_opened(client, PROFILE_URL) for client in clients]

    responses = race(clients, lambda i, client: client.post(PROFILE_URL, {**forms[i], "headline": f"Tab {i}"}))

    assert sorted(r.status_code for r in responses) == [302, 409, 409, 409]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    assert _profile(researcher).headline == f"Tab {winner}"
