"""What calls adds to a person's data export (the ``personal_data`` hook, registered in calls/wagtail_hooks.py):
their proposals (with the answers to the call's questions of those they lead), reviews (with their answers to the
review questions) and bids, discussion comments, consultation comments and alerts."""

from typing import Any

from django.db.models import Q

from calls import application_forms
from calls.models import (
    ConsultationComment,
    Proposal,
    ProposalComment,
    ReviewAssignment,
    ReviewBid,
    SavedSearch,
    TeamMember,
)
from calls.snapshot import answers_snapshot


def _iso(value):
    return value.isoformat() if value else None


def _answers(shown) -> list[dict]:
    """Answers to a call's questions as the proposal page shows them: the question and the answer's text."""
    return [{"question": a.get("label"), "answer": a.get("display")} for a in shown or []]


def _proposal(p: Proposal, user) -> dict:
    leads = p.lead_id == user.pk
    versions = []
    for v in p.versions.all():
        version = {"number": v.number, "submitted_at": _iso(v.submitted_at)}
        if leads:
            # The lead wrote these: the answers as frozen with the version (the form as it was then), and the
            # response to the reviews that a response-stage version carries.
            version["answers"] = _answers(v.content.get("answers"))
            version["review_response"] = v.content.get("review_response", "")
        versions.append(version)
    data = {
        "title": p.title,
        "call": p.call.title,
        "role": "lead" if leads else "co-applicant",
        "status": p.status,
        "summary": p.summary,
        "created_at": _iso(p.created_at),
        "submitted_at": _iso(p.submitted_at),
        "versions": versions,
    }
    if leads:
        data["draft_answers"] = _answers(answers_snapshot(p)["answers"])
        data["review_response"] = p.review_response
    return data


def _proposals(user) -> list[dict]:
    mine = Proposal.objects.filter(
        Q(lead=user) | Q(team__user=user, team__status=TeamMember.Status.ACCEPTED)
    ).distinct()
    return [_proposal(p, user) for p in mine.select_related("call").prefetch_related("versions").order_by("created_at")]


def _team_invitations(user) -> list[dict]:
    return [
        {
            "proposal": m.proposal.title,
            "email": m.email,
            "role": m.role,
            "status": m.status,
            "invited_at": _iso(m.invited_at),
        }
        for m in TeamMember.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related("proposal")
    ]


def _reviews(user) -> list[dict]:
    assignments = (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("proposal__call")
        .prefetch_related("scores__criterion")
        .order_by("created_at")
    )
    return [
        {
            "call": a.proposal.call.title,
            "proposal": a.proposal.title,
            "status": a.status,
            "conflict_statement": a.conflict_statement,
            "comments": a.comments,
            "scores": {s.criterion.name: s.score for s in a.scores.all()},
            "answers": [
                {"question": row["label"], "answer": row["answer"]}
                for row in application_forms.review_answers(
                    a.proposal.call.review_questions.get_prep_value(), a.answers
                )
            ],
            "recommendation": a.recommendation,
            "confidence": a.confidence,
            "submitted_at": _iso(a.submitted_at),
        }
        for a in assignments
    ]


def _review_bids(user) -> list[dict]:
    bids = ReviewBid.objects.filter(reviewer=user).select_related("proposal__call").order_by("updated_at", "pk")
    return [
        {
            "call": b.proposal.call.title,
            "proposal": b.proposal.title,
            "level": b.level,
            "updated_at": _iso(b.updated_at),
        }
        for b in bids
    ]


def _discussion_comments(user) -> list[dict]:
    """The comments the person wrote on proposals (their own words only: never those of others in the thread)."""
    comments = (
        ProposalComment.objects.filter(author=user)
        .select_related("proposal", "attachment")
        .order_by("created_at", "pk")
    )
    return [
        {
            "proposal": c.proposal.title,
            "audience": c.visibility,
            "body": c.body,
            "reply": c.parent_id is not None,
            "attachment": c.attachment.original_name if hasattr(c, "attachment") else None,
            "created_at": _iso(c.created_at),
        }
        for c in comments
    ]


def _consultation_comments(user) -> list[dict]:
    return [
        {"call": c.call.title, "body": c.body, "status": c.status, "created_at": _iso(c.created_at)}
        for c in ConsultationComment.objects.filter(author=user).select_related("call")
    ]


def _saved_searches(user) -> list[dict]:
    return [
        {
            "name": s.name,
            "source": s.source,
            "query": s.query,
            "frequency": s.frequency,
            "created_at": _iso(s.created_at),
        }
        for s in SavedSearch.objects.filter(user=user).order_by("created_at")
    ]


def personal_data(user) -> dict[str, Any]:
    return {
        "proposals": _proposals(user),
        "team_invitations": _team_invitations(user),
        "reviews": _reviews(user),
        "review_bids": _review_bids(user),
        "discussion_comments": _discussion_comments(user),
        "consultation_comments": _consultation_comments(user),
        "saved_searches": _saved_searches(user),
    }
