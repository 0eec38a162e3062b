"""A generated case study is not published while a field still says “To be written by the coordinator…”: the
Wagtail editor refuses the publish with the fields to write, keeps the draft, and publishes once they are written."""

from django.core.exceptions import ValidationError
from django.utils import translation

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

from projects.models import CaseStudyPage
from projects.services.case_studies import case_study_from_partnership

pytestmark = pytest.mark.django_db

WRITTEN = "<p>The city rewrote its housing allocation rules after the tenants' survey.</p>"


@pytest.fixture
def draft(partnership, coordinator):
    """A case study generated from a partnership without a description: context and what changed are placeholders."""
    partnership.description = ""
    partnership.save()
    return case_study_from_partnership(partnership=partnership, by=coordinator)


def edit_form(page: CaseStudyPage, **overrides) -> dict:
    """The CaseStudyPage edit form as the Wagtail 8 editor posts it."""
    data = {
        "title": page.title,
        "slug": page.slug,
        "partnership": page.partnership_id or "",
        "summary": page.summary,
        "image": "",
        "context": rich_text(page.context),
        "method_text": rich_text(page.method_text or ""),
        "what_changed": rich_text(page.what_changed),
        "lessons": rich_text(page.lessons or ""),
        "region": page.region,
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def edit(client, page, *, publish: bool, **overrides):
    data = edit_form(page, **overrides)
    if publish:
        data["action-publish"] = "action-publish"
    return client.post(f"/admin/pages/{page.pk}/edit/", data, follow=True)


def latest(page) -> CaseStudyPage:
    return CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()


def test_the_generated_draft_holds_the_placeholder_in_the_fields_to_write(draft):
    assert "To be written by the coordinator" in draft.context
    assert draft.placeholder_fields() == ["context", "what_changed"]


def test_publishing_with_the_placeholder_is_refused_naming_the_fields(client, coordinator, draft):
    client.force_login(coordinator)
    response = edit(client, draft, publish=True, lessons=rich_text("<p>Start with the tenants.</p>"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Not published: these fields still hold the generated placeholder text" in content
    assert "Context, What changed" in content
    assert response.redirect_chain[-1][0] == f"/admin/pages/{draft.pk}/edit/"
    assert not CaseStudyPage.objects.get(pk=draft.pk).live
    # The draft was saved with what the coordinator wrote so far.
    assert "Start with the tenants." in latest(draft).lessons


def test_a_draft_with_the_placeholder_can_be_saved(client, coordinator, draft):
    client.force_login(coordinator)
    response = edit(client, draft, publish=False, what_changed=rich_text(WRITTEN))
    assert response.status_code == 200
    assert "Not published" not in response.content.decode()
    saved = latest(draft)
    assert "housing allocation rules" in saved.what_changed and "To be written" in saved.context
    assert not CaseStudyPage.objects.get(pk=draft.pk).live


def test_publishing_after_writing_the_text_is_allowed(client, coordinator, draft):
    client.force_login(coordinator)
    response = edit(
        client,
        draft,
        publish=True,
        context=rich_text("<p>Graz asked who is left out of social housing.</p>"),
        what_changed=rich_text(WRITTEN),
    )
    assert response.status_code == 200
    assert "Not published" not in response.content.decode()
    page = CaseStudyPage.objects.get(pk=draft.pk)
    assert page.live and "housing allocation rules" in page.what_changed
    assert client.get(page.url).status_code == 200


def test_a_placeholder_written_in_spanish_is_recognised(client, partnership, coordinator):
    partnership.description = ""
    partnership.save()
    with translation.override("es"):
        page = case_study_from_partnership(partnership=partnership, by=coordinator)
    assert "Pendiente de redacción por el coordinador" in page.context
    client.force_login(coordinator)
    response = edit(client, page, publish=True)
    assert "Not published" in response.content.decode()
    assert not CaseStudyPage.objects.get(pk=page.pk).live


def test_publishing_the_placeholder_outside_the_editor_is_refused_too(draft, coordinator):
    with pytest.raises(ValidationError) as refused:
        draft.save_revision(user=coordinator).publish(user=coordinator)
    assert set(refused.value.message_dict) == {"context", "what_changed"}
    assert not CaseStudyPage.objects.get(pk=draft.pk).live


def test_bulk_publishing_from_the_explorer_is_refused_too(client, coordinator, draft):
    client.force_login(coordinator)
    index = draft.get_parent()
    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?next=/admin/pages/{index.pk}/&id={draft.pk}", {}, follow=True
    )
    assert response.status_code == 200
    assert "Not published: these fields still hold the generated placeholder text" in response.content.decode()
    assert not CaseStudyPage.objects.get(pk=draft.pk).live
