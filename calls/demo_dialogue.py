"""Demo of issue 18 §3: a closed call whose reviews are released in a response stage, a team response, comments in
each audience, and an awarded call that shows its reviews to the teams after the decision. Idempotent."""

from django.utils import timezone

from calls.models import Audience, Proposal, ProposalComment, ResearchCall, ReviewAssignment
from calls.services.dialogue import comment_post, review_response_submit
from profiles.models import Membership

DAY = timezone.timedelta(days=1)
RESPONSE_CALL = "inclusive-public-space"
AFTER_DECISION_CALL = "homelessness-indicators"


def seed(*, stdout) -> None:
    """Release the reviews of two demo calls and start the conversation on one proposal."""
    now = timezone.now().replace(second=0, microsecond=0)
    ResearchCall.objects.filter(slug=AFTER_DECISION_CALL, review_release="none").update(review_release="after_decision")
    call = ResearchCall.objects.filter(slug=RESPONSE_CALL).first()
    if call is None:
        return
    proposal = (
        Proposal.objects.filter(call=call, status__in=Proposal.SUBMITTED_STATES).order_by("pk").select_related("lead")
    ).first()
    if proposal is None or ProposalComment.objects.filter(proposal__call=call).exists():
        return
    ResearchCall.objects.filter(pk=call.pk).update(
        review_release="response_stage", response_opens_at=now - 2 * DAY, response_closes_at=now + 12 * DAY
    )
    official = Membership.objects.filter(organisation=call.organisation, role="admin", status="approved").first().user
    reviewer = (
        ReviewAssignment.objects.filter(proposal=proposal, status=ReviewAssignment.Status.SUBMITTED)
        .select_related("reviewer")
        .first()
    )
    lead = proposal.lead
    review_response_submit(
        proposal=proposal,
        by=lead,
        text="Thank you for the careful reviews (demo). Review 1 asks for a larger sample: we add two more "
        "neighbourhoods and a second round of walk-along interviews. Review 2 asks how young people take part: a "
        "youth advisory group of eight paid members will co-design the mapping and co-author the public report.",
    )
    question = comment_post(
        proposal=proposal,
        by=official,
        body="Could you share the consent form for the walk-along interviews before the panel meets? (demo)",
        visibility=Audience.TEAM_CITY,
        mentions=[lead.pk],
    )
    comment_post(
        proposal=proposal,
        by=lead,
        body="Yes: we will attach it here by Friday, in Dutch and English. (demo)",
        parent=question,
    )
    comment_post(
        proposal=proposal,
        by=lead,
        body="Note for the team: update the budget table with the youth advisory group's fees. (demo)",
        visibility=Audience.TEAM,
    )
    if reviewer is not None:
        comment_post(
            proposal=proposal,
            by=reviewer.reviewer,
            body="The response answers my concern about the sample; I will raise my score on feasibility. (demo)",
            visibility=Audience.INTERNAL,
        )
    stdout.write("Demo dialogue: reviews released, one team response and four comments.")
