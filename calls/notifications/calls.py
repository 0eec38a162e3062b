"""Emails about calls themselves: a cancellation reaches every team that started a proposal."""

from hub.mail import send_templated


def notify_call_cancelled(*, call) -> None:
    """Tell every lead and accepted team member of the call's proposals that it was cancelled."""
    from calls.services.calls import call_team_emails  # cycle: calls.services.calls imports this module

    send_templated(
        "calls/email/call_cancelled", {"call": call, "call_url": call.full_url or ""}, to=call_team_emails(call)
    )
