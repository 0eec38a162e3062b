"""What calls adds to a person's data export: their proposals, reviews, consultation comments and alerts."""

from django.db.models import Q

from hub.registry import PersonalDataPart, register_personal_data


def _iso(value):
    return value.isoformat() if value else None


def _proposals(user) -> list[dict]:
    from calls.models import Proposal, TeamMember

    mine = Proposal.objects.filter(
        Q(lead=user) | Q(team__user=user, team__status=TeamMember.Status.ACCEPTED)
    ).distinct()
    return [
        {
            "title": p.title,
            "call": p.call.title,
            "role": "lead" if p.lead_id == user.pk else "co-applicant",
            "status": p.status,
            "summary": p.summary,
            "created_at": _iso(p.created_at),
            "submitted_at": _iso(p.submitted_at),
            "versions": [{"number": v.number, "submitted_at": _iso(v.submitted_at)} for v in p.versions.all()],
        }
        for p in mine.select_related("call").prefetch_related("versions").order_by("created_at")
    ]


def _team_invitations(user) -> list[dict]:
    from calls.models import TeamMember

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
    from calls.models import ReviewAssignment

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
            "submitted_at": _iso(a.submitted_at),
        }
        for a in assignments
    ]


def _consultation_comments(user) -> list[dict]:
    from calls.models import ConsultationComment

    return [
        {"call": c.call.title, "body": c.body, "status": c.status, "created_at": _iso(c.created_at)}
        for c in ConsultationComment.objects.filter(author=user).select_related("call")
    ]


def _saved_searches(user) -> list[dict]:
    from calls.models import SavedSearch

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


def register() -> None:
    for key, export in [
        ("proposals", _proposals),
        ("team_invitations", _team_invitations),
        ("reviews", _reviews),
        ("consultation_comments", _consultation_comments),
        ("saved_searches", _saved_searches),
    ]:
        register_personal_data(PersonalDataPart(key, export))
