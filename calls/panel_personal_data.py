"""What the panel adds to a person's data export (the ``personal_data`` hook): their flags, the meta-reviews
they last saved and the calls whose panel they chair."""

from calls.models import MetaReview, PanelChair, ProposalFlag


def personal_data(user) -> dict:
    flags = ProposalFlag.objects.filter(owner=user).select_related("proposal").order_by("created_at")
    metas = MetaReview.objects.filter(author=user).select_related("proposal").order_by("created_at")
    chairs = PanelChair.objects.filter(user=user).select_related("call").order_by("created_at")
    return {
        "proposal_flags": [
            {
                "proposal": f.proposal.title,
                "label": f.label,
                "note": f.note,
                "shared": f.shared,
                "created_at": f.created_at.isoformat(),
            }
            for f in flags
        ],
        "meta_reviews": [
            {
                "proposal": m.proposal.title,
                "summary": m.summary,
                "recommendation": m.recommendation,
                "updated_at": m.updated_at.isoformat(),
            }
            for m in metas
        ],
        "panel_chairs": [{"call": c.call.title, "since": c.created_at.isoformat()} for c in chairs],
    }
