"""Issue 18 §3, the writes: the activity log's ``record``, comments, and the team's response to released reviews."""

import os
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import dialogue
from calls.models import (
    Audience,
    CommentAttachment,
    Proposal,
    ProposalActivity,
    ProposalComment,
    ProposalVersion,
    ReviewAssignment,
)
from calls.selectors import proposal_roles, proposals_visible_to
from calls.validators import validate_pdf
from profiles.models import User
from profiles.notify import notify

MAX_COMMENT = 5000
MAX_RESPONSE = 10000


def record(*, proposal: Proposal | int, kind: str, audience: str, actor: User | None = None, **data) -> None:
    """Add an event to the proposal's log, seen by ``audience`` (calls.models.Audience)."""
    ProposalActivity.objects.create(
        proposal_id=getattr(proposal, "pk", proposal),
        kind=kind,
        audience=audience,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data,
    )


def _author_role(roles: set[str], visibility: str) -> str:
    # A team member writes as the team, whatever else they are: a blind review then shows "Applicant team".
    if "team" in roles:
        return ProposalComment.AuthorRole.TEAM
    if "city" in roles:
        return ProposalComment.AuthorRole.CITY
    return ProposalComment.AuthorRole.REVIEWER


@transaction.atomic
def comment_post(
    *,
    proposal: Proposal,
    by: User,
    body: str,
    visibility: str = "",
    parent: ProposalComment | None = None,
    mentions: Iterable[int] = (),
    upload=None,
    idempotency_key: uuid.UUID | None = None,
) -> ProposalComment:
    """Post a comment (or a reply, which keeps its thread's audience); the mentioned people and the people the
    comment is addressed to hear of it. A replayed form (``idempotency_key``) returns the comment it made."""
    if not proposals_visible_to(by).filter(pk=proposal.pk).exists():
        raise PermissionDenied(_("This proposal is not available to you."))
    if idempotency_key is not None:
        done = ProposalComment.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.proposal_id != proposal.pk or done.author_id != by.pk:
                raise ValidationError(_("This form was already used; reload the page."))
            return done
    roles = proposal_roles(by, proposal)
    if parent is not None:
        if not dialogue.comments_visible_to(by, proposal, roles).filter(pk=parent.pk).exists():
            raise PermissionDenied(_("This comment is not available to you."))
        if parent.parent_id is not None:
            parent = parent.parent  # one level of replies: a reply to a reply joins the thread
        visibility = parent.visibility
    elif visibility not in dialogue.audiences_written(roles):
        raise ValidationError({"visibility": _("Choose who may read the comment.")})
    body = (body or "").strip()
    errors = {}
    if not body:
        errors["body"] = _("Write a comment.")
    elif len(body) > MAX_COMMENT:
        errors["body"] = _("A comment may be at most %(max)s characters; this one has %(n)s.") % {
            "max": MAX_COMMENT,
            "n": len(body),
        }
    people = dialogue.people_with_roles(proposal)
    mentioned = []
    for pk in dict.fromkeys(mentions):
        person = people.get(pk)
        if person is None or pk == by.pk or visibility not in dialogue.audiences_seen(person[1]):
            errors["mentions"] = _("You can mention only people who can read this comment.")
            break
        mentioned.append(person[0])
    if upload is not None:
        try:
            validate_pdf(upload)
        except ValidationError as error:
            errors["attachment"] = error.messages
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            comment = ProposalComment.objects.create(
                proposal=proposal,
                parent=parent,
                author=by,
                author_role=_author_role(roles, visibility),
                visibility=visibility,
                body=body,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same form posted twice at once: the other request made the comment.
        return ProposalComment.objects.get(idempotency_key=idempotency_key, proposal=proposal, author=by)
    if upload is not None:
        name = os.path.basename(getattr(upload, "name", "") or "attachment.pdf")[:255]
        CommentAttachment.objects.create(comment=comment, file=upload, original_name=name, size=upload.size)
    comment.mentions.set(mentioned)
    record(proposal=proposal, kind=ProposalActivity.Kind.COMMENT, audience=visibility, actor=by, comment=comment.pk)
    _tell_about_comment(comment, people=people, mentioned=mentioned, parent=parent)
    return comment


def _comment_url(comment: ProposalComment) -> str:
    return reverse("proposal_discussion", args=[comment.proposal_id]) + f"#comment-{comment.pk}"


def _tell_about_comment(comment: ProposalComment, *, people: dict, mentioned: list[User], parent) -> None:
    """Mentions, the author of the thread, and the team when the city writes to it; each person once."""
    proposal = comment.proposal
    told: set[int] = {comment.author_id}
    messages = []
    for person in mentioned:
        roles = people[person.pk][1]
        author = dialogue.author_label(comment, hide_team=dialogue.hides_team(proposal, roles))
        messages.append(
            (
                person,
                roles,
                _("%(author)s mentioned you in a comment on “%(title)s”.")
                % {"author": author, "title": proposal.title},
                "mention",
            )
        )
    if parent is not None and parent.author_id in people:
        person, roles = people[parent.author_id]
        author = dialogue.author_label(comment, hide_team=dialogue.hides_team(proposal, roles))
        messages.append(
            (
                person,
                roles,
                _("%(author)s replied to your comment on “%(title)s”.") % {"author": author, "title": proposal.title},
                "reply",
            )
        )
    if comment.author_role == ProposalComment.AuthorRole.CITY and comment.visibility == Audience.TEAM_CITY:
        for person, roles in people.values():
            if "team" in roles:
                messages.append(
                    (
                        person,
                        roles,
                        _("%(city)s wrote to your team about “%(title)s”.")
                        % {"city": proposal.call.organisation.name, "title": proposal.title},
                        "comment",
                    )
                )
    for person, roles, message, kind in messages:
        if person.pk in told or comment.visibility not in dialogue.audiences_seen(roles):
            continue
        told.add(person.pk)
        notify(person, kind=f"proposal_{kind}", message=message, url=_comment_url(comment))


@transaction.atomic
def review_response_submit(
    *, proposal: Proposal, by: User, text: str, idempotency_key: uuid.UUID | None = None
) -> ProposalVersion:
    """The team's answer to the released reviews, during the response stage: a new version, the last one with the
    response added, which the reviewers read on their review page."""
    if proposal.lead_id != by.pk:
        raise PermissionDenied(_("Only the lead applicant can submit the response to the reviews."))
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("call__organisation").get(pk=proposal.pk)
    if idempotency_key is not None:
        done = ProposalVersion.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.proposal_id != proposal.pk:
                raise ValidationError(_("This form was already used for another proposal; reload the page."))
            return done
    now = timezone.now()
    if not dialogue.response_open(proposal, now):
        raise ValidationError(_("The response stage of this proposal is closed; the response can no longer change."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"response": _("Write your response to the reviews.")})
    if len(text) > MAX_RESPONSE:
        raise ValidationError(
            {
                "response": _("The response may be at most %(max)s characters; this one has %(n)s.")
                % {"max": MAX_RESPONSE, "n": len(text)}
            }
        )
    last = proposal.versions.filter(is_withdrawn=False).order_by("-number").first()
    if last is None:
        raise ValidationError(_("This proposal has no submitted version to respond to."))
    number = (proposal.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        stage=last.stage,
        content={**last.content, "review_response": text},
        submitted_by=by,
        submitted_at=now,
        idempotency_key=idempotency_key,
    )
    Proposal.objects.filter(pk=proposal.pk).update(review_response=text, updated_at=now)
    record(proposal=proposal, kind=ProposalActivity.Kind.RESPONSE, audience=Audience.EVERYONE, actor=by, number=number)
    reviewers = ReviewAssignment.objects.filter(
        proposal=proposal,
        reviewer__isnull=False,
        status__in=[ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED],
    ).select_related("reviewer")
    for assignment in reviewers:
        notify(
            assignment.reviewer,
            kind="review_response",
            message=_("The team responded to the reviews of “%(title)s”.") % {"title": proposal.title},
            url=reverse("review_assignment", args=[assignment.pk]),
        )
    return version
