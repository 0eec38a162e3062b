"""Issue 18 §3 pages: a proposal's discussion (comments by audience), its comment files, the reviews released to
the team with its response, and the part of the proposal page that shows the log. Every read goes through
calls/dialogue.py, so a user who may not see a proposal or a comment gets a 404."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from calls import dialogue
from calls.forms_dialogue import CommentForm, ResponseForm
from calls.models import Proposal, ProposalComment
from calls.selectors import proposal_roles
from calls.services import dialogue as services
from hub.forms import apply_validation_error
from hub.private_files import private_file_response

ROLE_NAMES = {
    "team": gettext_lazy("Applicant team"),
    "city": gettext_lazy("City"),
    "reviewer": gettext_lazy("Reviewer"),
}


def _proposal(request, pk: int) -> tuple[Proposal, set[str]]:
    proposal = dialogue.visible_proposal(request.user, pk)
    if proposal is None:
        raise Http404
    return proposal, proposal_roles(request.user, proposal)


def _candidates(request, proposal: Proposal, roles: set[str]) -> list:
    found = dialogue.mention_candidates(request.user, proposal, roles)
    return [
        (person, f"{person.display_name} ({', '.join(str(ROLE_NAMES[r]) for r in sorted(person_roles))})")
        for person, person_roles in found
    ]


def dialogue_context(user, proposal: Proposal, roles: set[str], content: dict) -> dict:
    """What the proposal page shows of the dialogue: the log, the released reviews' notice, the response."""
    now = timezone.now()
    is_team = "team" in roles
    released = is_team and dialogue.reviews_released(proposal, now)
    return {
        "dialogue": {
            "activity": dialogue.activity_visible_to(user, proposal, roles),
            "released": released,
            "response_open": released and dialogue.response_open(proposal, now),
            "response": content.get("review_response") or (proposal.review_response if is_team else ""),
            "response_closes_at": proposal.call.response_closes_at,
        }
    }


@login_required
@require_http_methods(["GET", "POST"])
def proposal_discussion(request, pk: int):
    proposal, roles = _proposal(request, pk)
    audiences = dialogue.audiences_written(roles)
    candidates = _candidates(request, proposal, roles)
    form = CommentForm(request.POST or None, request.FILES or None, audiences=audiences, candidates=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            parent = None
            if form.cleaned_data.get("parent"):
                parent = (
                    dialogue.comments_visible_to(request.user, proposal, roles)
                    .filter(pk=form.cleaned_data["parent"])
                    .first()
                )
                if parent is None:
                    raise Http404
            try:
                comment = services.comment_post(
                    proposal=proposal,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    visibility=form.cleaned_data.get("visibility") or "",
                    parent=parent,
                    mentions=form.cleaned_data.get("mentions") or [],
                    upload=form.cleaned_data.get("attachment"),
                    idempotency_key=form.cleaned_data.get("idempotency_key"),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your comment is posted."))
                return redirect(reverse("proposal_discussion", args=[proposal.pk]) + f"#comment-{comment.pk}")
        if form.files.get("attachment") and form.errors:
            form.add_error(None, _("Choose the file again: browsers do not keep a chosen file when a form comes back."))
        status = 400
    threads = dialogue.threads(request.user, proposal, roles)
    for thread in threads:
        thread["key"] = uuid.uuid4()  # each reply form its own one-time key
    # A refused reply comes back in its thread's form; anything else (a mangled parent too) in the main form.
    bound_parent = str(form.data.get("parent", "")) if form.is_bound else ""
    if bound_parent not in {str(t["comment"].pk) for t in threads}:
        bound_parent = ""
    return render(
        request,
        "calls/proposal_discussion.html",
        {
            "proposal": proposal,
            "roles": roles,
            "is_team": "team" in roles,
            "threads": threads,
            "form": form,
            "bound_parent": bound_parent,
            "reply_form": CommentForm(audiences=audiences, candidates=[]),
            "new_form": CommentForm(audiences=audiences, candidates=candidates),
            "can_write": bool(audiences),
            "hide_team": dialogue.hides_team(proposal, roles),
        },
        status=status,
    )


@login_required
def comment_attachment(request, pk: int, comment_id: int):
    proposal, roles = _proposal(request, pk)
    comment = (
        dialogue.comments_visible_to(request.user, proposal, roles)
        .select_related("attachment")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Http404
    try:
        attachment = comment.attachment
    except ProposalComment.attachment.RelatedObjectDoesNotExist:
        raise Http404 from None
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type="application/pdf", as_attachment=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_feedback(request, pk: int):
    """The reviews released to the team (anonymised) and, in the response stage, the team's response."""
    proposal, roles = _proposal(request, pk)
    now = timezone.now()
    if "team" not in roles or not dialogue.reviews_released(proposal, now):
        raise Http404
    can_respond = dialogue.response_open(proposal, now) and "lead" in roles
    form = ResponseForm(request.POST or None, initial={"response": proposal.review_response})
    status = 200
    if request.method == "POST":
        if not can_respond:
            form.is_valid()
            form.add_error(None, _("The response stage of this proposal is closed; the response can no longer change."))
        elif form.is_valid():
            try:
                version = services.review_response_submit(
                    proposal=proposal,
                    by=request.user,
                    text=form.cleaned_data["response"],
                    idempotency_key=form.cleaned_data.get("idempotency_key"),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Your response is sent as version %(number)s; the reviewers and the city can read it.")
                    % {"number": version.number},
                )
                return redirect("proposal_feedback", pk=proposal.pk)
        status = 400
    return render(
        request,
        "calls/proposal_feedback.html",
        {
            "proposal": proposal,
            "is_team": True,
            "reviews": dialogue.released_reviews(proposal),
            "form": form,
            "can_respond": can_respond,
            "response_open": dialogue.response_open(proposal, now),
            "response_closes_at": proposal.call.response_closes_at,
        },
        status=status,
    )
