"""Wagtail hooks of projects: a generated case study is not published with its placeholder text (admin), and what
projects answers to the hooks of lower layers (hub/hooks.py lists them): the partnership created when a call is
awarded, home page numbers and latest items, city page sections, dashboard panels, personal data, exports and the
partnerships alert source."""

from django.contrib import messages
from django.shortcuts import redirect

from wagtail import hooks
from wagtail.models import Page

from projects import (
    contributions,
    contributions_case_studies,
    contributions_datasets,
    contributions_indicators,
    contributions_lifecycle,
    contributions_needs,
    contributions_partnerships,
    contributions_results,
    contributions_uptake,
    exports,
)
from projects.alerts import PartnershipsSource
from projects.alerts_needs import NeedsSource
from projects.conflicts import partnership_conflicts
from projects.models import CaseStudyPage
from projects.services.lifecycle import schedule_at_award
from projects.services.partnerships import partnership_create_from_award


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


# --- What projects answers to the hooks of lower layers (hub/hooks.py) -------------------------------------------


@hooks.register("award_handlers")
def create_partnership_from_award(*, proposal, by):
    """calls.services.reviews.call_decide awarded ``proposal``: it becomes a partnership (in the award's transaction)."""
    partnership = partnership_create_from_award(proposal=proposal, by=by)
    schedule_at_award(partnership=partnership, call=proposal.call, by=by)
    return partnership


hooks.register("review_conflicts", partnership_conflicts)
hooks.register("home_stats", contributions.partnerships_stat, order=40)
hooks.register("home_stats", contributions_results.results_stat, order=45)
hooks.register("home_stats", contributions_datasets.datasets_stat, order=55)
hooks.register("home_stats", contributions_case_studies.methods_stat, order=65)
hooks.register("home_latest", contributions_case_studies.featured, order=5)
hooks.register("home_latest", contributions_results.latest_results, order=15)
hooks.register("activity_measures", contributions.partnerships_per_city, order=20)
hooks.register("activity_measures", contributions.results_per_city, order=30)
hooks.register("city_page_sections", contributions.city_partnerships, order=20)
hooks.register("city_page_sections", contributions_results.city_results_section, order=25)
hooks.register("city_page_sections", contributions_indicators.city_indicators, order=31)
hooks.register("city_page_sections", contributions_uptake.city_uptake_section, order=32)
hooks.register("city_page_sections", contributions_indicators.city_gaps, order=35)
hooks.register("dashboard_sections", contributions_uptake.to_respond, order=12)
hooks.register("dashboard_tasks", contributions_uptake.results_to_respond_task, order=50)
hooks.register("dashboard_sections", contributions_partnerships.dashboard, order=25)
hooks.register("dashboard_sections", contributions_lifecycle.reports, order=24)
hooks.register("dashboard_sections", contributions_indicators.city_imports, order=26)
hooks.register("dashboard_sections", contributions_results.dashboard, order=27)
hooks.register("personal_data", contributions_results.personal_data)
hooks.register("personal_data", contributions_datasets.personal_data)
hooks.register("personal_data", contributions_uptake.personal_data)
hooks.register("alert_sources", PartnershipsSource, order=20)
# Research needs (issue 19 §4).
hooks.register("city_page_sections", contributions_needs.city_needs_section, order=36)
hooks.register("dashboard_sections", contributions_needs.dashboard, order=13)
hooks.register("personal_data", contributions_needs.personal_data)
hooks.register("alert_sources", NeedsSource, order=25)


@hooks.register("exports")
def projects_exports():
    return exports.EXPORTS
