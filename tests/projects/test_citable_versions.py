"""Versioned, citable results (issue 19 §2): each published edit is a new numbered version at its own address,
with a banner on the old ones; the scientific-freedom rule holds for every version and a takedown covers them all;
"Cite" gives BibTeX, RIS, CSL-JSON, plain text and DataCite XML with the right types and names."""

import csv
import io
import json
import threading
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from projects.citations import DATACITE_NS, datacite_problems
from projects.forms.results import ResultForm
from projects.models import Result, ResultVersion
from projects.services import results as services
from projects.services import versions
from projects.services.takedowns import take_down
from tests.concurrency.races import needs_postgresql, race_db
from tests.projects.test_results_services import make_result, result_data

pytestmark = pytest.mark.django_db

AUTHORS = [{"profile": None, "name": "Anna Berger", "affiliation": "University of Graz"}]
REASON = "The report discloses the home addresses of interviewed tenants (personal data)."


def publish_edit(result: Result, by, *, note: str = "Corrected table 2.", **changes) -> Result:
    result = Result.objects.get(pk=result.pk)
    kept = [{"keep": a, "name": a.name, "affiliation": a.affiliation} for a in result.authors.all()]
    return services.result_update(
        result=result,
        by=by,
        data=result_data(version_note=note, **changes),
        authors=kept,
        edit_version=result.edit_version,
    )


@pytest.fixture
def published(partnership, researcher):
    return make_result(partnership, researcher, publish=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Services ----------------------------------------------------------------------------------------------------


def test_publishing_makes_version_1_and_a_published_edit_makes_version_2(published, researcher):
    assert published.version_number == 1
    first = published.versions.get()
    assert first.number == 1 and first.snapshot["title"] == published.title and first.note == ""

    publish_edit(published, researcher, title="Housing of older tenants in Graz (corrected)")

    result = Result.objects.get(pk=published.pk)
    assert result.version_number == 2 and result.slug == published.slug
    second = result.versions.get(number=2)
    assert second.note == "Corrected table 2." and second.published_by == researcher
    assert second.snapshot["title"] == "Housing of older tenants in Graz (corrected)"
    assert result.versions.get(number=1).snapshot["title"] == "Housing conditions of older tenants in Graz"


def test_a_draft_has_no_version_and_its_edits_make_none(partnership, researcher):
    draft = make_result(partnership, researcher)
    publish_edit(draft, researcher, title="Another draft title")
    assert Result.objects.get(pk=draft.pk).version_number == 0 and not ResultVersion.objects.exists()


def test_an_edit_that_changes_nothing_makes_no_version(published, researcher):
    publish_edit(published, researcher)
    assert Result.objects.get(pk=published.pk).version_number == 1


def test_the_same_number_twice_is_refused_by_the_database(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultVersion.objects.create(
            result=published, number=1, title="x", snapshot={}, published_at=published.published_at
        )


def test_a_number_taken_meanwhile_makes_the_publication_take_the_next(published, researcher, monkeypatch):
    """The read of the highest number and the insert are not atomic: a clash with the unique constraint retries."""
    real = versions._next_number
    calls = []

    def stale_then_real(queryset):
        calls.append(1)
        return 1 if len(calls) == 1 else real(queryset)  # the first read predates version 1's insert

    monkeypatch.setattr(versions, "_next_number", stale_then_real)
    publish_edit(published, researcher, title="A changed title")
    assert sorted(published.versions.values_list("number", flat=True)) == [1, 2] and len(calls) == 2


@needs_postgresql
@race_db
def test_two_publications_at_once_get_distinct_numbers(partnership, researcher):
    result = make_result(partnership, researcher, publish=True)
    barrier, errors = threading.Barrier(2, timeout=30), []

    def publish(i):
        try:
            barrier.wait()
            with transaction.atomic():
                # No row lock here on purpose: only the unique constraint stands between the two.
                row = Result.objects.get(pk=result.pk)
                row.title = f"Title number {i}"
                row.save(update_fields=["title"])
                versions.result_version_create(result=row, by=researcher, note=f"edit {i}")
        except Exception as error:  # noqa: BLE001 - reported in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(result.versions.values_list("number", flat=True)) == [1, 2, 3]


# --- The scientific-freedom rule, per version --------------------------------------------------------------------


def test_the_city_cannot_publish_a_version(published, official):
    with pytest.raises(PermissionDenied):
        publish_edit(published, official, title="The city's preferred title")
    assert Result.objects.get(pk=published.pk).version_number == 1


def test_the_city_gets_403_on_the_edit_page_of_a_published_result(published, official):
    client = signed_in(official)
    assert client.get(f"/results/{published.slug}/edit/").status_code == 403
    assert client.post(f"/results/{published.slug}/edit/", {"title": "x"}).status_code == 403


def test_a_result_with_versions_cannot_be_deleted(published):
    with pytest.raises(ProtectedError):
        Result.objects.filter(pk=published.pk).delete()


def test_a_takedown_covers_every_version(published, researcher, coordinator):
    publish_edit(published, researcher, title="A corrected title")
    take_down(obj=Result.objects.get(pk=published.pk), reason=REASON, by=coordinator)
    client = Client()
    for path in (
        f"/results/{published.slug}/v/1/",
        f"/results/{published.slug}/v/2/",
        f"/results/{published.slug}/cite.bib",
        f"/results/{published.slug}/v/1/cite.datacite.xml",
    ):
        response = client.get(path)
        assert response.status_code == 410, path
        assert REASON in response.content.decode()
    with pytest.raises(PermissionDenied):
        publish_edit(published, researcher, title="After the takedown")


# --- Pages ---------------------------------------------------------------------------------------------------------


def test_an_old_version_shows_a_banner_to_the_latest(published, researcher):
    publish_edit(published, researcher, title="Housing of older tenants in Graz (corrected)")
    page = Client().get(f"/results/{published.slug}/v/1/").content.decode()
    assert "You are reading version 1" in page and "A newer version exists: version 2." in page
    assert f'href="/results/{published.slug}/"' in page
    assert "Housing conditions of older tenants in Graz" in page
    assert '<meta name="robots" content="noindex">' in page
    latest = Client().get(f"/results/{published.slug}/v/2/").content.decode()
    assert "You are reading version" not in latest and "This is version 2, the latest." in latest


def test_the_result_page_lists_versions_and_offers_cite(published, researcher):
    publish_edit(published, researcher, title="A corrected title", note="Fixed the <b>figures</b>.")
    page = Client().get(f"/results/{published.slug}/").content.decode()
    assert "Fixed the &lt;b&gt;figures&lt;/b&gt;." in page
    assert f'href="/results/{published.slug}/v/1/"' in page
    assert f'href="/results/{published.slug}/cite.bib"' in page
    assert "Berger, A. (2026). A corrected title (Version 2) [Report]." in page
    assert '<a href="https://doi.org/10.5555/bridges-test.1" rel="noopener">10.5555/bridges-test.1</a>' in page


def test_a_draft_or_embargoed_result_has_no_public_version_or_citation(partnership, researcher):
    draft = make_result(partnership, researcher)
    assert Client().get(f"/results/{draft.slug}/v/1/").status_code == 404
    assert Client().get(f"/results/{draft.slug}/cite.bib").status_code == 404
    assert signed_in(researcher).get(f"/results/{draft.slug}/cite.bib").status_code == 404


def test_unknown_version_or_format_is_404(published):
    assert Client().get(f"/results/{published.slug}/v/9/").status_code == 404
    assert Client().get(f"/results/{published.slug}/cite.docx").status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("bib", "application/x-bibtex", "bib"),
        ("ris", "application/x-research-info-systems", "ris"),
        ("csl.json", "application/vnd.citationstyles.csl+json", "csl.json"),
        ("txt", "text/plain", "txt"),
        ("datacite.xml", "application/vnd.datacite.datacite+xml", "datacite.xml"),
    ],
)
def test_cite_downloads_have_their_type_and_file_name(published, researcher, fmt, content_type, extension):
    publish_edit(published, researcher, title="A corrected title")
    response = Client().get(f"/results/{published.slug}/v/1/cite.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{published.slug}-v1.{extension}"'
    body = response.content.decode()
    assert "Housing conditions of older tenants in Graz" in body  # version 1's title, not the latest


def test_cite_files_use_the_public_address(published, settings):
    settings.SITE_BASE_URL = "https://bridges.example.org"
    bib = Client().get(f"/results/{published.slug}/cite.bib").content.decode()
    assert f"url = {{https://bridges.example.org/results/{published.slug}/v/1/}}" in bib
    item = json.loads(Client().get(f"/results/{published.slug}/cite.csl.json").content)[0]
    assert item["URL"] == f"https://bridges.example.org/results/{published.slug}/v/1/" and item["version"] == "1"


def test_datacite_xml_of_a_result_has_the_required_elements_and_its_doi(published, researcher):
    publish_edit(published, researcher, title="A corrected title")
    xml = Client().get(f"/results/{published.slug}/cite.datacite.xml").content
    assert datacite_problems(xml) == []
    root = ET.fromstring(xml)
    ns = {"d": DATACITE_NS}
    assert root.find("d:identifier", ns).text == "10.5555/bridges-test.1"
    assert root.find("d:version", ns).text == "2"
    assert root.find("d:relatedIdentifiers/d:relatedIdentifier", ns).get("relationType") == "IsNewVersionOf"


def test_without_a_doi_the_datacite_xml_names_the_doi_to_mint(partnership, researcher, settings):
    settings.DATACITE_PREFIX = "10.99999"
    result = make_result(partnership, researcher, publish=True, doi="", url="https://example.org/report")
    root = ET.fromstring(Client().get(f"/results/{result.slug}/cite.datacite.xml").content)
    assert root.find(f"{{{DATACITE_NS}}}identifier").text == f"10.99999/bridges.result.{result.pk}.v1"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://doi.org/10.1234/ABC.def", "10.1234/ABC.def"),
        ("doi:10.1234/x", "10.1234/x"),
        (" 10.1234/y ", "10.1234/y"),
    ],
)
def test_a_doi_is_stored_as_10_slash_form(typed, stored):
    form = ResultForm(data={**{k: v for k, v in result_data().items() if v is not None}, "doi": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["doi"] == stored


@pytest.mark.parametrize("typed", ["11.1234/x", "10.12/x", "https://example.org/10.1234/x", "10.1234/with space"])
def test_a_malformed_doi_gets_a_message(typed):
    form = ResultForm(data={**{k: v for k, v in result_data().items() if v is not None}, "doi": typed})
    assert not form.is_valid() and "10.1000/xyz123" in str(form.errors["doi"])


def test_the_edit_form_of_a_published_result_asks_what_changed(published, researcher):
    client = signed_in(researcher)
    page = client.get(f"/results/{published.slug}/edit/").content.decode()
    assert "Publish as version 2" in page and 'name="version_note"' in page


# --- API, exports, query counts -------------------------------------------------------------------------------------


def test_the_api_and_the_export_show_the_version(published, researcher):
    publish_edit(published, researcher, title="A corrected title")
    data = Client().get(f"/api/v1/results/{published.pk}").json()
    assert data["version"] == 2
    assert [v["number"] for v in data["versions"]] == [2, 1] and data["versions"][0]["note"] == "Corrected table 2."
    assert data["versions"][1]["url"].endswith(f"/results/{published.slug}/v/1/")
    response = Client().get("/results/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["version"] == "2" and rows[0]["id"] == str(published.pk) and rows[0]["versions"] == "2; 1"


@pytest.mark.parametrize("path", ["/results/{slug}/", "/results/{slug}/v/1/", "/results/{slug}/cite.bib"])
def test_query_counts_stay_constant_as_versions_grow(published, researcher, path):
    client = Client()
    url = path.format(slug=published.slug)
    publish_edit(published, researcher, title="Title 2")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(3, 9):
        publish_edit(published, researcher, title=f"Title {i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many]


def test_api_list_query_count_stays_constant_as_versions_grow(published, researcher):
    client = Client()
    client.get("/api/v1/results/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/results/")
    for i in range(2, 7):
        publish_edit(published, researcher, title=f"Title {i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/results/").status_code == 200
    assert len(many) == len(few)
