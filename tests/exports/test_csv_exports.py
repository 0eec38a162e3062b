"""CSV exports of the public lists and the bulk download: the page's filters, public things only, streamed, safe."""

import csv
import io
import zipfile
from itertools import islice

from django.core.cache import cache
from django.http import StreamingHttpResponse

import pytest

from hub import bulk
from hub.exports import exports, flatten
from profiles.factories import OrganisationFactory, ResearcherProfileFactory
from profiles.models import CityPage, Visibility
from projects.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def read(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_calls_export_keeps_the_filters_and_skips_drafts(client, city, open_call):
    from calls.factories import make_call

    page = CityPage.objects.get(organisation=city[0])
    make_call(city_page=page, title="Draft call", publish=False)
    make_call(city_page=page, title="Closed call", opens_in=-_days(60), closes_in=-_days(1))
    rows = read(client.get("/calls/export.csv"))
    assert {r["title"] for r in rows} == {open_call.title, "Closed call"}
    rows = read(client.get("/calls/export.csv", {"status": "open", "page": "3"}))
    assert [r["id"] for r in rows] == [str(open_call.pk)]
    assert rows[0]["url"].startswith("http://") and rows[0]["organisation_name"] == city[0].name


def _days(n):
    import datetime as dt

    return dt.timedelta(days=n)


def test_calls_page_links_to_the_export_with_its_filters(client, open_call):
    body = client.get("/calls/", {"status": "open", "page": "1"}).content.decode()
    assert 'href="/calls/export.csv?status=open"' in body


def test_formulas_are_neutralised(client, build):
    build.result(title='=HYPERLINK("http://evil.example","x")')
    PartnershipFactory(title="+cmd|calc", summary="@SUM(A1)")
    rows = read(client.get("/results/export.csv"))
    assert rows[0]["title"].startswith("'=HYPERLINK(")
    partnerships = {r["title"]: r for r in read(client.get("/partnerships/export.csv"))}
    assert partnerships["'+cmd|calc"]["summary"] == "'@SUM(A1)"


def test_results_exclude_drafts_and_embargoed(client, build):
    import datetime as dt

    from django.utils import timezone

    public = build.result()
    build.result(status="draft")
    build.result(status="taken_down")
    build.result(embargo_until=timezone.localdate() + dt.timedelta(days=10))
    rows = read(client.get("/results/export.csv"))
    assert [r["id"] for r in rows] == [str(public.pk)]
    assert rows[0]["partnership_id"] == str(public.partnership_id)


def test_non_public_partnerships_are_not_exported(client):
    shown = PartnershipFactory()
    PartnershipFactory(is_public=False)
    assert [r["id"] for r in read(client.get("/partnerships/export.csv"))] == [str(shown.pk)]


def test_researchers_export_only_public_fields(client):
    profile = ResearcherProfileFactory(
        bio="Private thoughts", bio_visibility=Visibility.HIDDEN, orcid="0000-0002-1825-0097"
    )
    profile.orcid_visibility = Visibility.MEMBERS
    profile.save()
    ResearcherProfileFactory(is_public=False)
    ResearcherProfileFactory(career_stage="established", career_stage_visibility=Visibility.HIDDEN)
    response = client.get("/researchers/export.csv")
    rows = read(response)
    assert len(rows) == 2
    mine = next(r for r in rows if r["id"] == str(profile.pk))
    assert mine["bio"] == "" and mine["orcid"] == "" and mine["available"] == ""
    # Filtering on a hidden field does not reveal who has it.
    assert read(client.get("/researchers/export.csv", {"career_stage": "established"})) == []
    assert "Private thoughts" not in str(rows)


def test_organisations_export_keeps_filters_and_skips_unverified(client, city, university):
    OrganisationFactory(name="Unverified Institute")
    names = {r["name"] for r in read(client.get("/organisations/export.csv"))}
    assert "Unverified Institute" not in names and city[0].name in names
    kind = university.kind
    rows = read(client.get("/organisations/export.csv", {"kind": kind}))
    assert {r["name"] for r in rows} == {university.name}


def test_queries_do_not_grow_with_rows(client, build, django_assert_max_num_queries):
    def count(path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            read(client.get(path))
        return len(context.captured_queries)

    paths = ["/results/export.csv", "/partnerships/export.csv", "/researchers/export.csv", "/calls/export.csv"]
    build.result()
    PartnershipFactory()
    ResearcherProfileFactory()
    before = {path: count(path) for path in paths}
    for _ in range(6):
        build.result()
        PartnershipFactory()
        ResearcherProfileFactory()
    for path in paths:
        with django_assert_max_num_queries(before[path]):
            read(client.get(path))


def test_every_api_field_has_a_described_column(build, city, open_call, take_down):
    from hub.exports import site_request

    build.case_study(results=[build.result()])
    PartnershipFactory()
    ResearcherProfileFactory()
    build.dataset()
    build.indicator()
    build.method()
    build.implementation_entry(uptake=build.uptake())
    build.need()
    build.report()
    build.deliverable(status="delivered", results=[build.result()], datasets=[build.dataset()])
    take_down(build.result())
    request = site_request()
    for export in exports():
        names = export.header
        assert len(names) == len(set(names)) and all(c.description for c in export.columns)
        objects = list(islice(export.rows({}), 3))
        assert objects, export.key
        for obj in objects:
            for name in flatten(export.serialize(request, obj)):  # an empty nested object has no sub-fields
                assert name in names or any(n.startswith(f"{name}_") for n in names), (export.key, name)


def test_bulk_zip_has_a_file_per_type_and_a_readme_of_every_column(client, build, open_call):
    build.result(title="=1+1")
    bulk.build_now()  # by the worker or cron in production; a request never builds it (tests/exports/test_export_from_bulk.py)
    response = client.get("/data/bulk.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    readme = archive.read("README.md").decode()
    for export in exports():
        assert f"{export.key}.csv" in archive.namelist()
        for column in export.columns:
            assert f"| `{column.name}` |" in readme
    assert "CC BY 4.0" in readme and "CC0" in readme
    results = list(csv.DictReader(io.StringIO(archive.read("results.csv").decode())))
    assert results[0]["title"] == "'=1+1"


def test_bulk_zip_is_rebuilt_after_a_change(client, build, django_capture_on_commit_callbacks, settings):
    settings.BULK_DOWNLOAD_ON_CHANGE = True
    cache.delete(bulk.PENDING_KEY)
    bulk.build_now()
    with django_capture_on_commit_callbacks(execute=True):
        PartnershipFactory(title="Brand new partnership")
    with zipfile.ZipFile(bulk.zip_path()) as archive:
        assert "Brand new partnership" in archive.read("partnerships.csv").decode()
    # A burst of changes while a build is pending enqueues nothing more.
    cache.add(bulk.PENDING_KEY, True)
    with django_capture_on_commit_callbacks(execute=True):
        PartnershipFactory(title="Another one")
    with zipfile.ZipFile(bulk.zip_path()) as archive:
        assert "Another one" not in archive.read("partnerships.csv").decode()
    cache.delete(bulk.PENDING_KEY)


def test_build_command_writes_the_zip_atomically(tmp_path):
    from django.core.management import call_command

    call_command("build_bulk_download", stdout=io.StringIO())
    path = bulk.zip_path()
    assert path.exists() and [p.name for p in path.parent.iterdir()] == [bulk.FILENAME]


@pytest.mark.parametrize(
    "page, link",
    [
        ("/organisations/?kind=university&page=2", "/organisations/export.csv?kind=university"),
        ("/researchers/", "/researchers/export.csv"),
        ("/partnerships/", "/partnerships/export.csv"),
        ("/results/", "/results/export.csv"),
        ("/data/", "/data/bulk.zip"),
    ],
)
def test_list_pages_link_to_their_export(client, page, link):
    assert f'href="{link}"' in client.get(page).content.decode()
