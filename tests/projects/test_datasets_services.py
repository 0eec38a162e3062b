"""Dataset services: who may upload and publish, nothing half-stored, identifier protection, access requests."""

import os
from pathlib import Path

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from projects import datasets_io
from projects.models import DataAccessRequest, Dataset, DatasetDownload
from projects.services import datasets as services

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db


def upload_of(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (DATA / name).read_bytes()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def metadata(**overrides) -> dict:
    data = {
        "title": "Evictions by district, Graz 2023",
        "description": "Court-ordered evictions per district and household type.",
        "licence": "CC-BY-4.0",
        "access_level": Dataset.AccessLevel.OPEN,
        "personal_data": Dataset.PersonalData.AGGREGATED,
        "personal_data_note": "",
        "disaggregations": ["household", "area"],
    }
    return {**data, **overrides}


def stored_files(settings) -> list[str]:
    root = settings.PRIVATE_MEDIA_ROOT
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files] if os.path.exists(root) else []


def test_research_member_uploads_a_latin1_semicolon_file_as_a_normalised_draft(partnership, researcher, settings):
    dataset = services.dataset_upload(
        partnership=partnership, by=researcher, upload=upload_of("evictions_latin1_semicolon.csv"), data=metadata()
    )
    assert dataset.status == Dataset.Status.DRAFT
    assert dataset.slug == "evictions-by-district-graz-2023"
    assert (dataset.source_encoding, dataset.delimiter, dataset.row_count) == ("cp1252", ";", 3)
    assert dataset.original_name == "evictions_latin1_semicolon.csv"
    assert dataset.identifier_columns == []
    with dataset.file.open("rb") as handle:
        assert handle.read().decode().startswith("Bezirk,Haushaltstyp,Räumungen,Jahr\n")
    assert [c["name"] for c in dataset.schema if c["is_count"]] == ["Räumungen"]
    assert list(datasets_io.iter_rows(dataset))[1] == {
        "Bezirk": "Gösting",
        "Haushaltstyp": "Familie",
        "Räumungen": "12",
        "Jahr": "2023",
    }
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", None, "The file is empty"),
        ("binary.csv", None, "not a text CSV file"),
        ("ragged.csv", None, "line 3 has 3 fields"),
        ("header.csv", b"a,b\n", "no rows of data"),
    ],
)
def test_refused_files_leave_no_row_and_no_file(partnership, researcher, settings, name, content, message):
    with pytest.raises(ValidationError) as error:
        services.dataset_upload(
            partnership=partnership, by=researcher, upload=upload_of(name, content), data=metadata()
        )
    assert message in " ".join(error.value.message_dict["file"])
    assert Dataset.objects.count() == 0
    assert stored_files(settings) == []


def test_upload_over_the_configured_limit_is_refused_with_its_size(partnership, researcher, settings):
    settings.DATASET_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as error:
        services.dataset_upload(
            partnership=partnership,
            by=researcher,
            upload=upload_of("big.csv", b"a,b\n" + b"1,2\n" * 400_000),
            data=metadata(),
        )
    assert "1.5 MB; the limit is 1 MB" in error.value.message_dict["file"][0]
    assert Dataset.objects.count() == 0 and stored_files(settings) == []


def test_email_column_cannot_be_open_and_nothing_is_stored(partnership, researcher, settings):
    with pytest.raises(ValidationError) as error:
        services.dataset_upload(
            partnership=partnership, by=researcher, upload=upload_of("with_email.csv"), data=metadata()
        )
    message = error.value.message_dict["access_level"][0]
    assert "cannot be open" in message and "“email”" in message and "email addresses" in message
    assert Dataset.objects.count() == 0 and stored_files(settings) == []


def test_identifiers_on_request_need_a_personal_data_declaration(partnership, researcher):
    on_request = metadata(access_level=Dataset.AccessLevel.ON_REQUEST)
    with pytest.raises(ValidationError) as error:
        services.dataset_upload(
            partnership=partnership, by=researcher, upload=upload_of("with_email.csv"), data=on_request
        )
    assert set(error.value.message_dict) == {"personal_data", "personal_data_note"}
    dataset = services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=upload_of("with_email.csv"),
        data={**on_request, "personal_data": "personal", "personal_data_note": "Consent; kept 2 years in the EU."},
    )
    assert dataset.identifier_columns[0]["column"] == "email"
    with pytest.raises(ValidationError, match="cannot be open"):
        services.dataset_update(
            dataset=dataset,
            by=researcher,
            data={"access_level": Dataset.AccessLevel.OPEN},
            edit_version=dataset.edit_version,
        )
    dataset.refresh_from_db()
    assert dataset.access_level == Dataset.AccessLevel.ON_REQUEST


def test_threshold_below_the_site_minimum_is_refused(partnership, researcher):
    with pytest.raises(ValidationError) as error:
        services.dataset_upload(
            partnership=partnership,
            by=researcher,
            upload=upload_of("households_utf8_bom.csv"),
            data=metadata(min_cell_count=3),
        )
    assert "site minimum is 5" in error.value.message_dict["min_cell_count"][0]


@pytest.mark.parametrize("who", ["official", "outsider", "coordinator"])
def test_only_the_research_team_uploads(partnership, request, who, settings):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.dataset_upload(
            partnership=partnership, by=user, upload=upload_of("households_utf8_bom.csv"), data=metadata()
        )
    assert Dataset.objects.count() == 0 and stored_files(settings) == []


@pytest.fixture
def dataset(partnership, researcher):
    return services.dataset_upload(
        partnership=partnership, by=researcher, upload=upload_of("evictions_latin1_semicolon.csv"), data=metadata()
    )


def test_schema_edit_keeps_columns_and_refuses_counts_on_text(dataset, researcher):
    schema = [dict(c) for c in dataset.schema]
    schema[0]["description"] = "District of Graz"
    schema[3]["is_count"] = False
    services.dataset_update(dataset=dataset, by=researcher, data={}, schema=schema, edit_version=dataset.edit_version)
    dataset.refresh_from_db()
    assert dataset.schema[0]["description"] == "District of Graz"
    schema[0]["is_count"] = True
    with pytest.raises(ValidationError, match="integer or number"):
        services.dataset_update(
            dataset=dataset, by=researcher, data={}, schema=schema, edit_version=dataset.edit_version
        )
    with pytest.raises(ValidationError, match="do not match"):
        services.dataset_update(
            dataset=dataset, by=researcher, data={}, schema=schema[:2], edit_version=dataset.edit_version
        )


def test_publish_sets_who_and_when_and_only_once(dataset, researcher, official):
    with pytest.raises(PermissionDenied):
        services.dataset_publish(dataset=dataset, by=official)
    published = services.dataset_publish(dataset=dataset, by=researcher)
    assert published.status == Dataset.Status.PUBLISHED and published.published_by == researcher
    assert published.published_at is not None
    with pytest.raises(ValidationError, match="Only a draft"):
        services.dataset_publish(dataset=published, by=researcher)


def test_public_rows_suppress_small_counts_only_in_count_columns(dataset):
    rows = list(datasets_io.public_rows(dataset))
    assert [r["Räumungen"] for r in rows] == [None, "12", "0"]  # zero is not disclosive
    assert [r["Jahr"] for r in rows] == ["2023"] * 3
    assert list(datasets_io.public_rows(dataset, offset=1, limit=1, suppressed="<5"))[0]["Bezirk"] == "Gösting"


def test_dataset_threshold_raises_suppression(dataset, researcher):
    services.dataset_update(
        dataset=dataset, by=researcher, data={"min_cell_count": 20}, edit_version=dataset.edit_version
    )
    assert [r["Räumungen"] for r in datasets_io.public_rows(dataset, suppressed="<20")] == ["<20", "<20", "0"]


# --- Access requests --------------------------------------------------------------------------------------------


@pytest.fixture
def on_request(partnership, researcher):
    dataset = services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=upload_of("households_utf8_bom.csv"),
        data=metadata(title="Survey of tenants", access_level=Dataset.AccessLevel.ON_REQUEST),
    )
    return services.dataset_publish(dataset=dataset, by=researcher)


PURPOSE = "Comparing eviction rates across Austrian cities for my thesis."


def test_request_approve_download_is_full_and_logged(
    on_request, researcher, outsider, django_capture_on_commit_callbacks
):
    allowed, _full, _request, _reason = services.download_access(outsider, on_request)
    assert not allowed
    with django_capture_on_commit_callbacks(execute=True):
        access_request = services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE)
    assert [m.to for m in mail.outbox] == [[researcher.email]]
    assert PURPOSE in mail.outbox[0].body and mail.outbox[0].alternatives
    with pytest.raises(ValidationError, match="not decided yet"):
        services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE)

    with django_capture_on_commit_callbacks(execute=True):
        services.access_request_decide(access_request=access_request, by=researcher, approve=True, note="Welcome.")
    assert mail.outbox[-1].to == [outsider.email] and "approved" in mail.outbox[-1].subject
    allowed, full, approved, _reason = services.download_access(outsider, on_request)
    assert allowed and full and approved == access_request
    services.download_record(dataset=on_request, user=outsider, format="csv", access_request=approved)
    log = DatasetDownload.objects.get()
    assert (log.user, log.access_request, log.format) == (outsider, access_request, "csv")


def test_refusal_needs_a_reason_and_only_the_research_team_decides(on_request, researcher, official, outsider):
    access_request = services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE)
    with pytest.raises(PermissionDenied):
        services.access_request_decide(access_request=access_request, by=official, approve=True)
    with pytest.raises(ValidationError) as error:
        services.access_request_decide(access_request=access_request, by=researcher, approve=False)
    assert "decision_note" in error.value.message_dict
    services.access_request_decide(access_request=access_request, by=researcher, approve=False, note="Students only.")
    access_request.refresh_from_db()
    assert access_request.status == DataAccessRequest.Status.REFUSED
    assert not services.download_access(outsider, on_request)[0]
    with pytest.raises(ValidationError, match="already decided"):
        services.access_request_decide(access_request=access_request, by=researcher, approve=True)


def test_requests_need_a_purpose_and_are_only_for_on_request_datasets(on_request, dataset, outsider):
    with pytest.raises(ValidationError) as error:
        services.access_request_create(dataset=on_request, by=outsider, purpose="data pls")
    assert "purpose" in error.value.message_dict
    with pytest.raises(ValidationError, match="does not take access requests"):
        services.access_request_create(dataset=dataset, by=outsider, purpose=PURPOSE)
    assert DataAccessRequest.objects.count() == 0


def test_members_download_non_open_data_and_are_logged(on_request, official):
    allowed, full, _request, _reason = services.download_access(official, on_request)
    assert allowed and full
    services.download_record(dataset=on_request, user=official, format="json")
    assert DatasetDownload.objects.filter(user=official, format="json").exists()


@pytest.mark.parametrize("declaration", ["pseudonymised", "personal"])
def test_records_about_people_cannot_be_open_even_without_findings(partnership, researcher, settings, declaration):
    with pytest.raises(ValidationError) as error:
        services.dataset_upload(
            partnership=partnership,
            by=researcher,
            upload=upload_of("households_utf8_bom.csv"),
            data=metadata(personal_data=declaration, personal_data_note="Consent."),
        )
    assert "cannot be open" in error.value.message_dict["access_level"][0]
    assert Dataset.objects.count() == 0 and stored_files(settings) == []


def test_hub_stat_counts_public_datasets_and_personal_data_lists_requests(on_request, dataset, outsider):
    from projects import contributions_datasets

    assert contributions_datasets.datasets_stat().value == 1  # the draft is not counted
    services.access_request_create(dataset=on_request, by=outsider, purpose=PURPOSE)
    exported = contributions_datasets.personal_data(outsider)["datasets"]
    assert exported["access_requests"][0]["dataset"] == "Survey of tenants"
    assert exported["access_requests"][0]["purpose"] == PURPOSE and exported["downloads"] == []
