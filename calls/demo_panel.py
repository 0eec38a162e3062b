"""Demo content of the panel (issue 18 §4): recommendations and confidence on the demo reviews, a reviewer made chair
of a closed demo call whose reviewers see each other's reviews, and that chair's meta-review. Idempotent."""

from calls.models import MetaReview, PanelChair, Proposal, Recommendation, ResearchCall, ReviewAssignment

# Per submitted demo review, in turn: what it recommends and how confident its reviewer is.
DEMO_OPINIONS = [
    (Recommendation.FUND, 4),
    (Recommendation.FUND_WITH_CHANGES, 3),
    (Recommendation.FUND, 5),
    (Recommendation.DO_NOT_FUND, 2),
]
META_SUMMARY = (
    "Demo meta-review: both reviewers value the participatory design and the tenants' role in the survey. One asks "
    "for a clearer data-protection plan before fieldwork; the panel recommends funding on that condition."
)


def seed_panel(*, stdout) -> None:
    reviews = list(
        ReviewAssignment.objects.filter(status=ReviewAssignment.Status.SUBMITTED, recommendation="")
        .filter(comments__startswith="Demo review")
        .order_by("pk")
    )
    for index, review in enumerate(reviews):
        review.recommendation, review.confidence = DEMO_OPINIONS[index % len(DEMO_OPINIONS)]
        review.save(update_fields=["recommendation", "confidence"])
    # The first closed demo call with reviews: its panel.
    proposal = (
        Proposal.objects.filter(
            status=Proposal.Status.UNDER_REVIEW,
            review_assignments__status=ReviewAssignment.Status.SUBMITTED,
            review_assignments__comments__startswith="Demo review",
        )
        .select_related("call")
        .order_by("call__closes_at", "pk")
        .first()
    )
    if proposal is None:
        return
    call = proposal.call
    if not call.reviewers_see_reviews:
        ResearchCall.objects.filter(pk=call.pk).update(reviewers_see_reviews=True)
        revision = call.latest_revision
        if revision is not None:
            revision.content = {**revision.content, "reviewers_see_reviews": True}
            revision.save(update_fields=["content"])
    chair = proposal.review_assignments.filter(status=ReviewAssignment.Status.SUBMITTED).order_by("pk").first().reviewer
    PanelChair.objects.get_or_create(call=call, user=chair, defaults={"appointed_by": None})
    _meta, created = MetaReview.objects.get_or_create(
        proposal=proposal,
        defaults={"author": chair, "summary": META_SUMMARY, "recommendation": Recommendation.FUND_WITH_CHANGES},
    )
    if reviews or created:
        stdout.write(f"Demo panel: {len(reviews)} recommendations, meta-review on “{proposal.title}”.")
