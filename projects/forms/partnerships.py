"""Forms of partnerships: a coordinator registering a partnership that exists outside a call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.models import Country, GroupAtRisk, Method, SDGTarget, Theme
from profiles.models import Organisation
from projects.models import PartnershipMember

MEMBER_ROWS = 4


class PartnershipRegisterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences for the list of partnerships."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=Organisation.objects.filter(kind__in=Organisation.GOVERNMENT_KINDS, verified=True).order_by("name"),
        help_text=_("A verified local or regional government."),
        error_messages={"invalid_choice": _("Choose a verified local or regional government from the list.")},
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Human-rights themes"), queryset=Theme.objects.order_by("name"), required=False
    )
    sdg_targets = forms.ModelMultipleChoiceField(
        label=_("SDG targets"), queryset=SDGTarget.objects.order_by("sort_key"), required=False
    )
    methods = forms.ModelMultipleChoiceField(
        label=_("Research methods"), queryset=Method.objects.order_by("name"), required=False
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups in focus"), queryset=GroupAtRisk.objects.order_by("name"), required=False
    )
    started_at = forms.DateField(
        label=_("Started on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    website = forms.URLField(label=_("Website"), required=False, max_length=500, assume_scheme="https")


class MemberForm(forms.Form):
    """One member: a named person from an organisation, invited to the workspace when an email address is given."""

    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_(
            "We email them an invitation: once they accept (signing up first if they need to), they use the "
            "workspace. Leave empty for people who only appear on the page."
        ),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    role = forms.CharField(label=_("Role"), required=False, max_length=100)
    side = forms.ChoiceField(
        label=_("Side"), choices=PartnershipMember.Side.choices, initial=PartnershipMember.Side.RESEARCH
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    affiliation = forms.CharField(
        label=_("Affiliation"),
        required=False,
        max_length=300,
        help_text=_("If their organisation is not listed."),
    )
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.order_by("name"), required=False)

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(data.get("email") or data.get("name"))


MemberFormSet = forms.formset_factory(MemberForm, extra=MEMBER_ROWS, max_num=30, validate_max=True)
