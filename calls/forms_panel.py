"""Forms of the panel and the staff's tools (issue 18 §4–5): they only validate; calls/services/panel.py decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Recommendation
from calls.services.panel import MAX_LABEL, MAX_NOTE, MAX_REASON, MAX_SUMMARY
from hub.versioning import VersionedFormMixin


class ScreeningForm(forms.Form):
    """The city's screening of a submitted proposal before review."""

    decision = forms.ChoiceField(
        label=_("Screening"),
        choices=[
            ("eligible", _("Eligible: it goes on to review")),
            ("ineligible", _("Ineligible: it is declined and not reviewed")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose eligible or ineligible.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when ineligible: the team reads it by email and on its proposal."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "ineligible" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the proposal is ineligible; the team reads it."))
        return data

    @property
    def eligible(self) -> bool:
        return self.cleaned_data["decision"] == "eligible"


class MetaReviewForm(VersionedFormMixin, forms.Form):
    """The chair's summary of the reviews and the panel's recommendation."""

    summary = forms.CharField(
        label=_("Summary of the reviews"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Where the reviewers agree and disagree, and what the panel advises. The city reads it."),
        error_messages={"required": _("Summarise the reviews in a few sentences.")},
    )
    recommendation = forms.ChoiceField(
        label=_("The panel's recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the panel's recommendation.")},
    )

    def __init__(self, *args, versioned=None, **kwargs):
        super().__init__(*args, versioned=versioned, **kwargs)
        if versioned is None:
            # The first meta-review has no version yet; a clash with a concurrent first one is answered by the service.
            self.fields["edit_version"].required = False


class FlagForm(forms.Form):
    """A label and a note on a proposal, private or shared with the city's officials."""

    label = forms.CharField(
        label=_("Flag"),
        max_length=MAX_LABEL,
        help_text=_("A short label, such as “budget check” or “ethics question”."),
        error_messages={"required": _("Give the flag a short label, such as “budget check”.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    shared = forms.BooleanField(
        label=_("Share with the city's officials"),
        required=False,
        help_text=_("Otherwise only you see this flag."),
    )

    def __init__(self, *args, can_share: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


class ChairForm(forms.Form):
    """The city makes one of the call's reviewers chair of its panel."""

    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=None,
        empty_label=_("Choose a reviewer"),
        error_messages={
            "required": _("Choose a reviewer of this call."),
            "invalid_choice": _("Only a reviewer of this call who declared no conflict can chair it."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = candidates
        self.fields["reviewer"].label_from_instance = lambda user: user.display_name
