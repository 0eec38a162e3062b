"""Reads of a partnership's members-only workspace: whoever is not a member gets a 404."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from projects.models import (
    Dataset,
    Milestone,
    Partnership,
    PartnershipMember,
    Result,
    WorkspaceDocument,
    WorkspaceDocumentVersion,
    WorkspaceNote,
)
from projects.selectors.partnerships import is_late


def workspaces_of(user) -> QuerySet[Partnership]:
    """Partnerships whose workspace the user may open: theirs, public or not (none for anonymous users)."""
    return Partnership.objects.with_member(user)


def workspace_for(user, slug: str) -> tuple[Partnership, PartnershipMember]:
    """The partnership and the user's membership; 404 for everyone else, coordinators and officials included."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    member = (
        PartnershipMember.objects.filter(partnership__slug=slug, user=user)
        .select_related("partnership", "partnership__city")
        .first()
    )
    if member is None:
        raise Http404
    return member.partnership, member


def workspace_milestones(partnership: Partnership, *, today: dt.date | None = None) -> list[Milestone]:
    """Every milestone, public or not, by due date, each with ``is_late``."""
    today = today or timezone.localdate()
    milestones = list(partnership.milestones.order_by("due_date", "pk"))
    for milestone in milestones:
        milestone.is_late = is_late(milestone, today)
    return milestones


def workspace_documents(partnership: Partnership) -> QuerySet[WorkspaceDocument]:
    """Documents, most recently changed first, with their versions (newest first) and uploaders."""
    return partnership.documents.select_related("created_by").prefetch_related(
        Prefetch("versions", queryset=WorkspaceDocumentVersion.objects.select_related("uploaded_by"))
    )


def workspace_document(partnership: Partnership, pk: int) -> WorkspaceDocument:
    """One document of this partnership's workspace, or 404."""
    document = workspace_documents(partnership).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def workspace_version(partnership: Partnership, document_pk: int, number: int) -> WorkspaceDocumentVersion:
    """One stored file of this partnership's workspace, or 404."""
    version = (
        WorkspaceDocumentVersion.objects.filter(
            document__partnership=partnership, document_id=document_pk, number=number
        )
        .select_related("document")
        .first()
    )
    if version is None:
        raise Http404
    return version


def workspace_notes(partnership: Partnership) -> QuerySet[WorkspaceNote]:
    """The notes stream, newest first."""
    return partnership.notes.select_related("author").order_by("-created_at", "-pk")


def workspace_drafts(partnership: Partnership) -> dict[str, list]:
    """Results and datasets the partnership has not published yet."""
    return {
        "results": list(Result.objects.filter(partnership=partnership, status=Result.Status.DRAFT)),
        "datasets": list(Dataset.objects.filter(partnership=partnership, status=Dataset.Status.DRAFT)),
    }


def workspace_members(partnership: Partnership) -> list[PartnershipMember]:
    return list(partnership.members.select_related("organisation", "country", "user"))
