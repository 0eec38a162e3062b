"""Emails of review and award: reviewer invitations, information requests, outcomes and reminders.

Invitations, information requests and decisions are always emailed (a person must not miss them whatever their
notification setting), and each also lands in the notification centre of the accounts concerned, without a second
email.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.models import Proposal, ResearchCall, ReviewAssignment, TeamMember
from hub.mail import send_templated
from profiles.models import User
from profiles.notify import notify
from profiles.visibility import account_for_address


def applicant_emails(proposal: Proposal) -> list[str]:
    """The lead and every co-applicant who accepted."""
    team = proposal.team.filter(Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED))
    return sorted({*team.values_list("email", flat=True), proposal.lead.email})


def _proposal_url(proposal: Proposal) -> str:
    return reverse("proposal_detail", args=[proposal.pk])


def _team_accounts(proposal: Proposal) -> list[User]:
    """The accounts of the lead and of every co-applicant who accepted, once each."""
    team = proposal.team.filter(Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED))
    ids = {proposal.lead_id, *team.exclude(user__isnull=True).values_list("user_id", flat=True)}
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _tell_team(proposal: Proposal, *, kind: str, message: str) -> None:
    for person in _team_accounts(proposal):
        notify(person, kind=kind, message=message, url=_proposal_url(proposal), email=False)


def email_review_assigned(*, assignment_id: int) -> None:
    """Invite the reviewer to declare conflicts and review: an account's owner signs in, anyone else signs up first.

    Only the address's owner reads the difference; the city was told "we will email them" either way.
    """
    assignment = ReviewAssignment.objects.select_related("reviewer", "proposal__call").get(pk=assignment_id)
    has_account = assignment.reviewer_id is not None or account_for_address(assignment.email) is not None
    send_templated(
        "calls/email/review_assigned",
        {
            "assignment": assignment,
            "call": assignment.proposal.call,
            "has_account": has_account,
            "review_url": reverse("review_assignment", args=[assignment.pk])
            if assignment.reviewer_id
            else reverse("review_invitation", args=[assignment.token]),
        },
        to=[assignment.invited_address],
    )
    if assignment.reviewer_id:
        notify(
            assignment.reviewer,
            kind="review_assigned",
            message=_("You are invited to review “%(title)s” for the call “%(call)s”.")
            % {"title": assignment.proposal.title, "call": assignment.proposal.call.title},
            url=reverse("review_assignment", args=[assignment.pk]),
            email=False,
        )


def email_info_requested(*, proposal_id: int) -> None:
    """Tell the team what the city wants added or changed."""
    proposal = Proposal.objects.select_related("call", "lead").get(pk=proposal_id)
    send_templated(
        "calls/email/info_request",
        {"proposal": proposal, "call": proposal.call, "proposal_url": _proposal_url(proposal)},
        to=applicant_emails(proposal),
    )
    _tell_team(
        proposal,
        kind="info_requested",
        message=_("The city asks for more information on “%(title)s”.") % {"title": proposal.title},
    )


def email_outcome(*, proposal_id: int) -> None:
    """Tell every applicant the city's decision (awarded, declined, shortlisted or invited to the full stage)."""
    proposal = Proposal.objects.select_related("call", "lead").get(pk=proposal_id)
    partnership = getattr(proposal, "partnership", None) if proposal.status == Proposal.Status.AWARDED else None
    send_templated(
        "calls/email/outcome",
        {
            "proposal": proposal,
            "call": proposal.call,
            "proposal_url": _proposal_url(proposal),
            "dashboard_url": reverse("dashboard"),
            "partnership_url": partnership.get_absolute_url() if partnership else "",
        },
        to=applicant_emails(proposal),
    )
    _tell_team(
        proposal,
        kind="proposal_outcome",
        message=_("The city decided on “%(title)s”: %(status)s.")
        % {"title": proposal.title, "status": proposal.get_status_display()},
    )


def email_review_reminder(*, assignment: ReviewAssignment) -> None:
    """Remind a reviewer that their review is due soon."""
    send_templated(
        "calls/email/reminder_review",
        {
            "assignment": assignment,
            "call": assignment.proposal.call,
            "review_url": reverse("review_assignment", args=[assignment.pk]),
        },
        to=[assignment.reviewer.email],
    )


def email_draft_reminder(*, proposal: Proposal, deadline) -> None:
    """Remind a team that their draft's deadline is near."""
    send_templated(
        "calls/email/reminder_draft",
        {"proposal": proposal, "call": proposal.call, "deadline": deadline, "proposal_url": _proposal_url(proposal)},
        to=applicant_emails(proposal),
    )


def _send_templated_once(template: str, context: dict, to: list[str], *, key: str) -> None:
    """``send_templated`` under fixed idempotency keys (``key`` and the address): enqueued twice, sent once."""
    send_templated(template, context, to, key=key)


def email_call_closed_early(*, call_id: int, proposal_ids: list[int]) -> None:
    """Tell the team of each draft cut off by an early closing that it can no longer be submitted; once each."""
    call = ResearchCall.objects.select_related("organisation").get(pk=call_id)
    for proposal in Proposal.objects.filter(call=call, pk__in=proposal_ids).select_related("lead").order_by("pk"):
        proposal.call = call
        _send_templated_once(
            "calls/email/call_closed_early",
            {"proposal": proposal, "call": call, "proposal_url": _proposal_url(proposal)},
            to=applicant_emails(proposal),
            key=f"call-closed-early:{call.pk}:{proposal.pk}",
        )
