"""The city's desk: the proposal list (filters, sort, pages, CSV), bulk actions with their confirmation, saved views,
the proposal page as the city's action centre, and the ranking at scale — with who may reach each of them."""

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.filters_desk import COLUMNS, desk_queryset
from calls.models import DeskBulkRun, DeskView, Proposal, ReviewAssignment, TeamMember
from calls.selectors import call_scores
from calls.services import desk
from calls.services.proposals import proposal_withdraw
from calls.services.reviews import review_assign, review_declare
from hub.models import Country
from profiles.models import CityPage
from tests.calls.test_ranking import add_proposal
from tests.calls.test_review_assignment import person


def desk_url(call, rest=""):
    return f"/calls/{call.pk}/desk/{rest}"


def lead_of(proposal, *, country=None, early_career=False):
    TeamMember.objects.filter(proposal=proposal, role=TeamMember.Role.LEAD).update(
        country=country, early_career=early_career
    )


@pytest.fixture
def spain(db):
    return Country.objects.get_or_create(code="ES", defaults={"name": "Spain"})[0]


@pytest.fixture
def three(open_call, city, spain):
    """Three submitted proposals: one reviewed (4.0), one with a Spanish early-career lead, one plain."""
    _org, official = city
    reviewed = add_proposal(open_call, official, 1, [[4, 4, 4, 4]])
    spanish = add_proposal(open_call, official, 2, [])
    plain = add_proposal(open_call, official, 3, [])
    lead_of(reviewed)
    lead_of(spanish, country=spain, early_career=True)
    lead_of(plain)
    return reviewed, spanish, plain


def titles_in(response):
    content = response.content.decode()
    return [t for t in ("Proposal 1", "Proposal 2", "Proposal 3") if f">{t}</a>" in content]


# -- who may reach the desk ------------------------------------------------------------------------------------------


def test_only_the_citys_officials_reach_the_desk_its_csv_and_its_actions(
    client, open_call, city, make_city, researcher, three
):
    _org, official = city
    reviewed = three[0]
    reviewer = reviewed.review_assignments.get().reviewer
    _linz, linz_official = make_city("Linz")
    gets = [desk_url(open_call), desk_url(open_call, "export.csv"), "/desk/", "/desk/export.csv"]
    posts = [
        (desk_url(open_call, "bulk/"), {"scope": "all", "action": "shortlist"}),
        (desk_url(open_call, "bulk/"), {"scope": "all", "action": "shortlist", "confirm": "1", "expected": "3"}),
        ("/desk/bulk/", {"scope": "selected", "ids": [reviewed.pk], "action": "shortlist"}),
        (desk_url(open_call, "views/"), {"name": "Mine", "query": ""}),
        ("/desk/views/", {"name": "Mine", "query": ""}),
        (f"/proposals/{reviewed.pk}/desk/", {"action": "request_info", "message": "More please"}),
    ]
    for user in (researcher, linz_official, reviewer, reviewed.lead):
        client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 404, (user, url)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (user, url)
    assert not DeskBulkRun.objects.exists() and not DeskView.objects.exists()
    assert Proposal.objects.get(pk=reviewed.pk).status == Proposal.Status.UNDER_REVIEW
    client.logout()
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(official)
    for url in gets:
        assert client.get(url).status_code == 200, url


def test_a_bulk_run_is_seen_only_by_the_official_who_started_it(client, open_call, city, make_city, three):
    _org, official = city
    run = desk.bulk_prepare(
        by=official, call=open_call, action="shortlist", proposal_ids=[three[0].pk], params={"message": ""}
    )
    _linz, linz_official = make_city("Linz")
    client.force_login(linz_official)
    assert client.get(f"/desk/runs/{run.pk}/").status_code == 404
    client.force_login(official)
    # Not started yet: the page says how far it is and refreshes itself, never from a cache.
    response = client.get(f"/desk/runs/{run.pk}/")
    content = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "0 of 1 proposals done" in content and '<meta http-equiv="refresh"' in content
    desk.bulk_execute(run.pk)
    content = client.get(f"/desk/runs/{run.pk}/").content.decode()
    assert "Done: 1 proposal was in the action." in content and "http-equiv" not in content


def test_the_desk_across_calls_lists_every_call_of_the_city(client, open_call, city, three):
    organisation, official = city
    other = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Second call of Graz")
    submit_for_tests(ProposalFactory(call=other, lead=person("second@example.org"), title="Second-call study"))
    client.force_login(official)
    content = client.get("/desk/").content.decode()
    assert "4 proposals match" in content and "Second call of Graz" in content and ">Proposal 1</a>" in content
    content = client.get(f"/desk/?call={other.pk}").content.decode()
    assert "1 proposal matches" in content and "Second-call study" in content


def test_sealed_call_shows_counts_only_on_the_desk(client, city):
    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Sealed call", sealed=True)
    for n in range(2):
        proposal = ProposalFactory(call=call, lead=person(f"sealed{n}@example.org"), title=f"Secret title {n}")
        submit_for_tests(proposal)
    client.force_login(official)
    for url in (desk_url(call), "/desk/", desk_url(call, "export.csv"), "/desk/export.csv"):
        content = client.get(url).content.decode()
        assert "Secret title" not in content
    assert "2 proposals received; sealed until the deadline" in client.get(desk_url(call)).content.decode()
    # Bulk actions cannot reach them either.
    response = client.post(desk_url(call, "bulk/"), {"scope": "all", "action": "shortlist"})
    assert response.status_code == 302
    assert not DeskBulkRun.objects.exists()


# -- finding proposals -----------------------------------------------------------------------------------------------


def test_filters_search_and_sort(client, open_call, city, three, spain):
    _org, official = city
    reviewed, spanish, plain = three
    TeamMember.objects.create(proposal=plain, email="ana@example.org", name="Ana Quintana", status="accepted")
    client.force_login(official)
    url = desk_url(open_call)
    assert titles_in(client.get(url + "?q=quintana")) == ["Proposal 3"]
    assert titles_in(client.get(url + "?reviews=unreviewed&early_career=yes&country=ES")) == ["Proposal 2"]
    assert titles_in(client.get(url + "?score_min=3.5")) == ["Proposal 1"]
    assert titles_in(client.get(url + "?status=under_review")) == ["Proposal 1"]
    reviewer_email = reviewed.review_assignments.get().email
    assert titles_in(client.get(url + f"?reviewer={reviewer_email}")) == ["Proposal 1"]
    content = client.get(url + "?sort=-score").content.decode()
    assert content.index(">Proposal 1</a>") < content.index(">Proposal 2</a>")
    content = client.get(url + "?sort=-title").content.decode()
    assert content.index(">Proposal 3</a>") < content.index(">Proposal 2</a>") < content.index(">Proposal 1</a>")
    # Counts per filter value, with the other filters in force.
    content = client.get(url + "?early_career=yes").content.decode()
    assert "No review submitted yet (1)" in content and "Spain (1)" in content
    # Chosen columns.
    content = client.get(url + "?cols=spread&cols=career").content.decode()
    assert "Spread" in content and "early-career lead" in content and "Mean score</a>" not in content


@pytest.mark.parametrize(
    "query",
    [
        "sort=drop+table",
        "status=nonsense",
        "reviews=maybe",
        "score_min=9",
        "score_max=abc",
        "per_page=1000",
        "country=XX",
        "theme=no-such-theme",
        "early_career=perhaps",
        "cols=password",
        "page=999",
        "call=abc",
    ],
)
def test_unknown_filter_and_sort_values_give_a_message_not_an_error(client, open_call, city, query, three):
    _org, official = city
    client.force_login(official)
    for url in (desk_url(open_call), "/desk/", f"/calls/{open_call.pk}/ranking/", desk_url(open_call, "export.csv")):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query)
    response = client.get(f"/desk/?{query}")
    if not query.startswith("page="):
        assert 'class="messages__list"' in response.content.decode()
    # The list shows, without the refused value.
    assert len(titles_in(response)) == 3


def test_page_sizes_paginate_the_list(client, open_call, city, three):
    _org, official = city
    for n in range(4, 28):
        submit_for_tests(ProposalFactory(call=open_call, lead=person(f"more{n}@example.org"), title=f"More {n}"))
    client.force_login(official)
    first = client.get(desk_url(open_call)).content.decode()
    assert "27 proposals match" in first and first.count('name="ids"') == 25
    assert client.get(desk_url(open_call) + "?per_page=50").content.decode().count('name="ids"') == 27
    assert client.get(desk_url(open_call) + "?page=2").content.decode().count('name="ids"') == 2


def test_csv_exports_the_filtered_list(client, open_call, city, three):
    _org, official = city
    client.force_login(official)
    content = client.get(desk_url(open_call, "export.csv") + "?early_career=yes").content.decode()
    assert "Proposal 2" in content and "Proposal 1" not in content and "Proposal 3" not in content


# -- bulk actions ----------------------------------------------------------------------------------------------------


def test_bulk_assign_confirms_the_count_refuses_a_conflicted_pair_and_reports_it(client, open_call, city, three):
    _org, official = city
    reviewed, spanish, plain = three
    reviewer = person("bulk.reviewer@example.org")
    # The reviewer is on the plain proposal's team: that pair is a conflict of interest.
    TeamMember.objects.create(proposal=plain, email=reviewer.email, name="Bulk Reviewer", status="accepted")
    client.force_login(official)
    data = {"scope": "all", "query": "reviews=unreviewed", "action": "assign", "reviewer_email": reviewer.email}
    confirm = client.post(desk_url(open_call, "bulk/"), data)
    assert confirm.status_code == 200
    assert "This acts on exactly 2 proposals." in confirm.content.decode()
    assert not DeskBulkRun.objects.exists()
    response = client.post(desk_url(open_call, "bulk/"), {**data, "confirm": "1", "expected": "2"}, follow=True)
    content = response.content.decode()
    run = DeskBulkRun.objects.get()
    assert run.state == DeskBulkRun.State.DONE and run.by == official and run.total == 2
    assert ReviewAssignment.objects.filter(proposal=spanish, email=reviewer.email).exists()
    assert not ReviewAssignment.objects.filter(proposal=plain, email=reviewer.email).exists()
    assert "1 was skipped." in content and "Proposal 3" in content and "Conflict of interest" in content


def test_a_changed_list_asks_to_confirm_again(client, open_call, city, three):
    _org, official = city
    client.force_login(official)
    data = {"scope": "all", "query": "", "action": "shortlist", "confirm": "1", "expected": "5"}
    response = client.post(desk_url(open_call, "bulk/"), data)
    assert response.status_code == 200 and "This acts on exactly 3 proposals." in response.content.decode()
    assert not DeskBulkRun.objects.exists()


def test_a_proposal_withdrawn_meanwhile_is_skipped_and_reported(open_call, city, three):
    _org, official = city
    reviewed, spanish, plain = three
    run = desk.bulk_prepare(
        by=official,
        call=open_call,
        action="request_info",
        proposal_ids=[spanish.pk, plain.pk],
        params={"message": "Add a budget table."},
    )
    proposal_withdraw(proposal=plain, by=plain.lead)
    run = desk.bulk_execute(run.pk)
    assert run.state == DeskBulkRun.State.DONE
    assert run.skipped == [{"id": plain.pk, "title": "Proposal 3", "reason": "The team withdrew it meanwhile."}]
    assert Proposal.objects.get(pk=spanish.pk).status == Proposal.Status.INFO_REQUESTED
    assert Proposal.objects.get(pk=plain.pk).status == Proposal.Status.WITHDRAWN
    # A retried task does not run it twice.
    assert desk.bulk_execute(run.pk).skipped == run.skipped


def test_decisions_in_bulk_are_all_or_nothing(open_call, city, three):
    _org, official = city
    ids = [p.pk for p in three]
    # Awarding before the deadline is refused: none of the three is awarded.
    run = desk.bulk_execute(
        desk.bulk_prepare(by=official, call=open_call, action="award", proposal_ids=ids, params={"message": ""}).pk
    )
    assert run.state == DeskBulkRun.State.FAILED and "close the call early" in run.error
    assert not Proposal.objects.filter(status=Proposal.Status.AWARDED).exists()
    run = desk.bulk_execute(
        desk.bulk_prepare(by=official, call=open_call, action="shortlist", proposal_ids=ids, params={"message": ""}).pk
    )
    assert run.state == DeskBulkRun.State.DONE and run.done == 3
    assert Proposal.objects.filter(status=Proposal.Status.SHORTLISTED).count() == 3


def test_decline_needs_a_message_and_says_so_keeping_the_choice(client, open_call, city, three):
    _org, official = city
    client.force_login(official)
    data = {"scope": "selected", "ids": [three[0].pk], "query": "", "action": "decline", "confirm": "1"}
    response = client.post(desk_url(open_call, "bulk/"), {**data, "expected": "1"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Write a message to the teams you decline" in content and 'value="decline" selected' in content


def test_ranking_shortlists_the_top_n_in_one_action(client, open_call, city, three):
    _org, official = city
    client.force_login(official)
    data = {"from": "ranking", "scope": "top", "top": "1", "query": "sort=-score", "action": "shortlist"}
    confirm = client.post(desk_url(open_call, "bulk/"), data)
    assert "This acts on exactly 1 proposal." in confirm.content.decode()
    response = client.post(desk_url(open_call, "bulk/"), {**data, "confirm": "1", "expected": "1"}, follow=True)
    assert response.status_code == 200
    assert list(Proposal.objects.filter(status=Proposal.Status.SHORTLISTED).values_list("title", flat=True)) == [
        "Proposal 1"
    ]


# -- saved views -----------------------------------------------------------------------------------------------------


def test_saved_views_are_per_official_and_named_once(client, open_call, city, make_city, three):
    _org, official = city
    client.force_login(official)
    client.post(desk_url(open_call, "views/"), {"name": "My unreviewed", "query": "reviews=unreviewed&page=3"})
    client.post(desk_url(open_call, "views/"), {"name": "My unreviewed", "query": "reviews=unreviewed&sort=title"})
    view = DeskView.objects.get()
    assert view.owner == official and view.call == open_call and view.query == "reviews=unreviewed&sort=title"
    assert "My unreviewed" in client.get(desk_url(open_call)).content.decode()
    _linz, linz_official = make_city("Linz")
    client.force_login(linz_official)
    assert client.post(f"/desk/views/{view.pk}/delete/").status_code == 404
    client.force_login(official)
    client.post(f"/desk/views/{view.pk}/delete/")
    assert not DeskView.objects.exists()


# -- the proposal page as the city -----------------------------------------------------------------------------------


def test_the_proposal_page_is_the_citys_action_centre(client, open_call, city, three):
    _org, official = city
    reviewed, spanish, plain = three
    client.force_login(official)
    query = "desk=" + str(open_call.pk) + "&sort=title"
    content = client.get(f"/proposals/{spanish.pk}/?{query}").content.decode()
    assert "What is next:" in content and "Assign reviewer" in content and "Eligibility" in content
    carried = query.replace("&", "&amp;")
    assert f"/proposals/{reviewed.pk}/?{carried}" in content and f"/proposals/{plain.pk}/?{carried}" in content
    content = client.get(f"/proposals/{reviewed.pk}/?{query}").content.decode()
    reviewer = reviewed.review_assignments.get().reviewer
    assert reviewer.display_name in content and "2 of 3" not in content and "1 of 3" in content
    # Requesting information from the panel, then back on the same page with the list carried along.
    response = client.post(f"/proposals/{reviewed.pk}/desk/?{query}", {"action": "request_info", "message": "Budget?"})
    assert response.status_code == 302 and response["Location"] == f"/proposals/{reviewed.pk}/?{query}"
    assert Proposal.objects.get(pk=reviewed.pk).status == Proposal.Status.INFO_REQUESTED
    # A refused action shows on the page with what was typed.
    response = client.post(f"/proposals/{spanish.pk}/desk/", {"action": "assign", "reviewer_email": "not-an-email"})
    assert response.status_code == 400 and 'value="not-an-email"' in response.content.decode()


def test_blind_call_hides_reviewer_names_from_the_reviews_section(client, city):
    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Blind call", blind_review=True)
    proposal = add_proposal(call, official, 9, [[3, 3, 3, 3]])
    client.force_login(official)
    content = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Reviewer 1" in content


def test_removing_a_reviewer_who_has_not_reviewed(client, open_call, city, three):
    _org, official = city
    spanish = three[1]
    assignment = review_assign(proposal=spanish, reviewer_email=person("rem@example.org").email, by=official)
    client.force_login(official)
    client.post(f"/proposals/{spanish.pk}/desk/", {"action": "remove", "assignment": assignment.pk})
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    submitted = three[0].review_assignments.get()
    client.post(f"/proposals/{three[0].pk}/desk/", {"action": "remove", "assignment": submitted.pk})
    assert ReviewAssignment.objects.filter(pk=submitted.pk).exists()


# -- queries do not grow with the proposals --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_query_counts_stay_constant(client, open_call, city, spain, n, django_assert_max_num_queries):
    _org, official = city
    first = add_proposal(open_call, official, 0, [[4, 3, None, 5], [2, 2, 2, 2]])
    for i in range(1, n):
        proposal = ProposalFactory(call=open_call, lead=person(f"q{i}@example.org"), title=f"Q {i}")
        submit_for_tests(proposal)
        lead_of(proposal, country=spain, early_career=bool(i % 2))
        if i % 3 == 0:
            assignment = review_assign(proposal=proposal, reviewer_email=person(f"r{i}@example.org").email, by=official)
            review_declare(assignment=assignment, by=assignment.reviewer, has_conflict=False)
    client.force_login(official)
    cols = "&".join(f"cols={c}" for c in ("lead", "countries", "career", "eligibility", "reviews", "score", "spread"))
    # 27: the page's ids, then its rows, their calls (organisation, country) and team by prefetch, their versions
    # and early-career leads (two queries), one query for the facets not filtered on, one for the countries.
    with django_assert_max_num_queries(27):
        assert client.get(desk_url(open_call) + "?per_page=100&" + cols).status_code == 200
    with django_assert_max_num_queries(24):
        assert client.get("/desk/?per_page=100").status_code == 200
    with django_assert_max_num_queries(19):
        assert client.get(f"/calls/{open_call.pk}/ranking/?per_page=100").status_code == 200
    # 27: two of them the panel's meta-review and flags (issue 18 §4–5).
    with django_assert_max_num_queries(27):
        assert client.get(f"/proposals/{first.pk}/?desk={open_call.pk}").status_code == 200


def test_counts_are_kept_until_a_proposal_changes_even_by_a_bulk_update(client, open_call, city, three, settings):
    """The total and the facet counts come from the aggregate cache (paging and sorting count nothing again), and
    every write the counts read makes them stale at once: a save, and a queryset update (which sends no signal),
    such as a bulk action's or the stored review numbers'."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.hub.test_aggregates import commit

    _org, official = city
    reviewed, spanish, plain = three
    client.force_login(official)
    client.get(desk_url(open_call))  # the session and the site settings are written once, before the cache is on
    commit()
    cache.clear()
    settings.AGGREGATE_CACHE_SECONDS = 300
    url = desk_url(open_call)

    def counted(query=""):
        with CaptureQueriesContext(connection) as queries:
            content = client.get(url + query).content.decode()
        return content, sum("COUNT(" in q["sql"] for q in queries.captured_queries)

    content, counts = counted()
    assert counts >= 2 and "3 proposals match" in content and "Spain (1)" in content
    content, counts = counted("?sort=-title&per_page=50")
    assert counts == 0 and "3 proposals match" in content  # another sort and page size: the same counts
    Proposal.objects.filter(pk=spanish.pk).update(status=Proposal.Status.SHORTLISTED)
    lead_of(plain, country=Country.objects.get(code="ES"))  # a queryset update of the team too
    commit()
    content, counts = counted("?sort=-title&per_page=50")
    assert counts >= 2 and 'Shortlisted <span class="muted">(1)</span>' in content and "Spain (2)" in content
    proposal_withdraw(proposal=plain, by=plain.lead)  # a save, through the service
    commit()
    content, _counts = counted()
    assert "2 proposals match" in content and "Spain (1)" in content


def test_a_page_of_100_stays_light_with_every_column(client, open_call, city, spain):
    """Issue 20: ≤ 150 KB at 100 a page. Each row costs a few hundred bytes with every column shown (no template
    indentation is sent): 100 rows of long titles, with the whole filter and column choice carried in each row's link
    for previous / next, and the page around them stay below it."""
    _org, official = city
    cols = "&".join(f"cols={key}" for key, _label in COLUMNS)
    url = desk_url(open_call) + "?per_page=100&reviews=unreviewed&sort=-submitted&" + cols
    client.force_login(official)
    sizes = []
    for batch in (range(0, 3), range(3, 13)):
        for i in batch:
            title = f"Participatory budgeting and the right to adequate housing of older tenants, part {i}"
            proposal = ProposalFactory(call=open_call, lead=person(f"size{i}@example.org"), title=title)
            submit_for_tests(proposal)
            lead_of(proposal, country=spain, early_career=bool(i % 2))
        response = client.get(url)
        assert response.status_code == 200 and response.content.decode().count('name="ids"') == batch.stop
        sizes.append(len(response.content))
    per_row = (sizes[1] - sizes[0]) / 10
    assert sizes[0] + 100 * per_row < 150 * 1024, (sizes, per_row)


def test_the_databases_weighted_score_is_the_ranking_rule(open_call, city):
    """Means per criterion, "not applicable" left out, weights renormalised over the criteria with a score."""
    _org, official = city
    proposal = add_proposal(open_call, official, 1, [[5, 1, None, 4], [3, 2, None, 0], [4, None, None, 2]])
    expected = call_scores(open_call, [proposal.pk])[proposal.pk].weighted
    assert desk_queryset(official, open_call).get(pk=proposal.pk).weighted == pytest.approx(expected)
