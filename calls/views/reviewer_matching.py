"""Reviewers found and balanced (issue 18 §2): suggested reviewers, "assign automatically" with a preview, bids."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from calls.models import ResearchCall, ReviewAssignment, ReviewBid
from calls.selectors import calls_managed_by
from calls.services import reviewer_matching as services
from calls.services.reviews import can_run_review, review_invitation_take
from profiles.invited_accounts import account_create_verified, address_has_account


def _call_for_review(request, call_id: int) -> ResearchCall:
    """The call, for an official of its city (anyone else: 404, as for the review desk)."""
    call = get_object_or_404(calls_managed_by(request.user).select_related("organisation"), pk=call_id)
    allowed, _reason = can_run_review(request.user, call)
    if not allowed:
        raise Http404
    return call


@login_required
def suggested_reviewers(request, call_id: int):
    """Researchers the matching engine ranks for the call, with reasons and each conflict explained."""
    call = _call_for_review(request, call_id)
    suggestions, left_out, proposals = services.suggested_reviewers(call, viewer=request.user)
    accepted = services.accepted_reviewers(call)
    load = services.loads(call, [u.pk for u in accepted])
    bids = services.bid_counts(call, [p.pk for p in proposals])
    for p in proposals:
        p.bid_counts = bids.get(p.pk, {})
    return render(
        request,
        "calls/reviewers/suggested.html",
        {
            "call": call,
            "suggestions": suggestions,
            "left_out": left_out,
            "proposal_count": len(proposals),
            "accepted": [(u, *load.get(u.pk, (0, 0))) for u in accepted],
            "proposals": proposals,
        },
    )


class AutoAssignForm(forms.Form):
    signature = forms.CharField(max_length=64, widget=forms.HiddenInput)
    include_suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _want_suggested(raw: str | None) -> bool:
    return raw in ("1", "on", "true", "True")


@login_required
@require_http_methods(["GET", "POST"])
def auto_assign(request, call_id: int):
    """GET: the planned assignments, nothing created. POST: create exactly those, once, and invite the reviewers."""
    call = _call_for_review(request, call_id)
    status = 200
    if request.method == "POST":
        form = AutoAssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("This confirmation was incomplete. Check the plan below and confirm again."))
            include_suggested = _want_suggested(request.POST.get("include_suggested"))
            status = 400
        else:
            include_suggested = form.cleaned_data["include_suggested"]
            try:
                created = services.auto_assign_confirm(
                    call=call,
                    by=request.user,
                    signature=form.cleaned_data["signature"],
                    include_suggested=include_suggested,
                )
            except services.PlanChanged as changed:
                if not changed.plan.rows:
                    messages.info(request, _("There is nothing (more) to assign: no reviewer was invited twice."))
                    return redirect("call_manage", call_id=call.pk)
                messages.warning(
                    request,
                    _("Something changed since you opened the preview; nothing was created. Check the new plan."),
                )
                status = 409
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 409
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s review assignment was created; we are emailing the reviewer.",
                        "%(count)s review assignments were created; we are emailing the reviewers.",
                        len(created),
                    )
                    % {"count": len(created)},
                )
                return redirect("call_manage", call_id=call.pk)
    else:
        include_suggested = _want_suggested(request.GET.get("suggested"))
    plan = services.plan_assignments(call, by=request.user, include_suggested=include_suggested)
    return render(
        request,
        "calls/reviewers/auto_assign.html",
        {
            "call": call,
            "plan": plan,
            "form": AutoAssignForm(initial={"signature": plan.signature, "include_suggested": include_suggested}),
            "include_suggested": include_suggested,
        },
        status=status,
    )


BID_CHOICES = [("", gettext_lazy("No bid")), *ReviewBid.Level.choices]


class BidsForm(forms.Form):
    """One choice per biddable proposal: ``bid-<id>``."""

    def __init__(self, *args, proposals, current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        for p in proposals:
            self.fields[f"bid-{p.pk}"] = forms.ChoiceField(
                label=p.title,
                choices=BID_CHOICES,
                required=False,
                initial=current.get(p.pk, ""),
                widget=forms.RadioSelect,
            )

    @property
    def levels(self) -> dict[int, str | None]:
        return {p.pk: self.cleaned_data.get(f"bid-{p.pk}") or None for p in self.proposals}

    def rows(self):
        return [(p, self[f"bid-{p.pk}"]) for p in self.proposals]


@login_required
@require_http_methods(["GET", "POST"])
def call_bids(request, call_id: int):
    """A reviewer of the call says, per proposal, how much they want to review it (blind calls: no team names)."""
    call = get_object_or_404(ResearchCall.objects.select_related("organisation"), pk=call_id)
    if not services.may_bid(request.user, call):
        raise Http404
    proposals = services.biddable_proposals(request.user, call)
    current = services.bids_of(request.user, call)
    status = 200
    if request.method == "POST":
        form = BidsForm(request.POST, proposals=proposals, current=current)
        if form.is_valid():
            try:
                changed = services.bids_save(call=call, by=request.user, levels=form.levels)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext("%(count)s bid saved.", "%(count)s bids saved.", changed) % {"count": changed}
                    if changed
                    else _("Your bids were already saved; nothing changed."),
                )
                return redirect("call_bids", call_id=call.pk)
        status = 400
    else:
        form = BidsForm(proposals=proposals, current=current)
    return render(request, "calls/reviewers/bids.html", {"call": call, "form": form}, status=status)


class InvitedAccountForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password (again)"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


@require_http_methods(["GET", "POST"])
def review_invitation_join(request, token):
    """A reviewer invited by an address without an account creates it here: the emailed link verifies the
    address, so they go straight on to the conflict declaration, then to the proposal."""
    assignment = get_object_or_404(ReviewAssignment.objects.select_related("proposal__call__organisation"), token=token)
    if request.user.is_authenticated:
        return redirect("review_invitation", token=token)
    taken = assignment.reviewer_id is not None or address_has_account(assignment.email)
    answered = assignment.status != ReviewAssignment.Status.INVITED
    form = InvitedAccountForm(request.POST or None) if not (taken or answered) else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                user = account_create_verified(
                    email=assignment.email,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as error:
                form.add_error("password1" if "password" in " ".join(error.messages).lower() else None, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                review_invitation_take(assignment=assignment, user=user)
                messages.success(
                    request, _("Your account is ready. Declare any conflict of interest before you read the proposal.")
                )
                return redirect("review_assignment", pk=assignment.pk)
        status = 400
    return render(
        request,
        "calls/reviewers/invitation_join.html",
        {
            "assignment": assignment,
            "call": assignment.proposal.call,
            "form": form,
            "taken": taken,
            "answered": answered,
            "next": request.path.replace("join/", ""),
        },
        status=status,
    )
