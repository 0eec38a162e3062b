"""A researcher's proposal pages: start, edit, team, invitations, submit, withdraw, versions, attachments.

Every proposal is fetched through ``proposals_visible_to``, so anyone else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import weasyprint

from calls.application_forms import blind_answers
from calls.forms_application import answers_form_for
from calls.forms_proposals import (
    AttachmentForm,
    MilestoneFormSet,
    ProposalDraftForm,
    ProposalStartForm,
    ProposalSubmitForm,
    TeamAnswerForm,
    TeamInviteForm,
    draft_initial,
)
from calls.forms_reviews import InfoRequestForm, ReviewerAssignForm
from calls.models import Attachment, Proposal, ProposalVersion, ReviewAssignment, TeamMember
from calls.selectors import (
    calls_public,
    proposal_roles,
    proposals_of_team_member,
    proposals_visible_to,
    team_invitations_for,
)
from calls.services import desk as desk_services
from calls.services import proposals as services
from calls.services import reviews as review_services
from calls.snapshot import proposal_snapshot, snapshot_diff
from calls.validators import UPLOAD_MIMES
from calls.views import desk
from calls.views.dialogue import dialogue_context
from hub.forms import apply_validation_error
from hub.private_files import private_file_response
from hub.versioning import StaleEdit
from profiles.models import ResearcherProfile

ROLE_LABELS = dict(TeamMember.Role.choices)


def _proposal_queryset(user):
    return proposals_visible_to(user).select_related("call__organisation__country")


def _with_everything(queryset):
    """Prefetch what the pages show, so the number of queries does not grow with the team or the files."""
    return queryset.prefetch_related(
        Prefetch(
            "team",
            queryset=TeamMember.objects.select_related("country", "user").prefetch_related("languages"),
        ),
        "milestones",
        "attachments",
        "methods",
        "call__required_languages",
    )


def _team_proposal(request, pk: int, *, everything: bool = False) -> tuple[Proposal, set[str]]:
    """A proposal the user works on as a team member; 404 for everyone else (the city and reviewers too)."""
    queryset = _proposal_queryset(request.user)
    proposal = get_object_or_404(_with_everything(queryset) if everything else queryset, pk=pk)
    roles = proposal_roles(request.user, proposal)
    if "team" not in roles:
        raise Http404
    return proposal, roles


def _hide_names(proposal: Proposal, roles: set[str]) -> bool:
    """Blind review: a reviewer who is neither on the team nor a city official sees no names."""
    return proposal.call.blind_review and "reviewer" in roles and not roles & {"team", "city"}


def _for_display(content: dict, *, hide_names: bool) -> dict:
    """A version's content with role labels; in blind review without names, emails or affiliations."""
    team = []
    for number, member in enumerate(content.get("team", []), start=1):
        shown = {**member, "role_label": ROLE_LABELS.get(member.get("role"), member.get("role"))}
        if hide_names:
            shown.update({"name": _("Team member %(n)s") % {"n": number}, "email": "", "affiliation": ""})
        team.append(shown)
    if hide_names:
        return {**content, "team": team, "answers": blind_answers(content.get("answers"))}
    return {**content, "team": team}


def _error_messages(request, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You cannot do this."))
        return
    for message in error.messages:
        messages.error(request, message)


@login_required
def proposal_list(request):
    page = Paginator(proposals_of_team_member(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "calls/proposal_list.html",
        {"page": page, "invitations": team_invitations_for(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_start(request, call_id: int):
    call = get_object_or_404(calls_public().prefetch_related("required_languages"), pk=call_id)
    existing = Proposal.objects.filter(call=call, lead=request.user).first()
    if existing is not None:
        messages.info(request, _("You already have a proposal to this call; here it is."))
        return redirect("proposal_edit" if existing.is_editable else "proposal_detail", pk=existing.pk)
    form = ProposalStartForm(request.POST or None)
    problem = services.start_problem(call, request.user)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            proposal = services.proposal_start(call=call, by=request.user, title=form.cleaned_data["title"])
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                form.add_error(None, str(error))
            else:
                apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Your draft is saved. Fill it in, build your team and submit before the deadline.")
            )
            return redirect("proposal_edit", pk=proposal.pk)
    return render(request, "calls/proposal_start.html", {"call": call, "form": form, "problem": problem})


@login_required
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(_with_everything(_proposal_queryset(request.user)), pk=pk)
    roles = proposal_roles(request.user, proposal)
    is_team = "team" in roles
    versions = list(proposal.versions.order_by("-number"))
    context = {"proposal": proposal, "roles": roles, "is_team": is_team, "versions": versions}
    if is_team:
        checks = services.proposal_eligibility(proposal)
        context.update(
            {
                "content": _for_display(proposal_snapshot(proposal), hide_names=False),
                "members": list(proposal.team.all()),
                "checks": checks,
                "is_lead": "lead" in roles,
                "problems": services.submission_problems(proposal, timezone.now()) if proposal.is_editable else [],
                "submit_form": ProposalSubmitForm(),
            }
        )
    else:
        # The city and reviewers read what was submitted, never the live draft.
        version = next((v for v in versions if not v.is_withdrawn), versions[0] if versions else None)
        if version is None:
            raise Http404
        hide = _hide_names(proposal, roles)
        context.update(
            {"content": _for_display(version.content, hide_names=hide), "version": version, "hide_names": hide}
        )
        if "city" in roles:
            context.update(desk.city_context(request, proposal))
    context.update(dialogue_context(request.user, proposal, roles, context["content"]))
    return render(request, "calls/proposal_detail.html", context)


def _render_city_page(request, proposal: Proposal, *, bound: dict, status: int):
    """The proposal page as the city, with the action panel's forms as sent (``bound``)."""
    versions = list(proposal.versions.order_by("-number"))
    version = next((v for v in versions if not v.is_withdrawn), versions[0] if versions else None)
    if version is None:
        raise Http404
    context = {
        "proposal": proposal,
        "roles": {"city"},
        "is_team": False,
        "versions": versions,
        "content": _for_display(version.content, hide_names=False),
        "version": version,
        "hide_names": False,
        **desk.city_context(request, proposal, bound=bound),
    }
    return render(request, "calls/proposal_detail.html", context, status=status)


@login_required
@require_POST
def desk_proposal_action(request, pk: int):
    """One action of the city's panel on the proposal page; a refused one shows on the page with what was typed."""
    proposal = desk.city_proposal(request, pk)
    action = request.POST.get("action", "")
    query = request.GET.urlencode()
    back_url = reverse("proposal_detail", args=[proposal.pk]) + (f"?{query}" if query else "")
    call = proposal.call
    forms_by_action = {
        "assign": lambda: ReviewerAssignForm(request.POST, time_zone=call.time_zone),
        "request_info": lambda: InfoRequestForm(request.POST),
        "status": lambda: desk.StatusForm(request.POST, two_stage=call.two_stage),
    }
    if action == "remove":
        value = request.POST.get("assignment", "")
        if not (value.isascii() and value.isdigit() and len(value) < 12):
            raise Http404
        assignment = get_object_or_404(ReviewAssignment, pk=int(value), proposal=proposal)
        try:
            desk_services.review_remove(assignment=assignment, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            _error_messages(request, error)
        else:
            messages.success(
                request, _("The invitation of %(email)s is withdrawn.") % {"email": assignment.invited_address}
            )
        return redirect(back_url)
    if action not in forms_by_action:
        raise Http404
    form = forms_by_action[action]()
    if form.is_valid():
        try:
            if action == "assign":
                assignment = review_services.review_assign(
                    proposal=proposal,
                    reviewer_email=form.cleaned_data["reviewer_email"],
                    by=request.user,
                    due_at=form.due_at,
                )
                messages.success(
                    request,
                    _("We will email %(email)s an invitation to review “%(title)s”.")
                    % {"email": assignment.email, "title": proposal.title},
                )
            elif action == "request_info":
                review_services.proposal_request_info(
                    proposal=proposal, by=request.user, message=form.cleaned_data["message"]
                )
                messages.success(
                    request, _("The team of “%(title)s” was asked for more information.") % {"title": proposal.title}
                )
            else:
                decision = form.cleaned_data["decision"]
                if decision == "under_review":
                    desk_services.mark_under_review(proposal=proposal, by=request.user)
                else:
                    review_services.call_decide(
                        call=call, by=request.user, message=form.cleaned_data["message"], **{decision: [proposal]}
                    )
                messages.success(request, _("The status of “%(title)s” is changed.") % {"title": proposal.title})
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect(back_url)
    proposal = desk.city_proposal(request, pk)  # as stored now
    return _render_city_page(request, proposal, bound={action: form}, status=400)


def _render_edit(request, proposal, *, form=None, formset=None, attachment_form=None, answers_form=None, status=200):
    call = proposal.call
    if form is None:
        form = ProposalDraftForm(initial=draft_initial(proposal), call=call, versioned=proposal)
    if formset is None:
        formset = MilestoneFormSet(
            initial=[
                {"title": m.title, "month": m.month, "description": m.description} for m in proposal.milestones.all()
            ],
            prefix="milestones",
            form_kwargs={"max_month": call.duration_months},
        )
    return render(
        request,
        "calls/proposal_edit.html",
        {
            "proposal": proposal,
            "call": call,
            "form": form,
            "formset": formset,
            "answers_form": answers_form or answers_form_for(proposal),
            "attachment_form": attachment_form or AttachmentForm(),
            "attachments": [a for a in proposal.attachments.all() if not a.removed],
            "max_attachments": services.MAX_ATTACHMENTS,
        },
        status=status,
    )


def _no_longer_editable(proposal: Proposal) -> str:
    return _("This proposal is %(status)s and can no longer be changed.") % {
        "status": proposal.get_status_display().lower()
    }


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk: int):
    """The draft editor. A save names the version it was opened on: a stale one is refused (409) side by side."""
    proposal, _roles = _team_proposal(request, pk, everything=True)
    if request.method == "GET" and not proposal.is_editable:
        messages.error(request, _no_longer_editable(proposal))
        return redirect("proposal_detail", pk=proposal.pk)
    if request.method == "GET":
        return _render_edit(request, proposal)
    formset = MilestoneFormSet(
        request.POST, prefix="milestones", form_kwargs={"max_month": proposal.call.duration_months}
    )
    form = ProposalDraftForm(request.POST, call=proposal.call, versioned=proposal, timeline=formset)
    answers = answers_form_for(proposal, request.POST, request.FILES)
    forms = {"form": form, "formset": formset, "answers_form": answers}
    if not proposal.is_editable:
        # Submitted (or decided) since the page was opened: nothing is saved, and what was typed stays on the page.
        form.full_clean()
        form.add_error(None, _no_longer_editable(proposal))
        return _render_edit(request, proposal, **forms, status=409)
    answers_valid = answers.is_valid()
    if form.is_valid() and formset.is_valid() and answers_valid:
        try:
            services.proposal_save_draft(
                proposal=proposal,
                by=request.user,
                data=form.cleaned_data,
                milestones=form.milestones(),
                edit_version=form.cleaned_data["edit_version"],
                answers=answers.typed_answers,
                uploads=answers.uploads,
            )
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            return _render_edit(request, proposal, **forms, status=409)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("proposal_edit", pk=proposal.pk)
    # Re-render the bound forms: whatever was typed stays on the page.
    return _render_edit(request, proposal, **forms, status=400)


@login_required
@require_POST
def attachment_add(request, pk: int):
    proposal, _roles = _team_proposal(request, pk, everything=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(proposal=proposal, by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.original_name})
            return redirect("proposal_edit", pk=proposal.pk)
    if not proposal.is_editable:
        return redirect("proposal_detail", pk=proposal.pk)
    return _render_edit(request, proposal, attachment_form=form, status=400)


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_id: int):
    proposal, _roles = _team_proposal(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal, removed=False)
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("proposal_detail", pk=proposal.pk)
    messages.success(request, _("“%(name)s” was removed from the draft.") % {"name": attachment.original_name})
    return redirect("proposal_edit", pk=proposal.pk)


@login_required
def proposal_attachment(request, pk: int, attachment_id: int):
    proposal = get_object_or_404(_proposal_queryset(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    if "team" not in proposal_roles(request.user, proposal):
        # The city and reviewers get only the files of submitted versions.
        submitted = {
            a["id"]
            for content in proposal.versions.values_list("content", flat=True)
            for a in content.get("attachments", [])
        }
        if attachment.pk not in submitted:
            raise Http404
    extension = attachment.file.name.rsplit(".", 1)[-1].lower()
    return private_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=UPLOAD_MIMES.get(extension, "application/pdf"),
        as_attachment=True,
    )


@login_required
@require_POST
def proposal_submit(request, pk: int):
    proposal, _roles = _team_proposal(request, pk)
    form = ProposalSubmitForm(request.POST)
    # A malformed key is ignored (the submission still happens once); a valid one makes retries safe.
    key = form.cleaned_data.get("idempotency_key") if form.is_valid() else None
    try:
        version = services.proposal_submit(proposal=proposal, by=request.user, idempotency_key=key)
    except (ValidationError, PermissionDenied) as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("Submitted as version %(number)s. A receipt with a copy went to every team member.")
            % {"number": version.number},
        )
    return redirect("proposal_detail", pk=proposal.pk)


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    proposal, _roles = _team_proposal(request, pk)
    try:
        services.proposal_withdraw(proposal=proposal, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _error_messages(request, error)
    else:
        messages.success(
            request, _("Your proposal is withdrawn. You can change it and submit it again before the deadline.")
        )
    return redirect("proposal_detail", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_team(request, pk: int):
    proposal, roles = _team_proposal(request, pk, everything=True)
    form = TeamInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.team_invite(proposal=proposal, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is invited by email.") % {"name": member.name})
            return redirect("proposal_team", pk=proposal.pk)
    return render(
        request,
        "calls/proposal_team.html",
        {
            "proposal": proposal,
            "members": list(proposal.team.all()),
            "checks": services.proposal_eligibility(proposal),
            "form": form,
            "is_lead": "lead" in roles,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def team_remove(request, pk: int, member_id: int):
    proposal, _roles = _team_proposal(request, pk)
    member = get_object_or_404(TeamMember, pk=member_id, proposal=proposal)
    try:
        services.team_remove(member=member, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("%(name)s is no longer on the team.") % {"name": member.name})
    return redirect("proposal_team", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_invitation(request, token):
    member = get_object_or_404(
        TeamMember.objects.select_related("proposal__call__organisation", "proposal__lead"), token=token
    )
    problem = services.invitation_problem(member, request.user)
    profile = ResearcherProfile.objects.filter(user=request.user).select_related("affiliation").first()
    form = TeamAnswerForm(request.POST or None, profile=profile)
    if request.method == "POST" and not problem and form.is_valid():
        accept = request.POST.get("answer") == "accept"
        try:
            services.team_respond(member=member, user=request.user, accept=accept, share=form.shared)
        except PermissionDenied as error:
            # Answered meanwhile (a double click, another tab): the page shows the answer that stands.
            messages.error(request, str(error))
            return redirect("team_invitation", token=member.token)
        if accept:
            messages.success(request, _("You joined the team of “%(title)s”.") % {"title": member.proposal.title})
            return redirect("proposal_detail", pk=member.proposal_id)
        messages.success(request, _("You declined the invitation; the lead applicant will see it."))
        return redirect("proposal_list")
    return render(
        request,
        "calls/team_invitation.html",
        {"member": member, "proposal": member.proposal, "problem": problem, "form": form},
        status=403 if problem and member.status == TeamMember.Status.INVITED else 200,
    )


def _versions_for(request, pk: int):
    proposal = get_object_or_404(_proposal_queryset(request.user), pk=pk)
    roles = proposal_roles(request.user, proposal)
    hide = _hide_names(proposal, roles)
    versions = list(ProposalVersion.objects.filter(proposal=proposal).select_related("submitted_by").order_by("number"))
    for version in versions:
        version.shown = _for_display(version.content, hide_names=hide)
    return proposal, roles, hide, versions


@login_required
def proposal_versions(request, pk: int):
    proposal, roles, hide, versions = _versions_for(request, pk)
    rows = []
    for previous, version in zip([None, *versions], versions, strict=False):
        rows.append({"version": version, "changes": snapshot_diff(previous.shown, version.shown) if previous else None})
    return render(
        request,
        "calls/proposal_versions.html",
        {"proposal": proposal, "rows": list(reversed(rows)), "hide_names": hide, "is_team": "team" in roles},
    )


@login_required
def proposal_version(request, pk: int, number: int):
    proposal, roles, hide, versions = _versions_for(request, pk)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404
    return render(
        request,
        "calls/proposal_version.html",
        {
            "proposal": proposal,
            "version": version,
            "content": version.shown,
            "hide_names": hide,
            "is_team": "team" in roles,
        },
    )


def _no_fetching(url: str, *args, **kwargs):
    """WeasyPrint fetches nothing: the PDF is made from the version's own text only (no images, no requests)."""
    raise ValueError(f"Not fetched: {url[:80]}")


def version_pdf_document(request, proposal: Proposal, version: ProposalVersion, *, hide_names: bool):
    """The laid-out PDF of a version (WeasyPrint), from the version's frozen content only."""
    html = render_to_string(
        "calls/proposal_version_pdf.html",
        {"proposal": proposal, "version": version, "content": version.shown, "hide_names": hide_names},
        request=request,
    )
    return weasyprint.HTML(string=html, url_fetcher=_no_fetching).render()


@login_required
def proposal_version_pdf(request, pk: int, number: int):
    """A submitted version as PDF (answers, team, attachments list): whoever may read the version page."""
    proposal, _roles, hide, versions = _versions_for(request, pk)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404
    pdf = version_pdf_document(request, proposal, version, hide_names=hide).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proposal-{proposal.pk}-v{version.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
