"""Dataset pages: list with facets, page with preview and JSON-LD, downloads with suppression, upload and edit
forms, access requests, takedown notice, DCAT catalogue and query budgets."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from hub.models import Theme
from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import DataAccessRequest, Dataset, DatasetDownload, PartnershipMember, Takedown, UsageMonth
from projects.services import datasets as services

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db


def upload_of(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes(), "text/csv")


def make_dataset(
    partnership,
    by,
    *,
    title="Evictions by district, Graz 2023",
    file="evictions_latin1_semicolon.csv",
    publish=True,
    content=None,
    **data,
):
    fields = {
        "title": title,
        "description": "Court-ordered evictions per district and household type (demo).",
        "licence": "CC0-1.0",
        "access_level": Dataset.AccessLevel.OPEN,
        "personal_data": Dataset.PersonalData.AGGREGATED,
        "disaggregations": ["household", "area"],
        **data,
    }
    dataset = services.dataset_upload(partnership=partnership, by=by, upload=upload_of(file, content), data=fields)
    return services.dataset_publish(dataset=dataset, by=by) if publish else dataset


@pytest.fixture
def dataset(partnership, researcher):
    return make_dataset(partnership, researcher)


def test_page_previews_rows_with_small_counts_suppressed(client, dataset):
    response = client.get(dataset.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="is-suppressed">[c]</td>' in html
    assert "<td>12</td>" in html and "<td>Gösting</td>" in html
    assert "counts below 5 (other than zero)" in html
    assert "Download CSV" in html and "CC0 1.0" in html
    assert UsageMonth.objects.get().views == 1


def test_page_embeds_dcat_json_ld(client, dataset):
    html = client.get(dataset.get_absolute_url()).content.decode()
    embedded = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert "dcat:Dataset" in embedded["@type"]
    assert embedded["dct:title"] == dataset.title
    assert embedded["dct:license"]["@id"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    downloads = [d["dcat:downloadURL"]["@id"] for d in embedded["dcat:distribution"]]
    assert downloads == [
        f"{settings.SITE_BASE_URL}/data/datasets/evictions-by-district-graz-2023/download.csv",
        f"{settings.SITE_BASE_URL}/data/datasets/evictions-by-district-graz-2023/download.json",
    ]


def test_csv_download_suppresses_and_counts(client, dataset):
    response = client.get(reverse("dataset_download_csv", args=[dataset.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="evictions-by-district-graz-2023.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body == (
        "Bezirk,Haushaltstyp,Räumungen,Jahr\r\nInnere Stadt,Alleinerziehende,[c],2023\r\n"
        "Gösting,Familie,12,2023\r\nLend,Einpersonen,0,2023\r\n"
    )
    assert UsageMonth.objects.get().downloads == 1
    assert DatasetDownload.objects.count() == 0  # open data: counted, nobody logged


def test_json_download_types_values_and_nulls_suppressed_cells(client, dataset):
    response = client.get(reverse("dataset_download_json", args=[dataset.slug]))
    rows = json.loads(b"".join(response.streaming_content))
    assert rows[0] == {"Bezirk": "Innere Stadt", "Haushaltstyp": "Alleinerziehende", "Räumungen": None, "Jahr": 2023}
    assert rows[1]["Räumungen"] == 12 and rows[2]["Räumungen"] == 0


def test_draft_is_404_for_the_public_and_visible_to_members(client, partnership, researcher, official, outsider):
    draft = make_dataset(partnership, researcher, publish=False)
    for user in (None, outsider):
        if user:
            client.force_login(user)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(reverse("dataset_download_csv", args=[draft.slug])).status_code == 404
    client.force_login(official)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Draft" in response.content.decode()
    assert client.get(reverse("dataset_edit", args=[draft.slug])).status_code == 403  # city side: no editing


def test_closed_dataset_shows_its_description_only(client, partnership, researcher):
    closed = make_dataset(partnership, researcher, title="Closed case files", access_level=Dataset.AccessLevel.CLOSED)
    response = client.get(closed.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and "only its description is public" in html
    assert "Gösting" not in html and "Download CSV" not in html
    assert client.get(reverse("dataset_download_csv", args=[closed.slug])).status_code == 403
    assert "dcat:distribution" not in client.get(reverse("dataset_jsonld", args=[closed.slug])).json()


def test_on_request_flow_through_the_pages(
    client, partnership, researcher, outsider, django_capture_on_commit_callbacks
):
    survey = make_dataset(partnership, researcher, title="Tenant survey", access_level=Dataset.AccessLevel.ON_REQUEST)
    html = client.get(survey.get_absolute_url()).content.decode()
    assert "Sign in to request access" in html

    client.force_login(outsider)
    url = reverse("dataset_request", args=[survey.slug])
    response = client.post(url, {"purpose": "too short", "organisation": "Uni Wien"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'value="Uni Wien"' in html and "too short" in html
    assert DataAccessRequest.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"purpose": "Comparing eviction rates for my thesis.", "organisation": "Uni Wien"})
    assert response.status_code == 302
    assert "has not decided yet" in client.get(survey.get_absolute_url()).content.decode()
    assert client.get(reverse("dataset_download_csv", args=[survey.slug])).status_code == 403

    client.force_login(researcher)
    requests_url = reverse("dataset_requests", args=[survey.slug])
    access_request = DataAccessRequest.objects.get()
    response = client.post(requests_url, {"request": access_request.pk, "decision": "refuse", "decision_note": ""})
    assert response.status_code == 400 and "why the request is refused" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(requests_url, {"request": access_request.pk, "decision": "approve", "decision_note": ""})
    assert response.status_code == 302

    client.force_login(outsider)
    body = b"".join(client.get(reverse("dataset_download_csv", args=[survey.slug])).streaming_content).decode()
    assert "Innere Stadt,Alleinerziehende,3,2023" in body  # the approved requester gets the full file
    log = DatasetDownload.objects.get()
    assert (log.user, log.access_request, log.format) == (outsider, access_request, "csv")

    client.force_login(researcher)
    html = client.get(requests_url).content.decode()
    assert outsider.display_name in html and "CSV" in html


def test_requests_page_is_for_the_research_team_only(client, partnership, researcher, official, outsider):
    survey = make_dataset(partnership, researcher, title="Tenant survey", access_level=Dataset.AccessLevel.ON_REQUEST)
    url = reverse("dataset_requests", args=[survey.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(official)
    assert client.get(url).status_code == 403


# --- Upload and edit forms --------------------------------------------------------------------------------------


def upload_form(**overrides):
    data = {
        "title": "Evictions by district, Graz 2023",
        "description": "Court-ordered evictions per district.",
        "provenance": "District courts, 2023 registers.",
        "licence": "CC-BY-4.0",
        "access_level": "open",
        "personal_data": "aggregated",
        "disaggregations": ["area"],
    }
    return {**data, **overrides}


def test_upload_form_creates_a_draft_and_shows_the_inferred_schema(client, partnership, researcher):
    client.force_login(researcher)
    url = reverse("dataset_new", args=[partnership.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {**upload_form(), "file": upload_of("evictions_latin1_semicolon.csv")})
    dataset = Dataset.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dataset_edit", args=[dataset.slug])
    html = client.get(response["Location"]).content.decode()
    assert "3 rows read from evictions_latin1_semicolon.csv" in html and "Räumungen" in html
    assert 'name="schema-2-is_count" id="id_schema-2-is_count" checked' in html


def test_upload_form_refusal_names_the_identifier_column_and_keeps_the_input(client, partnership, researcher, settings):
    client.force_login(researcher)
    response = client.post(
        reverse("dataset_new", args=[partnership.slug]),
        {**upload_form(title="Tenant contacts"), "file": upload_of("with_email.csv")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be open" in html and "“email”" in html
    assert 'value="Tenant contacts"' in html and "District courts, 2023 registers." in html
    assert "choose the file again" in html
    assert Dataset.objects.count() == 0


@pytest.mark.parametrize(
    "name, message",
    [("empty.csv", "The file is empty"), ("binary.csv", "not a text CSV file"), ("ragged.csv", "line 3 has 3 fields")],
)
def test_upload_form_shows_file_problems(client, partnership, researcher, name, message):
    client.force_login(researcher)
    response = client.post(reverse("dataset_new", args=[partnership.slug]), {**upload_form(), "file": upload_of(name)})
    assert response.status_code == 400 and message in response.content.decode()
    assert Dataset.objects.count() == 0


def test_upload_page_is_not_for_outsiders_or_the_city(client, partnership, official, outsider):
    url = reverse("dataset_new", args=[partnership.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(official)
    assert client.get(url).status_code == 403


def test_edit_form_saves_schema_and_refuses_open_with_identifiers(client, partnership, researcher):
    dataset = make_dataset(
        partnership,
        researcher,
        title="Tenant contacts",
        file="with_email.csv",
        publish=False,
        access_level="on_request",
        personal_data="personal",
        personal_data_note="Consent collected; kept two years.",
    )
    client.force_login(researcher)
    url = reverse("dataset_edit", args=[dataset.slug])
    html = client.get(url).content.decode()
    assert "Columns that look like direct identifiers" in html and "<strong>email</strong>" in html
    form = {
        **upload_form(title="Tenant contacts"),
        "access_level": "open",
        "personal_data": "personal",
        "personal_data_note": "Consent collected; kept two years.",
        "edit_version": str(dataset.edit_version),
        "schema-TOTAL_FORMS": "3",
        "schema-INITIAL_FORMS": "3",
        "schema-0-name": "respondent",
        "schema-0-type": "integer",
        "schema-0-description": "Respondent number",
        "schema-1-name": "email",
        "schema-1-type": "string",
        "schema-2-name": "answer",
        "schema-2-type": "string",
    }
    response = client.post(url, form)
    assert response.status_code == 400 and "cannot be open" in response.content.decode()
    assert 'value="Respondent number"' in response.content.decode()
    response = client.post(url, {**form, "access_level": "closed"})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.access_level == "closed" and dataset.schema[0]["description"] == "Respondent number"

    response = client.post(reverse("dataset_publish", args=[dataset.slug]))
    dataset.refresh_from_db()
    assert response.status_code == 302 and dataset.status == Dataset.Status.PUBLISHED


# --- List, catalogue, takedown, budgets -------------------------------------------------------------------------


def test_list_facets_filter_and_empty_state(client, partnership, researcher):
    housing = Theme.objects.order_by("pk").first()
    open_one = make_dataset(partnership, researcher, themes=[housing])
    make_dataset(partnership, researcher, title="Tenant survey", access_level="on_request", disaggregations=["sex"])
    make_dataset(partnership, researcher, title="Draft", publish=False)

    html = client.get(reverse("dataset_list")).content.decode()
    assert "2 datasets found" in html and "Draft" not in html
    assert "Open: anyone can download (1)" in html and "Sex (1)" in html

    response = client.get(reverse("dataset_list"), {"access": "open"})
    assert list(response.context["page"].object_list) == [open_one]
    response = client.get(reverse("dataset_list"), {"disaggregation": "sex"})
    assert [d.title for d in response.context["page"].object_list] == ["Tenant survey"]
    assert "Disaggregated by: Sex" in response.content.decode()
    response = client.get(reverse("dataset_list"), {"theme": housing.slug, "disaggregation": "sex"})
    html = response.content.decode()
    assert "No datasets match these filters" in html and "Show all datasets" in html


def test_catalog_lists_public_datasets_only(client, partnership, researcher):
    make_dataset(partnership, researcher)
    make_dataset(partnership, researcher, title="Draft", publish=False)
    catalog = client.get(reverse("dataset_catalog")).json()
    assert catalog["@type"] == "dcat:Catalog"
    assert [d["dct:title"] for d in catalog["dcat:dataset"]] == ["Evictions by district, Graz 2023"]


def test_taken_down_dataset_answers_410_with_the_notice(client, dataset, coordinator):
    dataset.status = Dataset.Status.TAKEN_DOWN
    dataset.save()
    Takedown.objects.create(
        content_type=ContentType.objects.get_for_model(dataset),
        object_id=dataset.pk,
        title=dataset.title,
        path=dataset.get_absolute_url(),
        reason="Contained data of identifiable tenants.",
        decided_by=coordinator,
        decided_by_name="Network coordinator",
    )
    for url in (
        dataset.get_absolute_url(),
        reverse("dataset_download_csv", args=[dataset.slug]),
        reverse("dataset_download_json", args=[dataset.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 410
        assert "Contained data of identifiable tenants." in response.content.decode()
    assert "Evictions" not in client.get(reverse("dataset_list")).content.decode()


def _many(n: int):
    """``n`` published datasets of as many partnerships, each with themes and targets."""
    from hub.models import SDGTarget

    themes = list(Theme.objects.order_by("pk")[:2])
    targets = list(SDGTarget.objects.order_by("pk")[:2])
    datasets = []
    for i in range(n):
        partnership = PartnershipFactory()
        user = ResearcherProfileFactory().user
        add_member(partnership, user, side=PartnershipMember.Side.RESEARCH)
        datasets.append(
            make_dataset(
                partnership, user, title=f"Dataset {i}", themes=themes, sdg_targets=targets, disaggregations=["sex"]
            )
        )
    return datasets


@pytest.mark.parametrize("n", [1, 10])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, n):
    _many(n)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("dataset_list"))
    assert len(response.context["page"].object_list) == n


@pytest.mark.parametrize("n", [1, 10])
def test_detail_and_catalog_query_counts_are_constant(client, django_assert_max_num_queries, n):
    datasets = _many(n)
    with django_assert_max_num_queries(16):
        assert client.get(datasets[-1].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(6):
        assert len(client.get(reverse("dataset_catalog")).json()["dcat:dataset"]) == n
    with django_assert_max_num_queries(5):
        response = client.get(reverse("dataset_download_csv", args=[datasets[-1].slug]))
        assert len(b"".join(response.streaming_content).splitlines()) == 4


def test_coordinator_takes_a_dataset_down_with_a_public_reason(client, dataset, coordinator, researcher):
    url = reverse("dataset_take_down", args=[dataset.slug])
    client.force_login(researcher)
    assert "Take down" not in client.get(dataset.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403

    client.force_login(coordinator)
    assert "Take down" in client.get(dataset.get_absolute_url()).content.decode()
    response = client.post(url, {"reason": "short"})
    assert response.status_code == 400 and 'name="reason"' in response.content.decode()
    response = client.post(url, {"reason": "Rows allow identifying tenants of small buildings."})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.TAKEN_DOWN
    client.logout()
    response = client.get(dataset.get_absolute_url())
    assert response.status_code == 410 and "identifying tenants" in response.content.decode()


def test_taken_down_without_a_recorded_decision_still_answers_410(client, dataset):
    Dataset.objects.filter(pk=dataset.pk).update(status=Dataset.Status.TAKEN_DOWN)
    response = client.get(dataset.get_absolute_url())
    assert response.status_code == 410 and "This dataset was taken down" in response.content.decode()


def test_usage_totals_are_public_and_the_months_are_for_the_partnership(client, dataset, researcher, outsider):
    client.get(dataset.get_absolute_url())
    client.get(f"{dataset.get_absolute_url()}download.csv")

    client.force_login(outsider)
    page = client.get(dataset.get_absolute_url()).content.decode()
    assert "1 view, 1 download" in page
    assert "Usage per month" not in page

    client.force_login(researcher)
    page = client.get(dataset.get_absolute_url()).content.decode()
    assert "Usage per month" in page
    assert "2 views, 1 download" in page
