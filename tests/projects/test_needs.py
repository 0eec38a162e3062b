"""Research needs (issue 19 §4): services, views with hostile input, permissions, visibility and query budgets."""

import csv
import io

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from calls.models import ResearchCall
from hub.models import GroupAtRisk, Theme
from profiles.factories import MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import Organisation
from projects.alerts_needs import NeedsSource
from projects.models import ModerationReport, NeedComment, NeedEndorsement, ResearchNeed, Takedown
from projects.selectors import needs as selectors
from projects.services import needs as services
from tests.concurrency.races import needs_postgresql, race, race_db

RACERS = 20
REASON = "The comment names a private person and their address, which breaks the house rules."


@pytest.fixture
def cso(db):
    return OrganisationFactory(name="Tenants Union Graz", kind=Organisation.Kind.CIVIL_SOCIETY)


@pytest.fixture
def member(cso):
    user = UserFactory(email="member@tenants.example.org", first_name="Mira", last_name="Novak")
    MembershipFactory(user=user, organisation=cso)
    return user


@pytest.fixture
def resident(db):
    return UserFactory(email="resident@example.org", first_name="Rosa", last_name="Berger")


@pytest.fixture
def need(city, member, cso):
    organisation, _official = city
    need = services.need_create(
        by=member,
        city=organisation,
        organisation=cso,
        title="Evictions of older tenants in Gries",
        situation="Older tenants in the Gries district are being evicted after rent increases.",
        missing_evidence="How many older tenants were evicted since 2020, and where they went.",
        themes=Theme.objects.filter(slug="adequate-housing")[:1],
        groups=GroupAtRisk.objects.filter(slug="older-persons")[:1],
    )
    return need


def post_need(client, city, **data):
    values = {
        "city": city.slug,
        "title": "Access to health centres",
        "situation": "Older persons in the north cannot reach a health centre by public transport.",
        "missing_evidence": "Travel times and the number of people concerned.",
    }
    values.update(data)
    return client.post(reverse("need_new"), values)


# --- services ---------------------------------------------------------------------------------------------------


def test_a_member_posts_for_their_organisation_but_not_for_another(city, member, cso, db):
    other = OrganisationFactory(name="Another NGO", kind=Organisation.Kind.CIVIL_SOCIETY)
    with pytest.raises(ValidationError) as error:
        services.need_create(
            by=member, city=city[0], organisation=other, title="T", situation="S", missing_evidence="M"
        )
    assert "organisation" in error.value.message_dict
    assert not ResearchNeed.objects.exists()


def test_endorsing_twice_is_one_endorsement_and_withdrawing_removes_it(need, resident):
    first, created = services.need_endorse(need=need, by=resident)
    again, created_again = services.need_endorse(need=need, by=resident)
    assert created and not created_again and first == again
    assert NeedEndorsement.objects.filter(need=need).count() == 1
    assert services.need_withdraw_endorsement(need=need, by=resident)
    assert not NeedEndorsement.objects.exists()


def test_an_endorsement_stored_by_a_concurrent_request_is_answered_with_that_one(need, resident, monkeypatch):
    # The race replayed: the other request committed its row after this one's read found none, so the insert clashes.
    manager = NeedEndorsement.objects
    stored = manager.create(need=need, user=resident)

    def clash(**kwargs):
        raise IntegrityError("need_endorsement_once")

    monkeypatch.setattr(manager, "get_or_create", clash)
    endorsement, created = services.need_endorse(need=need, by=resident)
    assert endorsement == stored and not created
    assert NeedEndorsement.objects.count() == 1


def test_the_author_cannot_endorse_their_own_need(need, member):
    with pytest.raises(ValidationError):
        services.need_endorse(need=need, by=member)


def test_the_same_comment_sent_twice_is_stored_once(need, resident):
    services.comment_add(need=need, by=resident, body="We see the same in Lend.")
    _comment, created = services.comment_add(need=need, by=resident, body="We see the same in Lend.")
    assert not created
    assert NeedComment.objects.count() == 1


def test_only_officials_of_the_city_answer(need, make_city, researcher, coordinator):
    _vienna, vienna_official = make_city("Wien")
    for user in (vienna_official, researcher, coordinator):
        with pytest.raises(PermissionDenied):
            services.need_answer(
                need=need, by=user, status="not_now", answer="Not this year, sorry about that.", seen_status="open"
            )
    need.refresh_from_db()
    assert need.status == ResearchNeed.Status.OPEN


def test_an_answer_on_a_status_that_changed_meanwhile_is_refused(need, city):
    _organisation, official = city
    services.need_answer(
        need=need, by=official, status="not_now", answer="The budget for 2026 is already allocated.", seen_status="open"
    )
    with pytest.raises(services.AnswerConflict) as conflict:
        services.need_answer(
            need=need, by=official, status="accepted", answer="We will put it in the next call.", seen_status="open"
        )
    assert conflict.value.current.status == "not_now"
    need.refresh_from_db()
    assert need.status == "not_now" and need.answer.startswith("The budget")


def test_covered_needs_require_a_link_and_reasons(need, city):
    with pytest.raises(ValidationError) as error:
        services.need_answer(need=need, by=city[1], status="covered", answer="short", seen_status="open")
    assert {"answer", "covered_by_url"} <= set(error.value.message_dict)


def test_turning_a_need_into_a_call_prefills_a_draft_once(need, city):
    _organisation, official = city
    call, created = services.need_to_call(need=need, by=official)
    again, created_again = services.need_to_call(need=need, by=official)
    assert created and not created_again and call == again
    call = ResearchCall.objects.get(pk=call.pk)
    assert not call.live and call.organisation == city[0]
    assert "Gries" in call.title
    assert [t.slug for t in call.themes.all()] == [t.slug for t in need.themes.all()]
    assert [g.slug for g in call.groups.all()] == [g.slug for g in need.groups.all()]
    need.refresh_from_db()
    assert need.call_id == call.pk and need.status == ResearchNeed.Status.ACCEPTED


def test_hiding_a_need_lists_it_on_transparency_and_resolves_its_reports(client, need, resident, coordinator):
    services.report_create(obj=need, by=resident, reason="false")
    with pytest.raises(PermissionDenied):
        services.need_hide(need=need, by=resident, reason=REASON)
    services.need_hide(need=need, by=coordinator, reason=REASON)
    assert ModerationReport.objects.get().status == ModerationReport.Status.HIDDEN
    takedown = Takedown.objects.get()
    assert takedown.content_type == ContentType.objects.get_for_model(ResearchNeed)
    page = client.get(reverse("transparency")).content.decode()
    assert need.title in page and REASON in page
    assert client.get(need.get_absolute_url()).status_code == 410


def test_a_hidden_need_vanishes_from_list_city_page_api_csv_and_alerts(client, need, coordinator, city):
    visible = ResearchNeed.objects.create(
        city=city[0], author_name="Someone", title="Visible twin need", situation="s", missing_evidence="m"
    )
    services.need_hide(need=need, by=coordinator, reason=REASON)
    for url in (
        reverse("need_list"),
        "/api/v1/needs/",
        reverse("research_needs_export_csv"),
        city[0].city_page.url,
    ):
        response = client.get(url)
        body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert need.title not in body, url
        assert visible.title in body, url
    assert client.get(f"/api/v1/needs/{need.pk}").status_code == 404
    source = NeedsSource()
    assert list(source.new_items({}, since=need.created_at.replace(year=2000))) == [visible]


# --- views --------------------------------------------------------------------------------------------------------


def test_posting_with_hostile_and_oversized_input_keeps_the_text(client, city, member):
    client.force_login(member)
    long = "x" * 5001
    response = post_need(client, city[0], title="<script>alert(1)</script>", situation=long, themes=["nope"])
    assert response.status_code == 400
    body = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert long in body
    assert "Choose themes from the list." in body
    response = post_need(client, city[0], situation="nul\x00byte")
    assert response.status_code == 400 and "Null characters are not allowed." in response.content.decode()
    assert not ResearchNeed.objects.exists()


def test_posting_a_need_publishes_it(client, city, member, cso):
    client.force_login(member)
    response = post_need(client, city[0], organisation=cso.slug, groups=["older-persons"])
    need = ResearchNeed.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert need.organisation == cso and need.author == member
    assert "Access to health centres" in client.get(need.get_absolute_url()).content.decode()


def test_an_oversized_comment_is_refused_and_kept(client, need, resident):
    client.force_login(resident)
    body = "Ü" * 3001
    response = client.post(reverse("need_comment", args=[need.pk]), {"body": body})
    assert response.status_code == 400
    assert body in response.content.decode()
    assert not NeedComment.objects.exists()


def test_double_click_on_endorse_is_one_endorsement(client, need, resident):
    client.force_login(resident)
    for _ in range(2):
        assert client.post(reverse("need_endorse", args=[need.pk])).status_code == 302
    assert NeedEndorsement.objects.count() == 1


def test_the_answer_form_is_404_for_everyone_but_the_citys_officials(client, need, make_city, researcher, coordinator):
    _vienna, vienna_official = make_city("Wien")
    for user in (vienna_official, researcher, coordinator):
        client.force_login(user)
        assert client.get(reverse("need_answer", args=[need.pk])).status_code == 404
        assert client.post(reverse("need_call", args=[need.pk])).status_code == 404
    assert not ResearchCall.objects.exists()


def test_the_answer_form_keeps_text_on_error_and_on_conflict(client, need, city):
    client.force_login(city[1])
    url = reverse("need_answer", args=[need.pk])
    response = client.post(url, {"status": "covered", "answer": "Covered by our 2024 study.", "seen_status": "open"})
    assert response.status_code == 400 and "Covered by our 2024 study." in response.content.decode()
    services.need_answer(
        need=need, by=city[1], status="not_now", answer="Another official answered first.", seen_status="open"
    )
    mine = "We accept it for the spring call on housing."
    response = client.post(url, {"status": "accepted", "answer": mine, "seen_status": "open"})
    assert response.status_code == 409
    body = response.content.decode()
    assert mine in body and "Another official answered first." in body
    response = client.post(url, {"status": "accepted", "answer": mine, "seen_status": "not_now"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "accepted" and need.answer == mine


def test_reports_are_private_to_coordinators(client, need, resident, researcher, city, coordinator):
    comment, _created = services.comment_add(need=need, by=researcher, body="Unique reported comment text.")
    client.force_login(resident)
    response = client.post(reverse("content_report", args=["comment", comment.pk]), {"reason": "abuse"})
    assert response.status_code == 302
    assert ModerationReport.objects.count() == 1
    for user in (resident, researcher, city[1]):
        client.force_login(user)
        assert client.get(reverse("moderation_queue")).status_code == 404
    client.force_login(coordinator)
    page = client.get(reverse("moderation_queue"))
    assert page.status_code == 200 and "Unique reported comment text." in page.content.decode()


def test_a_coordinator_hides_a_comment_and_the_need_shows_the_reason(client, need, researcher, coordinator):
    comment, _created = services.comment_add(need=need, by=researcher, body="Offensive words here.")
    client.force_login(coordinator)
    url = reverse("need_comment_hide", args=[comment.pk])
    response = client.post(url, {"reason": "too short"})
    assert response.status_code == 400 and "too short" in response.content.decode()
    assert client.post(url, {"reason": REASON}).status_code == 302
    client.logout()
    body = client.get(need.get_absolute_url()).content.decode()
    assert "Offensive words here." not in body and REASON in body


# --- query budgets --------------------------------------------------------------------------------------------------


def grow(need, city, start: int, n: int) -> None:
    for i in range(start, start + n):
        user = UserFactory(email=f"crowd{need.pk}-{i}@example.org")
        NeedEndorsement.objects.create(need=need, user=user)
        NeedComment.objects.create(need=need, author=user, author_name=f"Person {i}", body=f"c{i}", body_digest=f"{i}")
        other = ResearchNeed.objects.create(
            city=city, author_name=f"P{i}", title=f"Need {i}", situation="s", missing_evidence="m"
        )
        other.groups.set(GroupAtRisk.objects.all()[:2])
        other.themes.set(Theme.objects.all()[:2])


@pytest.mark.parametrize("url_name", ["need_list", "need_detail", "api", "csv"])
def test_query_counts_stay_constant_as_needs_endorsements_and_comments_grow(client, need, city, resident, url_name):
    client.force_login(resident)
    urls = {
        "need_list": reverse("need_list"),
        "need_detail": need.get_absolute_url(),
        "api": "/api/v1/needs/",
        "csv": reverse("research_needs_export_csv"),
    }

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[url_name])
            b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        return len(queries)

    grow(need, city[0], 0, 2)
    small = count()
    grow(need, city[0], 2, 12)
    assert count() <= small < 40


def test_city_page_section_lists_needs_by_answer(client, need, city):
    body = client.get(city[0].city_page.url).content.decode()
    assert "Research needs" in body and need.title in body


def test_csv_lists_the_needs_with_counts(client, need, resident):
    services.need_endorse(need=need, by=resident)
    response = client.get(reverse("research_needs_export_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["title"] == need.title and rows[0]["endorsement_count"] == "1"
    assert selectors.needs_public().count() == 1


# --- real races (PostgreSQL: SQLite runs one write transaction at a time) ---------------------------------------------


@needs_postgresql
@race_db
def test_twenty_simultaneous_endorsements_by_one_account_store_one(city, member, resident):
    need = services.need_create(by=member, city=city[0], title="Raced need", situation="s", missing_evidence="m")
    clients = []
    for _ in range(RACERS):
        client = Client()
        client.force_login(resident)
        clients.append(client)
    race(clients, lambda _i, client: client.post(reverse("need_endorse", args=[need.pk])))
    assert NeedEndorsement.objects.filter(need=need, user=resident).count() == 1


@needs_postgresql
@race_db
def test_simultaneous_answers_on_the_same_seen_status_publish_one(city, member):
    organisation, official = city
    need = services.need_create(by=member, city=organisation, title="Raced answer", situation="s", missing_evidence="m")
    clients = []
    for _ in range(RACERS):
        client = Client()
        client.force_login(official)
        clients.append(client)
    responses = race(
        clients,
        lambda i, client: client.post(
            reverse("need_answer", args=[need.pk]),
            {"status": "not_now", "answer": f"Answer number {i} with reasons enough.", "seen_status": "open"},
        ),
    )
    assert sorted(r.status_code for r in responses).count(302) == 1
    assert {r.status_code for r in responses} <= {302, 409}


def test_a_need_is_found_by_search_until_a_coordinator_hides_it(
    client, settings, django_capture_on_commit_callbacks, city, member, coordinator
):
    settings.ELASTICSEARCH_URL = ""  # the database backend
    with django_capture_on_commit_callbacks(execute=True):
        need = services.need_create(
            by=member, city=city[0], title="Quokkaridge evictions", situation="s", missing_evidence="m"
        )
    # Titles are highlighted (<mark>) in the results: look for the need's address.
    assert need.get_absolute_url() in client.get("/search/", {"q": "Quokkaridge"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.need_hide(need=need, by=coordinator, reason=REASON)
    assert need.get_absolute_url() not in client.get("/search/", {"q": "Quokkaridge"}).content.decode()
