"""Policy uptake: who may respond and record decisions, what the services refuse, what the selectors show."""

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from hub.models import Theme
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership
from projects.demo import uptake as demo
from projects.factories import PartnershipFactory
from projects.models import CityResponse, Indicator, Observation, PolicyUptake, Result
from projects.selectors import uptake as selectors
from projects.services import uptake as services
from tests.dates import CITY_ZONE, city_today

pytestmark = pytest.mark.django_db
TODAY = city_today()  # decisions are dated in the official's city


def make_result(partnership, *, slug="graz-housing-report", days_ago=30, **fields) -> Result:
    fields.setdefault("status", Result.Status.PUBLISHED)
    return Result.objects.create(
        partnership=partnership,
        title=fields.pop("title", f"Report {slug}"),
        slug=slug,
        abstract="What older tenants in Graz told us about their housing.",
        published_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def result(partnership):
    return make_result(partnership)


def respond(result, by, stance=CityResponse.Stance.PARTLY, reasons="Rent caps are a regional matter.", reply=""):
    """Save from a form opened just now: on the response's current version (or the blank one)."""
    version = CityResponse.objects.filter(result=result).values_list("edit_version", flat=True).first()
    return services.response_save(
        result=result,
        by=by,
        stance=stance,
        reasons=reasons,
        reply=reply,
        edit_version=version or services.RESPONSE_BLANK_VERSION,
    )


def record(result, by, **fields):
    values = {"kind": PolicyUptake.Kind.PLAN, "title": "Municipal Housing Plan 2025–2030", "date": TODAY}
    return services.uptake_create(result=result, by=by, **{**values, **fields})


# Who may respond: role × result → allowed? (default deny)


def test_official_of_the_commissioning_city_may_respond(result, official):
    assert services.can_respond(official, result) == (True, "")


def test_approved_member_role_counts_as_official(result, city):
    organisation, _official = city
    clerk = UserFactory(email="clerk@graz.example.org")
    MembershipFactory(user=clerk, organisation=organisation, status=Membership.Status.APPROVED)
    assert services.can_respond(clerk, result)[0]


@pytest.mark.parametrize("who", ["researcher", "outsider", "coordinator", "other_official", "requested", "anonymous"])
def test_nobody_else_may_respond(who, result, researcher, outsider, coordinator, make_city, city):
    from django.contrib.auth.models import AnonymousUser

    if who == "other_official":
        user = make_city("Linz")[1]
    elif who == "requested":
        user = UserFactory(email="applicant@example.org")
        MembershipFactory(user=user, organisation=city[0], status=Membership.Status.REQUESTED)
    elif who == "anonymous":
        user = AnonymousUser()
    else:
        user = {"researcher": researcher, "outsider": outsider, "coordinator": coordinator}[who]
    allowed, reason = services.can_respond(user, result)
    assert not allowed and reason
    if who != "anonymous":
        with pytest.raises(PermissionDenied):
            respond(result, user)
        with pytest.raises(PermissionDenied):
            record(result, user)
    assert not CityResponse.objects.exists() and not PolicyUptake.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Result.Status.DRAFT},
        {"status": Result.Status.TAKEN_DOWN},
        {"embargo_until": TODAY + dt.timedelta(days=10)},
    ],
)
def test_results_that_are_not_public_get_no_response(partnership, official, fields):
    result = make_result(partnership, slug="not-public", **fields)
    allowed, reason = services.can_respond(official, result)
    assert not allowed and "public" in reason
    assert not services.is_official_of_commissioning_city(official, result)


def test_membership_of_a_city_without_the_partnership_is_not_enough(partnership, make_city):
    other_partnership = PartnershipFactory(slug="linz-partnership", city=make_city("Linz")[0])
    result = make_result(other_partnership, slug="linz-report")
    graz_official = partnership.city.memberships.get().user
    assert not services.is_official_of_commissioning_city(graz_official, result)


# The response


def test_response_is_dated_and_tells_the_research_team(
    result, official, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = respond(result, official, reply="We remain open to discuss.")
    assert response.stance == CityResponse.Stance.PARTLY
    assert response.city == result.partnership.city and response.responded_by == official
    assert response.responded_at is not None
    assert [m.to for m in mailoutbox] == [[researcher.email]]
    message = mailoutbox[0]
    assert "responded to" in message.subject and "Partly accepted" in message.body
    assert "Rent caps are a regional matter." in message.alternatives[0][0]


@pytest.mark.parametrize("stance", ["accepted", "partly", "not_accepted"])
def test_a_stance_needs_the_citys_reasons(result, official, stance):
    with pytest.raises(ValidationError) as error:
        respond(result, official, stance=stance, reasons="   ")
    assert "reasons" in error.value.message_dict
    assert not CityResponse.objects.exists()


def test_pending_with_a_reply_keeps_counting_the_days(result, official):
    respond(result, official, stance=CityResponse.Stance.PENDING, reasons="", reply="We are studying the report.")
    panel = selectors.result_uptake(result)
    assert panel.is_pending and panel.pending_days == 30
    assert panel.response.reply == "We are studying the report."


def test_an_update_keeps_the_first_date_and_shows_the_update(result, official, mailoutbox):
    first = respond(result, official, stance=CityResponse.Stance.ACCEPTED, reasons="We agree.")
    earlier = timezone.now() - dt.timedelta(days=5)
    CityResponse.objects.filter(pk=first.pk).update(responded_at=earlier, updated_at=earlier)
    respond(result, official, stance=CityResponse.Stance.PARTLY, reasons="On reflection, only in part.")
    response = CityResponse.objects.get()
    assert response.responded_at == earlier and response.stance == CityResponse.Stance.PARTLY
    panel = selectors.result_uptake(result)
    assert panel.was_updated and panel.days_to_respond == 25


def test_a_decided_response_cannot_go_back_to_pending(result, official):
    respond(result, official, stance=CityResponse.Stance.ACCEPTED, reasons="We agree.")
    with pytest.raises(ValidationError) as error:
        respond(result, official, stance=CityResponse.Stance.PENDING, reasons="")
    assert "stance" in error.value.message_dict
    assert CityResponse.objects.get().stance == CityResponse.Stance.ACCEPTED


# Uptake records


def test_official_records_a_decision_and_the_team_hears_of_it(
    result, official, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        uptake = record(result, official, body="City council", link="https://graz.example.org/plan")
    assert uptake.city == result.partnership.city and uptake.recorded_by == official
    assert [m.to for m in mailoutbox] == [[researcher.email]]
    assert "informed a decision" in mailoutbox[0].subject
    assert "Municipal Housing Plan" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"date": TODAY + dt.timedelta(days=1)}, "date", "future"),
        ({"date": TODAY - dt.timedelta(days=31)}, "date", "cannot have been informed"),
        ({"link": "javascript:alert(1)"}, "link", "http"),
        ({"kind": "bribe"}, "kind", "kinds"),
        ({"title": "  "}, "title", "title"),
    ],
)
def test_uptake_refuses_bad_input(result, official, fields, field, words):
    with pytest.raises(ValidationError) as error:
        record(result, official, **fields)
    assert words in " ".join(error.value.message_dict[field])
    assert not PolicyUptake.objects.exists()


def test_a_decision_on_the_day_of_publication_is_fine(result, official):
    with timezone.override(CITY_ZONE):  # the day it became public in the official's city
        published = result.public_since
    assert record(result, official, date=published).pk


def test_only_officials_of_the_city_edit_or_remove_records(result, official, make_city):
    uptake = record(result, official)
    linz_official = make_city("Linz")[1]
    with pytest.raises(PermissionDenied):
        services.uptake_update(
            uptake=uptake, by=linz_official, kind="plan", title="Changed", date=TODAY, edit_version=1
        )
    with pytest.raises(PermissionDenied):
        services.uptake_delete(uptake=uptake, by=linz_official, edit_version=1)
    services.uptake_update(
        uptake=uptake, by=official, kind="budget", title="Budget line 231.48", date=TODAY, edit_version=1
    )
    assert PolicyUptake.objects.get().title == "Budget line 231.48"
    services.uptake_delete(uptake=uptake, by=official, edit_version=2)
    assert not PolicyUptake.objects.exists()


# Selectors


def test_partnership_panel_counts_stances_and_keeps_pending(partnership, official):
    accepted = make_result(partnership, slug="accepted")
    make_result(partnership, slug="pending", days_ago=12)
    make_result(partnership, slug="draft", status=Result.Status.DRAFT)
    respond(accepted, official, stance=CityResponse.Stance.ACCEPTED, reasons="We agree.")
    record(accepted, official)
    panel = selectors.partnership_uptake(partnership)
    assert {r.slug: r.stance for r in panel.results} == {"accepted": "accepted", "pending": "pending"}
    assert {r.slug: r.pending_days for r in panel.results} == {"accepted": None, "pending": 12}
    assert [(s["stance"], s["count"]) for s in panel.stances] == [("accepted", 1), ("pending", 1)]
    assert [u.title for u in panel.uptakes] == ["Municipal Housing Plan 2025–2030"]


def test_summary_counts_stances_across_the_hub_and_the_median_days(partnership, official):
    for slug, days_ago, responded_after in [("a", 40, 10), ("b", 30, 20), ("c", 20, 30), ("d", 5, None)]:
        result = make_result(partnership, slug=slug, days_ago=days_ago)
        if responded_after is not None:
            response = respond(result, official, stance=CityResponse.Stance.ACCEPTED, reasons="Yes.")
            at = result.published_at + dt.timedelta(days=responded_after)
            CityResponse.objects.filter(pk=response.pk).update(responded_at=at)
    summary = selectors.uptake_summary()
    assert summary.results_count == 4
    assert [(s["stance"], s["count"]) for s in summary.stances] == [("accepted", 3), ("pending", 1)]
    assert summary.median_days_to_respond == 20


def test_uptakes_of_results_no_longer_public_are_hidden(result, official):
    record(result, official)
    assert selectors.uptakes_public().count() == 1
    Result.objects.filter(pk=result.pk).update(status=Result.Status.TAKEN_DOWN)
    assert selectors.uptakes_public().count() == 0


def test_trail_links_indicators_of_the_results_themes_observed_in_the_city(result, official, make_city):
    housing, other = Theme.objects.order_by("pk")[:2]
    result.themes.add(housing)
    kwargs = {"type": "outcome", "obligation": "fulfil", "unit": "%", "definition": "Share of households."}
    observed = Indicator.objects.create(title="Overcrowding rate", slug="overcrowding", theme=housing, **kwargs)
    elsewhere = Indicator.objects.create(title="Evictions", slug="evictions", theme=housing, **kwargs)
    off_theme = Indicator.objects.create(title="Other theme", slug="other-theme", theme=other, **kwargs)
    city = result.partnership.city
    for indicator, where in [(observed, city), (elsewhere, make_city("Linz")[0]), (off_theme, city)]:
        Observation.objects.create(
            indicator=indicator, city=where, period="2024", period_start=dt.date(2024, 1, 1), value=Decimal("3.5")
        )
    record(result, official)
    [row] = selectors.add_trail(selectors.uptake_list_rows(selectors.uptakes_public()))
    assert [(i["indicator"].slug, i["url"]) for i in row.indicator_links] == [
        ("overcrowding", f"/data/indicators/overcrowding/?city={city.slug}")
    ]


def test_demo_responds_to_most_results_records_uptake_and_is_idempotent(partnership):
    for n in range(8):
        make_result(partnership, slug=f"demo-{n}", days_ago=100 + n)
    out = io.StringIO()
    demo.seed(rng=random.Random(1), stdout=out)
    stances = list(CityResponse.objects.values_list("stance", flat=True))
    assert len(stances) == 6 and {"accepted", "partly", "not_accepted"} <= set(stances)
    assert PolicyUptake.objects.count() >= 4
    assert all(demo.DEMO in u.description for u in PolicyUptake.objects.all())
    assert all(u.date >= u.result.public_since for u in PolicyUptake.objects.all())
    counts = (CityResponse.objects.count(), PolicyUptake.objects.count())
    demo.seed(rng=random.Random(2), stdout=out)
    assert (CityResponse.objects.count(), PolicyUptake.objects.count()) == counts
