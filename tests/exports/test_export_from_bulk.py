"""A list page's unfiltered CSV export is read from the bulk zip while the zip is fresh, never when it is stale."""

import time

from django.core.cache import cache

import pytest

from hub import bulk
from projects.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

URL = "/partnerships/export.csv"


@pytest.fixture(autouse=True)
def _site_address(settings):
    # The zip's rows carry the site's address; the page export the request's: the same host here.
    settings.SITE_BASE_URL = "http://testserver"
    cache.delete_many([bulk.CHANGED_KEY, bulk.BUILT_KEY, bulk.PENDING_KEY])


def _export(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content).decode()


def test_the_whole_list_is_read_from_a_fresh_zip_and_is_the_same_csv(client, city):
    PartnershipFactory(title="Housing monitor", city=city[0])
    PartnershipFactory(title="Heat and health", city=city[0])
    computed, computed_text = _export(client)
    assert "X-Export-Source" not in computed  # no zip yet

    bulk.build_now()
    served, served_text = _export(client)

    assert served["X-Export-Source"] == "bulk"
    assert served_text == computed_text
    assert served["Content-Type"] == "text/csv; charset=utf-8"
    assert served["Content-Disposition"] == computed["Content-Disposition"]
    assert served["X-Robots-Tag"] == "noindex"


def test_a_change_after_the_build_makes_the_export_computed_again(client, city, django_capture_on_commit_callbacks):
    PartnershipFactory(title="Housing monitor", city=city[0])
    bulk.build_now()
    with django_capture_on_commit_callbacks(execute=True):
        PartnershipFactory(title="Brand new partnership", city=city[0])

    response, text = _export(client)

    assert "X-Export-Source" not in response
    assert "Brand new partnership" in text


def test_filtered_sorted_or_translated_exports_are_always_computed(client, city):
    PartnershipFactory(title="Housing monitor", city=city[0])
    bulk.build_now()

    for url in (f"{URL}?q=housing", f"{URL}?sort=title", f"/es{URL}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Export-Source" not in response, url


def test_an_old_zip_or_one_this_site_did_not_record_is_not_trusted(client, city, settings):
    PartnershipFactory(title="Housing monitor", city=city[0])
    bulk.build_now()
    settings.BULK_EXPORT_MAX_AGE = 0
    time.sleep(0.01)
    assert "X-Export-Source" not in _export(client)[0]  # too old: a call's status may have changed since

    settings.BULK_EXPORT_MAX_AGE = 900
    assert _export(client)[0]["X-Export-Source"] == "bulk"
    cache.delete(bulk.BUILT_KEY)  # e.g. the cache was emptied, or another host wrote the file
    assert "X-Export-Source" not in _export(client)[0]


def test_a_zip_replaced_behind_the_sites_back_is_not_trusted(client, city):
    import os

    PartnershipFactory(title="Housing monitor", city=city[0])
    bulk.build_now()
    path = bulk.zip_path()
    os.utime(path, (time.time() + 5, time.time() + 5))  # another process wrote it since

    assert "X-Export-Source" not in _export(client)[0]


def test_a_deactivated_researcher_leaves_the_export_at_once(client, django_capture_on_commit_callbacks):
    """A user row is not an exported model, but its changes show in the researchers' export."""
    from profiles.factories import ResearcherProfileFactory

    profile = ResearcherProfileFactory(user__first_name="Vesna", user__last_name="Leaving", is_public=True)
    bulk.build_now()
    response, text = _export(client, "/researchers/export.csv")
    assert response["X-Export-Source"] == "bulk" and "Leaving" in text

    with django_capture_on_commit_callbacks(execute=True):
        profile.user.is_active = False
        profile.user.save(update_fields=["is_active"])

    response, text = _export(client, "/researchers/export.csv")
    assert "X-Export-Source" not in response
    assert "Leaving" not in text


def test_saving_a_proposal_keeps_the_zip_fresh(client, city, django_capture_on_commit_callbacks):
    from calls.models import Proposal

    PartnershipFactory(title="Housing monitor", city=city[0])
    bulk.build_now()
    proposal_model_label = Proposal._meta.label
    assert proposal_model_label in bulk.not_exported_models()

    with django_capture_on_commit_callbacks(execute=True):
        bulk.note_change(sender=Proposal)

    assert _export(client)[0]["X-Export-Source"] == "bulk"


def test_signing_in_keeps_the_zip_fresh(client, city, django_capture_on_commit_callbacks):
    from profiles.factories import UserFactory

    PartnershipFactory(title="Housing monitor", city=city[0])
    user = UserFactory()
    bulk.build_now()
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(user)  # stamps last_login

    assert _export(client)[0]["X-Export-Source"] == "bulk"
