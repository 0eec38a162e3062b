"""Result services: who may create, edit, publish and delete, the embargo rule and its cap, authors and files."""

import datetime as dt
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from profiles.factories import ResearcherProfileFactory
from projects.factories import add_member
from projects.models import PartnershipMember, Result
from projects.services import results as services

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def result_data(**overrides) -> dict:
    data = {
        "kind": Result.Kind.REPORT,
        "title": "Housing conditions of older tenants in Graz",
        "abstract": "We surveyed 400 tenants aged over 65 about the state and cost of their homes.",
        "licence": "CC-BY-4.0",
        "doi": "10.5555/bridges-test.1",
        "url": "",
        "publication_date": dt.date(2026, 3, 1),
        "language": None,
    }
    return {**data, **overrides}


def make_result(partnership, by, *, publish: bool = False, embargo_until=None, **overrides) -> Result:
    result = services.result_create(
        partnership=partnership,
        by=by,
        data=result_data(**overrides),
        authors=[{"profile": None, "name": "Anna Berger", "affiliation": "University of Graz"}],
    )
    if publish:
        services.result_publish(result=result, by=by, embargo_until=embargo_until)
    return Result.objects.get(pk=result.pk)


def test_research_member_creates_a_draft_with_ordered_authors(partnership, researcher):
    profile = researcher.researcher_profile
    result = services.result_create(
        partnership=partnership,
        by=researcher,
        data=result_data(),
        authors=[
            {"profile": None, "name": "Zoe Second", "affiliation": ""},
            {"profile": profile, "name": researcher.display_name, "affiliation": "Uni Graz"},
        ],
    )
    assert result.status == Result.Status.DRAFT and result.slug == "housing-conditions-of-older-tenants-in-graz"
    assert [a.name for a in result.authors.all()] == ["Zoe Second", researcher.display_name]
    assert result.authors.all()[1].profile == profile
    assert not Result.objects.public().exists()


@pytest.mark.parametrize("who", ["official", "outsider", "partner", "coordinator"])
def test_only_research_members_may_create(request, partnership, who):
    if who == "partner":
        user = ResearcherProfileFactory(user__email="partner@example.org").user
        add_member(partnership, user, side=PartnershipMember.Side.PARTNER)
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.result_create(partnership=partnership, by=user, data=result_data(), authors=[])
    assert not Result.objects.exists()


def test_publish_needs_a_way_to_the_result_and_an_author(partnership, researcher):
    result = services.result_create(
        partnership=partnership, by=researcher, data=result_data(doi="", publication_date=None), authors=[]
    )
    with pytest.raises(ValidationError) as error:
        services.result_publish(result=result, by=researcher)
    text = " ".join(error.value.messages)
    assert "at least one author" in text and "DOI or a URL" in text and "publication date" in text
    result.refresh_from_db()
    assert result.status == Result.Status.DRAFT and result.published_at is None


def test_publish_now_makes_it_public(partnership, researcher):
    result = make_result(partnership, researcher, publish=True)
    assert result.status == Result.Status.PUBLISHED and result.published_by == researcher
    assert list(Result.objects.public()) == [result]


def test_embargo_ends_by_itself_on_its_date(partnership, researcher):
    until = timezone.localdate() + dt.timedelta(days=30)
    result = make_result(partnership, researcher, publish=True, embargo_until=until)
    assert not Result.objects.public().exists()
    assert not Result.objects.public(today=until - dt.timedelta(days=1)).exists()
    assert list(Result.objects.public(today=until)) == [result]


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "must end in the future"), (-3, "must end in the future"), (800, "at most 24 months")],
)
def test_embargo_out_of_range_is_refused_and_nothing_changes(partnership, researcher, days, message):
    result = make_result(partnership, researcher)
    with pytest.raises(ValidationError) as error:
        services.result_publish(
            result=result, by=researcher, embargo_until=timezone.localdate() + dt.timedelta(days=days)
        )
    assert message in " ".join(error.value.messages)
    result.refresh_from_db()
    assert result.status == Result.Status.DRAFT and result.embargo_until is None


def test_embargo_cap_is_the_site_setting(partnership, researcher):
    from wagtail.models import Site

    from hub.models import SiteSettings

    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.embargo_max_months = 6
    settings.save()
    result = make_result(partnership, researcher)
    with pytest.raises(ValidationError, match="at most 6 months"):
        services.result_publish(
            result=result, by=researcher, embargo_until=timezone.localdate() + dt.timedelta(days=200)
        )
    services.result_publish(result=result, by=researcher, embargo_until=timezone.localdate() + dt.timedelta(days=150))


def test_embargo_problem_pure():
    today = dt.date(2026, 1, 31)
    assert services.embargo_problem(None, today=today, max_months=24) == ""
    assert services.embargo_problem(dt.date(2028, 1, 31), today=today, max_months=24) == ""
    assert "31 January 2028" in services.embargo_problem(dt.date(2028, 2, 1), today=today, max_months=24)
    assert services.add_months(today, 1) == dt.date(2026, 2, 28)


def test_published_result_cannot_be_deleted_even_by_its_researchers(partnership, researcher):
    result = make_result(partnership, researcher, publish=True)
    with pytest.raises(PermissionDenied, match="cannot be deleted"):
        services.result_delete(result=result, by=researcher)
    assert Result.objects.filter(pk=result.pk).exists()


def test_researchers_correct_a_published_result_and_keep_its_url(partnership, researcher):
    result = make_result(partnership, researcher, publish=True)
    services.result_update(
        result=result,
        by=researcher,
        data=result_data(title="A corrected title"),
        authors=[{"name": "A. Berger"}],
        edit_version=result.edit_version,
    )
    result.refresh_from_db()
    assert result.title == "A corrected title" and result.slug == "housing-conditions-of-older-tenants-in-graz"
    assert result.status == Result.Status.PUBLISHED


def test_draft_is_deleted_with_its_files(partnership, researcher):
    result = make_result(partnership, researcher)
    stored = services.result_file_add(result=result, by=researcher, upload=pdf_upload())
    path = stored.file.path
    services.result_delete(result=result, by=researcher)
    assert not Result.objects.filter(pk=result.pk).exists()
    assert not os.path.exists(path)


def test_file_must_be_a_pdf(partnership, researcher):
    result = make_result(partnership, researcher)
    with pytest.raises(ValidationError, match="not a PDF"):
        services.result_file_add(
            result=result, by=researcher, upload=pdf_upload("evil.pdf", b"<html><script>x</script></html>")
        )
    assert not result.files.exists()
