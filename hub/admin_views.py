"""Wagtail admin views that Wagtail opens to every admin user, limited to what the user may work on.

Wagtail's reports, the page chooser's last step, the publish confirmation of a page in moderation, the task chooser
and the tag autocomplete answer any admin user about the whole site: another city's draft titles and page counts,
the names of the people who edit, lock or submit its pages, whether any page (by id) is in moderation and where.
``hub/admin_urls.py`` puts these views in front of Wagtail's own at the same addresses. Each keeps Wagtail's
behaviour for the pages and media the user holds a permission on, so coordinators (who may edit every page under the
home page) and superusers still see the whole site.
"""

import contextlib
import os
import tempfile
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taggit.models import Tag
from wagtail import hooks
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import workflows
from wagtail.admin.views.chooser import ChosenMultipleView
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet, get_users_for_filter
from wagtail.admin.views.reports.locked_pages import LockedPagesReportFilterSet, LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
    get_editable_content_type_ids,
    get_editable_page_ids_query,
)
from wagtail.admin.views.tags import TAGS_AUTOCOMPLETE_LIMIT
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Task, TaskState, Workflow, WorkflowState, get_default_page_content_type
from wagtail.permissions import policy_registry

import polib
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.views import edit_translation
from wagtail_localize.views.submit_translations import SubmitPageTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView

PAGE_WORK = ("add", "change", "publish")


def pages_worked_on(user):
    """The pages the user may add to, change or publish: a city's subtree for its editors, every page for
    coordinators and superusers."""
    return policy_registry.get_by_type(Page).instances_user_has_any_permission_for(user, PAGE_WORK)


def _users(ids):
    User = get_user_model()
    return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


# --- reports ------------------------------------------------------------------------------------


class ScopedPageTypesUsageReportView(PageTypesUsageReportView):
    """Counts pages, and names each type's last edited page, among the pages the user works on only (Wagtail counts
    every page of the site and names another city's unpublished draft)."""

    def get_queryset(self):
        pages = Page.objects.filter(pk__in=pages_worked_on(self.request.user).values("pk"), depth__gt=1)
        queryset = ContentType.objects.filter(model__in=self.page_models)
        base_page_type = ContentType.objects.get_for_model(Page)
        if not pages.filter(content_type=base_page_type).exists():
            queryset = queryset.exclude(pk=base_page_type.pk)
        self.queryset = queryset

        filters = self.filters
        cleaned = filters.form.cleaned_data if filters is not None and filters.is_valid() else {}
        language_code, site_root_path = cleaned.get("page_locale"), cleaned.get("site")
        if language_code:
            pages = pages.filter(locale__language_code=language_code)
        if site_root_path:
            pages = pages.filter(path__startswith=site_root_path)

        of_type = pages.filter(content_type=OuterRef("pk"))
        count = of_type.order_by().values("content_type").annotate(n=Count("pk")).values("n")
        latest = of_type.order_by(F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk")
        queryset = queryset.annotate(
            count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
            last_edited_page_id=Subquery(latest.values("pk")[:1]),
        )
        if language_code or site_root_path:
            # Wagtail's locale and site filters leave out the types with no page there.
            queryset = queryset.filter(count__gt=0)
        return queryset.order_by("-count", "app_label", "model")

    def get_filtered_queryset(self):
        # get_queryset applies the filters itself, on the counted pages (joining them again would repeat rows).
        return self.get_queryset()


class ScopedLockedPagesFilterSet(LockedPagesReportFilterSet):
    """The "Locked by" filter offers the people who locked a page of the report, not all who locked any page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        # The report's own rows: pages the user may change, and those they locked themselves.
        changeable = policy_registry.get_by_type(Page).instances_user_has_permission_for(user, "change")
        reported = (changeable | Page.objects.filter(locked_by=user)).filter(locked=True)
        self.filters["locked_by"].queryset = _users(reported.values("locked_by"))


class ScopedLockedPagesView(LockedPagesView):
    filterset_class = ScopedLockedPagesFilterSet


def visible_workflow_states(request):
    """The moderation of the pages and snippets the user may edit: the rows of Wagtail's workflow report."""
    return WorkflowState.objects.filter(
        Q(base_content_type_id=get_default_page_content_type().id, object_id__in=get_editable_page_ids_query(request))
        | Q(content_type_id__in=get_editable_content_type_ids(request))
    )


class ScopedWorkflowReportFilterSet(WorkflowReportFilterSet):
    """Workflows and requesters of the moderation the user sees, not of every city's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        states = visible_workflow_states(self.request)
        self.filters["workflow"].queryset = Workflow.objects.filter(pk__in=states.values("workflow"))
        self.filters["requested_by"].queryset = _users(states.values("requested_by"))


class ScopedWorkflowView(WorkflowView):
    filterset_class = ScopedWorkflowReportFilterSet


class ScopedWorkflowTasksReportFilterSet(WorkflowTasksReportFilterSet):
    """Workflows and tasks of the moderation the user sees, not of every city's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tasks = TaskState.objects.filter(workflow_state__in=visible_workflow_states(self.request))
        self.filters["workflow"].queryset = Workflow.objects.filter(pk__in=tasks.values("workflow_state__workflow"))
        self.filters["task"].queryset = Task.objects.filter(pk__in=tasks.values("task"))


class ScopedWorkflowTasksView(WorkflowTasksView):
    filterset_class = ScopedWorkflowTasksReportFilterSet


class ScopedSiteHistoryReportFilterSet(SiteHistoryReportFilterSet):
    """The "User" filter offers the people of the log entries the user may see, not all who changed any page."""

    def get_users_queryset(self):
        return get_users_for_filter(self.request.user)


class ScopedLogEntriesView(LogEntriesView):
    filterset_class = ScopedSiteHistoryReportFilterSet


# --- pages, moderation, tasks and tags ----------------------------------------------------------


class ScopedChosenMultipleView(ChosenMultipleView):
    """The page chooser's last step names only the pages its listings offer (construct_page_chooser_queryset)."""

    def get(self, request):
        pks = [pk for pk in request.GET.getlist("id") if pk.isascii() and pk.isdigit()]
        pages = Page.objects.filter(pk__in=pks)
        for hook in hooks.get_hooks("construct_page_chooser_queryset"):
            pages = hook(pages, request)
        result = [
            {
                "id": page.pk,
                "parentId": page.get_parent().pk,
                "adminTitle": page.get_admin_display_title(),
                "editUrl": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                "url": page.url,
            }
            for page in pages.specific()
        ]
        return self.render_chosen_response(result)


def page_editors_only(view):
    """Only those who may edit or publish the page learn which workflow and task it is in."""

    @wraps(view)
    def wrapped(request, page_id, *args, **kwargs):
        permissions = get_object_or_404(Page, pk=page_id).permissions_for_user(request.user)
        if not (permissions.can_edit() or permissions.can_publish()):
            raise PermissionDenied
        return view(request, *args, page_id=page_id, **kwargs)

    return wrapped


# Through Wagtail's per-page-type routing, so that a page type's own viewset still answers.
confirm_workflow_cancellation = page_editors_only(
    page_viewset_registry.as_view("confirm_workflow_cancellation", page_id_kwarg="page_id")
)


# wagtail-localize lets anyone with its "submit translation" permission translate any page, or update the
# translations of any source; here only those who may edit the page (a city's editors their city's pages,
# coordinators everything below the home page).
submit_page_translation = page_editors_only(SubmitPageTranslationView.as_view())


def update_translations(request, translation_source_id):
    source = get_object_or_404(TranslationSource, pk=translation_source_id)
    instance = source.get_source_instance()
    if not isinstance(instance, Page) or not instance.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return UpdateTranslationsView.as_view()(request, translation_source_id=translation_source_id)


def workflow_editors_only(view):
    """The task chooser serves the workflow editor: it lists every task of the site, so only for its users."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not policy_registry.get_by_type(Workflow).user_has_any_permission(request.user, ["add", "change"]):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


task_chooser = workflow_editors_only(workflows.TaskChooserView.as_view())
task_chooser_results = workflow_editors_only(workflows.TaskChooserResultsView.as_view())
task_chooser_create = workflow_editors_only(workflows.TaskChooserCreateView.as_view())
task_chosen = workflow_editors_only(workflows.task_chosen)


def tag_autocomplete(request, app_name=None, model_name=None):
    """Tags of the images and documents the user may choose or change (Wagtail suggests every tag of the site)."""
    if app_name and model_name:
        try:
            tag_model = ContentType.objects.get_by_natural_key(app_name, model_name).model_class()
        except ContentType.DoesNotExist as error:
            raise Http404 from error
        if tag_model is not Tag:  # no other tag model is in use; a new one needs its own rule here
            raise Http404
    term = request.GET.get("term", "")
    if not term:
        return JsonResponse([], safe=False)
    tagged = Q()
    for model in (get_image_model(), get_document_model()):
        permitted = policy_registry.get_by_type(model).instances_user_has_any_permission_for(
            request.user, ["choose", "change"]
        )
        tagged |= Q(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(model),
            taggit_taggeditem_items__object_id__in=permitted.values("pk"),
        )
    tags = (
        Tag.objects.filter(tagged, name__istartswith=term)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)[:TAGS_AUTOCOMPLETE_LIMIT]
    )
    return JsonResponse(list(tags), safe=False)


# A translator's PO file: at most this big (a long page's translation is a few hundred kilobytes).
PO_MAX_BYTES = 2 * 1024 * 1024


@require_POST
def upload_pofile(request, translation_id):
    """wagtail-localize's PO upload, after checks of our own: it answered a missing file, or a PO file made for
    no translation (no ``X-WagtailLocalize-TranslationID`` header), with a server error. Each now gets a message
    on the translation editor, and nothing is imported; a good file goes on to wagtail-localize's view (which
    checks the editor's permission and the header's translation)."""
    translation = get_object_or_404(Translation, id=translation_id)
    problem = _po_problem(request.FILES.get("file"))
    if problem is None:
        request.FILES["file"].seek(0)
        return edit_translation.upload_pofile(request, translation_id)
    instance = translation.get_target_instance()
    if not edit_translation.user_can_edit_instance(request.user, instance):
        raise PermissionDenied
    messages.error(request, problem)
    return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_home"))


def _po_problem(upload) -> str | None:
    """Why an uploaded file cannot be a translation's PO file, or None."""
    if upload is None:
        return _("Choose a PO file to upload.")
    if upload.size > PO_MAX_BYTES:
        return _("The PO file is larger than %(size)s MB.") % {"size": PO_MAX_BYTES // (1024 * 1024)}
    # polib reads a path when given one, so the upload is parsed from a file of its own, never from its text.
    with tempfile.NamedTemporaryFile(delete=False, suffix=".po") as scratch:
        scratch.write(upload.read())
    try:
        po = polib.pofile(scratch.name)
    except (OSError, UnicodeDecodeError, ValueError):
        return _("Please upload a valid PO file.")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(scratch.name)
    if not po.metadata.get("X-WagtailLocalize-TranslationID"):
        return _(
            "This PO file was not exported from a translation: download the PO file of this translation, "
            "translate it and upload it here."
        )
    return None
