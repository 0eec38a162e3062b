"""A partnership's members-only workspace: milestones, shared documents with versions, notes.

Every view fetches the partnership through ``selectors.workspace.workspace_for``: anonymous
people go to the login page, everyone who is not a member gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.forms import apply_validation_error
from projects.forms.workspace import DocumentForm, MilestoneForm, MilestoneStatusForm, NoteForm, VersionForm
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


@login_required
@require_POST
def milestone_add(request, slug: str):
    partnership, member = selectors.workspace_for(request.user, slug)
    form = MilestoneForm(request.POST, prefix=MILESTONE_PREFIX)
    if form.is_valid():
        try:
            milestone = services.milestone_add(partnership=partnership, by=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            return _denied(request, error, slug)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Milestone “%(title)s” added.") % {"title": milestone.title})
            return redirect(f"{partnership.get_workspace_url()}#milestones")
    return _render_workspace(request, partnership, member, milestone_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug: str, pk: int):
    partnership, member = selectors.workspace_for(request.user, slug)
    milestone = get_object_or_404(partnership.milestones, pk=pk)
    allowed, reason = services.can_edit_milestones(request.user, partnership)
    if not allowed:
        return _denied(request, PermissionDenied(reason), slug)
    if request.method == "POST":
        form = MilestoneForm(request.POST)
        if form.is_valid():
            try:
                services.milestone_update(milestone=milestone, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Milestone “%(title)s” saved.") % {"title": milestone.title})
                return redirect(f"{partnership.get_workspace_url()}#milestones")
    else:
        form = MilestoneForm(
            initial={
                "title": milestone.title,
                "due_date": milestone.due_date,
                "status": milestone.status,
                "description": milestone.description,
                "is_public": milestone.is_public,
            }
        )
    return render(
        request,
        "projects/workspace/milestone_edit.html",
        {"partnership": partnership, "milestone": milestone, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def milestone_status(request, slug: str, pk: int):
    partnership, _member = selectors.workspace_for(request.user, slug)
    milestone = get_object_or_404(partnership.milestones, pk=pk)
    form = MilestoneStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
        return redirect(f"{partnership.get_workspace_url()}#milestones")
    try:
        services.milestone_set_status(milestone=milestone, by=request.user, status=form.cleaned_data["status"])
    except PermissionDenied as error:
        return _denied(request, error, slug)
    messages.success(
        request,
        _("“%(title)s” is now %(status)s.") % {"title": milestone.title, "status": milestone.get_status_display()},
    )
    return redirect(f"{partnership.get_workspace_url()}#milestones")


@login_required
@require_POST
def document_add(request, slug: str):
    partnership, member = selectors.workspace_for(request.user, slug)
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
            return redirect("workspace_document", slug=slug, pk=document.pk)
    return _render_workspace(request, partnership, member, document_form=form, status=400)


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
        handle = version.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def note_add(request, slug: str):
    partnership, member = selectors.workspace_for(request.user, slug)
    form = NoteForm(request.POST, prefix=NOTE_PREFIX)
    if form.is_valid():
        try:
            services.note_post(partnership=partnership, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your note is posted."))
            return redirect(f"{partnership.get_workspace_url()}#notes")
    return _render_workspace(request, partnership, member, note_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request, slug: str, pk: int):
    partnership, _member = selectors.workspace_for(request.user, slug)
    note = get_object_or_404(partnership.notes, pk=pk)
    allowed, _reason = services.can_edit_note(request.user, note)
    if not allowed:
        raise Http404  # someone else's note: nothing to edit here
    form = NoteForm(request.POST or None, initial={"body": note.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_edit(note=note, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your note is saved."))
            return redirect(f"{partnership.get_workspace_url()}#notes")
    return render(
        request,
        "projects/workspace/note_edit.html",
        {"partnership": partnership, "note": note, "form": form},
        status=400 if form.is_bound else 200,
    )
