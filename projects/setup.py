"""Pages, roles and the moderation workflow the methods library and case studies need (idempotent; runs after migrate)."""

from django.contrib.auth.models import Group, Permission

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from hub.models import HomePage
from profiles.services import COORDINATORS_GROUP
from projects.models import CaseStudyIndexPage, MethodsIndexPage

METHODS_WORKFLOW = "Methods library moderation"
METHODS_TASK = "Approval by network coordinators"
METHOD_TOOLS_COLLECTION = "Method tools"
COORDINATOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
COORDINATOR_DOCUMENT_PERMISSIONS = ("add_document", "change_document", "choose_document")


def ensure_pages(**kwargs) -> None:
    """/methods/ and /case-studies/ under the home page; coordinators edit and publish both subtrees."""
    home = HomePage.objects.first()
    if home is None:
        return
    methods_index = MethodsIndexPage.objects.first()
    if methods_index is None:
        methods_index = home.add_child(
            instance=MethodsIndexPage(
                title="Methods library",
                slug="methods",
                intro="Field-proven ways to research human rights locally: what each method is, when to use it, "
                "its steps, ethics and participation guidance, templates and tools, and who used it.",
            )
        )
    case_index = CaseStudyIndexPage.objects.first()
    if case_index is None:
        case_index = home.add_child(
            instance=CaseStudyIndexPage(
                title="Case studies",
                slug="case-studies",
                intro="How cities and researchers worked together, what changed, and what they learned. "
                "Filter by theme, SDG, method or region.",
            )
        )
    coordinators = Group.objects.filter(name=_coordinators_group_name()).first()
    if coordinators is None:
        return
    _grant_pages(coordinators, [methods_index, case_index])
    method_tools_collection(coordinators)
    methods_workflow_ensure(methods_index=methods_index, coordinators=coordinators)


def _coordinators_group_name() -> str:
    return COORDINATORS_GROUP


def _grant_pages(group: Group, pages) -> None:
    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=COORDINATOR_PAGE_PERMISSIONS
    )
    for page in pages:
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def method_tools_collection(coordinators: Group | None = None):
    """The collection where proposed tools' files are stored; coordinators manage its documents."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=METHOD_TOOLS_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=METHOD_TOOLS_COLLECTION)
    if coordinators is not None:
        for permission in Permission.objects.filter(
            content_type__app_label="wagtaildocs", codename__in=COORDINATOR_DOCUMENT_PERMISSIONS
        ):
            GroupCollectionPermission.objects.get_or_create(
                group=coordinators, collection=collection, permission=permission
            )
    return collection


def methods_workflow_ensure(*, methods_index, coordinators: Group):
    """One workflow on /methods/: a group-approval task for network coordinators."""
    workflow_page = WorkflowPage.objects.filter(page=methods_index).select_related("workflow").first()
    if workflow_page is None:
        workflow = Workflow.objects.filter(name=METHODS_WORKFLOW).first() or Workflow.objects.create(
            name=METHODS_WORKFLOW
        )
        WorkflowPage.objects.create(page=methods_index, workflow=workflow)
    else:
        workflow = workflow_page.workflow
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        task = GroupApprovalTask.objects.filter(name=METHODS_TASK).first() or GroupApprovalTask.objects.create(
            name=METHODS_TASK
        )
        task.groups.add(coordinators)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow
