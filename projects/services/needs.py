"""Writes of research needs (issue 19 §4): posting, endorsing, commenting, the city's answer, "turn into a call",
thesis and project topics, reports of public content and a coordinator's hiding with a public reason.

Who may do what: any signed-in, active account posts, endorses (not its own need, once), comments and reports;
only officials of the need's city (approved members of that verified government) answer it and turn it into a
call; only network coordinators hide needs or comments (a ``Takedown`` row, listed at /transparency/) and see
reports. Create-if-absent writes rest on a unique constraint, so a double click or two requests at once store one.
"""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from calls.models import ConsultationComment, EvaluationCriterion, ResearchCall
from calls.selectors import is_official
from hub import bulk
from hub.models import Method
from profiles.models import Membership, Organisation, User
from profiles.notify import notify
from profiles.services import is_coordinator
from projects.models import ModerationReport, NeedComment, NeedEndorsement, NeedTopic, ResearchNeed, Takedown
from projects.services.indicators import GAP_CLOSES_IN, GAP_OPENS_IN, _local_noon, _unique_child_slug
from projects.services.takedowns import reason_problem

POSTING_KINDS = (Organisation.Kind.CIVIL_SOCIETY, Organisation.Kind.NHRI)
ANSWER_MIN_LENGTH = 20
NEED_CRITERIA = (
    ("Relevance to the need as the people concerned describe it", 30),
    ("Quality of the methodology and a human-rights-based approach to data", 25),
    ("Participation of the people and groups concerned, including those who raised the need", 30),
    ("Team and feasibility", 15),
)
NEED_METHODS = ("community-needs-assessment", "participatory-action-research")


class AnswerConflict(Exception):
    """The need was answered (or hidden) since the official opened the form; ``current`` is the need as it is now."""

    def __init__(self, current: ResearchNeed):
        self.current = current
        super().__init__(f"need {current.pk} is now {current.status}")


# ---- permissions ---------------------------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_post(user) -> tuple[bool, str]:
    if not _active(user):
        return False, _("Sign in to post a research need.")
    return True, ""


def can_answer(user, need: ResearchNeed) -> tuple[bool, str]:
    """Officials of the need's city answer it and turn it into a call; nobody else."""
    if not is_official(user, need.city_id):
        return False, _("Only officials of %(city)s can answer this need.") % {"city": need.city.name}
    if need.hidden_at is not None:
        return False, _("This need was hidden by a network coordinator.")
    return True, ""


def can_moderate(user) -> bool:
    return is_coordinator(user)


def posting_organisations(user) -> QuerySet[Organisation]:
    """The civil-society organisations and human-rights institutions the user is an approved member of."""
    if not _active(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind__in=POSTING_KINDS,
        memberships__user=user,
        memberships__status=Membership.Status.APPROVED,
    ).order_by("name")


def need_cities() -> QuerySet[Organisation]:
    """The cities a need can be posted for: verified governments with a public city page."""
    return Organisation.objects.filter(
        kind__in=Organisation.GOVERNMENT_KINDS, verified=True, city_page__isnull=False
    ).order_by("name")


# ---- posting, endorsing, commenting ----------------------------------------------------------------------------------


@transaction.atomic
def need_create(
    *,
    by: User,
    city: Organisation,
    title: str,
    situation: str,
    missing_evidence: str,
    themes=(),
    sdg_targets=(),
    groups=(),
    organisation: Organisation | None = None,
) -> ResearchNeed:
    """Post a need for a city, in the author's name (and their organisation's, if they post for one)."""
    allowed, reason = can_post(by)
    if not allowed:
        raise PermissionDenied(reason)
    errors = {}
    if not need_cities().filter(pk=city.pk).exists():
        errors["city"] = _("Choose a city that is on Bridges.")
    if organisation is not None and not posting_organisations(by).filter(pk=organisation.pk).exists():
        errors["organisation"] = _("You can post only for an organisation you are an approved member of.")
    for field, value in (("title", title), ("situation", situation), ("missing_evidence", missing_evidence)):
        if not (value or "").strip():
            errors[field] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    need = ResearchNeed.objects.create(
        city=city,
        author=by,
        author_name=(by.display_name or by.email.split("@")[0])[:200],
        organisation=organisation,
        title=title.strip(),
        situation=situation.strip(),
        missing_evidence=missing_evidence.strip(),
    )
    need.themes.set(themes)
    need.sdg_targets.set(sdg_targets)
    need.groups.set(groups)
    return need


def need_endorse(*, need: ResearchNeed, by: User) -> tuple[NeedEndorsement, bool]:
    """One endorsement per account; a second request (a double click, another tab) answers the existing one."""
    if not _active(by):
        raise PermissionDenied(_("Sign in to endorse a research need."))
    if need.hidden_at is not None:
        raise PermissionDenied(_("This need was hidden by a network coordinator."))
    if need.author_id == by.pk:
        raise ValidationError(_("You posted this need: others endorse it."))
    try:
        with transaction.atomic():
            return NeedEndorsement.objects.get_or_create(need=need, user=by)
    except IntegrityError:
        # Two requests at once: the other one stored it between our read and our insert.
        return NeedEndorsement.objects.get(need=need, user=by), False


def need_withdraw_endorsement(*, need: ResearchNeed, by: User) -> bool:
    """Withdraw the account's endorsement; False when there was none."""
    deleted, _detail = NeedEndorsement.objects.filter(need=need, user=by).delete()
    return bool(deleted)


def comment_digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def comment_add(*, need: ResearchNeed, by: User, body: str) -> tuple[NeedComment, bool]:
    """A public comment; the same text sent twice by the same account is stored once."""
    if not _active(by):
        raise PermissionDenied(_("Sign in to comment."))
    if need.hidden_at is not None:
        raise PermissionDenied(_("This need was hidden by a network coordinator."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your comment.")})
    digest = comment_digest(body)
    defaults = {"body": body, "author_name": (by.display_name or by.email.split("@")[0])[:200]}
    try:
        with transaction.atomic():
            return NeedComment.objects.get_or_create(need=need, author=by, body_digest=digest, defaults=defaults)
    except IntegrityError:
        return NeedComment.objects.get(need=need, author=by, body_digest=digest), False


def topic_mark(*, need: ResearchNeed, by: User, kind: str, note: str = "") -> tuple[NeedTopic, bool]:
    """A researcher or student takes the need up as a thesis or project topic (once per account; updates the kind)."""
    if not _active(by):
        raise PermissionDenied(_("Sign in to take this need up as a topic."))
    if need.hidden_at is not None:
        raise PermissionDenied(_("This need was hidden by a network coordinator."))
    if kind not in NeedTopic.Kind.values:
        raise ValidationError({"kind": _("Choose a thesis topic or a research project.")})
    values = {"kind": kind, "note": (note or "").strip()[:300], "name": (by.display_name or "")[:200]}
    try:
        with transaction.atomic():
            topic, created = NeedTopic.objects.update_or_create(need=need, user=by, defaults=values)
    except IntegrityError:
        topic, created = NeedTopic.objects.get(need=need, user=by), False
    return topic, created


def topic_remove(*, need: ResearchNeed, by: User) -> bool:
    deleted, _detail = NeedTopic.objects.filter(need=need, user=by).delete()
    return bool(deleted)


# ---- the city's answer -------------------------------------------------------------------------------------------


def answer_problems(*, status: str, answer: str, covered_by_url: str) -> dict:
    errors = {}
    if status not in ResearchNeed.ANSWERED:
        errors["status"] = _("Choose the city's answer.")
    if len((answer or "").strip()) < ANSWER_MIN_LENGTH:
        errors["answer"] = _(
            "Give the city's reasons in at least %(n)s characters: the people concerned read them."
        ) % {"n": ANSWER_MIN_LENGTH}
    if status == ResearchNeed.Status.COVERED:
        if not covered_by_url:
            errors["covered_by_url"] = _("Link to the research, call or data that already covers this need.")
        else:
            try:
                URLValidator(schemes=["http", "https"])(covered_by_url)
            except ValidationError:
                errors["covered_by_url"] = _("Give a web address starting with http:// or https://.")
    return errors


@transaction.atomic
def need_answer(
    *, need: ResearchNeed, by: User, status: str, answer: str, covered_by_url: str = "", seen_status: str
) -> ResearchNeed:
    """The city's public answer; refused with ``AnswerConflict`` when the need changed since the official saw it."""
    allowed, reason = can_answer(by, need)
    if not allowed:
        raise PermissionDenied(reason)
    errors = answer_problems(status=status, answer=answer, covered_by_url=covered_by_url)
    if errors:
        raise ValidationError(errors)
    locked = ResearchNeed.objects.select_for_update().get(pk=need.pk)
    if locked.status != seen_status or locked.hidden_at is not None:
        raise AnswerConflict(locked)
    locked.status = status
    locked.answer = answer.strip()
    locked.covered_by_url = covered_by_url if status == ResearchNeed.Status.COVERED else ""
    locked.answered_by = by
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answer", "covered_by_url", "answered_by", "answered_at", "updated_at"])
    _tell_of_answer(locked, by=by)
    return locked


def _tell_of_answer(need: ResearchNeed, *, by: User) -> None:
    """Notify the need's poster and everyone who endorses it (never the official who answered) of the answer.

    Called inside the answer's transaction once it won: the rows exist only if the answer commits, and ``notify``
    sends the emails once it has; an answer refused as a conflict never gets here. Inactive accounts get nothing."""
    message = _("%(city)s answered the research need “%(title)s”: %(answer)s.") % {
        "city": need.city.name,
        "title": need.title,
        "answer": need.get_status_display(),
    }
    people = (
        User.objects.filter(Q(pk=need.author_id) | Q(need_endorsements__need=need), is_active=True)
        .exclude(pk=by.pk)
        .distinct()
        .order_by("pk")
    )
    url = need.get_absolute_url()
    for person in people:
        notify(person, kind="need_answered", message=message, url=url)


def _in_sentence(name: str) -> str:
    return name[:1].lower() + name[1:] if name and not (len(name) > 1 and name[1].isupper()) else name


@transaction.atomic
def need_to_call(*, need: ResearchNeed, by: User) -> tuple[ResearchCall, bool]:
    """A draft call of the city pre-filled from the need (as the data-gap button does), linked from the need.

    Twice (a double click, two officials): the need is locked and the call already linked is returned. The draft
    gets placeholder dates (opening in 30, closing in 90 days, at noon in the city's time zone) and no budget,
    which the official sets in the Wagtail editor before submitting it for moderation.
    """
    allowed, reason = can_answer(by, need)
    if not allowed:
        raise PermissionDenied(reason)
    # Only the need's row is locked (PostgreSQL refuses FOR UPDATE on the outer join to the city page).
    locked = ResearchNeed.objects.select_for_update(of=("self",)).select_related("city").get(pk=need.pk)
    if locked.call_id is not None and ResearchCall.objects.filter(pk=locked.call_id).exists():
        return ResearchCall.objects.get(pk=locked.call_id), False
    city_page = locked.city.city_page
    title = _("Research on a need raised by the people concerned: %(title)s") % {"title": locked.title}
    summary = _(
        "%(city)s is looking for research on a need raised by %(who)s: %(situation)s Evidence missing: %(missing)s"
    ) % {
        "city": city_page.title,
        "who": locked.organisation.name if locked.organisation_id else _("residents"),
        "situation": locked.situation.strip(),
        "missing": locked.missing_evidence.strip(),
    }
    zone = locked.city.time_zone
    now = timezone.now()
    call = ResearchCall(
        title=title[:255],
        slug=_unique_child_slug(city_page, title),
        summary=summary[:597] + ("…" if len(summary) > 597 else ""),
        budget_min=0,
        budget_max=0,
        opens_at=_local_noon(now + GAP_OPENS_IN, zone),
        closes_at=_local_noon(now + GAP_CLOSES_IN, zone),
        live=False,
        owner=by,
    )
    call.themes = list(locked.themes.all())
    call.groups = list(locked.groups.all())
    call.sdg_targets = list(locked.sdg_targets.all())
    call.methods = list(Method.objects.filter(slug__in=NEED_METHODS))
    for order, (name, weight) in enumerate(NEED_CRITERIA):
        call.criteria.add(EvaluationCriterion(name=name, weight=weight, sort_order=order))
    call.inherit_from_city(city_page)
    city_page.add_child(instance=call)
    log(instance=call, action="wagtail.create", user=by)
    call.save_revision(user=by, log_action=True)
    locked.call = call
    fields = ["call", "updated_at"]
    if locked.status == ResearchNeed.Status.OPEN:
        locked.status = ResearchNeed.Status.ACCEPTED
        locked.answer = _("The city is preparing a research call on this need. It will be linked here once it opens.")
        locked.answered_by, locked.answered_at = by, now
        fields += ["status", "answer", "answered_by", "answered_at"]
    locked.save(update_fields=fields)
    if "status" in fields:
        _tell_of_answer(locked, by=by)
    return call, True


# ---- reports and moderation ------------------------------------------------------------------------------------------

REPORTABLE = (ResearchNeed, NeedComment, ConsultationComment)


def is_reportable(obj) -> bool:
    """Public content only: a visible need, a visible comment on one, a published consultation comment."""
    if isinstance(obj, ResearchNeed):
        return obj.hidden_at is None
    if isinstance(obj, NeedComment):
        return obj.hidden_at is None and obj.need.hidden_at is None
    if isinstance(obj, ConsultationComment):
        return obj.status == ConsultationComment.Status.PUBLISHED
    return False


def report_create(*, obj, by: User, reason: str, details: str = "") -> tuple[ModerationReport, bool]:
    """A user's report lands in the coordinators' queue; the same account reports the same content once."""
    if not _active(by):
        raise PermissionDenied(_("Sign in to report content."))
    if not is_reportable(obj):
        raise PermissionDenied(_("This content is not public."))
    if reason not in ModerationReport.Reason.values:
        raise ValidationError({"reason": _("Choose why you report it.")})
    content_type = ContentType.objects.get_for_model(obj)
    values = {"reason": reason, "details": (details or "").strip()}
    try:
        with transaction.atomic():
            return ModerationReport.objects.get_or_create(
                content_type=content_type, object_id=obj.pk, reporter=by, defaults=values
            )
    except IntegrityError:
        return ModerationReport.objects.get(content_type=content_type, object_id=obj.pk, reporter=by), False


def _resolve_reports(obj, *, by: User, status: str) -> int:
    return ModerationReport.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, status=ModerationReport.Status.OPEN
    ).update(status=status, resolved_by=by, resolved_at=timezone.now())


def _takedown(obj, *, by: User, reason: str, title: str, path: str) -> Takedown:
    return Takedown.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        title=title[:300],
        path=path[:300],
        reason=reason.strip(),
        decided_by=by,
        decided_by_name=(by.display_name or _("A network coordinator"))[:200],
    )


def _check_hide(by: User, reason: str) -> None:
    if not can_moderate(by):
        raise PermissionDenied(_("Only a network coordinator can hide content."))
    problem = reason_problem(reason)
    if problem:
        raise ValidationError({"reason": problem})


@transaction.atomic
def need_hide(*, need: ResearchNeed, by: User, reason: str) -> Takedown:
    """Hide a need with a public reason: it leaves the lists, search, API, CSV and alerts; its address says why."""
    _check_hide(by, reason)
    locked = ResearchNeed.objects.select_for_update().get(pk=need.pk)
    if locked.hidden_at is not None:
        raise ValidationError(_("This need has already been hidden."))
    locked.hidden_at = timezone.now()
    locked.save(update_fields=["hidden_at", "updated_at"])
    _resolve_reports(locked, by=by, status=ModerationReport.Status.HIDDEN)
    bulk.withdraw()  # the bulk download lists the need until now
    return _takedown(locked, by=by, reason=reason, title=locked.title, path=locked.get_absolute_url())


@transaction.atomic
def comment_hide(*, comment: NeedComment, by: User, reason: str) -> Takedown:
    """Hide a comment with a public reason: the need shows that a comment was hidden, and why."""
    _check_hide(by, reason)
    locked = NeedComment.objects.select_for_update().select_related("need").get(pk=comment.pk)
    if locked.hidden_at is not None:
        raise ValidationError(_("This comment has already been hidden."))
    locked.hidden_at = timezone.now()
    locked.save(update_fields=["hidden_at"])
    _resolve_reports(locked, by=by, status=ModerationReport.Status.HIDDEN)
    return _takedown(locked, by=by, reason=reason, title=str(locked.title), path=locked.get_absolute_url())


@transaction.atomic
def report_dismiss(*, report: ModerationReport, by: User) -> int:
    """Dismiss every open report of the same content (nothing public changes); the number dismissed."""
    if not can_moderate(by):
        raise PermissionDenied(_("Only a network coordinator can handle reports."))
    return ModerationReport.objects.filter(
        content_type_id=report.content_type_id, object_id=report.object_id, status=ModerationReport.Status.OPEN
    ).update(status=ModerationReport.Status.DISMISSED, resolved_by=by, resolved_at=timezone.now())
