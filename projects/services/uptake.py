"""Writes of policy uptake: the commissioning city's response to a result and the decisions it informed.

Who may write: approved members (any role) of the organisation that commissioned the result's
partnership (``result.partnership.city``). Everybody with an approved membership of a city is one of
its officials on Bridges; the city's admins decide who that is. Researchers, other cities and
coordinators (unless also members of that city) cannot respond or record uptake, and only public
results (published, past any embargo) can be responded to.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hub.mail import send_templated
from hub.versioning import claim_edit
from profiles.models import Membership, Organisation, User
from profiles.timezones import LazyZone, zone_for_user
from projects.models import CityResponse, PartnershipMember, PolicyUptake, Result

ALLOWED_LINK_SCHEMES = ("http", "https")


def is_public(result: Result, *, today: dt.date | None = None) -> bool:
    """The rule of ``Result.objects.public()`` for one loaded result (no query)."""
    today = today or timezone.localdate()
    if result.status != Result.Status.PUBLISHED or result.published_at is None:
        return False
    return result.embargo_until is None or result.embargo_until <= today


def is_city_official(user, city: Organisation | None) -> bool:
    """An active user with an approved membership (any role) of the city."""
    if city is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(user=user, organisation=city, status=Membership.Status.APPROVED).exists()


def is_official_of_commissioning_city(user, result: Result) -> bool:
    """``can_respond`` in one query without loading the partnership (for panels on result pages)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not is_public(result):
        return False
    return Membership.objects.filter(
        user=user, status=Membership.Status.APPROVED, organisation__partnerships__id=result.partnership_id
    ).exists()


def can_respond(user, result: Result) -> tuple[bool, str]:
    """Whether the user may respond to the result, or record what it informed, for the commissioning city."""
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in as an official of the commissioning city.")
    if not is_public(result):
        return False, _("Only public results can receive a city response.")
    city = result.partnership.city
    if city is None:
        return False, _("This result's partnership has no commissioning city.")
    if not is_city_official(user, city):
        return False, _("Only officials of %(city)s can respond to this result.") % {"city": city.name}
    return True, ""


can_record_uptake = can_respond


def _require(user, result: Result) -> None:
    allowed, reason = can_respond(user, result)
    if not allowed:
        raise PermissionDenied(reason)


#: The version a response form carries while the city has not responded yet; the first save makes it the next one.
RESPONSE_BLANK_VERSION = 1


@transaction.atomic
def response_save(
    *, result: Result, by: User, stance: str, reasons: str = "", reply: str = "", edit_version: int
) -> CityResponse:
    """Create or update the city's dated response; a decided response keeps its first date and shows updates.

    ``edit_version`` is the version the form was opened on (``RESPONSE_BLANK_VERSION`` when there was no response
    yet): a save from a form opened before another official's save raises ``StaleEdit`` and saves nothing.
    """
    _require(by, result)
    stance = stance or CityResponse.Stance.PENDING
    reasons, reply = (reasons or "").strip(), (reply or "").strip()
    errors: dict[str, list[str]] = {}
    if stance not in CityResponse.Stance.values:
        errors["stance"] = [_("Choose one of the stances offered.")]
    elif stance != CityResponse.Stance.PENDING and not reasons:
        errors["reasons"] = [
            _("Give the city's reasons for “%(stance)s”: readers see them beside the stance.")
            % {"stance": CityResponse.Stance(stance).label}
        ]
    # Lock the result first: with no response yet there is no row to lock, and two first saves would both insert.
    Result.objects.select_for_update().filter(pk=result.pk).first()
    response = CityResponse.objects.select_for_update().filter(result=result).first()
    if response and response.responded_at and stance == CityResponse.Stance.PENDING:
        errors["stance"] = [_("The city has already decided; choose the stance that applies now instead of “Pending”.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    created = response is None
    if created:
        # The blank form was version 1; the first response is version 2, so that another blank form is stale.
        response = CityResponse(result=result, city=result.partnership.city, edit_version=RESPONSE_BLANK_VERSION + 1)
    else:
        claim_edit(response, expected=edit_version)
    changed = created or (response.stance, response.reasons, response.reply) != (stance, reasons, reply)
    response.stance, response.reasons, response.reply = stance, reasons, reply
    response.responded_by = by
    if stance != CityResponse.Stance.PENDING and response.responded_at is None:
        response.responded_at = now
    response.save()
    if changed:
        transaction.on_commit(lambda: notify_response(response_id=response.pk, created=created))
    return response


def _clean_uptake(result: Result, *, by: User, kind: str, title: str, date: dt.date | None, link: str) -> dict:
    """The record's problems. Dates are the official's: "today" and the day the result became public are those of
    their city's zone, whichever channel (a form, a task, the shell) records the decision."""
    with timezone.override(LazyZone(lambda: zone_for_user(by))):
        return _uptake_problems(result, kind=kind, title=title, date=date, link=link)


def _uptake_problems(result: Result, *, kind: str, title: str, date: dt.date | None, link: str) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in PolicyUptake.Kind.values:
        errors["kind"] = [_("Choose one of the kinds offered.")]
    if not (title or "").strip():
        errors["title"] = [_("Give the decision, plan, budget line or service a title.")]
    today = timezone.localdate()
    if date is None:
        errors["date"] = [_("Give the date of the decision.")]
    elif date > today:
        errors["date"] = [_("The date cannot be in the future: record a decision once it is taken.")]
    elif result.public_since and date < result.public_since:
        errors["date"] = [
            _("A decision taken before %(date)s cannot have been informed by this result, which became public then.")
            % {"date": date_format(result.public_since)}
        ]
    if link and link.split(":", 1)[0].lower() not in ALLOWED_LINK_SCHEMES:
        errors["link"] = [_("Give a web address starting with http:// or https://.")]
    return errors


def _locked_pk(uptake: PolicyUptake) -> int | None:
    """Lock the record's row; None when another official removed it meanwhile."""
    return PolicyUptake.objects.select_for_update().filter(pk=uptake.pk).values_list("pk", flat=True).first()


@transaction.atomic
def uptake_create(
    *,
    result: Result,
    by: User,
    kind: str,
    title: str,
    date: dt.date,
    body: str = "",
    link: str = "",
    description: str = "",
) -> PolicyUptake:
    """Record a decision, plan, budget line or service change of the commissioning city that the result informed."""
    _require(by, result)
    errors = _clean_uptake(result, by=by, kind=kind, title=title, date=date, link=link)
    if errors:
        raise ValidationError(errors)
    uptake = PolicyUptake.objects.create(
        result=result,
        city=result.partnership.city,
        kind=kind,
        title=title.strip(),
        date=date,
        body=(body or "").strip(),
        link=link,
        description=(description or "").strip(),
        recorded_by=by,
    )
    transaction.on_commit(lambda: notify_uptake(uptake_id=uptake.pk))
    return uptake


@transaction.atomic
def uptake_update(
    *,
    uptake: PolicyUptake,
    by: User,
    kind: str,
    title: str,
    date: dt.date,
    body: str = "",
    link: str = "",
    description: str = "",
    edit_version: int,
) -> PolicyUptake:
    """Correct an uptake record; only officials of the city that recorded it.

    Raises ``StaleEdit`` (nothing saved) when someone saved the record after ``edit_version``.
    """
    result = uptake.result
    _require(by, result)
    if uptake.city_id != result.partnership.city_id:
        raise PermissionDenied(_("Only the commissioning city edits its uptake records."))
    errors = _clean_uptake(result, by=by, kind=kind, title=title, date=date, link=link)
    if errors:
        raise ValidationError(errors)
    if _locked_pk(uptake) is None:
        raise ValidationError(_("This decision record was removed by another official after you opened it."))
    claim_edit(uptake, expected=edit_version)
    uptake.kind, uptake.title, uptake.date = kind, title.strip(), date
    uptake.body, uptake.link, uptake.description = (body or "").strip(), link, (description or "").strip()
    uptake.save()
    return uptake


@transaction.atomic
def uptake_delete(*, uptake: PolicyUptake, by: User, edit_version: int) -> None:
    """Remove an uptake record that was recorded by mistake, as it read at ``edit_version``.

    Raises ``StaleEdit`` (nothing removed) when someone changed the record after the page was opened: the official
    decides again on what it says now. A record another official already removed stays removed.
    """
    result = uptake.result
    _require(by, result)
    if uptake.city_id != result.partnership.city_id:
        raise PermissionDenied(_("Only the commissioning city removes its uptake records."))
    if _locked_pk(uptake) is None:
        return
    claim_edit(uptake, expected=edit_version)
    uptake.delete()


def research_member_emails(result: Result) -> list[str]:
    """The partnership's research team, who hear about the city's response and uptake."""
    return list(
        PartnershipMember.objects.filter(
            partnership_id=result.partnership_id,
            side=PartnershipMember.Side.RESEARCH,
            user__isnull=False,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


def notify_response(*, response_id: int, created: bool) -> None:
    """Email the research team that the city responded (or updated its response)."""
    response = (
        CityResponse.objects.select_related("result", "result__partnership", "city").filter(pk=response_id).first()
    )
    if response is None:
        return
    send_templated(
        "projects/uptake/email/response",
        {"response": response, "result": response.result, "created": created},
        to=research_member_emails(response.result),
    )


def notify_uptake(*, uptake_id: int) -> None:
    """Email the research team that the city recorded a decision their result informed."""
    uptake = PolicyUptake.objects.select_related("result", "result__partnership", "city").filter(pk=uptake_id).first()
    if uptake is None:
        return
    send_templated(
        "projects/uptake/email/uptake",
        {"uptake": uptake, "result": uptake.result},
        to=research_member_emails(uptake.result),
    )
