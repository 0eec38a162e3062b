"""Unsubscribing from the link in an alert email works without signing in, and only for that search."""

import re

from django.test import Client

import pytest

from calls.alerts import send_alerts, unsubscribe_token
from calls.models import SavedSearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed(researcher, other_researcher, saved, publish, housing, commit, mailoutbox):
    """The researcher's and another user's housing searches, and the digest the researcher got."""
    mine = saved(researcher, "theme=adequate-housing", name="My housing alert")
    theirs = saved(other_researcher, "theme=adequate-housing", name="Their housing alert")
    publish("Housing of older tenants", themes=[housing])
    with commit():
        send_alerts(frequency="daily")
    [message] = [m for m in mailoutbox if researcher.email in m.to]
    return mine, theirs, message


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/alerts/unsubscribe/[^/\s]+/)", message.body).group(1)


def test_signed_link_shows_a_confirmation_then_unsubscribes_without_sign_in(emailed):
    mine, theirs, message = emailed
    client = Client(enforce_csrf_checks=True)
    url = link_in(message)
    response = client.get(url)
    assert response.status_code == 200
    assert "My housing alert" in response.content.decode()
    assert SavedSearch.objects.filter(pk=mine.pk).exists()  # GET alone changes nothing
    token = response.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not SavedSearch.objects.filter(pk=mine.pk).exists()
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_confirmation_form_keeps_its_csrf_protection(emailed):
    mine, _theirs, message = emailed
    response = Client(enforce_csrf_checks=True).post(link_in(message))
    assert response.status_code == 403
    assert SavedSearch.objects.filter(pk=mine.pk).exists()


def test_one_click_post_from_the_list_unsubscribe_header_needs_no_csrf_token(emailed):
    mine, theirs, message = emailed
    header = message.extra_headers["List-Unsubscribe"]
    url = re.search(r"<https?://[^/]+(/[^>]+)>", header).group(1)
    assert url.endswith("/one-click/")
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not SavedSearch.objects.filter(pk=mine.pk).exists()
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()
    assert Client().get(url).status_code == 405


def test_a_tampered_token_gets_a_clear_400_page(emailed, client):
    mine, _theirs, message = emailed
    url = link_in(message)
    tampered = url.replace("/unsubscribe/", "/unsubscribe/x")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.content.decode()
    assert client.post(tampered).status_code == 400
    assert client.post(tampered + "one-click/").status_code == 400
    assert SavedSearch.objects.filter(pk=mine.pk).exists()


def test_a_token_cannot_be_pointed_at_another_users_search(emailed, client, researcher):
    _mine, theirs, _message = emailed
    forged = unsubscribe_token(researcher.pk, [theirs.pk])  # signed, but the search is not the researcher's
    client.post(f"/alerts/unsubscribe/{forged}/one-click/")
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_following_the_link_again_says_it_is_already_done(emailed, client):
    _mine, _theirs, message = emailed
    url = link_in(message)
    client.post(url)
    response = client.get(url)
    assert response.status_code == 200
    assert "already unsubscribed" in response.content.decode()
