"""Organisations and memberships in the Wagtail admin, with the coordinators' verify action."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.snippets.models import register_snippet
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


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "user"
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
