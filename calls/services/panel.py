"""The panel and the staff's tools (issue 18 §4–5): chairs and meta-reviews, reviewers reading each other's reviews,
screening before review, and flags on proposals."""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import (
    MetaReview,
    PanelChair,
    Proposal,
    ProposalFlag,
    Recommendation,
    ResearchCall,
    ReviewAssignment,
    ReviewScore,
)
from calls.notifications import panel as notify
from calls.selectors import is_official, official_organisation_ids, proposal_roles, proposals_visible_to
from hub.translation import originals
from hub.versioning import StaleEdit, claim_edit
from profiles.models import User

MAX_LABEL = 60
MAX_NOTE = 2000
MAX_SUMMARY = 10000
MAX_REASON = 4000
# What screening applies to: a submitted proposal not decided yet (review may already have started).
SCREENABLE = (Proposal.Status.SUBMITTED, Proposal.Status.UNDER_REVIEW, Proposal.Status.INFO_REQUESTED)


# --- chairs -----------------------------------------------------------------------------------------------------


def is_chair(user: User, call: ResearchCall) -> bool:
    """The call's city officials chair its panel, and so do the reviewers the city made chair."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_official(user, call.organisation_id):
        return True
    return PanelChair.objects.filter(call=call, user=user).exists()


def chair_candidates(call: ResearchCall) -> QuerySet[User]:
    """The reviewers of the call who declared no conflict (on at least one of its proposals)."""
    return (
        User.objects.filter(
            review_assignments__proposal__call=call,
            review_assignments__status__in=[ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED],
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def chair_appoint(*, call: ResearchCall, user: User, by: User) -> PanelChair:
    """Make one of the call's reviewers chair of its panel; appointing twice answers with the existing chair."""
    if not is_official(by, call.organisation_id):
        raise PermissionDenied(_("Only officials of %(city)s manage this call.") % {"city": call.organisation})
    if not chair_candidates(call).filter(pk=user.pk).exists():
        raise ValidationError({"reviewer": _("Only a reviewer of this call who declared no conflict can chair it.")})
    try:
        with transaction.atomic():
            return PanelChair.objects.create(call=call, user=user, appointed_by=by)
    except IntegrityError:
        return PanelChair.objects.get(call=call, user=user)


def chair_remove(*, call: ResearchCall, chair_id: int, by: User) -> None:
    if not is_official(by, call.organisation_id):
        raise PermissionDenied(_("Only officials of %(city)s manage this call.") % {"city": call.organisation})
    PanelChair.objects.filter(call=call, pk=chair_id).delete()  # a second click finds nothing: nothing to do


def calls_chaired_by(user: User) -> QuerySet[ResearchCall]:
    """Calls whose panel the user chairs as a reviewer (officials reach theirs through the desk)."""
    if not getattr(user, "is_authenticated", False):
        return ResearchCall.objects.none()
    return originals(ResearchCall.objects.filter(panel_chairs__user=user))


def proposals_for_chair(user: User) -> QuerySet[Proposal]:
    """Proposals whose meta-review the user may read and write: those the city sees (sealed rules hold) of the
    user's cities, and the submitted proposals of calls the user chairs."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Proposal.objects.none()
    city = proposals_visible_to(user).filter(call__organisation_id__in=official_organisation_ids(user))
    chaired = Proposal.objects.filter(
        call__panel_chairs__user=user, status__in=Proposal.SUBMITTED_STATES, anonymised_at__isnull=True
    )
    ids = city.order_by().values("pk").union(chaired.order_by().values("pk"))
    return Proposal.objects.filter(pk__in=ids).select_related("call", "call__organisation", "lead")


# --- reviews read together ---------------------------------------------------------------------------------------


def submitted_reviews(proposal_id: int) -> list[ReviewAssignment]:
    """The submitted reviews of a proposal with their scores (criteria in the call's order), oldest first, each
    labelled "Reviewer A", "Reviewer B"… in that order (the same letters on every page)."""
    reviews = list(
        ReviewAssignment.objects.filter(proposal_id=proposal_id, status=ReviewAssignment.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=ReviewScore.objects.select_related("criterion").order_by("criterion__sort_order", "pk"),
            )
        )
    )
    for index, review in enumerate(reviews):
        review.panel_label = _("Reviewer %(letter)s") % {"letter": _letter(index)}
    return reviews


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def other_reviews_for(assignment: ReviewAssignment) -> list[ReviewAssignment] | None:
    """The other submitted reviews of the proposal, for its reviewer: only once their own is submitted and only if
    the call lets reviewers see each other's reviews (None otherwise). Never the reviewers' names."""
    call = assignment.proposal.call
    if not call.reviewers_see_reviews or assignment.status != ReviewAssignment.Status.SUBMITTED:
        return None
    return [r for r in submitted_reviews(assignment.proposal_id) if r.pk != assignment.pk]


# --- meta-reviews -------------------------------------------------------------------------------------------------


def meta_review_problem(proposal: Proposal) -> str:
    """Why no meta-review can be written on this proposal now, or ""."""
    if proposal.anonymised_at is not None:
        return _("This proposal was anonymised; its reviews are kept for statistics only.")
    if proposal.screening == Proposal.Screening.INELIGIBLE:
        return _("This proposal was screened out as ineligible; it is not reviewed.")
    if not ReviewAssignment.objects.filter(proposal=proposal, status=ReviewAssignment.Status.SUBMITTED).exists():
        return _("No review of this proposal is in yet; the meta-review summarises the reviews.")
    return ""


@transaction.atomic
def meta_review_save(
    *, proposal: Proposal, by: User, summary: str, recommendation: str, edit_version: int | None
) -> MetaReview:
    """Write or update the meta-review of a proposal (one per proposal, several chairs may edit it: versioned)."""
    if not proposals_for_chair(by).filter(pk=proposal.pk).exists():
        raise PermissionDenied(_("Only the chair of this call's panel writes its meta-reviews."))
    summary = (summary or "").strip()
    errors = {}
    if not summary:
        errors["summary"] = _("Summarise the reviews in a few sentences.")
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Keep the summary under %(max)s characters.") % {"max": MAX_SUMMARY}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = _("Choose the panel's recommendation.")
    if errors:
        raise ValidationError(errors)
    problem = meta_review_problem(proposal)
    if problem:
        raise ValidationError(problem)
    existing = MetaReview.objects.filter(proposal=proposal).first()
    if existing is None:
        try:
            with transaction.atomic():
                return MetaReview.objects.create(
                    proposal=proposal, author=by, summary=summary, recommendation=recommendation
                )
        except IntegrityError:
            # Another chair saved the first meta-review meanwhile: theirs is shown beside what this one typed.
            raise StaleEdit(MetaReview.objects.get(proposal=proposal)) from None
    if edit_version is None:
        raise StaleEdit(existing)
    claim_edit(existing, expected=edit_version)
    existing.summary = summary
    existing.recommendation = recommendation
    existing.author = by
    existing.save(update_fields=["summary", "recommendation", "author", "updated_at"])
    return existing


# --- recommendations beside scores --------------------------------------------------------------------------------


def recommendations_for(proposal_ids: list[int]) -> dict[int, dict]:
    """Per proposal: how many submitted reviews recommend each option, in the choices' order, and the panel's
    recommendation from the meta-review (two queries, whatever the number of reviews)."""
    counts: dict[int, Counter] = {pk: Counter() for pk in proposal_ids}
    rows = (
        ReviewAssignment.objects.filter(proposal_id__in=proposal_ids, status=ReviewAssignment.Status.SUBMITTED)
        .exclude(recommendation="")
        .values("proposal_id", "recommendation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["proposal_id"]][row["recommendation"]] = row["n"]
    panel = dict(MetaReview.objects.filter(proposal_id__in=proposal_ids).values_list("proposal_id", "recommendation"))
    labels = dict(Recommendation.choices)
    result = {}
    for pk in proposal_ids:
        result[pk] = {
            "counts": [
                {"key": key, "label": labels[key], "count": counts[pk][key]}
                for key in Recommendation.values
                if counts[pk][key]
            ],
            "panel": panel.get(pk, ""),
            "panel_label": labels.get(panel.get(pk, ""), ""),
        }
    return result


# --- screening ----------------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_screen(*, proposal: Proposal, by: User, eligible: bool, reason: str = "") -> Proposal:
    """Mark a submitted proposal eligible, or ineligible with a reason that the team reads (it is then declined and
    kept out of review). One conditional UPDATE: a double click or a late second official gets a clear message."""
    if not is_official(by, proposal.call.organisation_id):
        raise PermissionDenied(_("Only officials of %(city)s manage this call.") % {"city": proposal.call.organisation})
    if not proposals_visible_to(by).filter(pk=proposal.pk).exists():
        raise PermissionDenied(_("This proposal is not available to you."))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("Say why the proposal is ineligible; the team reads it.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep the reason under %(max)s characters.") % {"max": MAX_REASON}})
    now = timezone.now()
    changes = {
        "screening": Proposal.Screening.ELIGIBLE if eligible else Proposal.Screening.INELIGIBLE,
        "screening_reason": reason,
        "screened_by": by,
        "screened_at": now,
        "updated_at": now,
    }
    if not eligible:
        changes |= {"status": Proposal.Status.DECLINED, "decided_at": now, "outcome_message": reason}
    updated = Proposal.objects.filter(
        pk=proposal.pk, screening=Proposal.Screening.PENDING, status__in=SCREENABLE
    ).update(**changes)
    fresh = Proposal.objects.select_related("call", "screened_by").get(pk=proposal.pk)
    if not updated:
        if fresh.screening != Proposal.Screening.PENDING:
            raise ValidationError(
                _("This proposal was already screened: “%(result)s” on %(date)s. That first answer stands.")
                % {
                    "result": fresh.get_screening_display(),
                    "date": timezone.localtime(fresh.screened_at).strftime("%Y-%m-%d %H:%M"),
                },
                code="already_screened",
            )
        raise ValidationError(
            _("Only submitted proposals that are not decided can be screened; this one is “%(status)s”.")
            % {"status": fresh.get_status_display()},
            code="already_screened",
        )
    if not eligible:
        transaction.on_commit(lambda: notify.email_screened_out(proposal_id=proposal.pk))
    return fresh


def proposals_to_screen(user: User) -> QuerySet[Proposal]:
    return proposals_visible_to(user).filter(
        call__organisation_id__in=official_organisation_ids(user),
        screening=Proposal.Screening.PENDING,
        status__in=SCREENABLE,
    )


# --- flags --------------------------------------------------------------------------------------------------------


def flags_visible_to(user: User) -> QuerySet[ProposalFlag]:
    """The user's own flags, and the flags shared with the city on proposals of the user's cities."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ProposalFlag.objects.none()
    return ProposalFlag.objects.filter(
        Q(owner=user) | Q(shared=True, proposal__call__organisation_id__in=official_organisation_ids(user))
    ).select_related("owner")


def can_flag(user: User, proposal: Proposal) -> bool:
    """The city's officials and the proposal's reviewers flag it; its team does not."""
    roles = proposal_roles(user, proposal)
    return bool(roles & {"city", "reviewer"}) and "team" not in roles


@transaction.atomic
def flag_add(*, proposal: Proposal, by: User, label: str, note: str = "", shared: bool = False) -> ProposalFlag:
    if not proposals_visible_to(by).filter(pk=proposal.pk).exists() or not can_flag(by, proposal):
        raise PermissionDenied(_("This proposal is not available to you."))
    label = " ".join((label or "").split())
    note = (note or "").strip()
    errors = {}
    if not label:
        errors["label"] = _("Give the flag a short label, such as “budget check”.")
    elif len(label) > MAX_LABEL:
        errors["label"] = _("Keep the label under %(max)s characters.") % {"max": MAX_LABEL}
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note under %(max)s characters.") % {"max": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    if shared and not is_official(by, proposal.call.organisation_id):
        shared = False  # a reviewer's flag stays private; only the city's officials share with each other
    try:
        with transaction.atomic():
            return ProposalFlag.objects.create(proposal=proposal, owner=by, label=label, note=note, shared=shared)
    except IntegrityError:
        raise ValidationError(
            {"label": _("You already flagged this proposal “%(label)s”.") % {"label": label}}
        ) from None


def flag_remove(*, flag_id: int, proposal: Proposal, by: User) -> bool:
    """Remove one of the user's own flags; False when it was gone already."""
    return ProposalFlag.objects.filter(pk=flag_id, proposal=proposal, owner=by).delete()[0] > 0
