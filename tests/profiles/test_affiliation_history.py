"""Earlier affiliations on the profile edit page (issue 18 §2: conflicts of interest): saved with the rest, bad
years refused with what was typed kept and nothing stored, left untouched by a form that does not send them."""

import pytest

from profiles.models import AffiliationPeriod

pytestmark = pytest.mark.django_db

URL = "/dashboard/profile/"


def _with_affiliations(data: dict, rows: list[dict]) -> dict:
    data = dict(data)
    data["affiliations-TOTAL_FORMS"] = str(len(rows))
    data["affiliations-INITIAL_FORMS"] = "0"
    for i, row in enumerate(rows):
        for name in ("organisation", "start_year", "end_year"):
            data[f"affiliations-{i}-{name}"] = str(row.get(name, ""))
    return data


def test_earlier_affiliations_are_saved_and_a_bad_year_saves_nothing(client, researcher, profile_post, university):
    client.force_login(researcher)
    bad = _with_affiliations(
        profile_post(headline="Not yet"), [{"organisation": university.pk, "start_year": 2020, "end_year": 2010}]
    )
    response = client.post(URL, bad)
    body = response.content.decode()
    assert "The end year cannot be before the start year." in body and 'value="2010"' in body
    assert not AffiliationPeriod.objects.exists()
    assert researcher.researcher_profile.headline != "Not yet"
    hostile = _with_affiliations(profile_post(), [{"organisation": "999999", "start_year": "9" * 40}])
    assert "Affiliation 1" in client.post(URL, hostile).content.decode()
    assert not AffiliationPeriod.objects.exists()
    good = _with_affiliations(profile_post(), [{"organisation": university.pk, "start_year": 2015, "end_year": 2019}])
    assert client.post(URL, good).status_code == 302
    [period] = AffiliationPeriod.objects.all()
    assert (period.organisation, period.start_year, period.end_year) == (university, 2015, 2019)
    assert client.post(URL, profile_post()).status_code == 302  # a form without them leaves them
    assert AffiliationPeriod.objects.count() == 1
    page = client.get(URL).content.decode()
    assert 'name="affiliations-0-start_year"' in page and 'value="2015"' in page
