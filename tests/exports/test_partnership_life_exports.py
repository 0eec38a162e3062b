"""The reporting timeline of the partnerships in the exports (issue 19 §1): ``partnership_reports.csv`` and
``partnership_deliverables.csv``, at /partnerships/…/export.csv with the list's filters and in the bulk zip.

They follow the partnership page's own rule (``projects.selectors.lifecycle``): only the reports the city accepted
(which, when due, when delivered; never their content, the city's comments or attachments), only the deliverables
marked public with only their public results and datasets, and nothing of a partnership that is not public."""

import csv
import io
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from hub import bulk
from hub.exports import get_export
from projects.services import lifecycle

from .test_list_exports import header, ids, read

pytestmark = pytest.mark.django_db

REPORTS = "/partnerships/reports/export.csv"
DELIVERABLES = "/partnerships/deliverables/export.csv"
RETURN_COMMENT = "Redo section 2: the interview counts do not add up (zqreturnedxv)."
ACCEPT_COMMENT = "Internal: fine by us (zqacceptedxv)."


def body(client, path: str, **params) -> str:
    return b"".join(client.get(path, params).streaming_content).decode("utf-8")


def test_only_accepted_reports_are_exported_without_their_content_or_comments(client, build):
    accepted = build.report(review_comment=ACCEPT_COMMENT, work_done="Secret work zqworkxv.")
    returned = build.report(status="returned", review_comment=RETURN_COMMENT)
    build.report(status="due")
    build.report(status="submitted", work_done="Draft findings zqdraftxv.")
    build.report(of=build.partnership_(is_public=False))

    assert header(client, REPORTS) == get_export("partnership_reports").header
    rows = read(client.get(REPORTS))
    assert ids(rows) == [accepted.pk]
    (row,) = rows
    assert (row["kind"], row["title"], row["status"]) == ("progress", accepted.title, "accepted")
    assert row["due_date"] == accepted.due_date.isoformat()
    assert row["delivered_on"] == timezone.localdate(accepted.submitted_at).isoformat()
    assert row["partnership_slug"] == accepted.partnership.slug
    assert row["partnership_url"].endswith(f"/partnerships/{accepted.partnership.slug}/")
    text = body(client, REPORTS)
    for private in ("zqreturnedxv", "zqacceptedxv", "zqworkxv", "zqdraftxv", returned.title):
        assert private not in text


def test_only_public_deliverables_are_exported_with_only_their_public_links(client, build):
    published, draft = build.result(), build.result(status="draft")
    public = build.deliverable(status="delivered", results=[published, draft])
    members_only = build.deliverable(is_public=False)
    build.deliverable(of=build.partnership_(is_public=False))

    assert header(client, DELIVERABLES) == get_export("partnership_deliverables").header
    rows = read(client.get(DELIVERABLES))
    assert ids(rows) == [public.pk]
    (row,) = rows
    assert (row["title"], row["status"], row["delivered_on"]) == (public.title, "delivered", "2025-06-30")
    assert row["results"].endswith(published.get_absolute_url()) and draft.get_absolute_url() not in row["results"]
    text = body(client, DELIVERABLES)
    assert members_only.title not in text and public.description not in text


def test_the_exports_keep_the_partnership_lists_filters(client, build):
    water = build.partnership_()
    type(water).objects.filter(pk=water.pk).update(status="completed")
    housing_report, water_report = build.report(), build.report(of=water)
    housing_deliverable, water_deliverable = build.deliverable(), build.deliverable(of=water)
    assert sorted(ids(read(client.get(REPORTS)))) == [housing_report.pk, water_report.pk]
    assert ids(read(client.get(REPORTS, {"q": "Water"}))) == [water_report.pk]
    assert ids(read(client.get(DELIVERABLES, {"q": "Water"}))) == [water_deliverable.pk]
    assert ids(read(client.get(DELIVERABLES, {"status": "active"}))) == [housing_deliverable.pk]
    assert ids(read(client.get(REPORTS, {"status": "active"}))) == [housing_report.pk]


def test_the_partnership_list_links_to_both_exports_with_its_filters(client, build):
    page = client.get("/partnerships/", {"q": "Water", "page": "1"}).content.decode()
    assert f'href="{REPORTS}?q=Water"' in page and f'href="{DELIVERABLES}?q=Water"' in page


def test_the_bulk_zip_holds_the_public_timeline_and_nothing_private(build):
    accepted = build.report(review_comment=ACCEPT_COMMENT)
    build.report(status="returned", review_comment=RETURN_COMMENT)
    public = build.deliverable()
    members_only = build.deliverable(is_public=False)
    bulk.build_now()
    with zipfile.ZipFile(bulk.zip_path()) as archive:
        reports = list(csv.DictReader(io.StringIO(archive.read("partnership_reports.csv").decode())))
        deliverables = list(csv.DictReader(io.StringIO(archive.read("partnership_deliverables.csv").decode())))
        everything = "\n".join(archive.read(name).decode() for name in archive.namelist())
        readme = archive.read("README.md").decode()
    assert ids(reports) == [accepted.pk] and ids(deliverables) == [public.pk]
    assert "zqreturnedxv" not in everything and "zqacceptedxv" not in everything
    assert members_only.title not in everything
    assert "## partnership_reports.csv" in readme and "## partnership_deliverables.csv" in readme


def test_a_deliverable_made_members_only_withdraws_the_bulk_zip(build, researcher, django_capture_on_commit_callbacks):
    deliverable = build.deliverable()
    bulk.build_now()
    assert bulk.zip_path().exists()
    data = {"title": deliverable.title, "due_date": deliverable.due_date, "status": "planned", "is_public": False}
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.deliverable_update(
            deliverable=deliverable, by=researcher, data=data, edit_version=deliverable.edit_version
        )
    assert not bulk.zip_path().exists()  # nothing members-only is downloaded from it again


def test_accepting_a_report_makes_the_zip_stale_so_the_export_shows_it(
    client, build, official, django_capture_on_commit_callbacks
):
    report = build.report(status="submitted")
    bulk.build_now()
    assert bulk.fresh_member("partnership_reports") is not None
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_review(report=report, by=official, accept=True)
    assert bulk.fresh_member("partnership_reports") is None  # the update sent no signal: the service said so
    assert ids(read(client.get(REPORTS))) == [report.pk]


@pytest.mark.parametrize("path", [REPORTS, DELIVERABLES])
def test_queries_do_not_grow_with_rows(client, build, django_assert_max_num_queries, path):
    def add(n: int) -> None:
        for _ in range(n):
            partnership = build.partnership_()
            build.report(of=partnership)
            build.deliverable(of=partnership, results=[build.result(partnership=partnership)])

    add(3)
    with CaptureQueriesContext(connection) as context:
        assert len(read(client.get(path))) == 3
    add(27)
    with django_assert_max_num_queries(len(context.captured_queries)):
        assert len(read(client.get(path))) == 30
