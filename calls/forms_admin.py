"""The Wagtail admin form of a ResearchCall: times in the city's zone, weights that add up to 100."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.admin.forms import WagtailAdminPageForm

from calls import deadlines, scoring

LOCAL_DATETIME_FIELDS = ("consultation_opens_at", "opens_at", "closes_at", "full_proposal_closes_at")


class ResearchCallAdminForm(WagtailAdminPageForm):
    """Editors type wall-clock times of the city, whatever their own admin time zone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city_time_zone = self._city_time_zone()
        for name in LOCAL_DATETIME_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            field.help_text = f"{field.help_text} Time zone: {self.city_time_zone}.".strip()
            value = self.initial.get(name)
            if isinstance(value, dt.datetime) and timezone.is_aware(value):
                # Naive initial values are shown as they are, not shifted to the admin's zone.
                self.initial[name] = deadlines.to_local(value, self.city_time_zone).replace(tzinfo=None)

    def _city_time_zone(self) -> str:
        if self.instance.pk and self.instance.organisation_id:
            return self.instance.time_zone
        parent = getattr(self, "parent_page", None)
        organisation = getattr(parent.specific, "organisation", None) if parent is not None else None
        return organisation.time_zone if organisation is not None else "UTC"

    def _clean_local(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return value
        naive = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        try:
            return deadlines.localize(naive, self.city_time_zone)
        except deadlines.LocalTimeError as error:
            raise ValidationError(str(error)) from error

    def clean_consultation_opens_at(self):
        return self._clean_local("consultation_opens_at")

    def clean_opens_at(self):
        return self._clean_local("opens_at")

    def clean_closes_at(self):
        return self._clean_local("closes_at")

    def clean_full_proposal_closes_at(self):
        return self._clean_local("full_proposal_closes_at")

    def is_valid(self):
        valid = super().is_valid()
        formset = self.formsets.get("criteria")
        if formset is None or not hasattr(formset, "cleaned_data"):
            return valid
        weights = [
            form.cleaned_data.get("weight") or 0
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problem = scoring.weights_problem(weights)
        if problem and valid:
            self.add_error(None, problem)
            return False
        if problem:
            self.add_error(None, problem)
        return valid and not problem


class CancelCallForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Shown publicly on the call and sent to everyone who started a proposal.",
    )
