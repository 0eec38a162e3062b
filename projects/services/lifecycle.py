"""Writes of a partnership's life after the award (issue 19 §1): its status, its members, its scheduled reports,
its deliverables and its agreements.

Who decides what (each rule is one ``can_*`` function returning ``(allowed, reason)``):

- **Status** (completed, ended early, reopened): the city's officials (approved members of the commissioning
  city), because the city commissioned the work and answers for closing it; the lead does not.
- **Members** (add, change of role, new lead, removal): the city's officials and the research lead; anyone may
  leave a partnership themselves. The lead leaves only after naming a new lead.
- **Reports**: the city's officials set and move the due dates and accept or return a submitted report; the
  research team (current research-side members) writes and submits it.
- **Deliverables**: the research team and the city (like milestones).
- **Agreements**: the city's officials and the research lead.

Every state change is a conditional UPDATE on the state the page showed (or an edit version), so two people
acting at once cannot both win.
"""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import ResearchCall
from hub import bulk
from hub.mail import send_templated
from hub.page_cache import model_tags, note_write
from hub.versioning import claim_edit
from profiles.models import User
from profiles.notify import notify
from projects.models import (
    Agreement,
    Dataset,
    Deliverable,
    MembershipChange,
    Partnership,
    PartnershipMember,
    PartnershipReport,
    ReportAttachment,
    Result,
    StatusChange,
    WorkspaceDocument,
)
from projects.services.partnerships import MemberInput, _members_from, email_member_invitation
from projects.services.uptake import is_city_official
from projects.services.workspace import _store_version, validate_workspace_upload

REMIND_BEFORE = dt.timedelta(days=7)
MAX_ATTACHMENTS = 10
REPORT_FIELDS = ("work_done", "plan_changes", "risks", "next_steps")


class Conflict(Exception):
    """The object moved on since the page was shown; ``message`` says where it is now."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _written(model) -> None:
    """A conditional UPDATE sends no signal: tell the page cache which public pages it made stale."""
    note_write(model_tags(model))


def _require(check: tuple[bool, str]) -> None:
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def current_member(user, partnership: Partnership) -> PartnershipMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PartnershipMember.objects.filter(partnership=partnership, user=user).first()


def is_city_side(user, partnership: Partnership) -> bool:
    """An official of the commissioning city (whether or not they are listed as a member)."""
    return is_city_official(user, partnership.city)


def is_lead(user, partnership: Partnership) -> bool:
    member = current_member(user, partnership)
    return member is not None and member.is_lead


def can_view_life(user, partnership: Partnership) -> tuple[bool, str]:
    """The management pages: current members and the city's officials."""
    if current_member(user, partnership) is not None or is_city_side(user, partnership):
        return True, ""
    return False, _("Only members of this partnership and officials of its city can see this.")


def can_set_status(user, partnership: Partnership) -> tuple[bool, str]:
    if is_city_side(user, partnership):
        return True, ""
    return False, _("Only officials of the commissioning city can change the partnership's status.")


def can_manage_members(user, partnership: Partnership) -> tuple[bool, str]:
    if is_city_side(user, partnership) or is_lead(user, partnership):
        return True, ""
    return False, _("Only the research lead and officials of the city can change the members.")


def can_schedule_reports(user, partnership: Partnership) -> tuple[bool, str]:
    if is_city_side(user, partnership):
        return True, ""
    return False, _("Only officials of the commissioning city set report dates and review reports.")


can_review_reports = can_schedule_reports


def can_write_reports(user, partnership: Partnership) -> tuple[bool, str]:
    member = current_member(user, partnership)
    if member is not None and member.side == PartnershipMember.Side.RESEARCH:
        return True, ""
    return False, _("Reports are written by the research team.")


def can_edit_deliverables(user, partnership: Partnership) -> tuple[bool, str]:
    member = current_member(user, partnership)
    if is_city_side(user, partnership) or (
        member is not None and member.side in (PartnershipMember.Side.RESEARCH, PartnershipMember.Side.CITY)
    ):
        return True, ""
    return False, _("Deliverables are set by the research team and the city.")


can_manage_agreements = can_manage_members


# Status --------------------------------------------------------------------------------------------------------

TRANSITIONS = {
    Partnership.Status.ACTIVE: (Partnership.Status.COMPLETED, Partnership.Status.ENDED),
    Partnership.Status.COMPLETED: (Partnership.Status.ACTIVE,),
    Partnership.Status.ENDED: (Partnership.Status.ACTIVE,),
}


@transaction.atomic
def partnership_set_status(
    *,
    partnership: Partnership,
    by: User,
    status: str,
    expected: str,
    reason: str = "",
    effective_on: dt.date | None = None,
) -> StatusChange:
    """Move the partnership from ``expected`` (the status the page showed) to ``status``, dated, with a public
    reason (required to end early or to reopen); raises ``Conflict`` when someone changed it meanwhile."""
    _require(can_set_status(by, partnership))
    today = timezone.localdate()
    effective_on = effective_on or today
    reason = reason.strip()
    errors = {}
    if status not in TRANSITIONS.get(expected, ()):
        errors["status"] = _("Choose one of the changes offered.")
    if status in (Partnership.Status.ENDED, Partnership.Status.ACTIVE) and not reason:
        errors["reason"] = _("Give the public reason: it is shown on the partnership page.")
    if len(reason) > 2000:
        errors["reason"] = _("The reason can be at most 2,000 characters.")
    if effective_on > today:
        errors["effective_on"] = _("The date cannot be in the future.")
    elif partnership.started_at and effective_on < partnership.started_at:
        errors["effective_on"] = _("The date cannot be before the partnership started.")
    if errors:
        raise ValidationError(errors)
    ended_at = None if status == Partnership.Status.ACTIVE else effective_on
    updated = Partnership.objects.filter(pk=partnership.pk, status=expected).update(
        status=status, ended_at=ended_at, updated_at=timezone.now()
    )
    if not updated:
        current = Partnership.objects.get(pk=partnership.pk)
        raise Conflict(
            _("Someone changed the status meanwhile: the partnership is now %(status)s. Nothing was saved.")
            % {"status": current.get_status_display()}
        )
    _written(Partnership)
    partnership.status, partnership.ended_at = status, ended_at
    return StatusChange.objects.create(
        partnership=partnership,
        from_status=expected,
        to_status=status,
        reason=reason,
        effective_on=effective_on,
        changed_by=by,
    )


# Members -------------------------------------------------------------------------------------------------------


def _log(member: PartnershipMember, kind: str, by: User | None, **fields) -> MembershipChange:
    return MembershipChange.objects.create(
        partnership_id=member.partnership_id,
        member=member if member.pk else None,
        kind=kind,
        user_id=member.user_id,
        name=member.name,
        side=member.side,
        organisation_id=member.organisation_id,
        affiliation=member.affiliation,
        country_id=member.country_id,
        changed_by=by,
        **fields,
    )


def log_joined(member: PartnershipMember, *, by: User | None) -> MembershipChange:
    """Record a member's arrival (registration, award, or a later addition)."""
    return _log(member, MembershipChange.Kind.JOINED, by, role_after=member.role)


@transaction.atomic
def member_add(*, partnership: Partnership, by: User, item: MemberInput) -> PartnershipMember:
    """A new member after registration: a named person, invited by email to the workspace when an address is given."""
    _require(can_manage_members(by, partnership))
    (member,) = _members_from([item])
    if member.invited_email and partnership.members.filter(invited_email=member.invited_email).exists():
        raise ValidationError({"email": _("This address is already invited to the partnership.")})
    member.partnership = partnership
    member.save()
    log_joined(member, by=by)
    if member.invited_email:
        transaction.on_commit(lambda: email_member_invitation(member_id=member.pk))
    return member


def _locked(member: PartnershipMember) -> PartnershipMember:
    locked = PartnershipMember.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise Conflict(_("This person is no longer a member: someone removed them meanwhile."))
    return locked


@transaction.atomic
def member_leave(*, member: PartnershipMember, by: User) -> MembershipChange:
    """A member leaves (themselves) or is removed (by the lead or the city). The row goes, so every permission that
    came with it goes too; the log keeps their name for the public list of former members, and what they authored
    (result authors are their own rows) stays credited."""
    partnership = member.partnership
    own = by.is_authenticated and member.user_id == by.pk
    if not own:
        _require(can_manage_members(by, partnership))
    member = _locked(member)
    others = partnership.members.filter(side=PartnershipMember.Side.RESEARCH).exclude(pk=member.pk)
    if member.is_lead and others.exists():
        raise ValidationError(_("Name a new research lead before the lead leaves."))
    change = _log(member, MembershipChange.Kind.LEFT, by, role_before=member.role)
    member.delete()
    return change


@transaction.atomic
def member_set_role(*, member: PartnershipMember, by: User, role: str, expected: str) -> MembershipChange:
    """Change a member's role from ``expected`` (what the page showed) to ``role``."""
    _require(can_manage_members(by, member.partnership))
    role = role.strip()
    if not role:
        raise ValidationError({"role": _("Type the new role.")})
    if len(role) > 100:
        raise ValidationError({"role": _("A role can be at most 100 characters.")})
    updated = PartnershipMember.objects.filter(pk=member.pk, role=expected).update(role=role)
    if not updated:
        raise Conflict(_("Someone changed this member meanwhile; reload the page. Nothing was saved."))
    _written(PartnershipMember)
    member.role = role
    return _log(member, MembershipChange.Kind.ROLE, by, role_before=expected, role_after=role)


@transaction.atomic
def member_make_lead(*, member: PartnershipMember, by: User) -> MembershipChange:
    """A research member becomes the lead; the previous lead stays a member."""
    partnership = member.partnership
    _require(can_manage_members(by, partnership))
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()  # one lead change at a time
    member = _locked(member)
    if member.side != PartnershipMember.Side.RESEARCH:
        raise ValidationError(_("The lead must be a member of the research team."))
    if member.is_lead:
        raise Conflict(_("%(name)s is already the lead.") % {"name": member.name})
    previous = partnership.members.filter(is_lead=True).first()
    partnership.members.filter(is_lead=True).update(is_lead=False)
    PartnershipMember.objects.filter(pk=member.pk).update(is_lead=True)
    _written(PartnershipMember)
    member.is_lead = True
    return _log(
        member, MembershipChange.Kind.LEAD, by, role_before=previous.name if previous else "", role_after=member.role
    )


# Reports -------------------------------------------------------------------------------------------------------


def _report_title(kind: str, partnership: Partnership) -> str:
    if kind == PartnershipReport.Kind.FINAL:
        return _("Final report")
    n = partnership.reports.filter(kind=PartnershipReport.Kind.PROGRESS).count() + 1
    return _("Progress report %(n)s") % {"n": n}


@transaction.atomic
def report_schedule(
    *, partnership: Partnership, by: User | None, kind: str, due_date: dt.date | None, title: str = "", check=True
) -> PartnershipReport:
    """The city schedules a report; one final report per partnership."""
    if check:
        _require(can_schedule_reports(by, partnership))
    errors = {}
    if kind not in PartnershipReport.Kind.values:
        errors["kind"] = _("Choose the kind of report.")
    if due_date is None:
        errors["due_date"] = _("Give the report a due date.")
    elif partnership.started_at and due_date < partnership.started_at:
        errors["due_date"] = _("The due date cannot be before the partnership started.")
    if len(title.strip()) > 200:
        errors["title"] = _("A title can be at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    if kind == PartnershipReport.Kind.FINAL and partnership.reports.filter(kind=kind).exists():
        raise ValidationError({"kind": _("This partnership already has a final report: change its date instead.")})
    try:
        with transaction.atomic():
            return PartnershipReport.objects.create(
                partnership=partnership,
                kind=kind,
                title=title.strip() or _report_title(kind, partnership),
                due_date=due_date,
                created_by=by,
            )
    except IntegrityError as error:  # a concurrent final report
        raise ValidationError(
            {"kind": _("This partnership already has a final report: change its date instead.")}
        ) from error


def schedule_at_award(*, partnership: Partnership, call: ResearchCall | None, by: User | None) -> None:
    """At award time: the lead applicant leads, and the final report is due when the call's expected duration ends
    (the city moves it and adds progress reports on the partnership's page). Idempotent."""
    proposal = partnership.proposal
    if proposal is not None and not partnership.members.filter(is_lead=True).exists():
        partnership.members.filter(user_id=proposal.lead_id, side=PartnershipMember.Side.RESEARCH).update(is_lead=True)
    if call is None or partnership.started_at is None or partnership.reports.exists():
        return
    start = partnership.started_at
    months = start.month - 1 + call.duration_months
    year, month = start.year + months // 12, months % 12 + 1
    due = dt.date(year, month, min(start.day, 28))
    report_schedule(partnership=partnership, by=by, kind=PartnershipReport.Kind.FINAL, due_date=due, check=False)


@transaction.atomic
def report_reschedule(*, report: PartnershipReport, by: User, due_date: dt.date | None) -> PartnershipReport:
    """Move a report's due date while it is still open or under review; a new date earns a new reminder."""
    _require(can_schedule_reports(by, report.partnership))
    if due_date is None:
        raise ValidationError({"due_date": _("Give the report a due date.")})
    started = report.partnership.started_at
    if started and due_date < started:
        raise ValidationError({"due_date": _("The due date cannot be before the partnership started.")})
    updated = (
        PartnershipReport.objects.filter(pk=report.pk)
        .exclude(status=PartnershipReport.Status.ACCEPTED)
        .update(due_date=due_date, reminded_at=None, updated_at=timezone.now())
    )
    if not updated:
        raise Conflict(_("This report was accepted meanwhile; its date can no longer change."))
    _written(PartnershipReport)
    report.due_date, report.reminded_at = due_date, None
    return report


def _clean_report(fields: dict, *, submit: bool) -> dict:
    clean, errors = {}, {}
    for name in REPORT_FIELDS:
        value = (fields.get(name) or "").strip()
        if len(value) > 10000:
            errors[name] = _("This answer can be at most 10,000 characters.")
        clean[name] = value
    if submit and not clean["work_done"]:
        errors["work_done"] = _("Say what was done before you submit the report.")
    if errors:
        raise ValidationError(errors)
    return clean


def _store_attachment(*, report: PartnershipReport, by: User, upload) -> ReportAttachment:
    name, content_type = validate_workspace_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = ReportAttachment(
        report=report,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def report_save(
    *,
    report: PartnershipReport,
    by: User,
    fields: dict,
    edit_version: int,
    submit: bool = False,
    uploads=(),
) -> PartnershipReport:
    """The team saves the report (draft) or submits it to the city; only while it is due or returned.

    ``edit_version`` is the version the form was opened on (``StaleEdit`` when a teammate saved since). Every
    attachment is checked before anything is stored.
    """
    _require(can_write_reports(by, report.partnership))
    clean = _clean_report(fields, submit=submit)
    uploads = list(uploads)
    problems = []
    for upload in uploads:
        try:
            validate_workspace_upload(upload)
        except ValidationError as error:
            problems += error.messages
    if report.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        problems.append(_("A report can have at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS})
    if problems:
        raise ValidationError({"attachments": problems})
    if report.status not in PartnershipReport.OPEN:
        raise Conflict(_("This report is with the city or accepted: it cannot be changed now."))
    claim_edit(report, expected=edit_version)
    now = timezone.now()
    values = dict(clean, updated_at=now)
    if submit:
        values.update(status=PartnershipReport.Status.SUBMITTED, submitted_at=now, submitted_by=by)
    updated = PartnershipReport.objects.filter(pk=report.pk, status__in=PartnershipReport.OPEN).update(**values)
    if not updated:
        raise Conflict(_("This report is with the city or accepted: it cannot be changed now."))
    _written(PartnershipReport)
    for upload in uploads:
        _store_attachment(report=report, by=by, upload=upload)
    for name, value in values.items():
        setattr(report, name, value)
    return report


@transaction.atomic
def report_review(*, report: PartnershipReport, by: User, accept: bool, comment: str = "") -> PartnershipReport:
    """The city accepts a submitted report or returns it to the team with comments (required)."""
    _require(can_review_reports(by, report.partnership))
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say what the team should change: your comments go back with it.")})
    if len(comment) > 5000:
        raise ValidationError({"comment": _("Comments can be at most 5,000 characters.")})
    now = timezone.now()
    values = {"reviewed_at": now, "reviewed_by": by, "review_comment": comment, "updated_at": now}
    if accept:
        values["status"] = PartnershipReport.Status.ACCEPTED
    else:
        values["status"] = PartnershipReport.Status.RETURNED
        values["times_returned"] = report.times_returned + 1
    updated = PartnershipReport.objects.filter(pk=report.pk, status=PartnershipReport.Status.SUBMITTED).update(**values)
    if not updated:
        current = PartnershipReport.objects.get(pk=report.pk)
        raise Conflict(
            _("This report is no longer waiting for review: it is now %(status)s. Nothing was saved.")
            % {"status": current.get_status_display()}
        )
    _written(PartnershipReport)
    if accept:
        bulk.request_rebuild()  # an accepted report is public (the partnership page, the exports); no signal told
    for name, value in values.items():
        setattr(report, name, value)
    _tell_team_of_review(report, by=by)
    return report


REVIEW_COMMENT_IN_MESSAGE = 300


def _tell_team_of_review(report: PartnershipReport, *, by: User) -> None:
    """Notify every active research-side member (not the reviewer) that the city accepted or returned the report.

    Called inside the review's transaction after its conditional update won: the rows exist only if the review
    commits, and ``notify`` sends the emails once it has; a refused (duplicate) review never gets here."""
    partnership = report.partnership
    names = {"report": report.title, "partnership": partnership.title}
    if report.status == PartnershipReport.Status.ACCEPTED:
        kind = "report_accepted"
        message = _("The city accepted the report “%(report)s” of “%(partnership)s”.") % names
    else:
        kind = "report_returned"
        comment = report.review_comment
        if len(comment) > REVIEW_COMMENT_IN_MESSAGE:
            comment = comment[: REVIEW_COMMENT_IN_MESSAGE - 1].rstrip() + "…"
        message = _("The city returned the report “%(report)s” of “%(partnership)s” for changes: %(comment)s") % {
            **names,
            "comment": comment,
        }
    url = reverse("life_report", args=[partnership.slug, report.pk])
    team = (
        User.objects.filter(
            partnerships__partnership=partnership,
            partnerships__side=PartnershipMember.Side.RESEARCH,
            is_active=True,
        )
        .exclude(pk=by.pk)
        .distinct()
        .order_by("pk")
    )
    for person in team:
        notify(person, kind=kind, message=message, url=url)


def report_reminders(*, today: dt.date | None = None) -> int:
    """Remind the research team of each open report due within a week: once per report (and due date)."""
    today = today or timezone.localdate()
    due = PartnershipReport.objects.filter(
        status__in=PartnershipReport.OPEN,
        reminded_at__isnull=True,
        due_date__gte=today,
        due_date__lte=today + REMIND_BEFORE,
    ).select_related("partnership")
    sent = 0
    for report in due:
        with transaction.atomic():
            # The conditional update claims the reminder; a concurrent run updates nothing and sends nothing.
            claimed = PartnershipReport.objects.filter(pk=report.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            addresses = list(
                report.partnership.members.filter(
                    side=PartnershipMember.Side.RESEARCH, user__isnull=False, user__is_active=True
                ).values_list("user__email", flat=True)
            )
            transaction.on_commit(
                lambda r=report, a=addresses: send_templated(
                    "projects/lifecycle/email/report_reminder",
                    {
                        "report": r,
                        "partnership": r.partnership,
                        "report_url": reverse("life_report", args=[r.partnership.slug, r.pk]),
                    },
                    to=a,
                    key=f"report-reminder:{r.pk}:{r.due_date.isoformat()}",
                )
            )
            sent += 1
    return sent


# Deliverables --------------------------------------------------------------------------------------------------


def _clean_deliverable(partnership: Partnership, data: dict) -> dict:
    errors = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Give the deliverable a title.")
    if data.get("due_date") is None:
        errors["due_date"] = _("Give the deliverable a due date.")
    status = data.get("status") or Deliverable.Status.PLANNED
    if status not in Deliverable.Status.values:
        errors["status"] = _("Choose a status from the list.")
    results = list(data.get("results") or [])
    datasets = list(data.get("datasets") or [])
    if any(r.partnership_id != partnership.pk for r in results):
        errors["results"] = _("Link only results of this partnership.")
    if any(d.partnership_id != partnership.pk for d in datasets):
        errors["datasets"] = _("Link only datasets of this partnership.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title[:200],
        "description": (data.get("description") or "").strip()[:3000],
        "due_date": data["due_date"],
        "status": status,
        "is_public": bool(data.get("is_public")),
        "results": results,
        "datasets": datasets,
    }


def _apply_deliverable(deliverable: Deliverable, clean: dict) -> None:
    results, datasets = clean.pop("results"), clean.pop("datasets")
    for name, value in clean.items():
        setattr(deliverable, name, value)
    if deliverable.status == Deliverable.Status.DELIVERED:
        deliverable.delivered_on = deliverable.delivered_on or timezone.localdate()
    else:
        deliverable.delivered_on = None
    deliverable.save()
    deliverable.results.set(results)
    deliverable.datasets.set(datasets)


@transaction.atomic
def deliverable_add(*, partnership: Partnership, by: User, data: dict) -> Deliverable:
    """An agreed deliverable with its due date and the results and datasets that deliver it."""
    _require(can_edit_deliverables(by, partnership))
    deliverable = Deliverable(partnership=partnership, created_by=by)
    _apply_deliverable(deliverable, _clean_deliverable(partnership, data))
    return deliverable


@transaction.atomic
def deliverable_update(*, deliverable: Deliverable, by: User, data: dict, edit_version: int) -> Deliverable:
    """Change a deliverable; an edit from an older version raises ``StaleEdit``."""
    _require(can_edit_deliverables(by, deliverable.partnership))
    clean = _clean_deliverable(deliverable.partnership, data)
    claim_edit(deliverable, expected=edit_version)
    deliverable.refresh_from_db(fields=["delivered_on", "is_public"])
    was_public = deliverable.is_public
    _apply_deliverable(deliverable, clean)
    if was_public and not deliverable.is_public:
        bulk.withdraw()  # the bulk download lists it until now: members-only from here on
    return deliverable


def partnership_choices(partnership: Partnership) -> tuple:
    """The results and datasets a deliverable of this partnership may link to."""
    return Result.objects.filter(partnership=partnership), Dataset.objects.filter(partnership=partnership)


# Agreements ----------------------------------------------------------------------------------------------------


@transaction.atomic
def agreement_add(
    *, partnership: Partnership, by: User, kind: str, title: str, signed_on: dt.date | None, upload
) -> Agreement:
    """The signed agreement or an amendment, stored as a private workspace document (checked like every upload)."""
    _require(can_manage_agreements(by, partnership))
    errors = {}
    if kind not in Agreement.Kind.values:
        errors["kind"] = _("Choose the kind of document.")
    if not title.strip():
        errors["title"] = _("Give the document a title.")
    if signed_on is None:
        errors["signed_on"] = _("Give the date it was signed.")
    elif signed_on > timezone.localdate():
        errors["signed_on"] = _("The signing date cannot be in the future.")
    try:
        validate_workspace_upload(upload)
    except ValidationError as error:
        errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    document = WorkspaceDocument.objects.create(partnership=partnership, title=title.strip()[:200], created_by=by)
    _store_version(document=document, by=by, upload=upload, note="")
    return Agreement.objects.create(
        partnership=partnership,
        kind=kind,
        title=title.strip()[:200],
        signed_on=signed_on,
        document=document,
        created_by=by,
    )
