"""``python -m bench --desk-proposals`` (issue 20): the desk calls it seeds, the pages it measures as the city's
official, and the timed bulk shortlist, which must change all it names and leave the data as it found it."""

import time

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from bench import desk, seed
from bench.desk_bulk import SHORTLIST_QUERY, Answer, ProgressPoller, measure_shortlist, selection
from bench.pages import DESK_FILTER, SIGNED_IN, desk_pages
from bench.runner import desk_sizes, parse_args
from calls.filters_desk import ProposalDeskFilter
from calls.models import (
    DeskBulkRun,
    Proposal,
    ProposalActivity,
    ProposalFlag,
    ProposalVersion,
    ResearchCall,
    ReviewAssignment,
    ReviewScore,
    TeamMember,
)
from profiles.models import CityPage, Organisation

pytestmark = pytest.mark.django_db
SIZES = [5, 12]


@pytest.fixture
def official(make_city):
    """The bench's official, admin of the bench's first city (what ``seed.ensure`` makes, without 200 cities)."""
    organisation, official = make_city("Benchton", email=seed.OFFICIAL_EMAIL)
    Organisation.objects.filter(pk=organisation.pk).update(slug=desk.DESK_CITY)
    return official


@pytest.fixture
def seeded(official):
    created = desk.ensure_desk(sizes=SIZES, log=lambda _line: None)
    assert created == {5: 5, 12: 12}
    return official


class DjangoClient:
    """``bench.desk_bulk``'s client interface over Django's test client (no server)."""

    def __init__(self, client):
        self.client = client

    def get(self, path):
        response = self.client.get(path)
        return Answer(response.status_code, response.get("Location", ""), response.content.decode())

    def post(self, path, data):
        response = self.client.post(path, data)
        return Answer(response.status_code, response.get("Location", ""), response.content.decode())


def state(call):
    return list(
        Proposal.objects.filter(call=call)
        .order_by("pk")
        .values_list("pk", "status", "updated_at", "outcome_message", "decided_at")
    )


def test_the_sizes_option_takes_several_calls_at_once():
    assert desk_sizes("10000,1000") == [1000, 10000]
    assert parse_args(["--desk-proposals", "1000,10000"]).desk_proposals == [1000, 10000]
    assert parse_args([]).desk_proposals == [] and parse_args([]).desk_shortlist == 500
    for bad in ("ten", "0", "1000,30000"):
        with pytest.raises(SystemExit):
            parse_args(["--desk-proposals", bad])


def test_each_size_gets_its_own_call_of_the_officials_city_seeded_once(seeded):
    official = seeded
    city_page = CityPage.objects.get(organisation__slug=desk.DESK_CITY)
    calls = desk.desk_calls()
    assert sorted(calls) == SIZES
    for size, call in calls.items():
        call = ResearchCall.objects.get(pk=call.pk)
        assert call.live and call.get_parent().specific == city_page and call.closes_at < timezone.now()
        assert call.themes.count() == 3 and call.criteria.count() == 4
        proposals = Proposal.objects.filter(call=call)
        assert proposals.count() == size
        assert set(proposals.values_list("status", flat=True)) <= set(Proposal.SUBMITTED_STATES)
        assert proposals.values("lead").distinct().count() == size  # one proposal per lead and call
        leads = TeamMember.objects.filter(proposal__call=call, role=TeamMember.Role.LEAD)
        assert leads.count() == size and leads.exclude(country=None).count() == size
        assert TeamMember.objects.filter(proposal__call=call).count() >= 2 * size  # a few members each
        assert ProposalVersion.objects.filter(proposal__call=call, number=1).count() == size
        assert ProposalActivity.objects.filter(proposal__call=call, kind="submitted").count() == size
        submitted = ReviewAssignment.objects.filter(proposal__call=call, status=ReviewAssignment.Status.SUBMITTED)
        assert ReviewScore.objects.filter(assignment__in=submitted).count() == submitted.count() * 4
        assert not submitted.filter(version=None).exists()
        # Reviewed proposals are under review (or further); unreviewed ones still "submitted" or decided on.
        assert not proposals.filter(status=Proposal.Status.SUBMITTED, review_assignments__isnull=False).exists()
    big = calls[12]
    assert ReviewAssignment.objects.filter(proposal__call=big, status=ReviewAssignment.Status.SUBMITTED).exists()
    assert TeamMember.objects.filter(proposal__call=big, role=TeamMember.Role.LEAD, early_career=True).exists()
    assert ProposalFlag.objects.filter(owner=official).count() == ProposalFlag.objects.count()

    counts = [Proposal.objects.count(), TeamMember.objects.count(), ReviewScore.objects.count()]
    assert desk.ensure_desk(sizes=SIZES, log=lambda _line: None) == {5: 0, 12: 0}
    assert desk.ensure_desk(sizes=[12], log=lambda _line: None) == {12: 0}
    assert [Proposal.objects.count(), TeamMember.objects.count(), ReviewScore.objects.count()] == counts
    assert desk.desk_counts()["desk_12_proposals"] == 12


def test_the_desk_pages_answer_the_official_with_the_issues_filter(client, seeded):
    official = seeded
    call = desk.desk_calls()[12]
    # The filter's names are the desk FilterSet's own, and its values valid (no "unknown value" messages).
    filterset = ProposalDeskFilter(QueryDict(DESK_FILTER), user=official, call=call)
    assert set(QueryDict(DESK_FILTER)) <= set(filterset.filters) and filterset.problems() == []
    paths = desk.desk_paths()
    assert paths["desk_call_12"] == call.pk
    assert ReviewAssignment.objects.filter(
        proposal_id=paths["desk_proposal_12"], status=ReviewAssignment.Status.SUBMITTED
    ).exists()
    pages = desk_pages(SIZES)
    assert len(pages) == 8 and all(page.user == "official" and page.budget is SIGNED_IN for page in pages)
    client.force_login(official)
    for page in pages:
        response = client.get(page.path.format(**paths))
        assert response.status_code == 200, page.name
    content = client.get(f"/proposals/{paths['desk_proposal_12']}/").content.decode()
    assert "desk.reviewer" in content and "Clear aims and a credible plan" in content


@pytest.mark.parametrize("backend", ["immediate", "queue"])
def test_the_bulk_shortlist_changes_all_it_names_then_puts_everything_back(client, seeded, settings, backend):
    official = seeded
    if backend == "queue":  # as on the bench's server: the view only enqueues, the bench runs the task itself
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call = desk.desk_calls()[12]
    before = state(call)
    activities = ProposalActivity.objects.count()
    chosen = selection(call, official, 4)
    assert len(chosen) == 4
    assert set(Proposal.objects.filter(pk__in=chosen).values_list("status", flat=True)) <= {
        Proposal.Status.SUBMITTED,
        Proposal.Status.UNDER_REVIEW,
    }
    client.force_login(official)

    row = measure_shortlist(size=12, count=4, client=DjangoClient(client), log=lambda _line: None, poll=False)

    assert row["all_changed"] and row["changed"] == 4 and row["skipped"] == 0 and row["same_selection"], row
    assert row["confirm_status"] == 200 and row["run_page_status"] == 200 and "error" not in row
    assert (row["task_s"] is None) == (backend == "immediate")
    assert row["restored"]
    assert state(call) == before
    assert ProposalActivity.objects.count() == activities and not DeskBulkRun.objects.exists()
    # A second run measures the same: the same selection, all of it changed again, and put back again.
    again = measure_shortlist(size=12, count=4, client=DjangoClient(client), log=lambda _line: None, poll=False)
    assert again["all_changed"] and again["restored"] and selection(call, official, 4) == chosen
    assert state(call) == before
    assert SHORTLIST_QUERY.startswith("status=submitted&status=under_review")


def test_a_shortlist_larger_than_the_call_is_reported_not_faked(client, seeded):
    official = seeded
    client.force_login(official)
    row = measure_shortlist(size=5, count=500, client=DjangoClient(client), log=lambda _line: None, poll=False)
    assert row["selected"] < 500 and "only" in row["error"]
    assert row["restored"] and not DeskBulkRun.objects.exists()


def test_seeding_a_call_costs_the_same_queries_at_10_and_at_40_proposals(official):
    """No query per proposal: 10,000 proposals are 20 batches of a constant number of queries."""
    desk.ensure_desk(sizes=[3], log=lambda _line: None)  # the reviewers and the first researchers exist
    queries = {}
    for size in (10, 40):
        with CaptureQueriesContext(connection) as captured:
            assert desk.ensure_desk(sizes=[size], log=lambda _line: None) == {size: size}
        queries[size] = len(captured.captured_queries)
    assert queries[40] <= queries[10] + 5, queries


def test_the_poller_reads_the_progress_of_the_run_page():
    pages = iter(
        [
            Answer(200, "", '<progress max="500" value="0">0 %</progress>'),
            Answer(200, "", '<progress max="500" value="250">50 %</progress>'),
        ]
    )

    class Client:
        def get(self, path):
            return next(pages, Answer(200, "", "<p><strong>Done: 500 proposals were in the action.</strong></p>"))

    poller = ProgressPoller(Client(), "/desk/runs/1/")
    poller.start()
    while len(poller.samples) < 3:
        time.sleep(0.05)
    poller.stop()
    assert [done for _t, _status, done in poller.samples[:3]] == [0, 250, None]
