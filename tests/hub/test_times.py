"""Every time shows its zone: ``|local_time`` in en/es/fr, the zone each request reads times in, and the review
desk agreeing with the proposal page on when a proposal was submitted."""

import datetime as dt
import re

from django.template import Context, Template
from django.utils import timezone, translation

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from hub.templatetags.times import local_date, local_time, local_time_text
from profiles.factories import MembershipFactory, OrganisationFactory, ResearcherProfileFactory
from profiles.models import Membership
from profiles.timezones import LazyZone, zone_for_user
from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember, WorkspaceNote

SUBMITTED = dt.datetime(2026, 12, 6, 15, 37, 12, 654321, tzinfo=dt.UTC)
TIME_MIDDLEWARE = "profiles.timezones.TimeZoneMiddleware"


@pytest.fixture
def zone_middleware(settings):
    """The middleware in place (after authentication), whether or not the settings list it yet."""
    if TIME_MIDDLEWARE not in settings.MIDDLEWARE:  # listed in base.py: kept for settings that drop it
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(
            middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, TIME_MIDDLEWARE
        )
        settings.MIDDLEWARE = middleware


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "6 Dec 2026, 16:37 CET"), ("es", "6 dic 2026, 16:37 CET"), ("fr", "6 déc. 2026, 16:37 CET")],
)
def test_local_time_reads_in_the_language_and_names_the_zone(language, text):
    with translation.override(language):
        html = Template("{% load times %}{{ moment|local_time:zone }}").render(
            Context({"moment": SUBMITTED, "zone": "Europe/Madrid"})
        )
    assert html == f'<time datetime="2026-12-06T15:37:12Z">{text}</time>'


def test_machine_value_is_utc_to_the_second_whatever_the_zone():
    html = local_time(SUBMITTED.astimezone(dt.timezone(dt.timedelta(hours=9))), "Asia/Tokyo")
    assert 'datetime="2026-12-06T15:37:12Z"' in html and "7 Dec 2026, 00:37 JST" in html


def test_summer_time_and_zones_without_a_letter_abbreviation():
    july = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
    assert local_time_text(july, "Europe/Vienna") == "1 Jul 2026, 12:00 CEST"
    assert local_time_text(july, "America/Bogota") == "1 Jul 2026, 05:00 UTC\u22125"
    assert local_time_text(july, "Asia/Kathmandu") == "1 Jul 2026, 15:45 UTC+5:45"
    assert local_time_text(july, "UTC") == "1 Jul 2026, 10:00 UTC"


def test_without_a_zone_the_active_zone_is_used_and_named():
    with timezone.override("America/Mexico_City"):
        assert local_time_text(SUBMITTED) == "6 Dec 2026, 09:37 CST"
    assert local_time_text(SUBMITTED, "Not/AZone") == "6 Dec 2026, 15:37 UTC"  # unknown → active (UTC)


def test_plain_text_variant_and_dates_need_no_zone():
    assert "<" not in local_time_text(SUBMITTED, "Europe/Paris")
    with translation.override("fr"):
        assert local_date(dt.date(2026, 7, 14)) == '<time datetime="2026-07-14">14 juil. 2026</time>'
    # A date-time's day is the day in the zone: 23:30 UTC is already tomorrow in Vienna.
    late = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
    assert 'datetime="2026-12-07"' in local_date(late, "Europe/Vienna")
    assert local_time(None) == "" and local_time("") == ""


def test_lazy_zone_behaves_as_the_zone_it_resolves_to():
    resolved = []
    zone = LazyZone(lambda: resolved.append(1) or "Europe/Lisbon")
    assert resolved == []
    local = SUBMITTED.astimezone(zone)
    assert (local.hour, local.tzname(), str(zone)) == (15, "WET", "Europe/Lisbon")
    assert SUBMITTED.replace(month=7).astimezone(zone).tzname() == "WEST"
    assert resolved == [1]


@pytest.mark.django_db
def test_a_city_official_reads_times_in_their_citys_zone_others_in_the_sites(city, researcher, coordinator):
    _organisation, official = city
    assert zone_for_user(official) == "Europe/Vienna"
    assert zone_for_user(researcher) == "UTC"
    # A pending membership does not count; a government membership wins over another organisation's.
    member = MembershipFactory(
        organisation=OrganisationFactory(time_zone="America/Bogota"), status=Membership.Status.APPROVED
    ).user
    assert zone_for_user(member) == "America/Bogota"
    MembershipFactory(user=member, organisation=city[0], status=Membership.Status.REQUESTED)
    assert zone_for_user(member) == "America/Bogota"


@pytest.mark.django_db
def test_each_member_reads_a_note_in_their_own_zone(client, city, researcher, zone_middleware):
    """The same note: 16:37 CET for Graz's official, 15:37 UTC for a researcher with no organisation."""
    organisation, official = city
    partnership = PartnershipFactory(title="Housing rights monitor Graz", slug="monitor-graz", city=organisation)
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)
    note = WorkspaceNote.objects.create(partnership=partnership, author=researcher, body="Survey draft is ready")
    WorkspaceNote.objects.filter(pk=note.pk).update(created_at=SUBMITTED)
    seen = {}
    for user in (official, researcher):
        client.force_login(user)
        content = client.get(partnership.get_workspace_url()).content.decode()
        seen[user.email] = _time_text(content, "2026-12-06T15:37:12Z")
    assert seen == {official.email: ["6 Dec 2026, 16:37 CET"], researcher.email: ["6 Dec 2026, 15:37 UTC"]}
    # After the request the thread is back in the default zone.
    assert timezone.get_current_timezone_name() == "UTC"


def _time_text(content: str, machine_prefix: str) -> list[str]:
    return re.findall(rf'<time datetime="{re.escape(machine_prefix)}[^"]*">([^<]*)</time>', content)


@pytest.mark.django_db
def test_review_desk_and_proposal_page_agree_on_the_submission_time(client, city, open_call, zone_middleware):
    _organisation, official = city
    proposal = ProposalFactory(call=open_call, lead=ResearcherProfileFactory().user)
    submit_for_tests(proposal, when=SUBMITTED)
    client.force_login(official)
    desk = client.get(f"/calls/{open_call.pk}/manage/").content.decode()
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    desk_times = _time_text(desk, "2026-12-06T")
    page_times = _time_text(page, "2026-12-06T")
    assert desk_times and page_times
    # Graz is in Vienna's zone: 16:37 on both pages, never the UTC 15:37 unlabelled.
    assert all("16:37" in text for text in desk_times + page_times), (desk_times, page_times)
