"""Reviewers found and balanced (issue 18 §2): wider conflicts of interest, suggestions with reasons, load caps,
"assign automatically" (the preview is what is created; twice is once; caps hold against changes meanwhile), bids."""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from calls.conflicts import conflicts_for
from calls.models import Proposal, ReviewAssignment, ReviewBid
from calls.services import reviewer_matching as services
from calls.services.reviews import review_declare
from profiles.factories import OrganisationFactory
from profiles.models import AffiliationPeriod, Publication
from projects.factories import PartnershipFactory, add_member
from tests.calls.reviewer_helpers import reviewing_world

pytestmark = pytest.mark.django_db


def publication(user, doi, **fields):
    return Publication.objects.create(profile=user.researcher_profile, title=f"On {doi}", doi=doi, **fields)


def period(user, organisation, start, end=None):
    return AffiliationPeriod.objects.create(
        profile=user.researcher_profile, organisation=organisation, start_year=start, end_year=end
    )


# --- conflicts ---------------------------------------------------------------------------------------------------


def test_a_shared_doi_is_a_coauthorship_conflict_explained_to_the_city(city):
    w = reviewing_world(city, proposals=2, reviewers=2)
    proposal, reviewer = w.proposals[0], w.reviewers[0]
    publication(proposal.lead, "10.5281/zenodo.111")
    publication(reviewer, "10.5281/ZENODO.111")  # case does not matter
    publication(w.reviewers[1], "10.5281/zenodo.999")
    found = conflicts_for(w.call, w.proposals, w.reviewers)
    assert list(found) == [(proposal.pk, reviewer.pk)]
    [conflict] = found[(proposal.pk, reviewer.pk)]
    assert conflict.kind == "coauthor"
    assert proposal.lead.display_name in conflict.for_city and "10.5281/zenodo.111" in conflict.for_city
    assert proposal.lead.display_name not in conflict.for_reviewer  # blind reviewers learn no team name


def test_a_hidden_publication_list_keeps_the_doi_out_of_the_explanation(city):
    w = reviewing_world(city, proposals=1, reviewers=1)
    lead = w.proposals[0].lead
    lead.researcher_profile.publications_visibility = "hidden"
    lead.researcher_profile.save()
    publication(lead, "10.1000/secret")
    publication(w.reviewers[0], "10.1000/secret")
    [conflict] = conflicts_for(w.call, w.proposals, w.reviewers)[(w.proposals[0].pk, w.reviewers[0].pk)]
    assert conflict.kind == "coauthor" and "10.1000/secret" not in conflict.for_city


def test_an_affiliation_shared_within_the_calls_window_is_a_conflict_and_an_older_one_is_not(city):
    w = reviewing_world(city, proposals=2, reviewers=1, conflict_years=3)
    year = timezone.now().year
    recent, old = OrganisationFactory(name="Institute of Housing"), OrganisationFactory(name="Old College")
    reviewer = w.reviewers[0]
    period(reviewer, recent, year - 6, year - 2)
    period(w.proposals[0].lead, recent, year - 1)  # still there
    period(reviewer, old, 1990, year - 5)
    period(w.proposals[1].lead, old, 1995, year - 4)
    found = conflicts_for(w.call, w.proposals, w.reviewers)
    assert list(found) == [(w.proposals[0].pk, reviewer.pk)]
    [conflict] = found[(w.proposals[0].pk, reviewer.pk)]
    assert conflict.kind == "affiliation" and "Institute of Housing" in conflict.for_city


def test_a_current_affiliation_against_a_recent_past_one_is_a_conflict(city):
    w = reviewing_world(city, proposals=1, reviewers=1)
    organisation = OrganisationFactory(name="Centre for Urban Rights")
    profile = w.proposals[0].lead.researcher_profile
    profile.affiliation = organisation
    profile.save()
    period(w.reviewers[0], organisation, 2015, timezone.now().year - 1)
    [conflict] = conflicts_for(w.call, w.proposals, w.reviewers)[(w.proposals[0].pk, w.reviewers[0].pk)]
    assert conflict.kind == "affiliation"


def test_working_in_one_partnership_is_a_conflict_through_the_projects_hook(city):
    w = reviewing_world(city, proposals=1, reviewers=2)
    partnership = PartnershipFactory(title="Tenants' rights in Graz")
    add_member(partnership, w.proposals[0].lead)
    add_member(partnership, w.reviewers[1])
    found = conflicts_for(w.call, w.proposals, w.reviewers)
    [conflict] = found[(w.proposals[0].pk, w.reviewers[1].pk)]
    assert conflict.kind == "partnership" and "Tenants' rights in Graz" in conflict.for_city
    assert (w.proposals[0].pk, w.reviewers[0].pk) not in found


def test_the_team_is_always_a_conflict(city):
    w = reviewing_world(city, proposals=1, reviewers=1)
    [conflict] = conflicts_for(w.call, w.proposals, [w.proposals[0].lead])[(w.proposals[0].pk, w.proposals[0].lead.pk)]
    assert conflict.kind == "team"


def test_a_reviewer_cannot_declare_a_coauthorship_away(city):
    w = reviewing_world(city, proposals=1, reviewers=1)
    proposal, reviewer = w.proposals[0], w.reviewers[0]
    publication(proposal.lead, "10.1/shared")
    publication(reviewer, "10.1/shared")
    assignment = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer, email=reviewer.email)
    with pytest.raises(ValidationError, match="co-authored"):
        review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.INVITED


# --- suggestions ---------------------------------------------------------------------------------------------------


def test_suggestions_rank_with_reasons_leave_out_applicants_and_show_conflicts(city):
    w = reviewing_world(city, proposals=2, reviewers=3, accepted=False)
    publication(w.proposals[0].lead, "10.1/x")
    publication(w.reviewers[0], "10.1/x")
    suggestions, left_out, proposals = services.suggested_reviewers(w.call, viewer=w.official)
    by_user = {s.profile.user_id: s for s in suggestions}
    assert set(by_user) == {u.pk for u in w.reviewers}
    assert all(s.match.reasons for s in suggestions)  # "both: <theme>" at least
    assert suggestions[0].profile.user_id == w.reviewers[1].pk  # theme and method beat theme only
    [(proposal, [conflict])] = by_user[w.reviewers[0].pk].conflicts
    assert proposal == w.proposals[0] and conflict.kind == "coauthor"
    assert {fit.object.user_id for fit, _reason in left_out} >= {p.lead_id for p in w.proposals}


# --- assign automatically -----------------------------------------------------------------------------------------


def loads_after(call):
    counts = {}
    for a in ReviewAssignment.objects.filter(proposal__call=call).exclude(proposal__in=[]):
        counts[a.reviewer_id] = counts.get(a.reviewer_id, 0) + 1
    return counts


def test_the_plan_gives_each_proposal_k_reviews_balanced_under_the_cap_without_conflicts(city):
    w = reviewing_world(city, proposals=4, reviewers=4, reviews_per_proposal=2, reviewer_cap_per_call=3)
    publication(w.proposals[0].lead, "10.1/c")
    publication(w.reviewers[0], "10.1/c")
    plan = services.plan_assignments(w.call, by=w.official)
    assert not plan.short
    per_proposal = {}
    for row in plan.rows:
        per_proposal.setdefault(row.proposal.pk, []).append(row.reviewer.pk)
    assert all(len(v) == 2 for v in per_proposal.values()) and len(per_proposal) == 4
    assert w.reviewers[0].pk not in per_proposal[w.proposals[0].pk]
    new = [sum(1 for r in plan.rows if r.reviewer == u) for u in w.reviewers]
    assert max(new) - min(new) <= 1 and sum(new) == 8
    assert all(plan.loads[u.pk][0] <= 3 for u in w.reviewers)  # the seed review counts: 1 + 2


def test_bids_come_first_and_not_my_field_never(city):
    w = reviewing_world(city, proposals=1, reviewers=4, reviews_per_proposal=2)
    target = w.proposals[0]
    a, b, c, d = w.reviewers
    ReviewBid.objects.create(proposal=target, reviewer=d, level=ReviewBid.Level.EAGER)
    ReviewBid.objects.create(proposal=target, reviewer=c, level=ReviewBid.Level.WILLING)
    ReviewBid.objects.create(proposal=target, reviewer=a, level=ReviewBid.Level.NOT_MY_FIELD)
    plan = services.plan_assignments(w.call, by=w.official)
    assert [(r.reviewer, r.bid) for r in plan.rows] == [(c, "willing"), (d, "eager")]  # sorted by reviewer id
    ReviewBid.objects.filter(reviewer__in=[c, d]).update(level=ReviewBid.Level.NOT_MY_FIELD)
    plan = services.plan_assignments(w.call, by=w.official)
    assert {r.reviewer for r in plan.rows} == {b}
    assert plan.short == [(target, 1)]


def test_the_monthly_cap_counts_other_calls(city, make_city):
    w = reviewing_world(city, proposals=1, reviewers=2, reviews_per_proposal=2, reviewer_cap_per_month=2)
    busy = w.reviewers[0]
    other = reviewing_world(make_city("Vienna"), proposals=1, reviewers=0)
    ReviewAssignment.objects.create(proposal=other.proposals[0], reviewer=busy, email=busy.email)
    plan = services.plan_assignments(w.call, by=w.official)
    assert {r.reviewer for r in plan.rows} == {w.reviewers[1]}  # busy: the seed and Vienna's make 2 this month


def test_confirming_creates_exactly_the_preview_once(city, mailoutbox, django_capture_on_commit_callbacks):
    w = reviewing_world(city, proposals=3, reviewers=3, reviews_per_proposal=2)
    plan = services.plan_assignments(w.call, by=w.official)
    planned = {(r.proposal.pk, r.reviewer.pk) for r in plan.rows}
    assert ReviewAssignment.objects.filter(proposal__in=w.proposals).count() == 0  # the preview created nothing
    with django_capture_on_commit_callbacks(execute=True):
        created = services.auto_assign_confirm(call=w.call, by=w.official, signature=plan.signature)
    assert {(a.proposal_id, a.reviewer_id) for a in created} == planned
    assert len(mailoutbox) == len(planned)
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in w.proposals]).values_list("status", flat=True)) == {
        Proposal.Status.UNDER_REVIEW
    }
    with pytest.raises(services.PlanChanged) as again:  # the double submit
        services.auto_assign_confirm(call=w.call, by=w.official, signature=plan.signature)
    assert again.value.plan.rows == []
    assert ReviewAssignment.objects.filter(proposal__in=w.proposals).count() == len(planned)


def test_a_change_since_the_preview_creates_nothing_and_caps_hold(city):
    w = reviewing_world(city, proposals=2, reviewers=2, reviews_per_proposal=1, reviewer_cap_per_call=2)
    plan = services.plan_assignments(w.call, by=w.official)
    first = plan.rows[0]
    # Meanwhile (another official, another tab), the first planned reviewer reaches the cap of the call.
    ReviewAssignment.objects.create(
        proposal=first.proposal, reviewer=first.reviewer, email=first.reviewer.email, token=uuid.uuid4()
    )
    with pytest.raises(services.PlanChanged) as changed:
        services.auto_assign_confirm(call=w.call, by=w.official, signature=plan.signature)
    assert ReviewAssignment.objects.filter(proposal__in=w.proposals).count() == 1
    fresh = changed.value.plan
    assert all(fresh.loads[u.pk][0] <= 2 for u in w.reviewers)
    services.auto_assign_confirm(call=w.call, by=w.official, signature=fresh.signature)
    for user in w.reviewers:
        assert ReviewAssignment.objects.filter(proposal__call=w.call, reviewer=user).count() <= 2


def test_only_the_calls_officials_run_it(city, make_city):
    w = reviewing_world(city, proposals=1, reviewers=1)
    _org, stranger = make_city("Vienna")
    plan = services.plan_assignments(w.call, by=w.official)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        services.auto_assign_confirm(call=w.call, by=stranger, signature=plan.signature)
    assert not ReviewAssignment.objects.filter(proposal__in=w.proposals).exists()


# --- bids ----------------------------------------------------------------------------------------------------------


def test_bids_are_saved_updated_withdrawn_and_checked(city):
    w = reviewing_world(city, proposals=2, reviewers=1)
    reviewer = w.reviewers[0]
    p1, p2 = w.proposals
    assert services.bids_save(call=w.call, by=reviewer, levels={p1.pk: "eager", p2.pk: None}) == 1
    assert services.bids_save(call=w.call, by=reviewer, levels={p1.pk: "willing", p2.pk: "not_my_field"}) == 2
    assert services.bids_of(reviewer, w.call) == {p1.pk: "willing", p2.pk: "not_my_field"}
    assert services.bids_save(call=w.call, by=reviewer, levels={p1.pk: None}) == 1
    with pytest.raises(ValidationError):
        services.bids_save(call=w.call, by=reviewer, levels={p1.pk: "ecstatic"})
    with pytest.raises(ValidationError):
        services.bids_save(call=w.call, by=reviewer, levels={w.seed.pk + 999: "eager"})
    with pytest.raises(ValidationError):  # an applicant is no reviewer of the call
        services.bids_save(call=w.call, by=p1.lead, levels={p2.pk: "eager"})


def test_a_sealed_call_opens_no_proposal_to_bids_before_its_deadline(city):
    w = reviewing_world(city, proposals=1, reviewers=1, sealed=True, closes_in=dt.timedelta(days=3))
    assert services.may_bid(w.reviewers[0], w.call)
    assert services.biddable_proposals(w.reviewers[0], w.call) == []
