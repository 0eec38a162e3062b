"""Digests: new matching calls are emailed once, grouped per user, routed by frequency."""

from django.core.management import call_command

import pytest

from calls.alerts import send_alerts
from calls.factories import make_call
from calls.models import AlertDelivery, SavedSearch

pytestmark = pytest.mark.django_db


def sent_to(mailoutbox, email: str) -> list:
    return [m for m in mailoutbox if email in m.to]


def test_a_matching_new_call_is_sent_once(researcher, saved, publish, housing, commit, mailoutbox):
    search = saved(researcher, "theme=adequate-housing")
    publish("Housing of older tenants", themes=[housing])
    with commit():
        assert send_alerts(frequency="daily").items == 1
    [message] = sent_to(mailoutbox, researcher.email)
    assert "Housing of older tenants" in message.body
    assert AlertDelivery.objects.filter(saved_search=search).count() == 1
    with commit():
        assert send_alerts(frequency="daily").items == 0
    assert len(sent_to(mailoutbox, researcher.email)) == 1


def test_two_new_calls_arrive_in_one_digest(researcher, saved, publish, housing, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing")
    publish("Housing of older tenants", themes=[housing])
    publish("Evictions and the right to housing", themes=[housing])
    with commit():
        send_alerts(frequency="daily")
    [message] = sent_to(mailoutbox, researcher.email)
    assert "Housing of older tenants" in message.body
    assert "Evictions and the right to housing" in message.body


def test_second_run_of_the_command_sends_nothing(researcher, saved, publish, housing, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing", frequency="weekly")
    publish("Housing of older tenants", themes=[housing])
    with commit():
        call_command("send_alert_digests", frequency="weekly")
    with commit():
        call_command("send_alert_digests", frequency="weekly")
    assert len(sent_to(mailoutbox, researcher.email)) == 1


def test_a_call_that_does_not_match_is_not_sent(researcher, saved, publish, housing, health, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing")
    publish("Access to clinics", themes=[health])
    with commit():
        send_alerts(frequency="daily")
    assert sent_to(mailoutbox, researcher.email) == []


def test_drafts_and_unpublished_calls_are_not_sent(researcher, saved, graz_page, housing, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing")
    draft = make_call(city_page=graz_page, title="Draft on housing", publish=False)
    draft.themes.set([housing])
    draft.save_revision()
    withdrawn = make_call(city_page=graz_page, title="Withdrawn housing call")
    withdrawn.themes.set([housing])
    withdrawn.save()
    withdrawn.unpublish()
    with commit():
        send_alerts(frequency="daily")
    assert sent_to(mailoutbox, researcher.email) == []


def test_calls_published_before_the_search_was_saved_are_not_sent(researcher, publish, housing, commit, mailoutbox):
    publish("Older housing call", themes=[housing])
    SavedSearch.objects.create(user=researcher, source="calls", query="theme=adequate-housing", name="Housing")
    with commit():
        send_alerts(frequency="daily")
    assert sent_to(mailoutbox, researcher.email) == []


def test_instant_daily_and_weekly_searches_each_go_out_on_their_own_schedule(
    researcher, other_researcher, saved, graz_page, housing, django_user_model, commit, mailoutbox
):
    weekly_user = django_user_model.objects.create_user(email="weekly@example.org", password="x")
    saved(researcher, "theme=adequate-housing", frequency="instant")
    saved(other_researcher, "theme=adequate-housing", frequency="daily")
    saved(weekly_user, "theme=adequate-housing", frequency="weekly")
    with commit():  # publishing queues the instant alerts once the transaction commits
        call = make_call(city_page=graz_page, title="Housing now")
        call.themes.set([housing])
        call.save()
    assert len(sent_to(mailoutbox, researcher.email)) == 1
    assert sent_to(mailoutbox, other_researcher.email) == []
    assert sent_to(mailoutbox, weekly_user.email) == []

    with commit():
        call_command("send_alert_digests", frequency="daily")
    assert len(sent_to(mailoutbox, other_researcher.email)) == 1
    assert sent_to(mailoutbox, weekly_user.email) == []

    with commit():
        call_command("send_alert_digests", frequency="weekly")
    assert len(sent_to(mailoutbox, weekly_user.email)) == 1
    assert len(mailoutbox) == 3


def test_several_searches_of_one_user_make_one_email_with_a_section_each(
    researcher, saved, publish, housing, health, survey, commit, mailoutbox
):
    saved(researcher, "theme=adequate-housing", name="Housing alerts")
    saved(researcher, "method=survey", name="Survey alerts")
    publish("Housing of older tenants", themes=[housing])
    publish("Health survey", themes=[health], methods=[survey])
    with commit():
        sent = send_alerts(frequency="daily")
    assert (sent.digests, sent.items) == (1, 2)
    [message] = sent_to(mailoutbox, researcher.email)
    assert "Housing alerts" in message.body and "Survey alerts" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Housing of older tenants" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/alerts/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.body.count("/alerts/unsubscribe/") >= 2


def test_a_call_matching_two_searches_is_listed_under_each(
    researcher, saved, publish, housing, survey, commit, mailoutbox
):
    saved(researcher, "theme=adequate-housing")
    saved(researcher, "method=survey")
    publish("Housing survey", themes=[housing], methods=[survey])
    with commit():
        assert send_alerts(frequency="daily").items == 2
    assert len(sent_to(mailoutbox, researcher.email)) == 1


def test_an_item_already_recorded_by_another_run_is_not_sent_again(
    researcher, saved, publish, housing, commit, mailoutbox
):
    search = saved(researcher, "theme=adequate-housing")
    call = publish("Housing of older tenants", themes=[housing])
    AlertDelivery.objects.create(saved_search=search, item_id=call.pk)
    with commit():
        send_alerts(frequency="daily")
    assert mailoutbox == []


def test_each_user_gets_their_own_digest(researcher, other_researcher, saved, publish, housing, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing")
    saved(other_researcher, "theme=adequate-housing")
    publish("Housing of older tenants", themes=[housing])
    with commit():
        assert send_alerts(frequency="daily").digests == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([researcher.email, other_researcher.email])


def test_profile_search_matches_any_of_several_themes(researcher, saved, publish, housing, health, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing&theme=health")
    publish("Clinics", themes=[health])
    publish("Tenants", themes=[housing])
    with commit():
        assert send_alerts(frequency="daily").items == 2
