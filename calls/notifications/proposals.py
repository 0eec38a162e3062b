"""Emails of proposals: team invitations, the submission receipt to the team and the notice to the city."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from calls.models import ProposalVersion, TeamMember
from hub.mail import send_templated
from profiles.models import Membership


def email_team_invitation(*, member_id: int) -> None:
    """Invite a person to a proposal's team, with the link to accept or decline."""
    member = TeamMember.objects.select_related("proposal__call__organisation", "proposal__lead").get(pk=member_id)
    send_templated(
        "calls/email/team_invitation",
        {
            "member": member,
            "proposal": member.proposal,
            "call": member.proposal.call,
            "lead": member.proposal.lead,
            "invitation_url": reverse("team_invitation", args=[member.token]),
        },
        to=[member.email],
    )


def email_submitted(*, version_id: int) -> None:
    """A receipt with what was submitted to the accepted team, and a notice to the call's city."""
    version = ProposalVersion.objects.select_related("proposal__call__organisation", "proposal__lead").get(
        pk=version_id
    )
    proposal = version.proposal
    call = proposal.call
    context = {
        "version": version,
        "content": version.content,
        "proposal": proposal,
        "call": call,
        "proposal_url": reverse("proposal_detail", args=[proposal.pk]),
    }
    team = proposal.team.filter(Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED))
    send_templated(
        "calls/email/proposal_receipt",
        context,
        to=[*team.values_list("email", flat=True), proposal.lead.email],
    )
    officials = Membership.objects.filter(
        organisation_id=call.organisation_id, status=Membership.Status.APPROVED
    ).values_list("user__email", flat=True)
    # A sealed call's city learns only that a proposal arrived, until the deadline of its stage.
    sealed = call.sealed and timezone.now() < proposal.deadline
    send_templated(
        "calls/email/proposal_received",
        {**context, "sealed": sealed, "manage_url": reverse("call_manage", args=[call.pk])},
        to=list(officials),
    )
