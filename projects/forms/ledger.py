"""Forms of the impact ledger: a decision's implementation and a dated step of its trail (forms only validate)."""

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.versioning import VersionedFormMixin
from projects.forms.uptake import clear_version_errors
from projects.forms.workspace import ACCEPT, FILE_HELP
from projects.models import ImplementationStatus
from projects.selectors.ledger import MAX_INDICATORS, indicator_choices


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.theme.name}, {obj.unit})"


class _StateFields(forms.Form):
    implementation_status = forms.ChoiceField(
        label=_("Implementation status"),
        choices=ImplementationStatus.choices,
        error_messages={
            "required": _("Choose the implementation status."),
            "invalid_choice": _("Choose one of the statuses offered."),
        },
    )
    progress = forms.IntegerField(
        label=_("Progress share (%)"),
        min_value=0,
        max_value=100,
        help_text=_("A whole number from 0 to 100: how much of the decision is implemented."),
        error_messages={
            "required": _("Give the progress share as a whole number from 0 to 100."),
            "invalid": _("Give the progress share as a whole number from 0 to 100."),
            "min_value": _("Give the progress share as a whole number from 0 to 100."),
            "max_value": _("Give the progress share as a whole number from 0 to 100."),
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("implementation_status") == ImplementationStatus.DONE and data.get("progress") not in (None, 100):
            self.add_error("progress", _("A decision whose implementation is done has a progress share of 100."))
        return data


class ImplementationForm(VersionedFormMixin, _StateFields):
    """Status, progress share, responsible department and the indicators the decision intends to move.

    Versioned: pass ``versioned=`` the record, on GET and POST.
    """

    department = forms.CharField(
        label=_("Responsible department"),
        required=False,
        max_length=200,
        help_text=_("e.g. “Department of Housing”."),
    )
    indicators = IndicatorChoiceField(
        label=_("Indicators this decision intends to move"),
        queryset=indicator_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose up to %(count)s. The decision's page charts each for the city, with the decision date.")
        % {"count": MAX_INDICATORS},
        error_messages={"invalid_choice": _("Choose among the indicators offered.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clear_version_errors(self)

    def clean_indicators(self):
        chosen = self.cleaned_data["indicators"]
        if len(chosen) > MAX_INDICATORS:
            raise forms.ValidationError(_("Name at most %(count)s indicators.") % {"count": MAX_INDICATORS})
        return chosen


class EntryForm(VersionedFormMixin, _StateFields):
    """A dated step of the implementation with its evidence, and the status and progress after it.

    Versioned on the record (``versioned=`` it): a step added after another official's change is a conflict.
    """

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of this step."), "invalid": _("Enter the date as YYYY-MM-DD.")},
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text, public. e.g. “Tender for 120 housing units launched”."),
        error_messages={"required": _("Say what happened: readers see it in the implementation trail.")},
    )
    link = forms.URLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Optional. Where the public can check it (http:// or https://)."),
        error_messages={"invalid": _("Give a web address starting with http:// or https://.")},
    )
    file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        allow_empty_file=False,
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    field_order = ["date", "text", "link", "file", "implementation_status", "progress"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clear_version_errors(self)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def values_from(self, instance) -> dict:
        """Only the status and progress are the record's; the step itself is new."""
        return {"implementation_status": instance.implementation_status, "progress": instance.progress}
