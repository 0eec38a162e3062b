"""Forms of a partnership's life: status, members, reports, deliverables, agreements (forms only validate)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.versioning import VersionedFormMixin
from profiles.models import Organisation
from projects.forms.partnerships import MemberForm
from projects.forms.workspace import ACCEPT, FILE_HELP
from projects.models import Agreement, Deliverable, Partnership, PartnershipReport

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class StatusForm(forms.Form):
    """The status change the page offers, from the status it showed (``expected``)."""

    status = forms.ChoiceField(label=_("New status"), choices=Partnership.Status.choices)
    expected = forms.ChoiceField(widget=forms.HiddenInput, choices=Partnership.Status.choices)
    effective_on = forms.DateField(
        label=_("Effective on"), required=False, help_text=_("Leave empty for today."), **DATE
    )
    reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to end early or to reopen; shown on the public page and in the open data API."),
    )


class MemberAddForm(MemberForm):
    """A member added after registration, by the lead or the city's officials: they choose among the verified
    organisations only (an unverified one is not public, and the list must not name it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(verified=True).order_by("name")


class RoleForm(forms.Form):
    role = forms.CharField(label=_("Role"), max_length=100)
    expected = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class ReportScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnershipReport.Kind.choices)
    due_date = forms.DateField(label=_("Due date"), **DATE)
    title = forms.CharField(
        label=_("Title"), required=False, max_length=200, help_text=_("Leave empty for “Progress report 2” etc.")
    )


class RescheduleForm(forms.Form):
    due_date = forms.DateField(label=_("New due date"), **DATE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReportForm(VersionedFormMixin, forms.Form):
    """The structured report; "Save draft" or "Submit to the city"."""

    conflict_exclude = ("attachments",)

    work_done = forms.CharField(
        label=_("What was done"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    plan_changes = forms.CharField(
        label=_("Changes to the plan"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    risks = forms.CharField(
        label=_("Risks"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False, help_text=FILE_HELP)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments to the team"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return the report."),
    )


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), **DATE)
    status = forms.ChoiceField(label=_("Status"), choices=Deliverable.Status.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
    results = forms.ModelMultipleChoiceField(label=_("Results that deliver it"), queryset=None, required=False)
    datasets = forms.ModelMultipleChoiceField(label=_("Datasets that deliver it"), queryset=None, required=False)
    is_public = forms.BooleanField(label=_("Show on the public page"), required=False, initial=True)

    def __init__(self, *args, results=None, datasets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["results"].queryset = results
        self.fields["datasets"].queryset = datasets


class DeliverableEditForm(VersionedFormMixin, DeliverableForm):
    """A deliverable's edit page, with the version it was opened on."""


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    signed_on = forms.DateField(label=_("Signed on"), **DATE)
    file = forms.FileField(
        label=_("File"),
        help_text=FILE_HELP,
        allow_empty_file=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
