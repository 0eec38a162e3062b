"""Front-end views for the dashboard, account, organisations, memberships and researchers."""

import copy
import json
import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hub.forms import apply_validation_error
from hub.private_files import private_file_response
from hub.registry import dashboard_sections
from hub.versioning import StaleEdit
from profiles import selectors, services, visibility
from profiles.forms import (
    AccountDeleteForm,
    AccountForm,
    MembershipDecisionForm,
    MembershipRequestForm,
    OrganisationEditForm,
    OrganisationForm,
    profile_forms,
)
from profiles.models import Membership, ResearcherProfile
from profiles.storage import is_private_name


@login_required
def dashboard(request):
    user = request.user
    return render(
        request,
        "profiles/dashboard.html",
        {
            "memberships": selectors.memberships_of(user),
            "pending_requests": selectors.pending_requests_managed_by(user),
            "profile": ResearcherProfile.objects.filter(user=user).first(),
            "is_coordinator": services.is_coordinator(user),
            "sections": dashboard_sections(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request):
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your account was updated."))
        return redirect("dashboard")
    return render(request, "profiles/account_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    if not request.user.is_researcher:
        messages.info(request, _("Choose “Researcher” in your account settings to keep a researcher profile."))
        return redirect("account_edit")
    profile, _created = ResearcherProfile.objects.select_related("photo").get_or_create(user=request.user)
    status = 200
    if request.method == "POST":
        form, languages, publications = profile_forms(profile, request.POST, request.FILES)
        # Validate everything before saving anything, so that one mistake loses nothing.
        affiliations = form.lists["affiliations"]
        valid = [
            form.is_valid(),
            languages.is_valid(),
            publications.is_valid(),
            not affiliations.is_bound or affiliations.is_valid(),
        ]
        if all(valid):
            try:
                services.profile_update(
                    profile=profile,
                    by=request.user,
                    fields=form.profile_fields,
                    relations=form.relations,
                    languages=form.list_entries("languages"),
                    publications=form.list_entries("publications"),
                    affiliations=form.list_entries("affiliations") if affiliations.is_bound else None,
                    photo=form.cleaned_data.get("photo_upload"),
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                    edit_version=form.cleaned_data["edit_version"],
                )
            except StaleEdit as stale:
                # Saved meanwhile (another tab): nothing of this save was stored; both versions side by side.
                form.show_conflict(stale.current)
                status = 409
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("researcher_detail", pk=profile.pk)
        if status != 409:
            messages.error(request, _("Your profile was not saved yet. Please correct the problems shown below."))
            status = 400 if "edit_version" in form.errors else 200
        if request.FILES.get("photo_upload") and "photo_upload" not in form.errors:
            messages.info(request, _("Your photo was fine, but browsers forget a chosen file: please choose it again."))
    else:
        form, languages, publications = profile_forms(profile)
    return render(
        request,
        "profiles/profile_form.html",
        {
            "form": form,
            "languages": languages,
            "publications": publications,
            "affiliations": form.lists["affiliations"],
            "profile": profile,
        },
        status=status,
    )


@login_required
def account_export(request):
    data = selectors.personal_data_export(user=request.user)
    data["exported_at"] = timezone.now().isoformat()
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="bridges-personal-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, _("Your account and personal data were deleted."))
        return redirect("/")
    return render(request, "profiles/account_delete.html", {"form": form})


def admin_login(request):
    """The Wagtail admin's sign-in page sends to allauth's, so its rate limits and two-factor step apply.

    Credentials posted here are never checked. Someone signed in without admin access lands here
    too (Wagtail sends them to its login URL); they get a page, not a redirect loop through allauth.
    """
    next_url = request.GET.get("next") or request.POST.get("next") or reverse("wagtailadmin_home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("wagtailadmin_home")
    if request.user.is_authenticated:
        if request.user.has_perm("wagtailadmin.access_admin"):
            return HttpResponseRedirect(next_url)
        return render(request, "account/admin_no_access.html", status=403)
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


def organisation_list(request):
    filterset = selectors.organisations_public(filters=request.GET)
    page = Paginator(filterset.qs, 24).get_page(request.GET.get("page"))
    return render(request, "profiles/organisation_list.html", {"filter": filterset, "page": page})


def organisation_detail(request, slug):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    membership = None
    can_manage = False
    if request.user.is_authenticated:
        membership = Membership.objects.filter(user=request.user, organisation=organisation).first()
        can_manage, _reason = services.can_manage_memberships(request.user, organisation)
    return render(
        request,
        "profiles/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_listed_members(organisation),
            "membership": membership,
            "can_manage": can_manage,
            "is_coordinator": services.is_coordinator(request.user),
            "join_form": MembershipRequestForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                organisation = services.organisation_register(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered. A network coordinator will verify it; you are its administrator.")
                % {"name": organisation.name},
            )
            return redirect(organisation)
    return render(request, "profiles/organisation_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    allowed, reason = services.can_manage_memberships(request.user, organisation)
    if not allowed:
        raise Http404(reason)
    shown = copy.copy(organisation)  # for the page's heading: the form writes what is typed onto ``organisation``
    form = OrganisationEditForm(
        request.POST or None, request.FILES or None, instance=organisation, versioned=organisation
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=form.save(commit=False), by=request.user, edit_version=form.cleaned_data["edit_version"]
            )
        except StaleEdit as stale:
            # Another admin saved meanwhile: nothing of this save was stored, the logo neither.
            form.show_conflict(stale.current)
            shown, status = stale.current, 409
            if request.FILES.get("logo"):
                messages.info(
                    request, _("Your logo was not saved: browsers forget a chosen file, so please choose it again.")
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The organisation was updated."))
            return redirect(organisation)
    elif request.method == "POST" and "edit_version" in form.errors:
        status = 400
    return render(request, "profiles/organisation_form.html", {"form": form, "organisation": shown}, status=status)


@login_required
@require_POST
def organisation_join(request, slug):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    form = MembershipRequestForm(request.POST)
    if form.is_valid():
        try:
            services.membership_request(
                user=request.user, organisation=organisation, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Your request to join %(org)s was sent to its administrators.") % {"org": organisation.name}
            )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request, slug):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    allowed, reason = services.can_manage_memberships(request.user, organisation)
    if not allowed:
        raise Http404(reason)
    memberships = selectors.membership_requests_for(request.user, organisation)
    if request.method == "POST":
        form = MembershipDecisionForm(request.POST)
        if form.is_valid():
            membership = get_object_or_404(memberships, pk=form.cleaned_data["membership"])
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.membership_decide(
                    membership=membership,
                    by=request.user,
                    approve=approve,
                    role=form.cleaned_data["role"] or None,
                    expected=form.cleaned_data["status"] or None,
                )
            except PermissionDenied as error:
                messages.error(request, str(error))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    (_("%(name)s is now a member.") if approve else _("The request of %(name)s was rejected."))
                    % {"name": membership.user.display_name},
                )
            return redirect("organisation_members", slug=organisation.slug)
        messages.error(request, _("That decision could not be read. Please try again."))
    return render(
        request,
        "profiles/organisation_members.html",
        {"organisation": organisation, "memberships": memberships, "roles": Membership.Role.choices},
    )


def researcher_list(request):
    listing = selectors.researchers_directory(params=request.GET, viewer=request.user)
    cards = [visibility.public_view(p, request.user, only=selectors.CARD_FIELDS) for p in listing.page.object_list]
    return render(request, "profiles/researcher_list.html", listing.context(cards=cards))


def researcher_detail(request, pk):
    profile = selectors.researcher_for_page(pk=pk, viewer=request.user)
    if profile is None:
        raise Http404(_("There is no public researcher profile here."))
    return render(
        request,
        "profiles/researcher_detail.html",
        {"profile": profile, "view": visibility.public_view(profile, request.user)},
    )


@require_safe
def researcher_photo(request, name):
    """A photo its researcher shows to signed-in users or only to themselves (or a rendition of it), sent only to
    those; everyone else gets the same 404 as for an address that never existed."""
    if not is_private_name(name) or not visibility.can_see_photo_file(name, request.user):
        raise Http404(_("There is no photo here."))
    try:
        # Nobody else may be served this copy: not a proxy, and not the browser once its user has signed out.
        return private_file_response(
            name,
            filename=PurePosixPath(name).name,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            as_attachment=False,
        )
    except FileNotFoundError:
        raise Http404(_("There is no photo here.")) from None
