"""A partnership's members-only workspace: milestones, shared documents with versions, notes.

Every view fetches the partnership through ``selectors.workspace.workspace_for``: anonymous
people go to the login page, everyone who is not a member gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.forms import apply_validation_error
from hub.private_files import private_file_response
from hub.versioning import StaleEdit
from projects.forms.workspace import (
    DocumentForm,
    MilestoneEditForm,
    MilestoneForm,
    MilestoneStatusForm,
    NoteEditForm,
    NoteForm,
    VersionForm,
)
from projects.selectors import workspace as selectors
from projects.services import workspace as services

MILESTONE_PREFIX, DOCUMENT_PREFIX, NOTE_PREFIX = "milestone", "document", "note"


def _render_workspace(request, partnership, member, *, status: int = 200, **forms):
    can_edit_milestones, _reason = services.can_edit_milestones(request.user, partnership)
    context = {
        "partnership": partnership,
        "member": member,
        "members": selectors.workspace_members(partnership),
        "milestones": selectors.workspace_milestones(partnership),
        "documents": selectors.workspace_documents(partnership),
        "notes": selectors.workspace_notes(partnership),
        "drafts": selectors.workspace_drafts(partnership),
        "can_edit_milestones": can_edit_milestones,
        "status_choices": MilestoneStatusForm.base_fields["status"].choices,
        "milestone_form": forms.get("milestone_form") or MilestoneForm(prefix=MILESTONE_PREFIX),
        "document_form": forms.get("document_form") or DocumentForm(prefix=DOCUMENT_PREFIX),
        "note_form": forms.get("note_form") or NoteForm(prefix=NOTE_PREFIX),
    }
    return render(request, "projects/workspace/workspace.html", context, status=status)


def _denied(request, error: PermissionDenied, slug: str):
    messages.error(request, str(error) or _("You cannot do that here."))
    return redirect("partnership_workspace", slug=slug)


@login_required
@require_GET
def workspace(request, slug: str):
    partnership, member = selectors.workspace_for(request.user, slug)
    return _render_workspace(request, partnership, member)


# The workspace page is one form: whichever of its buttons is pressed, everything typed on it is saved (the
# pressed button's part must be filled in; the other parts are saved when something was typed in them). So no
# button throws away a note, a milestone or a document typed elsewhere on the page (issue 16 §3).
ADD_MILESTONE, SHARE_DOCUMENT, POST_NOTE, CHANGE_STATUS = "milestone", "document", "note", "status"
TYPED = {
    ADD_MILESTONE: (MILESTONE_PREFIX, ("title", "due_date", "description")),
    SHARE_DOCUMENT: (DOCUMENT_PREFIX, ("title", "description", "note")),
    POST_NOTE: (NOTE_PREFIX, ("body",)),
}


def _typed(request, part: str) -> bool:
    prefix, names = TYPED[part]
    if part == SHARE_DOCUMENT and request.FILES.get(f"{prefix}-file"):
        return True
    return any((request.POST.get(f"{prefix}-{name}") or "").strip() for name in names)


def _status_changes(request, partnership) -> list[tuple]:
    """(milestone, bound MilestoneStatusForm) for every status select of the page that was changed."""
    changes = []
    for milestone in partnership.milestones.order_by("due_date", "pk"):
        key = f"status-{milestone.pk}"
        if key not in request.POST or request.POST.get(key) == request.POST.get(f"{key}-shown"):
            continue
        data = {"status": request.POST.get(key), "edit_version": request.POST.get(f"{key}-version")}
        changes.append((milestone, MilestoneStatusForm(data)))
    return changes


def _save_page(request, slug: str, *, pressed: str):
    """Save everything typed on the workspace page; re-render the parts that need fixing (400), else redirect."""
    partnership, member = selectors.workspace_for(request.user, slug)
    failed, document = {}, None
    for milestone, form in _status_changes(request, partnership):
        _change_status(request, milestone, form)
    if pressed == ADD_MILESTONE or _typed(request, ADD_MILESTONE):
        form = MilestoneForm(request.POST, prefix=MILESTONE_PREFIX)
        if form.is_valid():
            try:
                milestone = services.milestone_add(partnership=partnership, by=request.user, **form.cleaned_data)
            except PermissionDenied as error:
                messages.error(request, str(error))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Milestone “%(title)s” added.") % {"title": milestone.title})
        if form.errors:
            failed["milestone_form"] = form
    if pressed == SHARE_DOCUMENT or _typed(request, SHARE_DOCUMENT):
        form = DocumentForm(request.POST, request.FILES, prefix=DOCUMENT_PREFIX)
        if form.is_valid():
            try:
                document = services.document_create(
                    partnership=partnership,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("“%(title)s” is shared with the partnership.") % {"title": document.title})
        if form.errors:
            failed["document_form"] = form
    if pressed == POST_NOTE or _typed(request, POST_NOTE):
        form = NoteForm(request.POST, prefix=NOTE_PREFIX)
        if form.is_valid():
            try:
                services.note_post(partnership=partnership, by=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Your note is posted."))
        if form.errors:
            failed["note_form"] = form
    if failed:
        return _render_workspace(request, partnership, member, status=400, **failed)
    if pressed == SHARE_DOCUMENT and document is not None:
        return redirect("workspace_document", slug=slug, pk=document.pk)
    anchor = {ADD_MILESTONE: "milestones", CHANGE_STATUS: "milestones", SHARE_DOCUMENT: "documents"}
    return redirect(f"{partnership.get_workspace_url()}#{anchor.get(pressed, 'notes')}")


def _change_status(request, milestone, form) -> bool:
    """Apply one status change, with a message either way; False when it was refused."""
    if not form.is_valid():
        if "edit_version" in form.errors:
            messages.error(request, _("This status form is missing its version; reload the page and try again."))
        else:
            messages.error(request, _("Choose a status from the list."))
        return False
    try:
        services.milestone_set_status(
            milestone=milestone,
            by=request.user,
            status=form.cleaned_data["status"],
            edit_version=form.cleaned_data["edit_version"],
        )
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You cannot do that here."))
        return False
    except StaleEdit as stale:
        messages.error(
            request,
            _(
                "Someone changed “%(title)s” after you opened this page: it is now %(status)s. Your status change "
                "was not saved, so that it does not undo theirs. Choose the status again if it still applies."
            )
            % {"title": stale.current.title, "status": stale.current.get_status_display()},
        )
        return False
    messages.success(
        request,
        _("“%(title)s” is now %(status)s.") % {"title": milestone.title, "status": milestone.get_status_display()},
    )
    return True


@login_required
@require_POST
def milestone_add(request, slug: str):
    return _save_page(request, slug, pressed=ADD_MILESTONE)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug: str, pk: int):
    partnership, member = selectors.workspace_for(request.user, slug)
    milestone = get_object_or_404(partnership.milestones, pk=pk)
    allowed, reason = services.can_edit_milestones(request.user, partnership)
    if not allowed:
        return _denied(request, PermissionDenied(reason), slug)
    status = 200
    if request.method == "POST":
        form = MilestoneEditForm(request.POST, versioned=milestone)
        status = 400
        if form.is_valid():
            try:
                services.milestone_update(milestone=milestone, by=request.user, **form.cleaned_data)
            except StaleEdit as stale:
                form.show_conflict(stale.current)
                milestone, status = stale.current, 409
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Milestone “%(title)s” saved.") % {"title": milestone.title})
                return redirect(f"{partnership.get_workspace_url()}#milestones")
    else:
        form = MilestoneEditForm(
            initial={
                "title": milestone.title,
                "due_date": milestone.due_date,
                "status": milestone.status,
                "description": milestone.description,
                "is_public": milestone.is_public,
            },
            versioned=milestone,
        )
    return render(
        request,
        "projects/workspace/milestone_edit.html",
        {"partnership": partnership, "milestone": milestone, "form": form},
        status=status,
    )


@login_required
@require_POST
def milestone_status(request, slug: str, pk: int):
    """ "Change status" of one milestone: on the workspace page it saves everything typed there too."""
    partnership, _member = selectors.workspace_for(request.user, slug)
    milestone = get_object_or_404(partnership.milestones, pk=pk)
    if "status" not in request.POST:
        return _save_page(request, slug, pressed=CHANGE_STATUS)
    # A form of this one milestone alone (the status and the version it was shown at).
    _change_status(request, milestone, MilestoneStatusForm(request.POST))
    return redirect(f"{partnership.get_workspace_url()}#milestones")


@login_required
@require_POST
def document_add(request, slug: str):
    return _save_page(request, slug, pressed=SHARE_DOCUMENT)


def _render_document(request, partnership, document, *, form=None, status: int = 200):
    return render(
        request,
        "projects/workspace/document.html",
        {"partnership": partnership, "document": document, "form": form or VersionForm()},
        status=status,
    )


@login_required
@require_GET
def document_detail(request, slug: str, pk: int):
    partnership, _member = selectors.workspace_for(request.user, slug)
    return _render_document(request, partnership, selectors.workspace_document(partnership, pk))


@login_required
@require_POST
def version_add(request, slug: str, pk: int):
    partnership, _member = selectors.workspace_for(request.user, slug)
    document = selectors.workspace_document(partnership, pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_version_add(
                document=document, by=request.user, upload=form.cleaned_data["file"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Version %(n)s uploaded.") % {"n": version.number})
            return redirect("workspace_document", slug=slug, pk=document.pk)
    return _render_document(request, partnership, document, form=form, status=400)


@login_required
@require_GET
def version_download(request, slug: str, pk: int, number: int):
    partnership, _member = selectors.workspace_for(request.user, slug)
    version = selectors.workspace_version(partnership, pk, number)
    try:
        return private_file_response(
            version.file, filename=version.original_name, content_type=version.content_type, as_attachment=True
        )
    except FileNotFoundError as error:
        raise Http404 from error


@login_required
@require_POST
def note_add(request, slug: str):
    return _save_page(request, slug, pressed=POST_NOTE)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request, slug: str, pk: int):
    partnership, _member = selectors.workspace_for(request.user, slug)
    note = get_object_or_404(partnership.notes, pk=pk)
    allowed, _reason = services.can_edit_note(request.user, note)
    if not allowed:
        raise Http404  # someone else's note: nothing to edit here
    form = NoteEditForm(request.POST or None, initial={"body": note.body}, versioned=note)
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.note_edit(
                note=note,
                by=request.user,
                body=form.cleaned_data["body"],
                edit_version=form.cleaned_data["edit_version"],
            )
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            note, status = stale.current, 409
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your note is saved."))
            return redirect(f"{partnership.get_workspace_url()}#notes")
    return render(
        request,
        "projects/workspace/note_edit.html",
        {"partnership": partnership, "note": note, "form": form},
        status=status,
    )
