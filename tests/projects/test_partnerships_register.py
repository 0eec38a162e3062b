"""A coordinator registers a partnership that exists outside a call; everyone else cannot."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from hub.models import Country, Method, Theme
from profiles.factories import CityOrganisationFactory, OrganisationFactory
from profiles.models import Organisation
from projects.models import Partnership, PartnershipMember
from projects.services.partnerships import MemberInput, partnership_register

URL = "/partnerships/register/"


def post_data(city, **overrides):
    data = {
        "title": "Housing evictions in Barcelona",
        "summary": "Tracking evictions with the ombudsman.",
        "description": "",
        "city": city.pk,
        "started_at": "2024-03-01",
        "website": "",
        "members-TOTAL_FORMS": "4",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
    }
    for n in range(4):
        data[f"members-{n}-side"] = "research"
    data.update(overrides)
    return data


def test_coordinator_registers_a_partnership_with_account_and_named_members(
    client, coordinator, city, researcher, university
):
    organisation, _official = city
    nhri = OrganisationFactory(name="Síndic de Greuges", kind=Organisation.Kind.NHRI)
    theme, method = Theme.objects.order_by("pk").first(), Method.objects.order_by("pk").first()
    client.force_login(coordinator)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        post_data(
            organisation,
            themes=[theme.pk],
            methods=[method.pk],
            **{
                "members-0-email": researcher.email.upper(),
                "members-0-name": "Rosa Lead",
                "members-0-role": "Lead researcher",
                "members-0-organisation": university.pk,
                "members-1-name": "Maria Vidal",
                "members-1-side": "partner",
                "members-1-organisation": nhri.pk,
                "members-1-country": Country.objects.get(code="ES").pk,
            },
        ),
    )
    partnership = Partnership.objects.get(title="Housing evictions in Barcelona")
    assert response.status_code == 302 and response["Location"] == partnership.get_absolute_url()
    assert partnership.origin == Partnership.Origin.REGISTERED and partnership.call is None
    assert partnership.registered_by == coordinator and partnership.city == organisation
    assert list(partnership.themes.all()) == [theme] and list(partnership.methods.all()) == [method]
    lead = partnership.members.get(invited_email=researcher.email.lower())
    assert lead.role == "Lead researcher" and lead.affiliation == university.name and lead.name == "Rosa Lead"
    # The address's owner joins by answering the invitation; until then the row is a name.
    assert lead.user is None
    partner = partnership.members.get(name="Maria Vidal")
    assert partner.side == PartnershipMember.Side.PARTNER and partner.country.code == "ES" and partner.user is None
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Registered collaboration" in page and "Síndic de Greuges" in page


@pytest.mark.parametrize("who", ["researcher", "official"])
def test_others_get_404(client, researcher, city, who):
    client.force_login(researcher if who == "researcher" else city[1])
    assert client.get(URL).status_code == 404
    assert client.post(URL, post_data(city[0], **{"members-0-name": "X"})).status_code == 404
    assert not Partnership.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _refused(client, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not Partnership.objects.exists() and not PartnershipMember.objects.exists()
    return response.content.decode()


def test_a_member_email_without_a_name_is_explained_and_the_form_keeps_the_input(client, coordinator, city):
    client.force_login(coordinator)
    content = _refused(client, post_data(city[0], **{"members-0-email": "nobody@example.org"}))
    assert "Member 1: type their name" in content
    assert 'value="Housing evictions in Barcelona"' in content and 'value="nobody@example.org"' in content


def test_no_members_is_refused(client, coordinator, city):
    client.force_login(coordinator)
    assert "Add at least one member" in _refused(client, post_data(city[0]))


def test_unverified_or_non_government_city_is_refused(client, coordinator, city):
    client.force_login(coordinator)
    unverified = CityOrganisationFactory(name="Ville de Lyon")
    university = OrganisationFactory(name="Some University")
    for organisation in (unverified, university):
        content = _refused(client, post_data(organisation, **{"members-0-name": "Ana"}))
        assert "Choose a verified local or regional government" in content


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": "   "}, "This field is required"),
        ({"started_at": "not a date"}, "Enter a valid date"),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"title": "x" * 301}, "at most 300 characters"),
        ({"members-0-email": "not-an-email"}, "Enter a valid email address"),
        ({"members-0-side": "overlord"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message(client, coordinator, city, overrides, message):
    client.force_login(coordinator)
    data = post_data(city[0], **{"members-0-name": "Ana Ruiz"})
    data.update(overrides)
    assert message in _refused(client, data)


def test_script_in_the_title_is_shown_as_text(client, coordinator, city):
    client.force_login(coordinator)
    client.post(URL, post_data(city[0], title="<script>alert(1)</script>", **{"members-0-name": "Ana"}))
    partnership = Partnership.objects.get()
    content = client.get(partnership.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;" in content


def test_service_refuses_non_coordinators_and_future_start(coordinator, researcher, city):
    members = [MemberInput(side="research", name="Ana")]
    with pytest.raises(PermissionDenied):
        partnership_register(by=researcher, title="X", city=city[0], members=members)
    with pytest.raises(ValidationError) as error:
        partnership_register(
            by=coordinator,
            title="X",
            city=city[0],
            members=members,
            started_at=timezone.localdate() + dt.timedelta(days=3),
        )
    assert "started_at" in error.value.message_dict


def test_same_address_twice_is_refused(coordinator, researcher, city):
    members = [
        MemberInput(side="research", email=researcher.email, name="Ana"),
        MemberInput(side="city", email=researcher.email.upper(), name="Ana"),
    ]
    with pytest.raises(ValidationError, match="listed twice"):
        partnership_register(by=coordinator, title="X", city=city[0], members=members)


def test_register_is_not_a_slug(coordinator, city):
    partnership = partnership_register(
        by=coordinator, title="Register", city=city[0], members=[MemberInput(side="research", name="Ana")]
    )
    assert partnership.slug == "register-2"
