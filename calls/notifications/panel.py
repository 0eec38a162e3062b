"""Emails of screening and data retention: the reason a proposal was screened out, and the notice before a declined
or withdrawn proposal is anonymised."""

from django.urls import reverse

from calls.models import Proposal
from calls.notifications.reviews import applicant_emails
from hub.mail import send_templated


def email_screened_out(*, proposal_id: int) -> None:
    """Tell the team that the city found their proposal ineligible, and why."""
    proposal = Proposal.objects.select_related("call", "call__organisation", "lead").get(pk=proposal_id)
    send_templated(
        "calls/email/screened_out",
        {"proposal": proposal, "call": proposal.call, "proposal_url": reverse("proposal_detail", args=[proposal.pk])},
        to=applicant_emails(proposal),
        key=f"screened-out:{proposal.pk}",
    )


def email_retention_notice(*, proposal_id: int, anonymise_on) -> None:
    """Tell the team, once, that their declined or withdrawn proposal is anonymised on ``anonymise_on``."""
    proposal = Proposal.objects.select_related("call", "call__organisation", "lead").get(pk=proposal_id)
    if proposal.lead_id is None:
        return
    send_templated(
        "calls/email/retention_notice",
        {
            "proposal": proposal,
            "call": proposal.call,
            "anonymise_on": anonymise_on,
            "proposal_url": reverse("proposal_detail", args=[proposal.pk]),
        },
        to=applicant_emails(proposal),
        key=f"retention-notice:{proposal.pk}",
    )
