"""New files for a dataset (issue 19 §2): a new file waits with its schema difference until the team confirms it;
every version stays downloadable under the dataset's access rules (restricted stays restricted); citations per
version; nothing half-stored when a file is refused; query counts constant as versions grow."""

import json
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from profiles.factories import ResearcherProfileFactory
from projects.citations import DATACITE_NS, datacite_problems
from projects.models import DataAccessRequest, Dataset, DatasetVersion
from projects.services import datasets as dataset_services
from projects.services import versions as services
from projects.services.takedowns import take_down
from tests.projects.test_datasets_views import make_dataset, upload_of

pytestmark = pytest.mark.django_db

V2 = (
    "Bezirk;Haushaltstyp;Räumungen;Jahr;Quelle\n"
    "Innere Stadt;Alleinerziehende;4;2024;Gericht\n"
    "Gösting;Familie;11;2024;Gericht\n"
    "Lend;Einpersonen;9;2024;Gericht\n"
).encode("latin-1")


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def new_version(dataset, by, content=V2, note="Added 2024 and the source column.", confirm=True):
    pending = services.dataset_version_upload(
        dataset=dataset, by=by, upload=upload_of("evictions-2024.csv", content), note=note
    )
    return services.dataset_version_confirm(version=pending, by=by) if confirm else pending


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_first_file_is_version_1(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    version = dataset.versions.get()
    assert version.number == 1 and version.file.name == dataset.file.name and dataset.version_number == 1


def test_a_new_file_waits_with_its_schema_difference_then_becomes_version_2(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    pending = new_version(dataset, researcher, confirm=False)
    assert pending.number is None and Dataset.objects.get(pk=dataset.pk).version_number == 1
    assert pending.schema_diff == {"added": ["Quelle"], "removed": [], "changed": []}

    confirmed = services.dataset_version_confirm(version=pending, by=researcher)

    dataset = Dataset.objects.get(pk=dataset.pk)
    assert confirmed.number == 2 and dataset.version_number == 2 and dataset.row_count == 3
    assert dataset.file.name == confirmed.file.name != dataset.versions.get(number=1).file.name
    assert [c["name"] for c in dataset.schema][-1] == "Quelle"


def test_removed_and_retyped_columns_are_in_the_difference(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    pending = new_version(dataset, researcher, content=b"Bezirk;Jahr\nLend;im Jahr 2024\n", confirm=False)
    assert pending.schema_diff["removed"] == ["Haushaltstyp", "Räumungen"]
    assert pending.schema_diff["changed"] == [{"name": "Jahr", "from": "integer", "to": "string"}]


def test_old_versions_stay_downloadable_with_their_own_rows(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    new_version(dataset, researcher)
    client = Client()
    old = client.get(f"/data/datasets/{dataset.slug}/v/1/download.csv")
    assert old.status_code == 200 and old["Content-Disposition"] == f'attachment; filename="{dataset.slug}-v1.csv"'
    old_rows = body(old)
    assert "Quelle" not in old_rows and "2023" in old_rows
    current = body(client.get(f"/data/datasets/{dataset.slug}/download.csv"))
    assert "Quelle" in current and "2024" in current
    rows = json.loads(body(client.get(f"/data/datasets/{dataset.slug}/v/2/download.json")))
    assert rows[0]["Jahr"] == 2024


def test_small_counts_stay_suppressed_in_old_versions(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    new_version(dataset, researcher)
    old_rows = body(Client().get(f"/data/datasets/{dataset.slug}/v/1/download.csv"))
    assert "Innere Stadt,Alleinerziehende,3,2023" not in old_rows  # 3 is below the threshold


def test_restricted_datasets_stay_restricted_for_every_version(partnership, researcher):
    dataset = make_dataset(partnership, researcher, access_level="on_request", disaggregations=["sex"])
    new_version(dataset, researcher)
    requester = ResearcherProfileFactory(user__email="reader@example.org").user
    for number in (1, 2):
        url = f"/data/datasets/{dataset.slug}/v/{number}/download.csv"
        assert Client().get(url).status_code == 403
        assert signed_in(requester).get(url).status_code == 403
        assert signed_in(researcher).get(url).status_code == 200
    request = dataset_services.access_request_create(
        dataset=dataset, by=requester, purpose="A comparison of evictions across Austrian cities, stored encrypted."
    )
    dataset_services.access_request_decide(access_request=request, by=researcher, approve=True)
    response = signed_in(requester).get(f"/data/datasets/{dataset.slug}/v/1/download.csv")
    assert response.status_code == 200 and "Innere Stadt,Alleinerziehende,3,2023" in body(response)
    assert dataset.downloads.filter(user=requester, access_request__status=DataAccessRequest.Status.APPROVED).exists()


def test_a_closed_dataset_version_page_shows_no_download(partnership, researcher):
    dataset = make_dataset(partnership, researcher, access_level="closed")
    page = Client().get(f"/data/datasets/{dataset.slug}/v/1/").content.decode()
    assert "download.csv" not in page and "only its description is public" in page


def test_a_draft_datasets_versions_are_hidden_from_outsiders(partnership, researcher):
    dataset = make_dataset(partnership, researcher, publish=False)
    assert Client().get(f"/data/datasets/{dataset.slug}/v/1/").status_code == 404
    assert Client().get(f"/data/datasets/{dataset.slug}/v/1/download.csv").status_code == 404
    assert Client().get(f"/data/datasets/{dataset.slug}/cite.bib").status_code == 404


def test_a_file_with_identifiers_is_refused_for_an_open_dataset_and_nothing_is_stored(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    with pytest.raises(ValidationError) as refused:
        new_version(dataset, researcher, content=upload_of("with_email.csv").read())
    assert "email" in str(refused.value)
    assert dataset.versions.count() == 1


def test_the_same_file_again_is_refused(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    with pytest.raises(ValidationError):
        new_version(dataset, researcher, content=upload_of("evictions_latin1_semicolon.csv").read())


def test_only_the_research_team_adds_versions(partnership, researcher, official, outsider):
    dataset = make_dataset(partnership, researcher)
    for user in (official, outsider):
        with pytest.raises(PermissionDenied):
            new_version(dataset, user)
        assert signed_in(user).get(f"/data/datasets/{dataset.slug}/versions/new/").status_code == 403


def test_a_discarded_file_leaves_nothing(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    pending = new_version(dataset, researcher, confirm=False)
    storage, name = pending.file.storage, pending.file.name
    services.dataset_version_discard(version=pending, by=researcher)
    assert not storage.exists(name) and dataset.versions.count() == 1


def test_a_second_upload_replaces_the_waiting_one(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    new_version(dataset, researcher, confirm=False)
    new_version(dataset, researcher, content=V2 + b"Jakomini;Familie;7;2024;Gericht\n", confirm=False)
    assert dataset.versions.filter(number__isnull=True).count() == 1


def test_a_confirmed_version_cannot_be_confirmed_or_discarded_again(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    version = new_version(dataset, researcher)
    with pytest.raises(ValidationError):
        services.dataset_version_confirm(version=version, by=researcher)
    with pytest.raises(ValidationError):
        services.dataset_version_discard(version=version, by=researcher)


def test_the_upload_and_review_pages_show_the_difference_before_confirming(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    client = signed_in(researcher)
    bad = client.post(f"/data/datasets/{dataset.slug}/versions/new/", {"note": "Kept note"})
    assert bad.status_code == 400 and "Kept note" in bad.content.decode()
    response = client.post(
        f"/data/datasets/{dataset.slug}/versions/new/",
        {"note": "Added 2024.", "file": upload_of("evictions-2024.csv", V2)},
    )
    assert response.status_code == 302 and response["Location"].endswith("/versions/review/")
    review = client.get(response["Location"]).content.decode()
    assert "Columns added: Quelle" in review and "Confirm as version 2" in review
    assert Dataset.objects.get(pk=dataset.pk).version_number == 1
    client.post(response["Location"], {"confirm": ""})
    page = client.get(f"/data/datasets/{dataset.slug}/").content.decode()
    assert Dataset.objects.get(pk=dataset.pk).version_number == 2
    assert "Added 2024." in page and "Columns added: Quelle" in page
    assert f'href="/data/datasets/{dataset.slug}/v/1/download.csv"' in page


def test_an_old_version_page_has_a_banner_and_the_takedown_covers_all(partnership, researcher, coordinator):
    dataset = make_dataset(partnership, researcher)
    new_version(dataset, researcher)
    page = Client().get(f"/data/datasets/{dataset.slug}/v/1/").content.decode()
    assert "You are looking at version 1 of this dataset." in page and "A newer version exists: version 2." in page
    take_down(
        obj=Dataset.objects.get(pk=dataset.pk), reason="Re-identification risk found by the NHRI.", by=coordinator
    )
    for path in ("v/1/", "v/1/download.csv", "v/2/download.json", "cite.bib"):
        assert Client().get(f"/data/datasets/{dataset.slug}/{path}").status_code == 410, path
    with pytest.raises(PermissionDenied):
        new_version(Dataset.objects.get(pk=dataset.pk), researcher, content=V2 + b"x;y;1;2024;z\n")


def test_dataset_citations_per_version(partnership, researcher):
    dataset = make_dataset(partnership, researcher, doi="https://doi.org/10.1234/EVICT")
    assert Dataset.objects.get(pk=dataset.pk).doi == "10.1234/EVICT"
    new_version(dataset, researcher)
    response = Client().get(f"/data/datasets/{dataset.slug}/v/1/cite.datacite.xml")
    assert response["Content-Type"].startswith("application/vnd.datacite.datacite+xml")
    assert datacite_problems(response.content) == []
    root = ET.fromstring(response.content)
    ns = {"d": DATACITE_NS}
    assert root.find("d:identifier", ns).text == "10.1234/EVICT"
    assert root.find("d:resourceType", ns).get("resourceTypeGeneral") == "Dataset"
    assert root.find("d:version", ns).text == "1"
    assert root.find("d:creators/d:creator/d:creatorName", ns).get("nameType") == "Organizational"
    bib = Client().get(f"/data/datasets/{dataset.slug}/cite.bib").content.decode()
    assert bib.startswith("@misc{bridges-dataset-") and "version = {2}" in bib
    api = Client().get(f"/api/v1/datasets/{dataset.pk}").json()
    assert api["version"] == 2 and api["doi"] == "10.1234/EVICT"


def test_dataset_page_query_count_stays_constant_as_versions_grow(partnership, researcher):
    dataset = make_dataset(partnership, researcher)
    client = Client()
    url = f"/data/datasets/{dataset.slug}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for year in range(2024, 2028):
        new_version(Dataset.objects.get(pk=dataset.pk), researcher, content=V2.replace(b"2024", str(year).encode()))
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 5
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
