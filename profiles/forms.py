"""Forms for accounts, organisations and memberships. Forms only validate."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.models import Country, Language, Method, Theme
from profiles.models import Membership, Organisation, ResearcherProfile, User
from profiles.services import organisation_name_taken


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's signup form: name and what the person is."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    account_type = forms.ChoiceField(
        label=_("I am joining as"),
        choices=User.AccountType.choices,
        widget=forms.RadioSelect,
        initial=User.AccountType.RESEARCHER,
    )

    def signup(self, request, user):
        from profiles.services import account_update

        account_update(
            user=user,
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            account_type=self.cleaned_data["account_type"],
        )


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "account_type"]
        widgets = {"account_type": forms.RadioSelect}
        labels = {"account_type": _("I use Bridges as")}


def _https_url_fields(field, **kwargs):
    """Addresses typed without a scheme are taken as https://."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        formfield_callback = _https_url_fields
        fields = [
            "name",
            "kind",
            "country",
            "city",
            "website",
            "description",
            "logo",
            "time_zone",
            "population",
            "hr_city_declaration_year",
            "hr_city_declaration_url",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Please give the organisation's name.")
        self.fields["country"].queryset = Country.objects.order_by("name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give the organisation's name."))
        if organisation_name_taken(name, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("An organisation called “%(name)s” is already registered. Ask to join it instead."),
                params={"name": name},
            )
        return name

    def validate_constraints(self):
        # The only constraint is the case-insensitive name, checked in clean_name with a clearer message.
        return None


class MembershipRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation's administrators (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MembershipDecisionForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    role = forms.ChoiceField(choices=Membership.Role.choices, required=False)


class ResearcherProfileForm(forms.ModelForm):
    class Meta:
        model = ResearcherProfile
        fields = [
            "headline",
            "career_stage",
            "affiliation",
            "bio",
            "themes",
            "methods",
            "countries",
            "languages",
            "is_public",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "themes": forms.CheckboxSelectMultiple,
            "methods": forms.CheckboxSelectMultiple,
            "countries": forms.SelectMultiple(attrs={"size": 8}),
            "languages": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].queryset = Organisation.objects.filter(verified=True).order_by("name")
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["methods"].queryset = Method.objects.order_by("name")
        self.fields["languages"].queryset = Language.objects.order_by("name")


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, strip=False)
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be deleted and cannot be restored.")
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not correct."))
        return password


__all__ = [
    "AccountDeleteForm",
    "AccountForm",
    "MembershipDecisionForm",
    "MembershipRequestForm",
    "OrganisationForm",
    "ResearcherProfileForm",
    "SignupExtraForm",
]
