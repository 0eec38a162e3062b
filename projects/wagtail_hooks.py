"""Wagtail admin hooks of projects: a generated case study is not published with its placeholder text."""

from django.contrib import messages
from django.shortcuts import redirect

from wagtail import hooks
from wagtail.models import Page

from projects.models import CaseStudyPage


@hooks.register("before_publish_page")
def refuse_case_study_placeholders(request, page):
    """Publishing a case study that still says “To be written by the coordinator…” is refused; the draft is kept."""
    if not isinstance(page, CaseStudyPage):
        return None
    problem = page.placeholder_problem()
    if not problem:
        return None
    messages.error(request, problem)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_case_study_placeholders(request, action_type, objects, action_class_instance):
    """The same refusal for the page explorer's bulk “Publish”, which publishes each page's latest revision."""
    if action_type != "publish" or not objects or not isinstance(objects[0], Page):
        return None
    ids = {page.pk for page in objects}
    form = getattr(action_class_instance, "cleaned_form", None)
    if form is not None and form.cleaned_data.get("include_descendants"):
        for page in objects:
            ids.update(Page.objects.descendant_of(page).values_list("pk", flat=True))
    refused = []
    for case_study in CaseStudyPage.objects.filter(pk__in=ids):
        problem = case_study.get_latest_revision_as_object().placeholder_problem()
        if problem:
            refused.append(f"{case_study.title}: {problem}")
    if not refused:
        return None
    for problem in refused:
        messages.error(request, problem)
    return redirect(action_class_instance.next_url)
