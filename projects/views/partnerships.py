"""Public pages of partnerships, and a coordinator registering one that exists outside a call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.forms import apply_validation_error
from profiles.emails import normalise_email
from projects.forms.partnerships import MemberFormSet, PartnershipRegisterForm
from projects.models import PartnershipMember
from projects.selectors import lifecycle
from projects.selectors import partnerships as selectors
from projects.services import partnerships as services
from projects.services.lifecycle import is_city_side


def partnership_list(request):
    listing = selectors.PARTNERSHIPS.listing(request.GET)
    can_register, _reason = services.can_register_partnership(request.user)
    return render(request, "projects/partnership_list.html", listing.context(can_register=can_register))


def partnership_detail(request, slug: str):
    partnership = get_object_or_404(selectors.partnership_detail_public(), slug=slug)
    members = list(partnership.members.all())
    outcomes = selectors.partnership_outcomes(partnership)
    life = lifecycle.partnership_life_public(partnership, results=outcomes.results, milestones=outcomes.milestones)
    return render(
        request,
        "projects/partnership_detail.html",
        {
            "partnership": partnership,
            "research_members": [m for m in members if m.side == m.Side.RESEARCH],
            "city_members": [m for m in members if m.side == m.Side.CITY],
            "partner_members": [m for m in members if m.side == m.Side.PARTNER],
            "outcomes": outcomes,
            "life": life,
            "can_manage": request.user.is_authenticated and is_city_side(request.user, partnership),
            "is_member": any(m.user_id == request.user.pk for m in members if m.user_id),
            "is_research_member": any(
                m.user_id == request.user.pk for m in members if m.user_id and m.side == m.Side.RESEARCH
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_register(request):
    """Coordinators only; everyone else gets a 404, as if the page did not exist."""
    allowed, _reason = services.can_register_partnership(request.user)
    if not allowed:
        raise Http404
    form = PartnershipRegisterForm(request.POST or None)
    formset = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        data = form.cleaned_data
        members = [
            services.MemberInput(
                side=row["side"],
                email=row.get("email") or "",
                name=row.get("name") or "",
                role=row.get("role") or "",
                organisation=row.get("organisation"),
                affiliation=row.get("affiliation") or "",
                country=row.get("country"),
            )
            for row_form in formset.forms
            if row_form.has_content()
            for row in [row_form.cleaned_data]
        ]
        try:
            partnership = services.partnership_register(by=request.user, members=members, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(title)s” is registered.") % {"title": partnership.title})
            invited = [normalise_email(m.email) for m in members if m.email.strip()]
            if invited:
                # The same words whether or not an address has an account.
                messages.info(
                    request,
                    _("We will email %(emails)s an invitation to join the partnership's workspace.")
                    % {"emails": ", ".join(invited)},
                )
            return redirect(partnership.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/partnerships/register.html", {"form": form, "formset": formset}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def partnership_join(request, token):
    """A person registered by email joins the partnership's workspace, or declines; only with the invited address."""
    member = get_object_or_404(PartnershipMember.objects.select_related("partnership__city"), token=token)
    problem = services.join_problem(member, request.user)
    if request.method == "POST" and not problem:
        accept = request.POST.get("answer") == "accept"
        try:
            services.partnership_join(member=member, user=request.user, accept=accept)
        except PermissionDenied as error:
            problem = str(error)
        else:
            if accept:
                messages.success(request, _("You joined “%(title)s”.") % {"title": member.partnership.title})
                return redirect(member.partnership.get_workspace_url())
            messages.success(request, _("You declined the invitation."))
            return redirect("dashboard")
    return render(
        request,
        "projects/partnerships/join.html",
        {"member": member, "partnership": member.partnership, "problem": problem},
        status=403 if problem and member.joined_at is None else 200,
    )
