"""Forms of saved searches: save a filter, change its name or frequency. They validate only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import SavedSearch


class SavedSearchForm(forms.Form):
    """Name a filter and choose how often to hear about it; the service normalises and checks limits."""

    source = forms.CharField(widget=forms.HiddenInput, max_length=32)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    name = forms.CharField(
        label=_("Name of this alert"),
        max_length=100,
        help_text=_("Up to 100 characters, for example “Housing research in Austria”."),
    )
    frequency = forms.ChoiceField(
        label=_("How often should we email you?"),
        choices=SavedSearch.Frequency.choices,
        initial=SavedSearch.Frequency.DAILY,
        widget=forms.RadioSelect,
    )


class SavedSearchChangeForm(forms.ModelForm):
    """Rename a saved search or change how often it emails."""

    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]
        labels = {"name": _("Name of this alert"), "frequency": _("How often should we email you?")}
        widgets = {"frequency": forms.RadioSelect}
