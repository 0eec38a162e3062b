"""Forms of a partnership's workspace: milestones, documents and their versions, notes (forms only validate)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.versioning import VersionedFormMixin
from projects.models import Milestone
from projects.services.workspace import ALLOWED_EXTENSIONS

ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
FILE_HELP = _("PDF, Word (.docx), OpenDocument (.odt, .ods), Excel (.xlsx), CSV, text, Markdown, PNG or JPEG.")


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices, initial=Milestone.Status.PLANNED)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_public = forms.BooleanField(label=_("Show on the public timeline"), required=False, initial=True)


class MilestoneEditForm(VersionedFormMixin, MilestoneForm):
    """A milestone's edit page: the fields of a new one, and the version it was opened on."""


class MilestoneStatusForm(forms.Form):
    """The status select of the workspace page, with the version of the milestone the page showed."""

    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)
    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class _FileField(forms.FileField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("File"),
            help_text=FILE_HELP,
            allow_empty_file=False,
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            **kwargs,
        )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = _FileField()
    note = forms.CharField(label=_("What this version is"), required=False, max_length=300)


class VersionForm(forms.Form):
    file = _FileField()
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteEditForm(VersionedFormMixin, NoteForm):
    """Editing one's note: the text, and the version it was opened on."""
