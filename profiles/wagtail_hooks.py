"""Organisations and memberships in the Wagtail admin, with the coordinators' verify action."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet, SnippetChosenView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from profiles.admin_views import verify_organisation
from profiles.models import Membership, Organisation
from profiles.services import is_coordinator


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "kind", "country", "city", "verified", "created_at"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "city"]
    ordering = ["verified", "name"]


class MembershipViewRequired:
    """Wagtail's snippet choosers answer every admin user; memberships (who asked to join which organisation) are
    only for those who may view them, not for every city's officials."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("profiles.view_membership"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MembershipChooseView(MembershipViewRequired, ChooseView):
    pass


class MembershipChooseResultsView(MembershipViewRequired, ChooseResultsView):
    pass


class MembershipChosenView(MembershipViewRequired, SnippetChosenView):
    pass


class MembershipChooserViewSet(SnippetChooserViewSet):
    choose_view_class = MembershipChooseView
    choose_results_view_class = MembershipChooseResultsView
    chosen_view_class = MembershipChosenView


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "user"
    chooser_viewset_class = MembershipChooserViewSet
    list_display = ["user", "organisation", "role", "status", "created_at"]
    list_filter = ["status", "role"]
    inspect_view_enabled = True


class OrganisationGroup(SnippetViewSetGroup):
    menu_label = _("Organisations")
    menu_icon = "group"
    menu_order = 250
    items = (OrganisationViewSet, MembershipViewSet)


register_snippet(OrganisationGroup)


@hooks.register("register_admin_urls")
def register_verify_url():
    return [path("organisations/<int:pk>/verify/", verify_organisation, name="profiles_verify_organisation")]


@hooks.register("register_snippet_listing_buttons")
def verify_button(snippet, user, next_url=None):
    if isinstance(snippet, Organisation) and not snippet.verified and is_coordinator(user):
        yield MenuItem(
            _("Verify"), reverse("profiles_verify_organisation", args=[snippet.pk]), icon_name="success", priority=5
        )
