"""The commissioning city's forms: its response to a result and a decision the result informed (they only validate)."""

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hub.versioning import VersionedFormMixin
from projects.models import CityResponse, PolicyUptake

TEXTAREA = {"rows": 6}


def clear_version_errors(form) -> None:
    """A garbled version gets the same plain words as a missing one (not "Enter a whole number")."""
    field = form.fields["edit_version"]
    field.label = capfirst(_("edit version"))  # the error summary names the field; translated, unlike its name
    message = field.error_messages["required"]
    field.error_messages.update(invalid=message, min_value=message, max_value=message)


class ResponseForm(VersionedFormMixin, forms.Form):
    """Stance, the city's reasons (required unless pending) and an optional public reply.

    Versioned: pass ``versioned=`` the response (an unsaved one while the city has not responded yet).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clear_version_errors(self)

    stance = forms.ChoiceField(
        label=_("The city's stance on this result"),
        choices=CityResponse.Stance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the city's stance."), "invalid_choice": _("Choose one of the stances.")},
    )
    reasons = forms.CharField(
        label=_("The city's reasons"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required unless pending. Why the city accepts, partly accepts or does not accept the findings."),
    )
    reply = forms.CharField(
        label=_("Public reply"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Optional. The city's right of reply: shown beside the result, never instead of it. Plain text."),
    )

    def clean(self):
        data = super().clean()
        stance = data.get("stance")
        if stance and stance != CityResponse.Stance.PENDING and not (data.get("reasons") or "").strip():
            self.add_error(
                "reasons",
                _("Give the city's reasons for “%(stance)s”: readers see them beside the stance.")
                % {"stance": CityResponse.Stance(stance).label},
            )
        return data


class UptakeForm(forms.Form):
    """A decision, plan, budget line or service change the result informed."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Choose…")), *PolicyUptake.Kind.choices],
        error_messages={"required": _("Choose what kind of decision it is.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("e.g. “Municipal Housing Plan 2025–2030, measure 4.2” or “Budget line 231.48”."),
        error_messages={"required": _("Give the decision, plan, budget line or service a title.")},
    )
    date = forms.DateField(
        label=_("Date of the decision"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Give the date of the decision."),
            "invalid": _("Enter the date as YYYY-MM-DD."),
        },
    )
    body = forms.CharField(
        label=_("Deciding body"),
        required=False,
        max_length=200,
        help_text=_("e.g. “City council”, “Housing department”."),
    )
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the public can read the decision (http:// or https://)."),
        error_messages={"invalid": _("Give a web address starting with http:// or https://.")},
    )
    description = forms.CharField(
        label=_("How the result informed it"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()


class UptakeEditForm(VersionedFormMixin, UptakeForm):
    """Correcting a recorded decision; versioned (pass ``versioned=`` the record) so that no save is lost."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clear_version_errors(self)


class UptakeDeleteForm(VersionedFormMixin, forms.Form):
    """The confirmation of a removal; it names the version of the record the official saw."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clear_version_errors(self)
