"""State changes of calls: reuse as a template, cancellation and the public consultation."""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import Page

from calls import deadlines
from calls.matching.vectors import refresh_call_after_commit
from calls.models import ConsultationComment, EvaluationCriterion, Proposal, ResearchCall, TeamMember
from calls.notifications.calls import notify_call_cancelled
from calls.selectors import is_official
from profiles.models import CityPage, Membership, Organisation, User
from profiles.services import is_coordinator

CONSULTATION_KINDS = (Organisation.Kind.CIVIL_SOCIETY, Organisation.Kind.NHRI)
TEMPLATE_OPENS_IN = dt.timedelta(days=30)
TEMPLATE_CLOSES_IN = dt.timedelta(days=90)
# What a template copy takes from its source call; dates, consultation and state are never copied.
TEMPLATE_FIELDS = (
    "title",
    "summary",
    "budget_min",
    "budget_max",
    "currency",
    "duration_months",
    "two_stage",
    "early_career",
    "early_career_share",
    "cross_border",
    "data_protection",
    "ethics",
    "blind_review",
    "sealed",
)
TEMPLATE_M2M = ("themes", "sdg_targets", "methods", "groups", "required_languages")


def can_manage_call(user, call: ResearchCall) -> bool:
    """Officials of the call's city and network coordinators."""
    return is_coordinator(user) or is_official(user, call.organisation_id)


def _unique_child_slug(parent: Page, title: str) -> str:
    base = slugify(title)[:200] or "call"
    taken = set(Page.objects.child_of(parent).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _local_noon(moment: dt.datetime, zone: str) -> dt.datetime:
    """Noon on the same local day: never inside a DST gap or overlap."""
    local = deadlines.to_local(moment, zone)
    return deadlines.localize(local.replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=None), zone)


@transaction.atomic
def call_use_as_template(*, source: ResearchCall, city_page: CityPage, by: User) -> ResearchCall:
    """A draft copy of a published call under the official's own city page, crediting the source."""
    source = source.specific if not isinstance(source, ResearchCall) else source
    if not source.live:
        raise ValidationError(_("Only published calls can be used as a template."))
    if not is_official(by, city_page.organisation_id):
        raise PermissionDenied(_("Only officials of %(city)s can start a call for it.") % {"city": city_page.title})
    zone = city_page.organisation.time_zone
    now = timezone.now()
    call = ResearchCall(**{name: getattr(source, name) for name in TEMPLATE_FIELDS})
    call.body = source.body.get_prep_value()
    # Issue 18 §1: the application forms of both stages and the review questions come along.
    call.application_form = source.application_form.get_prep_value()
    call.full_application_form = source.full_application_form.get_prep_value()
    call.review_questions = source.review_questions.get_prep_value()
    call.slug = _unique_child_slug(city_page, source.title)
    call.opens_at = _local_noon(now + TEMPLATE_OPENS_IN, zone)
    call.closes_at = _local_noon(now + TEMPLATE_CLOSES_IN, zone)
    if source.two_stage and source.full_proposal_closes_at:
        call.full_proposal_closes_at = _local_noon(
            call.closes_at + (source.full_proposal_closes_at - source.closes_at), zone
        )
    call.template_source = source
    call.live = False
    call.owner = by
    for name in TEMPLATE_M2M:
        setattr(call, name, list(getattr(source, name).all()))
    for order, criterion in enumerate(source.criteria.all()):
        call.criteria.add(
            EvaluationCriterion(
                name=criterion.name, description=criterion.description, weight=criterion.weight, sort_order=order
            )
        )
    call.inherit_from_city(city_page)
    city_page.add_child(instance=call)
    log(instance=call, action="wagtail.create", user=by)
    call.save_revision(user=by, log_action=True)
    log(
        instance=call,
        action="calls.use_as_template",
        user=by,
        data={"source_id": source.pk, "source_title": source.title},
    )
    return call


@transaction.atomic
def call_cancel(*, call: ResearchCall, reason: str, by: User) -> ResearchCall:
    """Cancel a call with a public reason; every team that started a proposal is told by email."""
    if not can_manage_call(by, call):
        raise PermissionDenied(_("Only the city's officials or a network coordinator can cancel this call."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the public reason for cancelling the call.")})
    call = ResearchCall.objects.select_for_update().get(pk=call.pk)
    if call.cancelled_at is not None:
        raise ValidationError(_("This call is already cancelled."))
    if call.awarded_at is not None:
        raise ValidationError(_("This call has been awarded; it can no longer be cancelled."))
    now = timezone.now()
    ResearchCall.objects.filter(pk=call.pk).update(cancelled_at=now, cancellation_reason=reason)
    # Keep the latest revision in step, so that publishing a later edit does not undo the cancellation.
    revision = call.latest_revision
    if revision is not None:
        revision.content = {**revision.content, "cancelled_at": now.isoformat(), "cancellation_reason": reason}
        revision.save(update_fields=["content"])
    call.cancelled_at, call.cancellation_reason = now, reason
    call.__dict__.pop("status", None)
    log(instance=call, action="calls.cancel", user=by, data={"reason": reason})
    refresh_call_after_commit(call.pk)  # a cancelled call is recommended to nobody any more

    transaction.on_commit(lambda: notify_call_cancelled(call=call))
    return call


def call_team_emails(call: ResearchCall) -> list[str]:
    """Leads and accepted team members of every proposal to the call."""
    leads = Proposal.objects.filter(call=call).values_list("lead__email", flat=True)
    members = TeamMember.objects.filter(
        proposal__call=call, status=TeamMember.Status.ACCEPTED, user__isnull=False
    ).values_list("user__email", flat=True)
    return sorted({*leads, *members})


def consultation_organisation(user) -> Organisation | None:
    """The verified civil-society organisation or NHRI the user speaks for, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = (
        Membership.objects.filter(
            user=user,
            status=Membership.Status.APPROVED,
            organisation__verified=True,
            organisation__kind__in=CONSULTATION_KINDS,
        )
        .select_related("organisation")
        .order_by("organisation__name")
        .first()
    )
    return membership.organisation if membership else None


def can_comment(user, call: ResearchCall) -> tuple[bool, str]:
    """Whether the user may comment on the call's consultation, and why not."""
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in to take part in the consultation.")
    if call.status != ResearchCall.Status.CONSULTATION:
        return False, _("This call is not in public consultation, so comments are closed.")
    if call.consultation_open_to_all:
        return True, ""
    if consultation_organisation(user) is None:
        return False, _(
            "Only members of verified civil-society organisations and national human rights institutions "
            "can comment on this call."
        )
    return True, ""


@transaction.atomic
def consultation_comment_post(*, call: ResearchCall, author: User, body: str) -> ConsultationComment:
    """A comment waiting for the city's moderation."""
    allowed, reason = can_comment(author, call)
    if not allowed:
        raise PermissionDenied(reason)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your comment before sending it.")})
    if len(body) > 4000:
        raise ValidationError({"body": _("Keep your comment under 4,000 characters.")})
    digest = hashlib.sha256(body.encode()).hexdigest()
    try:
        with transaction.atomic():
            return ConsultationComment.objects.create(
                call=call, author=author, organisation=consultation_organisation(author), body=body, body_digest=digest
            )
    except IntegrityError:
        # Sent twice (a double click, or a retry of a request that did arrive): the first one stands.
        existing = ConsultationComment.objects.filter(call=call, author=author, body_digest=digest).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def consultation_comment_moderate(
    *, comment: ConsultationComment, by: User, publish: bool, reason: str = ""
) -> ConsultationComment:
    """Publish a comment, or keep it off the page with a reason."""
    if not can_manage_call(by, comment.call):
        raise PermissionDenied(_("Only the city's officials or a network coordinator can moderate comments."))
    reason = (reason or "").strip()
    if not publish and not reason:
        raise ValidationError({"reason": _("Say why the comment is not published.")})
    # Locked and read again: of two moderators deciding at once, the first decision stands and the second is told.
    comment.refresh_from_db(from_queryset=ConsultationComment.objects.select_for_update())
    if comment.status != ConsultationComment.Status.PENDING:
        raise ValidationError(
            _("This comment was already moderated: it is “%(status)s”.") % {"status": comment.get_status_display()},
            code="already_decided",
        )
    comment.status = ConsultationComment.Status.PUBLISHED if publish else ConsultationComment.Status.REJECTED
    comment.moderation_reason = reason[:500]
    comment.moderated_by = by
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"])
    return comment


@transaction.atomic
def consultation_comment_respond(
    *, comment: ConsultationComment, by: User, uptake: str, response: str
) -> ConsultationComment:
    """The city says whether it took a comment up, and why."""
    if not is_official(by, comment.call.organisation_id):
        raise PermissionDenied(_("Only the city's officials can respond to comments."))
    if uptake not in ConsultationComment.Uptake.values:
        raise ValidationError({"uptake": _("Choose whether the comment was taken up.")})
    if comment.status != ConsultationComment.Status.PUBLISHED:
        raise ValidationError(_("Publish the comment before responding to it."))
    comment.uptake = uptake
    comment.city_response = (response or "").strip()[:2000]
    comment.save(update_fields=["uptake", "city_response"])
    return comment
