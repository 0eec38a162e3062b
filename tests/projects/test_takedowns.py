"""Takedowns: coordinators only, with a public reason; the URL then shows a notice (410) and /transparency/ lists it."""

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from projects.models import Result, Takedown
from projects.services import results as result_services
from projects.services.takedowns import take_down, takedown_for
from tests.projects.test_results_services import make_result, pdf_upload

REASON = "The report discloses the home addresses of interviewed tenants (personal data)."


@pytest.fixture
def published(partnership, researcher):
    return make_result(partnership, researcher, publish=True)


def test_coordinator_takes_a_result_down_with_a_reason(published, coordinator):
    takedown = take_down(obj=published, reason=f"  {REASON}  ", by=coordinator)
    published.refresh_from_db()
    assert published.status == Result.Status.TAKEN_DOWN
    assert takedown.reason == REASON and takedown.path == f"/results/{published.slug}/"
    assert takedown.title == published.title and takedown.decided_by_name == coordinator.display_name
    assert takedown_for(published) == takedown
    assert not Result.objects.public().exists()


@pytest.mark.parametrize("who", ["researcher", "official", "outsider"])
def test_nobody_but_a_coordinator_can_take_down(request, published, who):
    with pytest.raises(PermissionDenied, match="Only a network coordinator"):
        take_down(obj=published, reason=REASON, by=request.getfixturevalue(who))
    published.refresh_from_db()
    assert published.status == Result.Status.PUBLISHED and not Takedown.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "Bad.", "x" * 19])
def test_a_reason_of_at_least_twenty_characters_is_required(published, coordinator, reason):
    with pytest.raises(ValidationError, match="at least 20 characters"):
        take_down(obj=published, reason=reason, by=coordinator)
    published.refresh_from_db()
    assert published.status == Result.Status.PUBLISHED and not Takedown.objects.exists()


def test_drafts_and_taken_down_results_cannot_be_taken_down(partnership, researcher, coordinator, published):
    draft = make_result(partnership, researcher, title="A draft")
    with pytest.raises(PermissionDenied, match="drafts are not public"):
        take_down(obj=draft, reason=REASON, by=coordinator)
    take_down(obj=published, reason=REASON, by=coordinator)
    with pytest.raises(PermissionDenied, match="already been taken down"):
        take_down(obj=published, reason=REASON, by=coordinator)
    assert Takedown.objects.count() == 1


def test_taken_down_result_and_its_files_show_the_notice_to_everyone(client, published, researcher, coordinator):
    stored = result_services.result_file_add(result=published, by=researcher, upload=pdf_upload())
    take_down(obj=published, reason=REASON, by=coordinator)
    for user in (None, researcher, coordinator):
        if user:
            client.force_login(user)
        for url in (published.get_absolute_url(), f"/results/{published.slug}/files/{stored.pk}/"):
            response = client.get(url)
            content = response.content.decode()
            assert response.status_code == 410
            assert "This result was taken down" in content and REASON in content
            assert coordinator.display_name in content
        assert client.get(f"/results/{published.slug}/edit/").status_code in (302, 410)
    assert "/results/" in client.get("/results/").content.decode()
    assert published.title not in client.get("/results/").content.decode()


def test_researchers_cannot_edit_a_taken_down_result(client, published, researcher, coordinator):
    take_down(obj=published, reason=REASON, by=coordinator)
    with pytest.raises(PermissionDenied):
        result_services.result_update(
            result=published, by=researcher, data={"title": "Back again"}, authors=[], edit_version=1
        )
    client.force_login(researcher)
    assert client.post(f"/results/{published.slug}/edit/", {"title": "Back again"}).status_code == 410


def test_coordinator_takes_down_through_the_page(client, published, coordinator):
    client.force_login(coordinator)
    assert "Take down" in client.get(published.get_absolute_url()).content.decode()
    url = f"/results/{published.slug}/take-down/"
    response = client.post(url, {"reason": "Too short"})
    assert response.status_code == 400 and "at least 20 characters" in response.content.decode()
    assert "Too short" in response.content.decode()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == published.get_absolute_url()
    assert Takedown.objects.get().reason == REASON


def test_transparency_lists_every_takedown_newest_first(client, partnership, researcher, coordinator, db):
    assert "Nothing has been taken down so far" in client.get("/transparency/").content.decode()
    first = make_result(partnership, researcher, publish=True, title="First report")
    second = make_result(partnership, researcher, publish=True, title="Second report", doi="10.5555/x.2")
    take_down(obj=first, reason=REASON, by=coordinator)
    take_down(obj=second, reason="Copied without permission from another publisher's book.", by=coordinator)
    content = client.get("/transparency/").content.decode()
    assert content.index("Second report") < content.index("First report")
    assert REASON in content and coordinator.display_name in content and "Result" in content


def test_transparency_query_count_is_constant(
    client, partnership, researcher, coordinator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    take_down(obj=make_result(partnership, researcher, publish=True, title="R0"), reason=REASON, by=coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get("/transparency/")
    for i in range(1, 10):
        result = make_result(partnership, researcher, publish=True, title=f"R{i}", doi=f"10.5555/x.{i}")
        take_down(obj=result, reason=REASON, by=coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/transparency/").status_code == 200
