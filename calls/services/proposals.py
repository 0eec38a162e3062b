"""Proposals from start to submission: drafts, milestones, attachments, the team, submit and withdraw."""

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from allauth.account.models import EmailAddress

from calls import deadlines, eligibility
from calls.application_forms import Question, kept_answers, missing_required, questions_from
from calls.models import Attachment, Milestone, Proposal, ProposalVersion, ResearchCall, TeamMember
from calls.notifications import proposals as notify
from calls.services.dialogue import record
from calls.snapshot import proposal_snapshot
from calls.validators import validate_pdf, validate_upload
from hub.models import Country
from hub.versioning import claim_edit
from profiles.emails import normalise_email, same_mailbox
from profiles.models import ResearcherProfile, User
from profiles.visibility import SIGNED_IN, facts_shown_to

MAX_ATTACHMENTS = 10
DRAFT_FIELDS = ("title", "summary", "methodology", "participation_plan", "data_management_plan", "ethics", "budget")
REQUIRED_FOR_SUBMISSION = [
    ("title", _("a title")),
    ("summary", _("a summary")),
    ("methodology", _("the methodology")),
    ("participation_plan", _("the participation plan (how the community and civil society take part)")),
    ("data_management_plan", _("the data management and protection plan")),
]


def money(value: Decimal) -> str:
    """10000 → “10,000”; keeps cents only when there are some."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def budget_problem(call: ResearchCall, budget: Decimal | None) -> str:
    """Why a budget does not fit the call, or "" when it does (an empty budget is checked at submission)."""
    if budget is None:
        return ""
    if budget < call.budget_min or budget > call.budget_max:
        return _("The budget must be between %(min)s and %(max)s %(currency)s.") % {
            "min": money(call.budget_min),
            "max": money(call.budget_max),
            "currency": call.currency,
        }
    return ""


def local_deadline_text(moment: dt.datetime, zone: str) -> str:
    """“15 March 2027, 12:00 (Europe/Vienna)”: a deadline as the city reads it."""
    local = deadlines.to_local(moment, zone)
    return f"{local.day} {local:%B %Y, %H:%M} ({zone})"


def has_verified_email(user: User, email: str | None = None) -> bool:
    addresses = EmailAddress.objects.filter(user=user, verified=True)
    if email is not None:
        addresses = addresses.filter(email__iexact=normalise_email(email))
    return addresses.exists()


def is_team_member(user: User, proposal: Proposal) -> bool:
    """The lead or a co-applicant who accepted."""
    if not getattr(user, "is_authenticated", False):
        return False
    if proposal.lead_id == user.pk:
        return True
    return proposal.team.filter(user=user, status=TeamMember.Status.ACCEPTED).exists()


def _require_team(user: User, proposal: Proposal) -> None:
    if not is_team_member(user, proposal):
        raise PermissionDenied(_("Only the team of this proposal can change it."))


def _require_lead(user: User, proposal: Proposal, action: str) -> None:
    if proposal.lead_id != getattr(user, "pk", None):
        raise PermissionDenied(_("Only the lead applicant can %(action)s.") % {"action": action})


def _locked(proposal: Proposal) -> Proposal:
    """The proposal as stored now, locked for this transaction: a page loaded earlier must not decide."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("call__organisation__country", "lead")
        .get(pk=proposal.pk)
    )


def _require_editable(proposal: Proposal) -> None:
    if not proposal.is_editable:
        raise ValidationError(
            _("This proposal is %(status)s and can no longer be changed.")
            % {"status": proposal.get_status_display().lower()}
        )


def proposal_eligibility(proposal: Proposal) -> list[eligibility.Check]:
    """The call's eligibility rules checked against the accepted team (uses prefetched team data when present)."""
    call = proposal.call
    languages = list(call.required_languages.all())
    rules = eligibility.Rules(
        early_career=call.early_career,
        cross_border=call.cross_border,
        required_languages=tuple(lang.code for lang in languages),
        language_names={lang.code: lang.name for lang in languages},
        call_country=call.organisation.country.code if call.organisation_id else "",
    )
    members = [
        eligibility.Member(
            name=m.name,
            country=m.country.code if m.country_id else "",
            early_career=m.early_career,
            languages=tuple(lang.code for lang in m.languages.all()),
            is_lead=m.is_lead,
        )
        for m in proposal.team.all()
        if m.status == TeamMember.Status.ACCEPTED
    ]
    return eligibility.check(rules, members)


def start_problem(call: ResearchCall, user: User) -> str:
    """Why this user cannot lead a new proposal to this call, or "" when they can."""
    if not getattr(user, "is_authenticated", False):
        return _("Sign in to start a proposal.")
    if not has_verified_email(user):
        return _("Confirm your email address before you start a proposal.")
    if not user.is_researcher:
        return _(
            "Switch your account to researcher to lead a proposal (Dashboard → Account). Members of "
            "civil-society organisations can join a team when its lead invites them."
        )
    if not call.accepts_submissions():
        return _("This call does not accept proposals now (it is %(status)s).") % {"status": call.status_label.lower()}
    return ""


@transaction.atomic
def proposal_start(*, call: ResearchCall, by: User, title: str) -> Proposal:
    """Start a draft as its lead (or return the lead's existing proposal to this call)."""
    if getattr(by, "is_authenticated", False):
        existing = Proposal.objects.filter(call=call, lead=by).order_by("created_at").first()
        if existing is not None:
            return existing
    problem = start_problem(call, by)
    if problem:
        if not call.accepts_submissions():
            raise ValidationError(problem)
        raise PermissionDenied(problem)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give your proposal a working title.")})
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                call=call,
                lead=by,
                title=title,
                stage=Proposal.Stage.CONCEPT if call.two_stage else Proposal.Stage.FULL,
            )
    except IntegrityError:
        # A concurrent start (a double click) created the lead's proposal first: that one is theirs.
        existing = Proposal.objects.filter(call=call, lead=by).exclude(status=Proposal.Status.WITHDRAWN).first()
        if existing is None:
            raise
        return existing
    profile = ResearcherProfile.objects.filter(user=by).select_related("affiliation__country").first()
    lead = TeamMember.objects.create(
        proposal=proposal,
        user=by,
        email=normalise_email(by.email),
        name=by.display_name,
        role=TeamMember.Role.LEAD,
        status=TeamMember.Status.ACCEPTED,
        responded_at=timezone.now(),
        **_profile_facts(profile),
    )
    if profile is not None:
        lead.languages.set(profile.languages.all())
    return proposal


# The profile fields an invited member can bring to a proposal (which the city and its reviewers read); the
# career stage stays as the lead typed it in the invitation.
TEAM_FACTS = ("affiliation", "countries", "languages")


def _profile_facts(profile: ResearcherProfile | None, fields: Iterable[str] = (*TEAM_FACTS, "career_stage")) -> dict:
    """Affiliation, organisation, country and career stage a team member brings from their profile (of ``fields``)."""
    if profile is None:
        return {}
    fields = set(fields)
    facts: dict = {}
    affiliation = profile.affiliation if "affiliation" in fields else None
    if affiliation is not None:
        facts.update(affiliation=affiliation.name, organisation=affiliation)
    country = affiliation.country if affiliation is not None else None
    if country is None and "countries" in fields:
        country = profile.countries.order_by("name").first()
    if country is not None:
        facts["country"] = country
    if "career_stage" in fields:
        facts["early_career"] = profile.is_early_career
    return facts


def team_facts_default(profile: ResearcherProfile | None) -> frozenset[str]:
    """What an invited member brings unless they choose otherwise: what their profile shows to signed-in people."""
    if profile is None:
        return frozenset()
    return frozenset(TEAM_FACTS) & facts_shown_to(profile, SIGNED_IN)


@transaction.atomic
def proposal_save_draft(
    *,
    proposal: Proposal,
    by: User,
    data: Mapping,
    edit_version: int,
    milestones: Iterable[Mapping] | None = None,
    answers: Mapping | None = None,
    uploads: Mapping | None = None,
) -> Proposal:
    """Save the working draft (text fields, methods, budget and, when given, the whole timeline and the answers to
    the call's questions with the files of its file questions, ``uploads`` by question key).

    ``edit_version`` is the version the editor's form was opened on: when someone saved (or submitted)
    the proposal since, nothing is saved and ``StaleEdit`` carries the saved proposal.
    """
    _require_team(by, proposal)
    proposal = _locked(proposal)
    _require_editable(proposal)
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Give your proposal a title.")
    problem = budget_problem(proposal.call, data.get("budget"))
    if problem:
        errors["budget"] = problem
    timeline = list(milestones) if milestones is not None else None
    for item in timeline or []:
        month = item.get("month")
        if month is None or month < 1 or month > proposal.call.duration_months:
            errors["milestones"] = _("Milestones must fall within the call's %(months)s months.") % {
                "months": proposal.call.duration_months
            }
    if errors:
        raise ValidationError(errors)
    for name in DRAFT_FIELDS:
        if name in data:
            value = data[name]
            setattr(proposal, name, value.strip() if isinstance(value, str) else value)
    proposal.title = title
    proposal.full_clean(exclude=["call", "lead"])
    claim_edit(proposal, expected=edit_version)
    update = [*DRAFT_FIELDS, "updated_at"]
    if answers is not None:
        proposal.answers = _answers_to_keep(proposal, by, dict(answers), uploads or {})
        update.append("answers")
    proposal.save(update_fields=update)  # edit_version is already bumped
    if "methods" in data:
        proposal.methods.set(data["methods"] or [])
    if timeline is not None:
        proposal.milestones.all().delete()
        Milestone.objects.bulk_create(
            Milestone(
                proposal=proposal,
                title=item["title"].strip(),
                month=item["month"],
                description=(item.get("description") or "").strip(),
            )
            for item in timeline
        )
    return proposal


def form_questions(proposal: Proposal) -> list[Question]:
    """The questions of the call's form for the stage the team is answering."""
    return questions_from(proposal.call.form_for(full_stage=proposal.form_full_stage).get_prep_value())


def _answers_to_keep(proposal: Proposal, by: User, typed: dict, uploads: Mapping) -> dict:
    """The answers a draft save stores; each new file of a file question becomes an attachment (the one it
    replaces is taken off the draft, submitted versions keep it)."""
    questions = form_questions(proposal)
    for question in questions:
        upload = uploads.get(question.key)
        if question.type != "file" or upload is None:
            continue
        extension = validate_upload(
            upload,
            types=question.options.get("allowed_types") or ["pdf"],
            max_bytes=int(question.options.get("max_size_mb") or 10) * 1024 * 1024,
        )
        name = os.path.basename(upload.name or f"{question.key}.{extension}")[:255]
        upload.name = f"{question.key}.{extension}"
        try:
            attachment = Attachment.objects.create(
                proposal=proposal, file=upload, original_name=name, size=upload.size, uploaded_by=by
            )
        except OSError:
            raise ValidationError(_("The server could not store your file; nothing was saved. Please try again later."))
        previous = (proposal.answers or {}).get(question.key)
        if isinstance(previous, dict) and previous.get("attachment"):
            Attachment.objects.filter(proposal=proposal, pk=previous["attachment"]).update(removed=True)
        typed[question.key] = {"attachment": attachment.pk, "name": name, "size": attachment.size}
    return kept_answers(questions, proposal.answers or {}, typed)


@transaction.atomic
def attachment_add(*, proposal: Proposal, by: User, upload) -> Attachment:
    """Attach a PDF (checked by content, at most 10 MB) to the draft."""
    _require_team(by, proposal)
    proposal = _locked(proposal)
    _require_editable(proposal)
    if proposal.attachments.filter(removed=False).count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            _("A proposal can have at most %(n)s attachments; remove one first.") % {"n": MAX_ATTACHMENTS}
        )
    validate_pdf(upload)
    name = os.path.basename(upload.name or "attachment.pdf")[:255]
    try:
        return Attachment.objects.create(
            proposal=proposal, file=upload, original_name=name, size=upload.size, uploaded_by=by
        )
    except OSError:
        # The disk is full (or the storage failed): the storage removed its partial file and raising
        # here rolls the row back, so nothing points at a missing file.
        raise ValidationError(_("The server could not store your file; nothing was saved. Please try again later."))


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    """Take an attachment off the draft; submitted versions that list it keep the file."""
    _require_team(by, attachment.proposal)
    _require_editable(_locked(attachment.proposal))
    attachment.removed = True
    attachment.save(update_fields=["removed"])


@transaction.atomic
def team_invite(
    *,
    proposal: Proposal,
    by: User,
    email: str,
    name: str,
    role: str = TeamMember.Role.CO_APPLICANT,
    affiliation: str = "",
    country: Country | None = None,
    early_career: bool = False,
) -> TeamMember:
    """Invite a co-applicant by email; they accept after signing in with that address."""
    _require_lead(by, proposal, _("invite team members"))
    proposal = _locked(proposal)
    _require_editable(proposal)
    email = normalise_email(email)
    if not email:
        raise ValidationError({"email": _("Enter the email address of the person you invite.")})
    if same_mailbox(email, by.email):
        raise ValidationError({"email": _("You are already on the team as its lead.")})
    existing = proposal.team.filter(email__iexact=email).first()
    if existing is not None:
        raise ValidationError(
            {
                "email": _("%(email)s is already on the team (%(status)s).")
                % {"email": email, "status": existing.get_status_display().lower()}
            }
        )
    if role == TeamMember.Role.LEAD or role not in TeamMember.Role.values:
        raise ValidationError({"role": _("Choose the role of the person you invite.")})
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter the name of the person you invite.")})
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(
                proposal=proposal,
                email=email,
                name=name.strip(),
                role=role,
                affiliation=(affiliation or "").strip(),
                country=country,
                early_career=early_career,
            )
    except IntegrityError:
        # Invited by a concurrent request: the message of the non-concurrent path.
        existing = proposal.team.filter(email__iexact=email).first()
        if existing is None:
            raise
        raise ValidationError(
            {
                "email": _("%(email)s is already on the team (%(status)s).")
                % {"email": email, "status": existing.get_status_display().lower()}
            }
        ) from None
    transaction.on_commit(lambda: notify.email_team_invitation(member_id=member.pk))
    return member


def invitation_problem(member: TeamMember, user: User) -> str:
    """Why this signed-in user cannot answer the invitation, or ""."""
    if not has_verified_email(user, member.email) and not same_mailbox(user.email, member.email):
        return _(
            "This invitation was sent to another email address. Sign in with the address it was sent to, or "
            "ask the lead applicant to invite %(email)s."
        ) % {"email": user.email}
    if not has_verified_email(user, member.email):
        return _("Confirm your email address before you answer the invitation.")
    if member.status != TeamMember.Status.INVITED:
        return _("You already answered this invitation (%(status)s).") % {"status": member.get_status_display().lower()}
    return ""


@transaction.atomic
def team_respond(*, member: TeamMember, user: User, accept: bool, share: Iterable[str] | None = None) -> TeamMember:
    """Accept or decline an invitation; accepting links the account and brings the profile facts the person shares.

    ``share`` (of ``TEAM_FACTS``) is what they chose on the invitation page; by default, what their profile shows to
    signed-in people: never a field they keep to themselves unless they tick it.
    """
    # Locked and read again: of an "accept" and a "decline" sent at once, the first stands and the second is told.
    member.refresh_from_db(from_queryset=TeamMember.objects.select_for_update())
    problem = invitation_problem(member, user)
    if problem:
        raise PermissionDenied(problem)
    member.status = TeamMember.Status.ACCEPTED if accept else TeamMember.Status.DECLINED
    member.responded_at = timezone.now()
    profile = None
    chosen: set[str] = set()
    if accept:
        member.user = user
        profile = ResearcherProfile.objects.filter(user=user).select_related("affiliation__country").first()
        chosen = set(team_facts_default(profile) if share is None else share) & set(TEAM_FACTS)
        facts = _profile_facts(profile, chosen)
        if not member.country_id and facts.get("country") is not None:
            member.country = facts["country"]
        if not member.affiliation and facts.get("affiliation"):
            member.affiliation = facts["affiliation"]
        if member.organisation_id is None and facts.get("organisation") is not None:
            member.organisation = facts["organisation"]
    member.save()
    if accept and profile is not None and "languages" in chosen:
        member.languages.add(*profile.languages.all())
    return member


@transaction.atomic
def team_remove(*, member: TeamMember, by: User) -> None:
    """Take a co-applicant (or a pending invitation) off the team."""
    _require_lead(by, member.proposal, _("remove team members"))
    _require_editable(_locked(member.proposal))
    if member.is_lead:
        raise ValidationError(_("The lead applicant cannot be removed."))
    member.delete()


def submission_problems(proposal: Proposal, now: dt.datetime) -> list[str]:
    """Every reason the proposal cannot be submitted at ``now`` (empty when it can)."""
    call = proposal.call
    problems: list[str] = []
    # After an information request the team answers the city, so the call's deadline does not apply.
    if proposal.status != Proposal.Status.INFO_REQUESTED:
        full_stage = proposal.full_stage or proposal.status == Proposal.Status.INVITED and call.two_stage
        deadline = call.deadline_for(full_stage=full_stage)
        if call.cancelled_at is not None:
            problems.append(_("The call was cancelled; it no longer accepts proposals."))
        elif now >= deadline:
            problems.append(
                _("The deadline was %(deadline)s; submissions are closed.")
                % {"deadline": local_deadline_text(deadline, call.time_zone)}
            )
        elif not call.accepts_submissions(full_stage=full_stage, now=now):
            problems.append(_("This call does not accept proposals now."))
    missing = [label for field, label in REQUIRED_FOR_SUBMISSION if not (getattr(proposal, field) or "").strip()]
    if missing:
        problems.append(_("Add %(fields)s before you submit.") % {"fields": ", ".join(str(m) for m in missing)})
    unanswered = missing_required(form_questions(proposal), proposal.answers or {})
    if unanswered:
        problems.append(_("Answer these questions before you submit: %(labels)s.") % {"labels": "; ".join(unanswered)})
    if proposal.budget is None:
        problems.append(_("Give the budget before you submit."))
    else:
        problem = budget_problem(call, proposal.budget)
        if problem:
            problems.append(problem)
    problems.extend(eligibility.problems(proposal_eligibility(proposal)))
    return problems


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User, idempotency_key: uuid.UUID | None = None) -> ProposalVersion:
    """Freeze the draft as a new version and tell the team and the city.

    ``idempotency_key`` (one per rendered submit form) makes a replayed request (a retry after a
    timeout, a double click) return the version it already created instead of a second one.
    """
    _require_lead(by, proposal, _("submit the proposal"))
    proposal = _locked(proposal)
    if idempotency_key is not None:
        done = ProposalVersion.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.proposal_id != proposal.pk:
                raise ValidationError(_("This form was already used for another proposal; reload the page."))
            return done
    _require_editable(proposal)
    now = timezone.now()
    if proposal.status == Proposal.Status.INVITED and proposal.call.two_stage:
        proposal.stage = Proposal.Stage.FULL
    problems = submission_problems(proposal, now)
    if problems:
        raise ValidationError(problems)
    last = proposal.versions.aggregate(last=Max("number"))["last"] or 0
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=last + 1,
        stage=proposal.stage,
        content=proposal_snapshot(proposal),
        submitted_by=by,
        submitted_at=now,
        idempotency_key=idempotency_key,
    )
    proposal.status = Proposal.Status.SUBMITTED
    proposal.submitted_at = now
    claim_edit(proposal, expected=None)  # a draft form opened before the submission can no longer save
    proposal.save(update_fields=["status", "stage", "submitted_at", "updated_at"])
    kind = "submitted" if version.number == 1 else "version"
    record(proposal=proposal, kind=kind, audience="everyone", actor=by, number=version.number)
    transaction.on_commit(lambda: notify.email_submitted(version_id=version.pk))
    return version


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by: User) -> Proposal:
    """Withdraw a submitted proposal before the deadline; it becomes editable and can be submitted again."""
    _require_lead(by, proposal, _("withdraw the proposal"))
    proposal = _locked(proposal)
    if proposal.status != Proposal.Status.SUBMITTED:
        raise ValidationError(
            _(
                "Only a submitted proposal that the city has not started to handle can be withdrawn; this one is %(status)s."
            )
            % {"status": proposal.get_status_display().lower()}
        )
    deadline = proposal.deadline
    if timezone.now() >= deadline:
        raise ValidationError(
            _("The deadline was %(deadline)s; a proposal can be withdrawn only before it.")
            % {"deadline": local_deadline_text(deadline, proposal.call.time_zone)}
        )
    version = proposal.versions.order_by("-number").first()
    if version is not None:
        version.is_withdrawn = True
        version.save(update_fields=["is_withdrawn"])
    proposal.status = Proposal.Status.WITHDRAWN
    claim_edit(proposal, expected=None)
    proposal.save(update_fields=["status", "updated_at"])
    record(proposal=proposal, kind="status_changed", audience="team", actor=by, status=proposal.status)
    return proposal
