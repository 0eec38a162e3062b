"""Wagtail admin addresses answered by the scoped views of ``hub/admin_views.py``, included before Wagtail's own.

Same paths as Wagtail's, so its URL names (and every link it renders) lead here. Like Wagtail's admin URLs they need
admin access and are never cached.
"""

from django.urls import path
from django.views.decorators.cache import never_cache

from wagtail.admin.auth import require_admin_access
from wagtail.utils.urlpatterns import decorate_urlpatterns

from hub import admin_views

urlpatterns = [
    path("reports/locked/", admin_views.ScopedLockedPagesView.as_view()),
    path("reports/locked/results/", admin_views.ScopedLockedPagesView.as_view(results_only=True)),
    path("reports/workflow/", admin_views.ScopedWorkflowView.as_view()),
    path("reports/workflow/results/", admin_views.ScopedWorkflowView.as_view(results_only=True)),
    path("reports/workflow_tasks/", admin_views.ScopedWorkflowTasksView.as_view()),
    path("reports/workflow_tasks/results/", admin_views.ScopedWorkflowTasksView.as_view(results_only=True)),
    path("reports/site-history/", admin_views.ScopedLogEntriesView.as_view()),
    path("reports/site-history/results/", admin_views.ScopedLogEntriesView.as_view(results_only=True)),
    path("reports/page-types-usage/", admin_views.ScopedPageTypesUsageReportView.as_view()),
    path("reports/page-types-usage/results/", admin_views.ScopedPageTypesUsageReportView.as_view(results_only=True)),
    path("choose-page/chosen-multiple/", admin_views.ScopedChosenMultipleView.as_view()),
    path("pages/workflow/confirm_cancellation/<int:page_id>/", admin_views.confirm_workflow_cancellation),
    path("workflows/task_chooser/", admin_views.task_chooser),
    path("workflows/task_chooser/results/", admin_views.task_chooser_results),
    path("workflows/task_chooser/create/", admin_views.task_chooser_create),
    path("workflows/task_chooser/<int:task_id>/", admin_views.task_chosen),
    path("localize/submit/page/<int:page_id>/", admin_views.submit_page_translation),
    path("localize/update/<int:translation_source_id>/", admin_views.update_translations),
    path("localize/translate/<int:translation_id>/pofile/upload/", admin_views.upload_pofile),
    path("tag-autocomplete/", admin_views.tag_autocomplete),
    path("tag-autocomplete/<slug:app_name>/<slug:model_name>/", admin_views.tag_autocomplete),
]

urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)
urlpatterns = decorate_urlpatterns(urlpatterns, never_cache)
