"""Matching pages: calls for you, sort by fit, researchers who fit and invitations, partner search, peer cities."""

import re

from django.core import mail
from django.core.management import call_command
from django.test import Client

import pytest

from calls.matching import vectors
from calls.models import MatchInvitation, ProfileVector
from profiles.models import CityPage, ResearcherProfile


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def graz(city):
    organisation, official = city
    organisation.country = organisation.country.__class__.objects.get(code="AT")
    organisation.save()
    return organisation, official


@pytest.fixture
def two_calls(graz, vocab, make_fit_call):
    organisation, _official = graz
    housing = make_fit_call(organisation, "Housing of older tenants", themes=[vocab.housing], methods=[vocab.par])
    water = make_fit_call(organisation, "Water access", themes=[vocab.water], closes_in_days=10)
    return housing, water


# Calls for you


def test_calls_for_you_ranks_fitting_calls_first_with_reasons(client, two_calls, vocab, make_profile):
    housing, water = two_calls
    profile = make_profile("ana.lopez@example.org", themes=[vocab.housing], methods=[vocab.par])
    client.force_login(profile.user)

    content = text(client.get("/dashboard/"))

    assert "Calls for you" in content
    assert content.index(housing.title) < content.index(water.title)
    assert f"Both: {vocab.housing.name}" in content
    assert f"You use {vocab.par.name}" in content


def test_adding_a_theme_changes_the_calls_for_you(client, two_calls, vocab, make_profile):
    housing, water = two_calls
    profile = make_profile("ana.lopez@example.org")
    client.force_login(profile.user)
    before = text(client.get("/calls/for-you/"))
    assert before.index(water.title) < before.index(housing.title)  # cold start: soonest deadline first

    profile.themes.add(vocab.housing)

    after = text(client.get("/calls/for-you/"))
    assert after.index(housing.title) < after.index(water.title)


def test_a_new_profile_is_told_what_to_add_with_a_link_to_the_profile_form(client, two_calls, make_profile):
    profile = make_profile("new.person@example.org")
    client.force_login(profile.user)

    content = text(client.get("/calls/for-you/"))

    assert "Add your methods to see better matches" in content
    assert 'href="/dashboard/profile/"' in content
    assert two_calls[0].title in content and two_calls[1].title in content


def test_calls_the_researcher_may_not_apply_to_are_left_out(client, graz, vocab, make_fit_call, make_profile):
    organisation, _official = graz
    only = make_fit_call(organisation, "Early-career only study", themes=[vocab.housing], early_career="only")
    spanish = make_fit_call(organisation, "Spanish-speaking study", themes=[vocab.housing], languages=[vocab.spanish])
    closed = make_fit_call(organisation, "Closed study", themes=[vocab.housing], closes_in_days=-1)
    profile = make_profile(
        "senior.one@example.org", themes=[vocab.housing], languages=[vocab.english], career_stage="established"
    )
    client.force_login(profile.user)

    content = text(client.get("/calls/for-you/"))

    assert only.title not in content and spanish.title not in content and closed.title not in content


def test_people_without_a_researcher_profile_get_a_link_to_create_one(client, graz):
    _organisation, official = graz
    client.force_login(official)

    response = client.get("/calls/for-you/")

    assert response.status_code == 200
    assert "Create your profile" in text(response)
    assert "Calls for you" not in text(client.get("/dashboard/"))


def test_calls_for_you_needs_sign_in(client):
    response = client.get("/calls/for-you/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# /calls/?sort=fit


def test_researchers_can_sort_the_listing_by_fit_and_see_the_reasons(client, two_calls, vocab, make_profile):
    housing, water = two_calls
    profile = make_profile("ana.lopez@example.org", themes=[vocab.housing])
    client.force_login(profile.user)

    by_deadline = text(client.get("/calls/"))
    by_fit = text(client.get("/calls/?sort=fit"))

    assert "Best fit for me" in by_deadline
    assert by_deadline.index(water.title) < by_deadline.index(housing.title)
    assert by_fit.index(housing.title) < by_fit.index(water.title)
    assert f"Both: {vocab.housing.name}" in by_fit


def test_sort_by_fit_for_anonymous_visitors_falls_back_to_the_deadline(client, two_calls):
    response = client.get("/calls/?sort=fit&page=abc")

    assert response.status_code == 200
    content = text(response)
    assert '<option value="fit"' not in content
    assert "Sign in as a researcher to sort calls by how well they fit you." in content
    assert content.index(two_calls[1].title) < content.index(two_calls[0].title)


def test_the_call_page_shows_how_it_fits_the_researcher(client, two_calls, vocab, make_profile):
    housing, _water = two_calls
    profile = make_profile("ana.lopez@example.org", themes=[vocab.housing])
    client.force_login(profile.user)

    content = text(client.get(housing.url))

    assert "How this call matches your profile" in content
    assert f"Both: {vocab.housing.name}" in content


# Researchers who fit


@pytest.fixture
def fitting_researchers(vocab, make_profile):
    best = make_profile(
        "best.fit@example.org",
        themes=[vocab.housing],
        methods=[vocab.par],
        countries=[vocab.austria],
        affiliation_visibility="hidden",
    )
    hidden_place = make_profile(
        "hidden.place@example.org", themes=[vocab.housing], countries=[vocab.austria], countries_visibility="hidden"
    )
    unlisted = make_profile("unlisted.one@example.org", themes=[vocab.housing], methods=[vocab.par], is_public=False)
    away = make_profile("away.now@example.org", themes=[vocab.housing], methods=[vocab.par], is_available=False)
    return best, hidden_place, unlisted, away


def test_the_city_sees_listed_researchers_who_fit_best_first(client, two_calls, graz, fitting_researchers, vocab):
    housing, _water = two_calls
    _organisation, official = graz
    best, hidden_place, unlisted, away = fitting_researchers
    client.force_login(official)

    response = client.get(f"/calls/{housing.pk}/researchers/")

    assert response.status_code == 200
    content = text(response)
    assert content.index(best.user.display_name) < content.index(hidden_place.user.display_name)
    assert unlisted.user.display_name not in content
    assert away.user.display_name not in content
    assert f"Uses {vocab.par.name}" in content
    assert "Works in Austria" in content


def test_hidden_fields_neither_score_nor_show(client, two_calls, graz, vocab, make_profile):
    from calls.matching.selectors import researchers_for_call

    housing, _water = two_calls
    _organisation, official = graz
    shown = make_profile("shown.place@example.org", themes=[vocab.housing], countries=[vocab.austria])
    hidden = make_profile(
        "hidden.place@example.org", themes=[vocab.housing], countries=[vocab.austria], countries_visibility="hidden"
    )
    members = make_profile(
        "members.place@example.org", themes=[vocab.housing], countries=[vocab.austria], countries_visibility="members"
    )

    fits = {fit.object.pk: fit for fit in researchers_for_call(housing, viewer=official)}

    assert fits[shown.pk].match.points == fits[members.pk].match.points > fits[hidden.pk].match.points
    assert "works in Austria" in fits[members.pk].match.reasons
    assert not any("Austria" in reason for reason in fits[hidden.pk].match.reasons)


def test_a_hidden_affiliation_is_not_shown_to_the_city(client, two_calls, graz, fitting_researchers, university):
    housing, _water = two_calls
    _organisation, official = graz
    best = fitting_researchers[0]
    best.affiliation = university
    best.save()
    client.force_login(official)

    assert university.name not in text(client.get(f"/calls/{housing.pk}/researchers/"))


@pytest.mark.parametrize("who", ["other_official", "researcher", "anonymous"])
def test_only_the_city_of_the_call_may_see_who_fits(client, two_calls, make_city, researcher, who):
    housing, _water = two_calls
    if who == "other_official":
        client.force_login(make_city("Linz")[1])
    elif who == "researcher":
        client.force_login(researcher)

    response = client.get(f"/calls/{housing.pk}/researchers/")

    assert response.status_code == (302 if who == "anonymous" else 404)


def test_unknown_call_is_404(client, graz):
    client.force_login(graz[1])
    assert client.get("/calls/999999/researchers/").status_code == 404
    assert client.post("/calls/999999/researchers/1/invite/").status_code == 404


def test_the_call_page_links_its_managers_to_researchers_who_fit(client, two_calls, graz):
    housing, _water = two_calls
    client.force_login(graz[1])
    assert f"/calls/{housing.pk}/researchers/" in text(client.get(housing.url))


def test_invite_to_apply_sends_one_email_once(
    client, two_calls, graz, fitting_researchers, django_capture_on_commit_callbacks
):
    housing, _water = two_calls
    _organisation, official = graz
    best = fitting_researchers[0]
    client.force_login(official)
    url = f"/calls/{housing.pk}/researchers/{best.pk}/invite/"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True)

    assert "is invited to apply" in text(first)
    assert "was already invited" in text(second)
    assert "Invited on" in text(second)
    assert MatchInvitation.objects.filter(call=housing, profile=best).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [best.user.email]
    assert housing.title in message.subject
    assert message.alternatives and "text/html" in message.alternatives[0][1]


def test_invite_needs_post_with_csrf_and_the_city(client, two_calls, graz, make_city, fitting_researchers):
    housing, _water = two_calls
    best, _hidden, unlisted, _away = fitting_researchers
    url = f"/calls/{housing.pk}/researchers/{best.pk}/invite/"

    client.force_login(graz[1])
    assert client.get(url).status_code == 405
    assert client.post(f"/calls/{housing.pk}/researchers/{unlisted.pk}/invite/").status_code == 404

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(graz[1])
    assert strict.post(url).status_code == 403

    client.force_login(make_city("Linz")[1])
    assert client.post(url).status_code == 404
    assert not MatchInvitation.objects.exists()


# Partner search


def test_partner_search_shows_complementary_researchers_from_other_countries(client, vocab, make_profile):
    me = make_profile("me.here@example.org", themes=[vocab.housing], methods=[vocab.par], countries=[vocab.austria])
    partner = make_profile(
        "kofi.mensah@example.org", themes=[vocab.housing], methods=[vocab.survey], countries=[vocab.ghana]
    )
    twin = make_profile("twin.same@example.org", themes=[vocab.housing], methods=[vocab.par], countries=[vocab.austria])
    unlisted = make_profile("hidden.partner@example.org", themes=[vocab.housing], is_public=False)
    client.force_login(me.user)

    content = text(client.get("/researchers/partners/"))

    assert content.index(partner.user.display_name) < content.index(twin.user.display_name)
    assert f"Brings {vocab.survey.name}" in content
    assert "Works in Ghana" in content
    assert unlisted.user.display_name not in content
    assert me.user.display_name not in content.split("Possible partners", 1)[-1]


def test_partner_search_for_a_cross_border_call(client, graz, vocab, make_fit_call, make_profile):
    organisation, _official = graz
    call = make_fit_call(organisation, "Cross-border study", themes=[vocab.housing], cross_border="required")
    me = make_profile("me.here@example.org", themes=[vocab.housing], countries=[vocab.austria])
    make_profile("kofi.mensah@example.org", themes=[vocab.housing], countries=[vocab.ghana])
    client.force_login(me.user)

    content = text(client.get(f"/researchers/partners/?call={call.pk}"))

    assert "Makes your team cross-border, as the call requires" in content
    assert call.title in content


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1" * 40])
def test_partner_search_ignores_a_bad_call(client, make_profile, value):
    client.force_login(make_profile("me.here@example.org").user)

    response = client.get(f"/researchers/partners/?call={value}")

    assert response.status_code == 200
    assert "That call was not found" in text(response)


def test_partner_search_needs_sign_in_and_resolves_before_the_researcher_pages(client):
    assert client.get("/researchers/partners/").status_code == 302


# Peer cities


def test_a_city_page_lists_peer_cities_with_reasons(client, graz, make_city, vocab, make_fit_call):
    organisation, _official = graz
    linz, _linz_official = make_city("Linz")
    quito, _quito_official = make_city("Quito")
    make_fit_call(organisation, "Graz housing", themes=[vocab.housing, vocab.health])
    make_fit_call(linz, "Linz housing", themes=[vocab.housing])
    make_fit_call(quito, "Quito schools", themes=[vocab.education])

    content = text(client.get(CityPage.objects.get(organisation=organisation).url))

    assert "Peer cities" in content
    assert "City of Linz" in content
    assert f"Both commission research on {vocab.housing.name}" in content
    assert "City of Quito" not in content.split("Peer cities", 1)[1].split("</section>", 1)[0]


# Vectors and query budgets


def test_rebuild_command_builds_vectors_for_bulk_created_profiles(vocab, make_profile):
    profile = make_profile("bulk.made@example.org", themes=[vocab.housing])
    ProfileVector.objects.all().delete()

    call_command("rebuild_match_vectors", stdout=open("/dev/null", "w"))

    assert vectors.researcher_index().rows[profile.pk].themes == 1 << vocab.housing.pk


def test_a_deleted_profile_leaves_the_rankings(client, two_calls, graz, fitting_researchers):
    housing, _water = two_calls
    best = fitting_researchers[0]
    client.force_login(graz[1])
    assert best.user.display_name in text(client.get(f"/calls/{housing.pk}/researchers/"))

    best.user.delete()

    assert best.user.display_name not in text(client.get(f"/calls/{housing.pk}/researchers/"))
    assert not ResearcherProfile.objects.filter(pk=best.pk).exists()


def _grow(make_profile, make_fit_call, organisation, vocab, start: int, n: int):
    for i in range(start, start + n):
        make_profile(
            f"person.n{i}@example.org",
            themes=[vocab.housing, vocab.water][: 1 + i % 2],
            methods=[vocab.par],
            countries=[vocab.austria],
            languages=[vocab.english],
        )
        if i % 3 == 0:
            make_fit_call(organisation, f"Call number {i}", themes=[vocab.housing], methods=[vocab.survey])


@pytest.mark.parametrize(
    "path",
    [
        "/calls/{call}/researchers/",
        "/calls/for-you/",
        "/researchers/partners/?call={call}",
        "/calls/?sort=fit",
        "/dashboard/",
    ],
)
def test_matching_pages_run_a_constant_number_of_queries(
    client, django_assert_max_num_queries, two_calls, graz, vocab, make_profile, make_fit_call, path
):
    organisation, official = graz
    housing, _water = two_calls
    me = make_profile("me.here@example.org", themes=[vocab.housing], methods=[vocab.par])
    url = path.format(call=housing.pk)
    user = official if "researchers/" in path and "partners" not in path else me.user
    client.force_login(user)
    counts = []
    for start, n in ((0, 3), (3, 15)):
        _grow(make_profile, make_fit_call, organisation, vocab, start, n)
        client.get(url)  # warm this process's vector cache after the changes
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1]):
        client.get(url)


def test_a_cancelled_or_closed_early_call_is_recommended_to_nobody(
    client, two_calls, graz, vocab, make_profile, django_capture_on_commit_callbacks
):
    """Cancelling and closing early change the call by a conditional update (no post_save): its vector follows."""
    import datetime as dt

    from django.utils import timezone

    from calls.models import ResearchCall
    from calls.services.calls import call_cancel
    from calls.services.reviews import call_close_early

    housing, water = two_calls
    _organisation, official = graz
    profile = make_profile("ana.lopez@example.org", themes=[vocab.housing, vocab.water])
    client.force_login(profile.user)
    before = text(client.get("/calls/for-you/"))
    assert housing.title in before and water.title in before

    with django_capture_on_commit_callbacks(execute=True):
        call_cancel(call=ResearchCall.objects.get(pk=housing.pk), reason="The budget moved.", by=official)
    ResearchCall.objects.filter(pk=water.pk).update(opens_at=timezone.now() - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        call_close_early(call=ResearchCall.objects.get(pk=water.pk), by=official)

    after = text(client.get("/calls/for-you/")) + text(client.get("/dashboard/"))
    assert housing.title not in after and water.title not in after


def test_an_empty_profile_gets_a_prompt_not_zero_percent(client, two_calls, make_profile):
    housing, _water = two_calls
    profile = make_profile("new.person@example.org")
    client.force_login(profile.user)

    for page in (text(client.get("/calls/for-you/")), text(client.get("/dashboard/")), text(client.get(housing.url))):
        assert "0 % fit" not in page and "0 % match" not in page
        assert "Add the themes and methods you work on to" in page
