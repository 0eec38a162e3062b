"""Vocabularies as Wagtail snippets, grouped under one menu for coordinators; admin-wide page guards."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from wagtail import hooks
from wagtail.admin.site_summary import PagesSummaryItem
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from hub.admin_views import pages_worked_on
from hub.models import Country, GroupAtRisk, Instrument, Language, Method, SDGGoal, SDGIndicator, SDGTarget, Theme


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]


class InstrumentViewSet(SnippetViewSet):
    model = Instrument
    icon = "doc-full"
    list_display = ["code", "name", "adopted"]


class SDGGoalViewSet(SnippetViewSet):
    model = SDGGoal
    icon = "pick"
    list_display = ["number", "short"]
    ordering = ["number"]


class SDGTargetViewSet(SnippetViewSet):
    model = SDGTarget
    icon = "pick"
    list_display = ["code", "title"]
    list_filter = ["goal"]
    search_fields = ["code", "title"]


class SDGIndicatorViewSet(SnippetViewSet):
    model = SDGIndicator
    icon = "pick"
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


class MethodViewSet(SnippetViewSet):
    model = Method
    icon = "cogs"
    list_display = ["name", "slug"]
    search_fields = ["name", "summary"]


class GroupAtRiskViewSet(SnippetViewSet):
    model = GroupAtRisk
    icon = "group"
    list_display = ["name", "slug"]


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "site"
    list_display = ["name", "code", "code3"]
    search_fields = ["name", "code"]


class LanguageViewSet(SnippetViewSet):
    model = Language
    icon = "globe"
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = "Vocabularies"
    menu_icon = "list-ul"
    menu_order = 300
    items = (
        ThemeViewSet,
        InstrumentViewSet,
        SDGGoalViewSet,
        SDGTargetViewSet,
        SDGIndicatorViewSet,
        MethodViewSet,
        GroupAtRiskViewSet,
        CountryViewSet,
        LanguageViewSet,
    )


register_snippet(VocabularyGroup)


@hooks.register("before_move_page")
def refuse_moves_out_of_reach(request, page, destination):
    """A move the user may not make is refused at once, not after a confirmation page that names the target."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied


@hooks.register("construct_page_chooser_queryset")
def chooser_lists_live_pages_and_own_drafts(pages, request):
    """Wagtail's chooser lists every page; drafts are shown only to those who may edit them (another city's draft
    call must not be named to its officials)."""
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(request.user, ["change", "publish"])
    return pages.filter(Q(live=True) | Q(pk__in=editable.values("pk")))


class PagesWorkedOnSummaryItem(PagesSummaryItem):
    """The dashboard's page count covers the pages the user works on.

    Wagtail counts every page under the user's explorable root: for an editor of two cities that is the cities index,
    with every other city's drafts.
    """

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["total_pages"] = pages_worked_on(self.request.user).filter(depth__gt=1).count()
        return context


@hooks.register("construct_homepage_summary_items", order=100)
def count_pages_worked_on(request, summary_items):
    """Runs after Wagtail's own hook, which adds the item it replaces."""
    summary_items[:] = [
        PagesWorkedOnSummaryItem(request) if type(item) is PagesSummaryItem else item for item in summary_items
    ]


def _actionable_objects_only(self):
    """Bulk actions name only the objects the user may act on.

    Wagtail lists the others as "You don't have permission to …" with their titles, so any admin user could read
    another city's draft call titles or membership requests by putting their ids in a bulk action URL.
    """
    objects, _refused = _wagtail_actionable_objects(self)
    return objects, {"items_with_no_access": []}


_wagtail_actionable_objects = BulkAction.get_actionable_objects
BulkAction.get_actionable_objects = _actionable_objects_only
