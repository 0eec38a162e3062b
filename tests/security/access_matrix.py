"""The access matrix: every private object type × every channel that could show it, in one table.

Each ``PrivateObject`` names its model, its rightful owner (a user of ``access_world``) and, for *every* channel,
either the probes to try or ``NotApplicable(reason)``. A type that leaves out a channel fails
``test_every_type_decides_every_channel``, and a model that is neither in the table nor declared public fails
``test_every_model_is_classified``, so that a new object type cannot be forgotten.

A probe is one URL (a template over ``AccessWorld.objects``, or ``rev(...)`` for a named URL) and what an attacker
must get there:

- ``deny(url)``: a refusal — 404 or 403; a redirect to sign-in for anonymous people; in the Wagtail admin also
  Wagtail's own refusals: the admin sign-in for accounts without admin access and the dashboard (with its
  "permission denied" message) for admin users without permission on the object.
- ``conceal(url)``: a public (or per-user) page, list or file that may open, but whose body never contains the
  object's marker; ``shows=`` names a public twin's marker that must be there, which proves the channel lists
  objects of this type (so the absence of the private one means something).

The positive controls sign in as ``viewer`` (the owner unless said otherwise) and expect a 200 with the marker, so
a test fails when a URL is wrong rather than passing on a 404 of a typo.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from django.urls import reverse


class Channel(StrEnum):
    PAGE = "page"  # front-end pages (detail, edit, team, manage, dashboards)
    DOWNLOAD = "download"  # files and per-user exports
    ADMIN_EDIT = "admin_edit"  # Wagtail admin: edit, inspect, delete, unpublish and the apps' own admin actions
    ADMIN_PREVIEW = "admin_preview"
    ADMIN_REVISIONS = "admin_revisions"
    ADMIN_HISTORY = "admin_history"
    ADMIN_COPY_MOVE = "admin_copy_move"
    ADMIN_CHOOSER = "admin_chooser"
    ADMIN_BULK = "admin_bulk"
    ADMIN_LISTING = "admin_listing"  # explorer, admin search, snippet and user listings, the dashboard
    ADMIN_REPORTS = "admin_reports"  # Wagtail's reports (locks, moderation, site history, aging, page types), CSV too
    SEARCH = "search"
    FEEDS = "feeds"  # Atom, iCalendar, the DCAT catalogue
    SITEMAP = "sitemap"
    API = "api"  # /api/v1/ lists and details
    CSV = "csv"  # CSV exports and the bulk zip


UrlTemplate = str | Callable[[object], str]


@dataclass(frozen=True)
class Probe:
    url: UrlTemplate
    conceal: bool = False
    viewer: str | None = "owner"  # who the positive control signs in as; None: nobody may open it
    viewer_sees_marker: bool = True
    shows: str | None = None  # a public twin's marker every actor must see there
    unzip: bool = False

    @property
    def label(self) -> str:
        return getattr(self.url, "label", self.url)

    def path(self, world) -> str:
        return self.url(world) if callable(self.url) else world.url(self.url)


@dataclass(frozen=True)
class NotApplicable:
    reason: str

    def __post_init__(self):
        assert len(self.reason) > 15, "say why the channel cannot show this object"


@dataclass(frozen=True)
class PrivateObject:
    name: str
    model: str  # "app_label.ModelName"
    owner: str  # a key of AccessWorld.users
    channels: Mapping[Channel, tuple[Probe, ...] | NotApplicable]

    def probes(self, channel: Channel) -> tuple[Probe, ...]:
        cell = self.channels[channel]
        return () if isinstance(cell, NotApplicable) else cell


def deny(url: UrlTemplate, **options) -> Probe:
    return Probe(url, conceal=False, **options)


def conceal(url: UrlTemplate, **options) -> Probe:
    options.setdefault("viewer_sees_marker", False)
    return Probe(url, conceal=True, **options)


def rev(name: str, *args: str, query: str = "") -> Callable[[object], str]:
    """A named URL whose arguments are templates over the world's objects, e.g. rev("x", "{call.pk}")."""

    def build(world) -> str:
        return reverse(name, args=[world.url(a) for a in args]) + world.url(query)

    build.label = name
    return build


def bulk(app_label: str, model_name: str, action: str, pk: str) -> Callable[[object], str]:
    """A bulk action's confirmation page for one object (it opens, but must name only what the user may act on)."""
    return rev("wagtail_bulk_action", app_label, model_name, action, query=f"?id={pk}")


def na(reason: str) -> NotApplicable:
    return NotApplicable(reason)


# Wagtail's reports: each page, and the CSV export of those that have one. ``reports(sees=...)`` names the reports
# in which the rightful viewer finds the object (a locked, moderated or last edited page; a logged snippet).
REPORTS = ("locked_pages", "workflow", "workflow_tasks", "site_history", "aging_pages", "page_types_usage")
EXPORTABLE_REPORTS = REPORTS[:5]


def _report(name: str, query: str = "") -> Callable[[object], str]:
    build = rev(f"wagtailadmin_reports:{name}", query=query)
    build.label = f"report {name}{query}"
    return build


def reports(viewer: str = "site_admin", sees: tuple[str, ...] = ()) -> tuple[Probe, ...]:
    """Every report and its CSV export conceal the object from the actors; ``viewer`` opens them."""
    probes = []
    for name in REPORTS:
        queries = ("", "?export=csv") if name in EXPORTABLE_REPORTS else ("",)
        probes += [conceal(_report(name, q), viewer=viewer, viewer_sees_marker=name in sees) for q in queries]
    return tuple(probes)


NOT_IN_ADMIN = "not registered in the Wagtail admin: no page, snippet or ModelViewSet shows it"
NO_ADMIN_TYPE = {
    Channel.ADMIN_EDIT: na(NOT_IN_ADMIN),
    Channel.ADMIN_PREVIEW: na(NOT_IN_ADMIN),
    Channel.ADMIN_REVISIONS: na(NOT_IN_ADMIN),
    Channel.ADMIN_HISTORY: na(NOT_IN_ADMIN),
    Channel.ADMIN_COPY_MOVE: na(NOT_IN_ADMIN),
    Channel.ADMIN_CHOOSER: na(NOT_IN_ADMIN),
    Channel.ADMIN_BULK: na(NOT_IN_ADMIN),
    Channel.ADMIN_LISTING: na(NOT_IN_ADMIN),
    # The site history lists the audit log of every model, so the reports are checked for every type all the same.
    Channel.ADMIN_REPORTS: reports(),
}

# The public listings every private text is searched for (the search word is in every private object and twin).
SEARCH = (conceal("/search/?q={word}"), conceal("/es/search/?q={word}"))
FEEDS = (conceal("/feeds/calls.atom"), conceal("/calls.ics"), conceal("/data/catalog.jsonld"))
SITEMAP = (conceal("/sitemap.xml"),)
PUBLIC_CSV = (
    conceal("/calls/export.csv"),
    conceal("/partnerships/export.csv"),
    conceal("/results/export.csv"),
    conceal("/organisations/export.csv"),
    conceal("/researchers/export.csv"),
    conceal("/data/bulk.zip", unzip=True),
)
PUBLIC_API = (
    conceal("/api/v1/calls/"),
    conceal("/api/v1/calls/{call.pk}"),
    conceal("/api/v1/partnerships/"),
    conceal("/api/v1/partnerships/{partnership.slug}"),
    conceal("/api/v1/results/"),
    conceal("/api/v1/datasets/"),
    conceal("/api/v1/organisations/"),
    conceal("/api/v1/organisations/{city.slug}"),
    conceal("/api/v1/researchers/"),
)
# What the researcher sees of their own proposals and reviews, and of an organisation.
OWN_LISTS = (conceal("/dashboard/"), conceal("/proposals/"), conceal("/reviews/"))
CALL_DESK = "{call.pk}"
# The owner's data export (issue 18: it holds their comments and their files' names, notifications, meta-reviews and
# flags); every actor downloads their own, which must not hold the object.
OWN_EXPORT = (conceal(rev("account_export"), viewer_sees_marker=True),)

PROPOSAL_LISTINGS = {
    Channel.SEARCH: SEARCH,
    Channel.FEEDS: FEEDS,
    Channel.SITEMAP: SITEMAP,
    Channel.API: (deny("/api/v1/proposals/{proposal.pk}", viewer=None), *PUBLIC_API),
}
CALL_DESK_PROBES = (
    deny(rev("call_manage", CALL_DESK), viewer="city_official"),
    deny(rev("call_ranking", CALL_DESK), viewer="city_official"),
    # The desk (issue 20): per call and across the city's calls. Its bulk actions are POST-only (tests/calls/test_desk.py).
    deny(rev("desk_call_list", CALL_DESK), viewer="city_official"),
    deny(rev("desk_list"), viewer="city_official"),
)
DESK_CSV = (
    deny(rev("desk_call_csv", CALL_DESK), viewer="city_official"),
    deny(rev("desk_csv"), viewer="city_official"),
)

TABLE: tuple[PrivateObject, ...] = (
    PrivateObject(
        name="proposal",
        model="calls.Proposal",
        owner="lead",
        channels={
            Channel.PAGE: (
                deny(rev("proposal_detail", "{proposal.pk}")),
                deny(rev("proposal_team", "{proposal.pk}")),
                deny(rev("proposal_detail", "{proposal.pk}"), viewer="city_official"),
                deny(rev("proposal_detail", "{proposal.pk}"), viewer="reviewer"),
                *CALL_DESK_PROBES,
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: na("a proposal has no file of its own: its PDFs are the proposal_attachment type"),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: (deny(rev("call_export", CALL_DESK), viewer="city_official"), *DESK_CSV, *PUBLIC_CSV),
        },
    ),
    PrivateObject(
        name="proposal_attachment",
        model="calls.Attachment",
        owner="lead",
        channels={
            Channel.PAGE: (deny(rev("proposal_detail", "{proposal.pk}")), *OWN_LISTS),
            Channel.DOWNLOAD: (
                deny(rev("proposal_attachment", "{proposal.pk}", "{attachment.pk}")),
                deny(rev("proposal_attachment", "{proposal.pk}", "{attachment.pk}"), viewer="reviewer"),
            ),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="proposal_version",
        model="calls.ProposalVersion",
        owner="lead",
        channels={
            Channel.PAGE: (
                deny(rev("proposal_versions", "{proposal.pk}"), viewer_sees_marker=False),  # it shows changes only
                deny(rev("proposal_version", "{proposal.pk}", "1")),
                deny(rev("proposal_version", "{proposal.pk}", "1"), viewer="city_official"),
                deny(rev("review_assignment", "{review.pk}"), viewer="reviewer"),
                *OWN_LISTS,
            ),
            # Issue 18 §5: the version as PDF (its text is compressed, so the control checks the status only).
            Channel.DOWNLOAD: (
                deny(rev("proposal_version_pdf", "{proposal.pk}", "1"), viewer_sees_marker=False),
                deny(
                    rev("proposal_version_pdf", "{proposal.pk}", "1"), viewer="city_official", viewer_sees_marker=False
                ),
            ),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="review",
        model="calls.ReviewAssignment",
        owner="reviewer",
        channels={
            Channel.PAGE: (
                deny(rev("review_assignment", "{review.pk}")),
                *(replace(p, viewer_sees_marker=False) for p in CALL_DESK_PROBES),  # scores, not comments
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: na("a review has no file; its scores are in the call's CSV (the csv channel)"),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: (
                deny(rev("call_export", CALL_DESK), viewer="city_official", viewer_sees_marker=False),
                *(replace(p, viewer_sees_marker=False) for p in DESK_CSV),
                *PUBLIC_CSV,
            ),
        },
    ),
    PrivateObject(
        name="workspace_file",
        model="projects.WorkspaceDocumentVersion",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("partnership_workspace", "{partnership.slug}")),
                deny(rev("workspace_document", "{partnership.slug}", "{document.pk}")),
                conceal(rev("partnership_detail", "{partnership.slug}")),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: (
                deny(rev("workspace_version_download", "{partnership.slug}", "{document.pk}", "1")),
                deny(
                    rev("workspace_version_download", "{partnership.slug}", "{document.pk}", "1"),
                    viewer="city_official",
                ),
            ),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: PUBLIC_API,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    # A partnership's life (issue 19 §1): reports and the signed agreement are for members and the city's officials.
    PrivateObject(
        name="partnership_report",
        model="projects.PartnershipReport",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("life_report", "{partnership.slug}", "{report.pk}")),
                deny(rev("life_report", "{partnership.slug}", "{report.pk}"), viewer="city_official"),
                deny(rev("life_manage", "{partnership.slug}"), viewer_sees_marker=False),  # titles, not content
                conceal(rev("partnership_detail", "{partnership.slug}")),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: (
                deny(rev("life_report_attachment", "{partnership.slug}", "{report.pk}", "{report_attachment.pk}")),
                deny(
                    rev("life_report_attachment", "{partnership.slug}", "{report.pk}", "{report_attachment.pk}"),
                    viewer="city_official",
                ),
            ),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (conceal("/api/v1/partnerships/{partnership.slug}/life"), *PUBLIC_API),
            Channel.CSV: (conceal("/partnerships/reports/export.csv"), *PUBLIC_CSV),
        },
    ),
    PrivateObject(
        name="partnership_agreement",
        model="projects.Agreement",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("life_manage", "{partnership.slug}")),
                deny(rev("partnership_workspace", "{partnership.slug}")),
                conceal(rev("partnership_detail", "{partnership.slug}")),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: (
                deny(rev("life_agreement_download", "{partnership.slug}", "{agreement.pk}")),
                deny(rev("life_agreement_download", "{partnership.slug}", "{agreement.pk}"), viewer="city_official"),
            ),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (conceal("/api/v1/partnerships/{partnership.slug}/life"), *PUBLIC_API),
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="dataset_on_request",
        model="projects.Dataset",
        owner="member",
        channels={
            Channel.PAGE: (
                conceal(rev("dataset_detail", "{dataset.slug}"), viewer_sees_marker=True, shows="dataset_title"),
                deny(rev("dataset_requests", "{dataset.slug}"), viewer_sees_marker=False),
                deny(rev("dataset_edit", "{dataset.slug}"), viewer_sees_marker=False),
                conceal(rev("dataset_list"), shows="dataset_title"),
            ),
            Channel.DOWNLOAD: (
                deny(rev("dataset_download_csv", "{dataset.slug}")),
                deny(rev("dataset_download_json", "{dataset.slug}")),
                conceal(rev("dataset_jsonld", "{dataset.slug}"), shows="dataset_title"),
            ),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: tuple(conceal(p.url, shows="dataset_title") for p in SEARCH),
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (
                deny("/api/v1/datasets/{dataset.pk}/rows", viewer=None),
                conceal("/api/v1/datasets/{dataset.pk}", shows="dataset_title"),
                *PUBLIC_API,
            ),
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="draft_call",
        model="calls.ResearchCall",
        owner="city_official",
        channels={
            Channel.PAGE: (
                deny("{draft_call_url}", viewer=None),  # Wagtail serves no draft, not even to its editors
                deny(rev("call_manage", "{draft_call.pk}")),
                deny(rev("call_consultation_manage", "{draft_call.pk}"), viewer_sees_marker=False),
                deny(rev("call_researchers", "{draft_call.pk}"), viewer=None),
                deny(rev("proposal_start", "{draft_call.pk}"), viewer=None),
                conceal("/calls/", shows="published_call"),
                conceal("{city_page.url}", shows="published_call"),
            ),
            Channel.DOWNLOAD: na("a call has no private file; its documents are Wagtail documents of the city"),
            Channel.ADMIN_EDIT: (
                deny(rev("wagtailadmin_pages:edit", "{draft_call.pk}")),
                deny(rev("wagtailadmin_pages:delete", "{draft_call.pk}")),
                deny(rev("calls_cancel", "{draft_call.pk}")),
                deny(rev("calls_use_as_template", "{draft_call.pk}"), viewer=None),
                # The publish confirmation names the page's workflow and task.
                deny(
                    rev("wagtailadmin_pages:confirm_workflow_cancellation", "{draft_call.pk}"), viewer_sees_marker=False
                ),
            ),
            Channel.ADMIN_PREVIEW: (
                deny(rev("wagtailadmin_pages:view_draft", "{draft_call.pk}")),
                deny(rev("wagtailadmin_pages:preview_on_edit", "{draft_call.pk}"), viewer_sees_marker=False),
            ),
            Channel.ADMIN_REVISIONS: (
                deny(rev("wagtailadmin_pages:revisions_view", "{draft_call.pk}", "{draft_revision}")),
                deny(rev("wagtailadmin_pages:revisions_compare", "{draft_call.pk}", "earliest", "{draft_revision}")),
            ),
            Channel.ADMIN_HISTORY: (
                deny(rev("wagtailadmin_pages:history", "{draft_call.pk}")),
                deny(rev("wagtailadmin_pages:workflow_history", "{draft_call.pk}")),
            ),
            Channel.ADMIN_COPY_MOVE: (
                deny(rev("wagtailadmin_pages:copy", "{draft_call.pk}")),
                deny(rev("wagtailadmin_pages:move", "{draft_call.pk}")),
            ),
            Channel.ADMIN_CHOOSER: (
                conceal(rev("wagtailadmin_choose_page_child", "{city_page.pk}"), viewer_sees_marker=True),
                conceal(rev("wagtailadmin_choose_page_search", query="?q={word}"), viewer_sees_marker=True),
                conceal(
                    rev("wagtailadmin_choose_page_chosen_multiple", query="?id={draft_call.pk}"),
                    viewer_sees_marker=True,
                ),
            ),
            Channel.ADMIN_BULK: tuple(
                conceal(bulk("wagtailcore", "page", action, "{draft_call.pk}"), viewer_sees_marker=True)
                for action in ("delete", "publish", "move")
            ),
            Channel.ADMIN_LISTING: (
                conceal(rev("wagtailadmin_explore", "{city_page.pk}"), viewer_sees_marker=True),
                conceal(rev("wagtailadmin_pages:search", query="?q={word}"), viewer_sees_marker=True),
                conceal("/admin/api/main/pages/?child_of={city_page.pk}", viewer_sees_marker=True),
                deny("/admin/api/main/pages/{draft_call.pk}/"),
                conceal(rev("wagtailadmin_home"), viewer_sees_marker=True),  # "awaiting your review" for its city
                conceal(rev("wagtailadmin_pages:type_use", "calls", "researchcall"), viewer_sees_marker=True),
            ),
            # Locked and in moderation; the last edited call of its city; not published, so never an aging page.
            Channel.ADMIN_REPORTS: reports(
                viewer="city_official",
                sees=("locked_pages", "workflow", "workflow_tasks", "site_history", "page_types_usage"),
            ),
            Channel.SEARCH: tuple(conceal(p.url, shows="published_call") for p in SEARCH),
            Channel.FEEDS: (
                conceal("/feeds/calls.atom", shows="published_call"),
                conceal("/calls.ics", shows="published_call"),
            ),
            Channel.SITEMAP: (conceal("/sitemap.xml", shows="published_call"),),
            Channel.API: (
                deny("/api/v1/calls/{draft_call.pk}", viewer=None),
                conceal("/api/v1/calls/", shows="published_call"),
                conceal("/api/v1/cities/"),
            ),
            Channel.CSV: (conceal("/calls/export.csv", shows="published_call"), conceal("/data/bulk.zip", unzip=True)),
        },
    ),
    PrivateObject(
        name="draft_result",
        model="projects.Result",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("result_detail", "{draft_result.slug}")),
                deny(rev("result_edit", "{draft_result.slug}")),
                conceal(rev("result_list"), shows="published_result"),
                conceal(rev("partnership_detail", "{partnership.slug}"), shows="published_result"),
                conceal(rev("uptake_list")),
            ),
            Channel.DOWNLOAD: (deny(rev("result_file", "{draft_result.slug}", "{result_file.pk}")),),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: tuple(conceal(p.url, shows="published_result") for p in SEARCH),
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (
                deny("/api/v1/results/{draft_result.pk}", viewer=None),
                deny("/api/v1/results/{draft_result.slug}", viewer=None),
                conceal("/api/v1/results/", shows="published_result"),
                conceal("/api/v1/partnerships/{partnership.slug}"),
                conceal("/api/v1/policy-uptake/"),
            ),
            Channel.CSV: (
                conceal("/results/export.csv", shows="published_result"),
                conceal("/data/bulk.zip", unzip=True, shows="published_result"),
            ),
        },
    ),
    PrivateObject(
        name="membership_request",
        model="profiles.Membership",
        owner="city_official",
        channels={
            Channel.PAGE: (
                deny(rev("organisation_members", "{city.slug}")),
                conceal(rev("organisation_detail", "{city.slug}")),
                conceal(rev("organisation_list")),
                conceal("/dashboard/"),
            ),
            Channel.DOWNLOAD: na("a request has no file; the requester's own export is the personal_data_export type"),
            Channel.ADMIN_EDIT: (
                deny(rev("wagtailsnippets_profiles_membership:edit", "{membership.pk}"), viewer="site_admin"),
                deny(rev("wagtailsnippets_profiles_membership:inspect", "{membership.pk}"), viewer="coordinator"),
                deny(rev("wagtailsnippets_profiles_membership:delete", "{membership.pk}"), viewer="site_admin"),
            ),
            Channel.ADMIN_PREVIEW: na("Membership is not previewable (no PreviewableMixin)"),
            Channel.ADMIN_REVISIONS: na("Membership keeps no revisions (no RevisionMixin)"),
            Channel.ADMIN_HISTORY: (
                deny(rev("wagtailsnippets_profiles_membership:history", "{membership.pk}"), viewer="site_admin"),
            ),
            Channel.ADMIN_COPY_MOVE: (
                deny(rev("wagtailsnippets_profiles_membership:copy", "{membership.pk}"), viewer="site_admin"),
            ),
            Channel.ADMIN_CHOOSER: (
                conceal(rev("wagtailsnippetchoosers_profiles_membership:choose"), viewer="site_admin"),
                conceal(rev("wagtailsnippetchoosers_profiles_membership:choose_results"), viewer="site_admin"),
                deny(rev("wagtailsnippetchoosers_profiles_membership:chosen", "{membership.pk}"), viewer="coordinator"),
            ),
            Channel.ADMIN_BULK: (
                conceal(bulk("profiles", "membership", "delete", "{membership.pk}"), viewer="site_admin"),
            ),
            Channel.ADMIN_LISTING: (
                conceal(rev("wagtailsnippets_profiles_membership:list"), viewer="coordinator", viewer_sees_marker=True),
                conceal(rev("wagtailadmin_home"), viewer="city_official"),
            ),
            Channel.ADMIN_REPORTS: reports(sees=("site_history",)),  # a coordinator's edit is in the audit log
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: PUBLIC_API,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="personal_data_export",
        model="profiles.User",
        owner="exporter",
        channels={
            Channel.PAGE: (
                conceal(rev("researcher_detail", "{exporter_profile.pk}")),
                conceal(rev("researcher_list")),
                conceal("/dashboard/"),
            ),
            Channel.DOWNLOAD: (conceal(rev("account_export"), viewer_sees_marker=True),),
            Channel.ADMIN_EDIT: (deny(rev("wagtailusers_users:edit", "{exporter.pk}"), viewer="site_admin"),),
            Channel.ADMIN_PREVIEW: na("users are not previewable in the Wagtail admin"),
            Channel.ADMIN_REVISIONS: na("users keep no revisions in the Wagtail admin"),
            Channel.ADMIN_HISTORY: (
                deny(rev("wagtailusers_users:history", "{exporter.pk}"), viewer="site_admin", viewer_sees_marker=False),
            ),
            Channel.ADMIN_COPY_MOVE: (deny(rev("wagtailusers_users:copy", "{exporter.pk}"), viewer="site_admin"),),
            Channel.ADMIN_CHOOSER: na("the Wagtail admin has no user chooser in this project"),
            Channel.ADMIN_BULK: tuple(
                conceal(bulk("profiles", "user", action, "{exporter.pk}"), viewer="site_admin")
                for action in ("delete", "set_active_state", "assign_role")
            ),
            Channel.ADMIN_LISTING: (
                conceal(rev("wagtailusers_users:index"), viewer="site_admin", viewer_sees_marker=True),
                conceal(rev("wagtailadmin_home"), viewer="site_admin"),
            ),
            Channel.ADMIN_REPORTS: reports(),  # the audit log names users by name; the marker is in the address
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (conceal("/api/v1/researchers/{exporter_profile.pk}"), *PUBLIC_API),
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="moderation_report",
        model="projects.ModerationReport",
        owner="reporter",
        channels={
            Channel.PAGE: (
                deny(rev("moderation_queue"), viewer="coordinator"),
                conceal(rev("need_detail", "{need.pk}")),
                conceal(rev("need_list")),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: na("a report has no file; only the coordinators' queue page shows it"),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (conceal("/api/v1/needs/"), conceal("/api/v1/needs/{need.pk}"), *PUBLIC_API),
            Channel.CSV: (conceal("/needs/export.csv"), *PUBLIC_CSV),
        },
    ),
    # Panel (issue 18 §4–5): the chair's meta-review, for the city and the call's chairs only.
    PrivateObject(
        name="meta_review",
        model="calls.MetaReview",
        owner="city_official",
        channels={
            Channel.PAGE: (
                deny(rev("meta_review", "{proposal.pk}")),
                deny(rev("proposal_detail", "{proposal.pk}")),
                deny(rev("call_panel", CALL_DESK), viewer_sees_marker=False),  # recommendations, not the summary
                deny(rev("call_ranking", CALL_DESK), viewer_sees_marker=False),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: OWN_EXPORT,
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: (
                deny(rev("call_export", CALL_DESK), viewer_sees_marker=False),
                *(replace(p, viewer_sees_marker=False) for p in DESK_CSV),
                *PUBLIC_CSV,
            ),
        },
    ),
    # A flag shared with the city (a private flag is narrower still: its owner's own queryset, tests/calls/test_panel.py).
    PrivateObject(
        name="proposal_flag",
        model="calls.ProposalFlag",
        owner="city_official",
        channels={
            Channel.PAGE: (
                deny(rev("proposal_detail", "{proposal.pk}")),
                deny(rev("desk_call_list", CALL_DESK, query="?cols=flags")),
                deny(rev("desk_list", query="?cols=flags")),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: OWN_EXPORT,
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: (*(replace(p, viewer_sees_marker=False) for p in DESK_CSV), *PUBLIC_CSV),
        },
    ),
)

# Issue 18 §3 (dialogue): an internal comment with its file, a team-only one with its file, a notification; §2: a bid.
TABLE += (
    PrivateObject(
        name="proposal_comment",
        model="calls.ProposalComment",
        owner="city_official",
        channels={
            Channel.PAGE: (
                deny(rev("proposal_discussion", "{proposal.pk}")),
                deny(rev("proposal_discussion", "{proposal.pk}"), viewer="reviewer"),
                deny(rev("proposal_detail", "{proposal.pk}"), viewer_sees_marker=False),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: OWN_EXPORT,  # its file is the comment_attachment type
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="comment_attachment",
        model="calls.CommentAttachment",
        owner="city_official",
        channels={
            Channel.PAGE: (deny(rev("proposal_discussion", "{proposal.pk}")), *OWN_LISTS),
            Channel.DOWNLOAD: (
                deny(rev("comment_attachment", "{proposal.pk}", "{comment.pk}")),
                deny(rev("comment_attachment", "{proposal.pk}", "{comment.pk}"), viewer="reviewer"),
                *OWN_EXPORT,  # the file's name
            ),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="notification",
        model="profiles.Notification",
        owner="lead",
        channels={
            Channel.PAGE: (
                conceal(rev("notifications"), viewer_sees_marker=True),
                conceal("/dashboard/", viewer_sees_marker=True),
            ),
            Channel.DOWNLOAD: OWN_EXPORT,
            **NO_ADMIN_TYPE,
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: PUBLIC_API,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    # The other end of the audiences: a team-only comment of the lead with its file (who of the proposal reads which
    # audience, role by role, is tests/calls/test_dialogue.py).
    PrivateObject(
        name="team_comment",
        model="calls.ProposalComment",
        owner="lead",
        channels={
            Channel.PAGE: (
                deny(rev("proposal_discussion", "{proposal.pk}")),
                deny(rev("proposal_detail", "{proposal.pk}"), viewer_sees_marker=False),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: OWN_EXPORT,  # its file is the team_comment_attachment type
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    PrivateObject(
        name="team_comment_attachment",
        model="calls.CommentAttachment",
        owner="lead",
        channels={
            Channel.PAGE: (deny(rev("proposal_discussion", "{proposal.pk}")), *OWN_LISTS),
            Channel.DOWNLOAD: (deny(rev("comment_attachment", "{proposal.pk}", "{team_comment.pk}")), *OWN_EXPORT),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
    # Issue 18 §2: a reviewer's bid. A bid has no text, so its marker is the owner's checked choice on the bids page
    # (tests/security/conftest.py), which every reviewer of the call opens for their own bids.
    PrivateObject(
        name="review_bid",
        model="calls.ReviewBid",
        owner="reviewer",
        channels={
            Channel.PAGE: (
                conceal(rev("call_bids", CALL_DESK), viewer_sees_marker=True),
                deny(rev("call_reviewers_suggested", CALL_DESK), viewer="city_official", viewer_sees_marker=False),
                deny(rev("call_auto_assign", CALL_DESK), viewer="city_official", viewer_sees_marker=False),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: na("a bid has no file; the reviewer's own export lists it by proposal and level"),
            **NO_ADMIN_TYPE,
            **PROPOSAL_LISTINGS,
            Channel.CSV: PUBLIC_CSV,
        },
    ),
)

# Issue 19 §1–2: a deliverable kept for the members, and versions that are not public: the version of a result under
# embargo, an older file of a dataset on request, and a new file waiting for the team's confirmation.
VERSIONED = "{versioned_dataset.slug}"
DATASET_LISTINGS = {
    Channel.SEARCH: tuple(conceal(p.url, shows="dataset_title") for p in SEARCH),
    Channel.FEEDS: FEEDS,
    Channel.SITEMAP: SITEMAP,
    Channel.API: (
        deny("/api/v1/datasets/{versioned_dataset.pk}/rows", viewer=None),
        conceal("/api/v1/datasets/{versioned_dataset.pk}"),
        conceal("/api/v1/datasets/", shows="dataset_title"),
        *PUBLIC_API,
    ),
    Channel.CSV: (conceal("/data/datasets/export.csv", shows="dataset_title"), *PUBLIC_CSV),
}

TABLE += (
    PrivateObject(
        name="members_only_deliverable",
        model="projects.Deliverable",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("life_manage", "{partnership.slug}")),
                deny(rev("life_deliverable_edit", "{partnership.slug}", "{members_only_deliverable.pk}")),
                deny(
                    rev("life_deliverable_edit", "{partnership.slug}", "{members_only_deliverable.pk}"),
                    viewer="city_official",
                ),
                conceal(rev("partnership_detail", "{partnership.slug}"), shows="public_deliverable"),
                *OWN_LISTS,
            ),
            Channel.DOWNLOAD: na("a deliverable has no file; its results and datasets are their own types"),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: SEARCH,
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (
                conceal("/api/v1/partnerships/{partnership.slug}/life", shows="public_deliverable"),
                *PUBLIC_API,
            ),
            Channel.CSV: (
                conceal("/partnerships/deliverables/export.csv", shows="public_deliverable"),
                conceal("/partnerships/reports/export.csv"),
                conceal("/data/bulk.zip", unzip=True, shows="public_deliverable"),
                *PUBLIC_CSV,
            ),
        },
    ),
    PrivateObject(
        name="embargoed_result_version",
        model="projects.ResultVersion",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("result_version", "{embargoed_result.slug}", "1")),
                deny(rev("result_detail", "{embargoed_result.slug}")),
                conceal(rev("result_list"), shows="published_result"),
                conceal(rev("partnership_detail", "{partnership.slug}"), shows="published_result"),
                conceal(rev("uptake_list")),
            ),
            Channel.DOWNLOAD: (
                deny(rev("result_version_cite", "{embargoed_result.slug}", "1", "bib")),
                deny(rev("result_cite", "{embargoed_result.slug}", "datacite.xml")),
            ),
            **NO_ADMIN_TYPE,
            Channel.SEARCH: tuple(conceal(p.url, shows="published_result") for p in SEARCH),
            Channel.FEEDS: FEEDS,
            Channel.SITEMAP: SITEMAP,
            Channel.API: (
                deny("/api/v1/results/{embargoed_result.pk}", viewer=None),
                deny("/api/v1/results/{embargoed_result.slug}", viewer=None),
                conceal("/api/v1/results/", shows="published_result"),
                conceal("/api/v1/partnerships/{partnership.slug}/life"),
                conceal("/api/v1/policy-uptake/"),
            ),
            Channel.CSV: (
                conceal("/results/export.csv", shows="published_result"),
                conceal("/data/bulk.zip", unzip=True, shows="published_result"),
                conceal("/partnerships/deliverables/export.csv", shows="public_deliverable"),
            ),
        },
    ),
    PrivateObject(
        name="dataset_version_file",
        model="projects.DatasetVersion",
        owner="member",
        channels={
            Channel.PAGE: (
                conceal(rev("dataset_version", VERSIONED, "1")),
                conceal(rev("dataset_detail", VERSIONED)),
                conceal(rev("dataset_list"), shows="dataset_title"),
            ),
            Channel.DOWNLOAD: (
                deny(rev("dataset_version_download_csv", VERSIONED, "1")),
                deny(rev("dataset_version_download_json", VERSIONED, "1")),
                conceal(rev("dataset_version_cite", VERSIONED, "1", "datacite.xml")),
                conceal(rev("dataset_jsonld", VERSIONED)),
            ),
            **NO_ADMIN_TYPE,
            **DATASET_LISTINGS,
        },
    ),
    PrivateObject(
        name="pending_dataset_version",
        model="projects.DatasetVersion",
        owner="member",
        channels={
            Channel.PAGE: (
                deny(rev("dataset_version_review", VERSIONED)),
                deny(rev("dataset_version_new", VERSIONED), viewer_sees_marker=False),
                conceal(rev("dataset_detail", VERSIONED)),
                conceal(rev("dataset_version", VERSIONED, "2")),
                conceal(rev("dataset_list"), shows="dataset_title"),
            ),
            Channel.DOWNLOAD: (
                deny(rev("dataset_download_csv", VERSIONED), viewer_sees_marker=False),  # the current file, v2
                conceal(rev("dataset_version_cite", VERSIONED, "2", "datacite.xml")),
                conceal(rev("dataset_jsonld", VERSIONED)),
            ),
            **NO_ADMIN_TYPE,
            **DATASET_LISTINGS,
        },
    ),
)

# Models of the apps that are public by design or covered by a type of the table; the reason says which.
CLASSIFIED = {
    # calls
    "calls.CallsIndexPage": "public page",
    "calls.EvaluationCriterion": "public part of a call (drafts: the draft_call type)",
    "calls.TeamMember": "part of a proposal (the proposal type)",
    "calls.Milestone": "part of a proposal (the proposal type)",
    "calls.ReviewScore": "part of a review (the review type)",
    "calls.ProposalReminder": "a log of reminders sent to a proposal's team; no view shows it",
    "calls.ProposalActivity": "a proposal's log, shown on its page per audience (tests/calls/test_dialogue.py)",
    "calls.ConsultationComment": "public once published; pending ones are managed by the call's city",
    "calls.SavedSearch": "per-user alerts: only the owner's own /dashboard/alerts/ queryset",
    "calls.AlertDelivery": "a log of alert emails; no view shows it",
    "calls.ProfileVector": "matching cache of public profile facts; no view shows it",
    "calls.CallVector": "matching cache of public call facts; no view shows it",
    "calls.MatchInvitation": "a log of invitations a city sent; no view lists them",
    "calls.DeskView": "an official's saved filters of the desk: only the owner's own queryset (test_desk.py)",
    "calls.DeskBulkRun": "a log of an official's bulk action: only its author's progress page (test_desk.py)",
    "calls.PanelChair": "who chairs a call's panel: shown only on the call's panel page to its city and chairs (test_panel.py)",
    # profiles
    "profiles.Organisation": "public once verified",
    "profiles.ResearcherProfile": "public per field visibility (hidden fields: the personal_data_export type)",
    "profiles.ProfileLanguage": "public part of a profile",
    "profiles.Publication": "public part of a profile",
    "profiles.AffiliationPeriod": "a profile's earlier affiliations: shown nowhere but its owner's edit page; the "
    "call's officials read only conflicts derived from it (the organisation and years)",
    "profiles.CitiesIndexPage": "public page",
    "profiles.CityPage": "public page",
    # projects
    "projects.CaseStudyIndexPage": "public page",
    "projects.CaseStudyPage": "public page",
    "projects.MethodsIndexPage": "public page",
    "projects.MethodPage": "public page",
    "projects.MethodTool": "public part of a method page",
    "projects.Partnership": "public unless is_public=False (the workspace is the workspace_file type)",
    "projects.PartnershipMember": "public member list of a public partnership",
    "projects.Milestone": "workspace milestone: members only (the workspace_file type covers the workspace)",
    "projects.WorkspaceDocument": "the workspace_file type",
    "projects.WorkspaceNote": "workspace note: members only (the workspace_file type covers the workspace)",
    "projects.ResultAuthor": "part of a result (the draft_result type)",
    "projects.ResultFile": "part of a result (the draft_result type's download channel)",
    "projects.CityResponse": "public right of reply on a public result",
    "projects.PolicyUptake": "public record on a public result",
    "projects.Takedown": "public transparency log",
    "projects.ResearchNeed": "public unless hidden by a coordinator (then its address shows the takedown notice)",
    "projects.NeedComment": "public on its need unless hidden by a coordinator",
    "projects.NeedEndorsement": "public count on its need; no view lists who endorsed",
    "projects.NeedTopic": "public on its need (the name the person chose to show)",
    "projects.DataAccessRequest": "part of an on-request dataset (its requests page, the dataset_on_request type)",
    "projects.DatasetDownload": "a download log; no view lists it",
    "projects.Indicator": "public",
    "projects.Observation": "public, small cells suppressed",
    "projects.UsageMonth": "aggregate public counters",
    # A partnership's life (issue 19 §1)
    "projects.StatusChange": "public: the dated status history on the partnership page and in the API",
    "projects.MembershipChange": "public names of former members; the full log only on the members' manage page",
    "projects.ReportAttachment": "part of a report (the partnership_report type's download channel)",
    "projects.ImplementationEntry": "public step of a public decision's implementation trail (impact ledger)",
}


# --- Person lookups -------------------------------------------------------------------------------------------------
# Every form that finds a person by an address (an email address or an ORCID iD). Its attacker (someone entitled to
# the form, with no tie to the person) posts the address of a person who keeps their profile unlisted or their
# fields to themselves, then an address nobody has: the two answers (status and page, with the address itself
# blanked) must be the same, and neither may contain the people's private marker (hidden affiliation, unlisted name).
# ``test_every_person_form_is_a_lookup`` finds the forms by their fields, so a new one cannot be forgotten.

# The people behind the addresses (users of AccessWorld) and addresses that belong to nobody.
LOOKUP_TARGETS = {"email": ("unlisted_target", "listed_target"), "orcid": ("unlisted_target", "listed_target")}
UNKNOWN_ADDRESS = {"email": "sec-nobody-at-all@example.org", "orcid": "0000-0001-1618-0331"}


@dataclass(frozen=True)
class Lookup:
    name: str
    form: str  # the form class that takes the address, "module.Class"
    actor: str  # a key of AccessWorld.users entitled to use the form
    url: UrlTemplate
    data: Callable[[object, str, str], dict]  # (world, kind of address, address) → the POST data
    kinds: tuple[str, ...] = ("email",)

    def path(self, world) -> str:
        return self.url(world) if callable(self.url) else world.url(self.url)


def _result_author(world, kind: str, address: str) -> dict:
    return {
        "kind": "report",
        "title": "Lookup probe",
        "abstract": "What we found.",
        "licence": "CC-BY-4.0",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "50",
        "authors-0-researcher": address,
        # With an email address the team types the name; with an ORCID iD Bridges may fill it in.
        "authors-0-name": "Ada Author" if kind == "email" else "",
        "authors-0-ORDER": "1",
    }


def _team_member(world, kind: str, address: str) -> dict:
    return {"email": address, "name": "Cora Colleague", "role": "co_applicant"}


def _reviewer(world, kind: str, address: str) -> dict:
    pk = world.objects["proposal"].pk
    return {"proposal": pk, "action": "assign", f"p{pk}-reviewer_email": address}


def _partnership_member(world, kind: str, address: str) -> dict:
    return {
        "title": "Lookup probe partnership",
        "city": world.objects["city"].pk,
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
        "members-0-email": address,
        "members-0-name": "Mo Member",
        "members-0-side": "research",
    }


def _member_added(world, kind: str, address: str) -> dict:
    return {"member-email": address, "member-name": "Mo Member", "member-side": "research"}


LOOKUPS: tuple[Lookup, ...] = (
    Lookup(
        "result_author",
        "projects.forms.results.AuthorForm",
        "member",
        rev("result_create", "{partnership.slug}"),
        _result_author,
        kinds=("email", "orcid"),
    ),
    Lookup(
        "team_invitation",
        "calls.forms_proposals.TeamInviteForm",
        "lookup_lead",
        rev("proposal_team", "{lookup_proposal.pk}"),
        _team_member,
    ),
    Lookup(
        "reviewer_assignment",
        "calls.forms_reviews.ReviewerAssignForm",
        "city_official",
        rev("call_manage", "{call.pk}"),
        _reviewer,
    ),
    Lookup(
        "partnership_member",
        "projects.forms.partnerships.MemberForm",
        "coordinator",
        rev("partnership_register"),
        _partnership_member,
    ),
    Lookup(
        "partnership_member_added",
        "projects.forms.lifecycle.MemberAddForm",
        "city_official",
        rev("life_member_add", "{partnership.slug}"),
        _member_added,
    ),
)

# Forms with an address field that find nobody else, with the reason.
NOT_LOOKUPS = {
    "profiles.forms.ResearcherProfileForm": "the researcher's own ORCID iD on their own profile",
}
