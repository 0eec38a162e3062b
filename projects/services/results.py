"""Writes for results under the scientific-freedom guarantee (recommendation 10).

Only research-side members of the partnership create, edit, publish and attach files; the
commissioning city never can (it replies through ``CityResponse``). Once published a result
keeps its URL: researchers may still correct its metadata and add files, but nobody can
unpublish or delete it; only a coordinator's takedown (``services.takedowns``) removes it.
"""

import calendar
import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.models import Site

from calls.validators import validate_pdf
from hub.mail import send_templated
from hub.models import SiteSettings
from hub.versioning import claim_edit
from profiles.emails import normalise_email
from profiles.models import ResearcherProfile, User
from profiles.services import save_with_free_slug
from profiles.visibility import account_for_address, can_see, is_owner, owns_address
from projects.models import Partnership, PartnershipMember, Result, ResultAuthor, ResultFile
from projects.notifications import notify_city_of_result
from projects.services.versions import result_version_create

MAX_FILES = 10
MAX_AUTHORS = 50
EMBARGO_MAX_MONTHS_DEFAULT = 24
# The result's own fields a researcher fills in; the service sets everything else.
CONTENT_FIELDS = ("kind", "title", "abstract", "language", "licence", "doi", "url", "publication_date")
M2M_FIELDS = ("themes", "sdg_targets", "methods", "groups")


def is_research_member(user, partnership: Partnership) -> bool:
    """A signed-in, active member of the partnership's research side."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return PartnershipMember.objects.filter(
        partnership=partnership, user=user, side=PartnershipMember.Side.RESEARCH
    ).exists()


def can_create_result(user, partnership: Partnership) -> tuple[bool, str]:
    if not is_research_member(user, partnership):
        return False, _("Only the partnership's research team can publish results.")
    return True, ""


def can_edit_result(user, result: Result) -> tuple[bool, str]:
    """Research members edit drafts and correct published results; the city, never (scientific freedom)."""
    if result.status == Result.Status.TAKEN_DOWN:
        return False, _("This result was taken down by a network coordinator.")
    if not is_research_member(user, result.partnership):
        return False, _(
            "Only the partnership's research team can change a result. The commissioning city can publish a "
            "response beside it instead."
        )
    return True, ""


def can_publish_result(user, result: Result) -> tuple[bool, str]:
    allowed, reason = can_edit_result(user, result)
    if not allowed:
        return allowed, reason
    if result.status != Result.Status.DRAFT:
        return False, _("This result is already published.")
    return True, ""


def can_delete_result(user, result: Result) -> tuple[bool, str]:
    """Drafts only: a published result keeps its stable URL."""
    allowed, reason = can_edit_result(user, result)
    if not allowed:
        return allowed, reason
    if result.status != Result.Status.DRAFT:
        return False, _("A published result cannot be deleted: its address stays stable for everyone who cites it.")
    return True, ""


def can_remove_file(user, result: Result) -> tuple[bool, str]:
    """Files of a published result stay (people link to them); a draft's can go."""
    allowed, reason = can_edit_result(user, result)
    if not allowed:
        return allowed, reason
    if result.status != Result.Status.DRAFT:
        return False, _("Files of a published result stay available; add a corrected file instead.")
    return True, ""


def _check(allowed_reason: tuple[bool, str]) -> None:
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def embargo_max_months() -> int:
    """The site setting ``SiteSettings.embargo_max_months`` (24 when there is no site)."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return EMBARGO_MAX_MONTHS_DEFAULT
    return SiteSettings.for_site(site).embargo_max_months


def embargo_problem(embargo_until: dt.date | None, *, today: dt.date, max_months: int) -> str:
    """Why an embargo date is not acceptable, or an empty string (pure)."""
    if embargo_until is None:
        return ""
    latest = add_months(today, max_months)
    if embargo_until <= today:
        return _("An embargo must end in the future: choose tomorrow or later, or leave it empty to publish now.")
    if embargo_until > latest:
        return _("An embargo can last at most %(months)s months: choose a date up to %(latest)s.") % {
            "months": max_months,
            "latest": date_format(latest, "j F Y"),
        }
    return ""


def publish_problems(result: Result) -> list[str]:
    """What a result still lacks to be published (the form already checked the fields' formats)."""
    problems = []
    if not result.abstract.strip():
        problems.append(_("Write an abstract: readers see it first."))
    if not result.authors.exists():
        problems.append(_("Add at least one author."))
    if not (result.doi or result.url or result.files.exists()):
        problems.append(_("Give a DOI or a URL, or attach a PDF, so that readers can reach the result itself."))
    if not result.publication_date:
        problems.append(_("Give the publication date."))
    return problems


def unique_result_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:180] or "result"
    slug, n = base, 2
    while Result.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def author_key(author: ResultAuthor, viewer) -> str:
    """What the edit form shows as an author's ORCID iD or email: the address the team invited, or an ORCID iD
    the viewer may read on the linked profile (never an address the team did not type)."""
    if author.invited_email:
        return author.invited_email
    profile = author.profile
    if profile is not None and profile.orcid and profile.user.is_active:
        if (profile.is_public or is_owner(profile, viewer)) and can_see(profile, "orcid", viewer):
            return profile.orcid
    return ""


def _save_authors(result: Result, authors: list[dict]) -> None:
    """Keep the authors whose rows were kept (with their link or invitation), add the others, drop the rest.

    A new email address becomes an invitation, sent after the commit whether or not the address has an account.
    """
    if len(authors) > MAX_AUTHORS:
        raise ValidationError(_("A result can list at most %(n)s authors.") % {"n": MAX_AUTHORS})
    current = {a.pk: a for a in result.authors.all()}
    kept: dict[int, tuple[ResultAuthor, int]] = {}
    new_rows: list[ResultAuthor] = []
    emails: set[str] = set()
    now = timezone.now()
    for position, author in enumerate(authors):
        keep = author.get("keep")
        if keep is not None and keep.pk in current and keep.pk not in kept:
            row = current[keep.pk]
            row.name, row.affiliation = author["name"][:200], (author.get("affiliation") or "")[:300]
            kept[row.pk] = (row, position)
        else:
            email = normalise_email(author.get("email"))
            row = ResultAuthor(
                result=result,
                profile=None if email else author.get("profile"),
                name=author["name"][:200],
                affiliation=(author.get("affiliation") or "")[:300],
                sort_order=position,
            )
            if email:
                row.invited_email, row.token, row.invited_at = email, uuid.uuid4(), now
            new_rows.append(row)
        if row.invited_email:
            if row.invited_email in emails:
                raise ValidationError(_("%(email)s is listed twice among the authors.") % {"email": row.invited_email})
            emails.add(row.invited_email)
    result.authors.exclude(pk__in=list(kept)).delete()
    for row, position in kept.values():
        row.sort_order = position
        row.save(update_fields=["name", "affiliation", "sort_order"])
    for row in new_rows:
        row.save()
        if row.invited_email:
            transaction.on_commit(lambda pk=row.pk: email_author_invitation(author_id=pk))


def email_author_invitation(*, author_id: int) -> None:
    """Ask an invited author to confirm: in the site if the address has an account, else by inviting them to sign up.

    Only the address's owner reads the difference; the team is told "we will email them" either way.
    """
    author = ResultAuthor.objects.select_related("result__partnership").filter(pk=author_id).first()
    if author is None or not author.is_invited or author.token is None:
        return
    send_templated(
        "projects/results/email/author_invitation",
        {
            "author": author,
            "result": author.result,
            "partnership": author.result.partnership,
            "has_account": account_for_address(author.invited_email) is not None,
            "invitation_url": reverse("result_authorship", args=[author.token]),
        },
        to=[author.invited_email],
    )


def authorship_problem(author: ResultAuthor, user) -> str:
    """Why this signed-in user cannot answer the authorship invitation, or ""."""
    if not owns_address(user, author.invited_email):
        return _(
            "This invitation was sent to another email address. Sign in with the address it was sent to, and "
            "confirm that address first if you have just signed up."
        )
    if author.answered_at is not None:
        return _("You already answered this invitation.")
    if author.result.status == Result.Status.TAKEN_DOWN:
        return _("This result was taken down by a network coordinator.")
    return ""


@transaction.atomic
def authorship_answer(
    *, author: ResultAuthor, user: User, accept: bool, show_affiliation: bool = False
) -> ResultAuthor:
    """The invited author confirms (linking their profile, and their affiliation only if they choose) or declines.

    Showing their affiliation changes the result's author list, so the result's edit version moves on: an edit
    form opened before the answer cannot write the old affiliation back.
    """
    # The result first, then the author: the same order as ``result_update``, so the two cannot deadlock.
    result = Result.objects.select_for_update().get(pk=author.result_id)
    author = ResultAuthor.objects.select_for_update().select_related("result").get(pk=author.pk)
    problem = authorship_problem(author, user)
    if problem:
        raise PermissionDenied(problem)
    if accept:
        profile = ResearcherProfile.objects.filter(user=user).select_related("affiliation").first()
        if profile is None:
            raise ValidationError(
                _("Create your researcher profile first (Dashboard → Profile), then confirm the authorship.")
            )
        if author.result.authors.filter(profile=profile).exclude(pk=author.pk).exists():
            raise ValidationError(_("Your profile is already linked to another author of this result."))
        author.profile = profile
        if show_affiliation and profile.affiliation_id and author.affiliation != profile.affiliation.name[:300]:
            author.affiliation = profile.affiliation.name[:300]
            claim_edit(result, expected=None)
    author.answered_at = timezone.now()
    author.save(update_fields=["profile", "affiliation", "answered_at"])
    return author


def _apply(result: Result, data: dict) -> None:
    for field in CONTENT_FIELDS:
        if field in data:
            setattr(result, field, data[field])
    result.full_clean(exclude=["slug", "partnership", "created_by", "published_by"])


@transaction.atomic
def result_create(*, partnership: Partnership, by: User, data: dict, authors: list[dict]) -> Result:
    """A draft result of the partnership, with its authors in order."""
    _check(can_create_result(by, partnership))
    result = Result(partnership=partnership, created_by=by, status=Result.Status.DRAFT)
    _apply(result, data)
    result.slug = unique_result_slug(result.title)
    save_with_free_slug(result, next_slug=lambda: unique_result_slug(result.title))
    for field in M2M_FIELDS:
        if field in data:
            getattr(result, field).set(data[field])
    _save_authors(result, authors)
    return result


@transaction.atomic
def result_update(*, result: Result, by: User, data: dict, authors: list[dict], edit_version: int) -> Result:
    """The researchers' changes, if nobody saved the result since ``edit_version``; the slug stays (stable URL).

    On a published result the edit is published as its next version (``data["version_note"]`` says what
    changed); the earlier versions stay as they were. Raises ``StaleEdit`` (nothing saved) when the result
    moved on: another edit, a publication, a takedown.
    """
    # The saved row carries the status as stored now: an edit never undoes a takedown or publication made meanwhile.
    result.refresh_from_db(
        fields=["status", "embargo_until", "published_at", "published_by"],
        from_queryset=Result.objects.select_for_update(),
    )
    _check(can_edit_result(by, result))
    _apply(result, data)
    claim_edit(result, expected=edit_version)
    result.save(update_fields=[*CONTENT_FIELDS, "updated_at"])
    for field in M2M_FIELDS:
        if field in data:
            getattr(result, field).set(data[field])
    _save_authors(result, authors)
    if result.status == Result.Status.PUBLISHED:
        # An edit that changes nothing the public reads (only files added, say) makes no new version.
        result_version_create(result=result, by=by, note=data.get("version_note") or "", if_changed=True)
    return result


@transaction.atomic
def result_publish(
    *, result: Result, by: User, embargo_until: dt.date | None = None, today: dt.date | None = None
) -> Result:
    """Publish now, or with an embargo that ends by itself on its date (capped by the site setting)."""
    # Locked and read again: a second "Publish" (double click, a co-author's tab) is refused, not a new embargo.
    result.refresh_from_db(from_queryset=Result.objects.select_for_update())
    _check(can_publish_result(by, result))
    today = today or timezone.localdate()
    problem = embargo_problem(embargo_until, today=today, max_months=embargo_max_months())
    if problem:
        raise ValidationError({"embargo_until": problem})
    problems = publish_problems(result)
    if problems:
        raise ValidationError(problems)
    # An edit form opened before publishing is stale now: its save would not see the publication.
    claim_edit(result, expected=None)
    result.status = Result.Status.PUBLISHED
    result.embargo_until = embargo_until
    result.published_at = timezone.now()
    result.published_by = by
    result.save(update_fields=["status", "embargo_until", "published_at", "published_by", "updated_at"])
    result_version_create(result=result, by=by)
    # The commissioning city's officials are told once the publication is committed: their right of reply.
    result_id = result.pk
    transaction.on_commit(lambda: notify_city_of_result(result_id=result_id))
    return result


@transaction.atomic
def result_delete(*, result: Result, by: User) -> None:
    """Delete a draft with its files."""
    _check(can_delete_result(by, result))
    for stored in result.files.all():
        stored.file.delete(save=False)
    result.delete()


@transaction.atomic
def result_file_add(*, result: Result, by: User, upload, title: str = "") -> ResultFile:
    """Attach a PDF (checked by content and size) in private storage."""
    _check(can_edit_result(by, result))
    if result.files.count() >= MAX_FILES:
        raise ValidationError({"file": _("A result can have at most %(n)s files.") % {"n": MAX_FILES}})
    try:
        validate_pdf(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    name = (getattr(upload, "name", "") or "result.pdf").rsplit("/", 1)[-1][:255]
    stored = ResultFile(result=result, title=title[:200], original_name=name, size=upload.size, uploaded_by=by)
    stored.file.save(name, upload, save=False)
    try:
        stored.save()
    except Exception:
        stored.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def result_file_remove(*, file: ResultFile, by: User) -> None:
    _check(can_remove_file(by, file.result))
    file.file.delete(save=False)
    file.delete()
