"""Partnership alerts: new public partnerships in a researcher's themes, by digest or at once."""

import pytest

from calls.alerts import send_alerts
from calls.models import SavedSearch
from projects.models import Partnership

pytestmark = pytest.mark.django_db


def partnership(title: str, *, themes, is_public: bool = True) -> Partnership:
    created = Partnership.objects.create(title=title, slug=title.lower().replace(" ", "-"), is_public=is_public)
    created.themes.set(themes)
    return created


def test_new_partnerships_in_my_themes_are_sent_once(client, researcher, housing, health, commit, mailoutbox):
    researcher.researcher_profile.themes.set([housing])
    client.force_login(researcher)
    response = client.post(
        "/dashboard/alerts/new/",
        {
            "source": "partnerships",
            "query": "theme=adequate-housing",
            "name": "New partnerships in my themes",
            "frequency": "daily",
        },
    )
    assert response.status_code == 302
    SavedSearch.objects.update(created_at=SavedSearch.objects.get().created_at.replace(year=2020))
    partnership("Graz housing partnership", themes=[housing])
    partnership("Private housing partnership", themes=[housing], is_public=False)
    partnership("Clinics partnership", themes=[health])
    with commit():
        assert send_alerts(frequency="daily").items == 1
    [message] = mailoutbox
    assert "Graz housing partnership" in message.body
    assert "/partnerships/graz-housing-partnership/" in message.body
    assert "Private" not in message.body and "Clinics" not in message.body
    with commit():
        assert send_alerts(frequency="daily").items == 0


def test_partnerships_created_before_the_search_are_not_sent(researcher, saved, housing, commit, mailoutbox):
    partnership("Old housing partnership", themes=[housing])
    SavedSearch.objects.create(user=researcher, source="partnerships", query="theme=adequate-housing", name="P")
    with commit():
        send_alerts(frequency="daily")
    assert mailoutbox == []


def test_instant_partnership_alert_when_an_award_creates_one(
    researcher, saved, housing, commit, mailoutbox, open_call, city
):
    from calls.factories import ProposalFactory
    from projects.services.partnerships import partnership_create_from_award

    open_call.themes.set([housing])
    open_call.save()
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Graz housing partnership")
    subscriber = type(researcher).objects.create_user(email="subscriber@example.org", password="x-1234-long-pass")
    saved(subscriber, "theme=adequate-housing", frequency="instant", source="partnerships")
    with commit():
        partnership_create_from_award(proposal=proposal, by=city[1])
    [message] = [m for m in mailoutbox if "subscriber@example.org" in m.to]
    assert "Graz housing partnership" in message.body


def test_call_and_partnership_alerts_share_one_digest(researcher, saved, publish, housing, commit, mailoutbox):
    saved(researcher, "theme=adequate-housing", name="Calls on housing")
    saved(researcher, "theme=adequate-housing", source="partnerships", name="Partnerships on housing")
    publish("Housing call", themes=[housing])
    partnership("Housing partnership", themes=[housing])
    with commit():
        assert send_alerts(frequency="daily").digests == 1
    [message] = mailoutbox
    assert "Housing call" in message.body and "Housing partnership" in message.body
