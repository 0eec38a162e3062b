"""Forms for accounts, organisations and memberships. Forms only validate."""

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hub.models import Country, GroupAtRisk, Language, Method, SDGTarget, Theme
from hub.versioning import KEEP_MINE, MERGE_PREFIX, TAKE_SAVED, ConflictRow, VersionedFormMixin
from profiles.models import Membership, Organisation, ProfileLanguage, ResearcherProfile, User
from profiles.services import ORGANISATION_DETAILS, account_update, organisation_name_taken
from profiles.validators import normalise_doi, normalise_orcid, validate_doi, validate_orcid, validate_photo


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
        fields = list(ORGANISATION_DETAILS)  # what profiles.services saves from it, and nothing else
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


class OrganisationEditForm(VersionedFormMixin, OrganisationForm):
    """The organisation's details as its admins edit them: a save of an outdated form is refused and merged.

    The logo is never put side by side (a file cannot be); a stale save stores no upload."""


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
    # The status the page showed, so that a decision taken meanwhile by another admin is not overwritten.
    status = forms.ChoiceField(choices=Membership.Status.choices, required=False)


VISIBILITY_LABELS = {
    "photo": _("Who can see your photo?"),
    "affiliation": _("Who can see your affiliation?"),
    "orcid": _("Who can see your ORCID iD?"),
    "career_stage": _("Who can see your career stage?"),
    "countries": _("Who can see the countries you work in?"),
    "languages": _("Who can see your languages?"),
    "bio": _("Who can see your biography?"),
    "publications": _("Who can see your publications?"),
    "availability": _("Who can see your availability?"),
}
MAX_PUBLICATIONS = 20
MAX_LANGUAGES = 20


class ResearcherProfileForm(VersionedFormMixin, forms.ModelForm):
    """The profile's own fields, vocabularies, photo and a visibility choice per personal field.

    Versioned: a save from a second tab opened before the last save is refused and shown side by side,
    languages and publications (the two formsets ``profile_forms`` attaches as ``lists``) included.
    """

    conflict_exclude = ("remove_photo",)

    photo_upload = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A JPEG, PNG or WebP image, at most 5 MB. It is shown cropped to a square."),
        validators=[validate_photo],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    orcid = forms.CharField(
        label=_("ORCID iD"),
        max_length=60,
        required=False,
        help_text=_("e.g. 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = ResearcherProfile
        fields = [
            "headline",
            "career_stage",
            "affiliation",
            "orcid",
            "bio",
            "themes",
            "sdg_targets",
            "methods",
            "groups",
            "countries",
            "is_available",
            "available_from",
            "is_public",
            *ResearcherProfile.VISIBILITY_FIELDS.values(),
        ]
        labels = {
            "headline": _("Headline"),
            "bio": _("Biography"),
            "themes": _("Human-rights themes"),
            "sdg_targets": _("SDG targets"),
            "methods": _("Research methods"),
            "groups": _("Groups in focus"),
            "countries": _("Countries you work in"),
            "is_available": _("I am open to new partnerships"),
            "available_from": _("Available from"),
            "is_public": _("List me in the public researcher directory"),
            **{v: VISIBILITY_LABELS[k] for k, v in ResearcherProfile.VISIBILITY_FIELDS.items()},
        }
        help_texts = {
            "headline": _("One line about your work, e.g. “Housing rights and participatory budgeting”."),
            "bio": _("Plain text; line breaks are kept."),
            "available_from": _("Leave empty if you are available now."),
            "is_public": _("If you untick this, only you can see your profile."),
            "countries": _("Choose one or more."),
        }
        widgets = {
            "career_stage": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 8}),
            "themes": forms.CheckboxSelectMultiple,
            "sdg_targets": forms.CheckboxSelectMultiple,
            "methods": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
            "countries": forms.SelectMultiple(attrs={"size": 10}),
            "available_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{v: forms.RadioSelect for v in ResearcherProfile.VISIBILITY_FIELDS.values()},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lists: dict[str, forms.BaseFormSet] = {}
        # Querysets stay lazy: they run when the form is rendered or validated.
        self.fields["affiliation"].queryset = Organisation.objects.filter(verified=True).order_by("name")
        self.fields["affiliation"].empty_label = _("Independent (no affiliation)")
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["sdg_targets"].queryset = SDGTarget.objects.select_related("goal").order_by("sort_key")
        self.fields["sdg_targets"].label_from_instance = lambda target: f"{target.code} {target.title_in()}"
        self.fields["methods"].queryset = Method.objects.order_by("name")
        self.fields["groups"].queryset = GroupAtRisk.objects.order_by("name")
        self.fields["countries"].queryset = Country.objects.order_by("name")

    def clean_orcid(self):
        value = self.cleaned_data["orcid"].strip()
        if not value:
            return ""
        validate_orcid(value)
        return normalise_orcid(value)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo_upload") and cleaned.get("remove_photo"):
            self.add_error("remove_photo", _("Either upload a new photo or remove the current one, not both."))
        return cleaned

    def sdg_groups(self) -> list[dict]:
        """The SDG target checkboxes grouped by goal, for one <details> per goal."""
        groups: list[dict] = []
        for widget in self["sdg_targets"]:
            goal = widget.data["value"].instance.goal
            if not groups or groups[-1]["goal"] != goal:
                groups.append({"goal": goal, "widgets": [], "selected": 0})
            groups[-1]["widgets"].append(widget)
            groups[-1]["selected"] += bool(widget.data["selected"])
        return groups

    def visibility_field(self, name: str):
        return self[ResearcherProfile.VISIBILITY_FIELDS[name]]

    @property
    def profile_fields(self) -> dict:
        """Cleaned values of the profile's own columns (not relations, not the photo)."""
        relations = {"themes", "sdg_targets", "methods", "groups", "countries"}
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self._meta.fields and name not in relations
        }

    @property
    def relations(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("themes", "sdg_targets", "methods", "groups", "countries")}

    # -- languages and publications in a conflict ----------------------------------------------------
    def list_entries(self, name: str) -> list:
        """The entries of the ``name`` formset as typed, or as saved where the user chose the saved ones."""
        if self.versioned is not None and self.data.get(MERGE_PREFIX + name) == TAKE_SAVED:
            return saved_lists(self.versioned)[name]
        return self.lists[name].entries

    def show_conflict(self, current) -> None:
        super().show_conflict(current)
        saved = saved_lists(current)
        for name, formset in self.lists.items():
            if not formset.is_bound:
                continue
            mine = formset.entries
            if _list_key(name, mine) == _list_key(name, saved[name]):
                continue
            self.conflict.append(
                ConflictRow(
                    name=name,
                    label=str(LIST_LABELS[name]),
                    mine=_list_text(name, mine),
                    saved=_list_text(name, saved[name]),
                    merge_name=MERGE_PREFIX + name,
                    choice=self.data.get(MERGE_PREFIX + name, KEEP_MINE),
                )
            )


LIST_LABELS = {
    "languages": _("Working languages"),
    "publications": _("Selected publications"),
    "affiliations": _("Earlier affiliations"),
}


def saved_lists(profile: ResearcherProfile) -> dict[str, list]:
    """The profile's stored languages and publications, shaped like the formsets' ``entries``."""
    return {
        "languages": [(pl.language, pl.level) for pl in profile.profile_languages.select_related("language")],
        "publications": [
            {name: getattr(p, name) if name == "year" else getattr(p, name) or "" for name in PUBLICATION_FIELDS}
            for p in profile.publications.all()
        ],
        "affiliations": [
            {"organisation": a.organisation, "start_year": a.start_year, "end_year": a.end_year}
            for a in profile.affiliation_history.select_related("organisation")
        ],
    }


def _list_key(name: str, entries: list):
    if name == "languages":
        return sorted((language.pk, level) for language, level in entries)
    if name == "affiliations":
        return [(item["organisation"].pk, item["start_year"], item["end_year"]) for item in entries]
    return [tuple(item[field] or None for field in PUBLICATION_FIELDS) for item in entries]


def _list_text(name: str, entries: list) -> str:
    if not entries:
        return gettext("(empty)")
    if name == "languages":
        levels = dict(ProfileLanguage.Level.choices)
        return "\n".join(
            gettext("%(language)s (%(level)s)") % {"language": language.name, "level": levels.get(level, level)}
            for language, level in sorted(entries, key=lambda entry: entry[0].name)
        )
    if name == "affiliations":
        return "\n".join(
            gettext("%(organisation)s (%(start)s–%(end)s)")
            % {"organisation": item["organisation"].name, "start": item["start_year"], "end": item["end_year"] or ""}
            for item in entries
        )
    lines = []
    for item in entries:
        line = gettext("%(title)s (%(year)s)") % item if item["year"] else item["title"]
        link = f"https://doi.org/{item['doi']}" if item["doi"] else item["url"]
        lines.append(f"{line} — {link}" if link else line)
    return "\n".join(lines)


class ProfileLanguageForm(forms.Form):
    language = forms.ModelChoiceField(
        label=_("Language"), queryset=Language.objects.order_by("name"), required=False, empty_label=_("Choose…")
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=ProfileLanguage.Level.choices, initial=ProfileLanguage.Level.WORKING
    )


class BaseProfileLanguageFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            language = form.cleaned_data.get("language")
            if language is None:
                continue
            if language in seen:
                form.add_error("language", _("You listed %(language)s twice.") % {"language": language.name})
            seen.add(language)

    @property
    def entries(self) -> list[tuple]:
        """(language, level) for every filled, not removed row."""
        return [
            (form.cleaned_data["language"], form.cleaned_data["level"])
            for form in self.forms
            if form.cleaned_data.get("language") and not (self.can_delete and self._should_delete_form(form))
        ]


ProfileLanguageFormSet = forms.formset_factory(
    ProfileLanguageForm,
    formset=BaseProfileLanguageFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_LANGUAGES,
    validate_max=True,
    absolute_max=MAX_LANGUAGES + 10,
)


class PublicationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)
    doi = forms.CharField(
        label=_("DOI"),
        max_length=200,
        required=False,
        help_text=_("e.g. 10.5281/zenodo.1234567"),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    url = forms.URLField(label=_("Web address"), max_length=500, required=False, assume_scheme="https")

    def clean_doi(self):
        value = self.cleaned_data["doi"].strip()
        if value:
            validate_doi(value)
            value = normalise_doi(value)
        return value

    def clean(self):
        cleaned = super().clean()
        filled = any(cleaned.get(name) for name in ("year", "doi", "url"))
        if filled and not cleaned.get("title") and "title" not in self.errors:
            self.add_error("title", _("Please give the publication's title (or tick “Remove”)."))
        return cleaned


class BasePublicationFormSet(forms.BaseFormSet):
    @property
    def entries(self) -> list[dict]:
        """Filled, not removed publications, in the order shown."""
        return [
            {name: form.cleaned_data.get(name) or ("" if name != "year" else None) for name in PUBLICATION_FIELDS}
            for form in self.forms
            if form.cleaned_data.get("title") and not (self.can_delete and self._should_delete_form(form))
        ]


PUBLICATION_FIELDS = ("title", "year", "doi", "url")
PublicationFormSet = forms.formset_factory(
    PublicationForm,
    formset=BasePublicationFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_PUBLICATIONS,
    validate_max=True,
    absolute_max=MAX_PUBLICATIONS + 10,
)


class AffiliationPeriodForm(forms.Form):
    """One earlier (or current) affiliation: checked for conflicts of interest when the researcher reviews."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(verified=True).order_by("name"),
        required=False,
        empty_label=_("Choose…"),
    )
    start_year = forms.IntegerField(label=_("From (year)"), min_value=1950, max_value=2100, required=False)
    end_year = forms.IntegerField(
        label=_("Until (year)"),
        min_value=1950,
        max_value=2100,
        required=False,
        help_text=_("Leave empty if you are still there."),
    )

    def clean(self):
        cleaned = super().clean()
        organisation, start, end = cleaned.get("organisation"), cleaned.get("start_year"), cleaned.get("end_year")
        if (start or end) and organisation is None and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose the organisation (or tick “Remove”)."))
        if organisation is not None and start is None and "start_year" not in self.errors:
            self.add_error("start_year", _("Give the year you started there."))
        if start and end and end < start:
            self.add_error("end_year", _("The end year cannot be before the start year."))
        return cleaned


class BaseAffiliationFormSet(forms.BaseFormSet):
    @property
    def entries(self) -> list[dict]:
        """Filled, not removed affiliations, in the order shown."""
        return [
            {name: form.cleaned_data.get(name) for name in ("organisation", "start_year", "end_year")}
            for form in self.forms
            if form.cleaned_data.get("organisation") and not (self.can_delete and self._should_delete_form(form))
        ]


MAX_AFFILIATIONS = 15
AffiliationFormSet = forms.formset_factory(
    AffiliationPeriodForm,
    formset=BaseAffiliationFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_AFFILIATIONS,
    validate_max=True,
    absolute_max=MAX_AFFILIATIONS + 10,
)


def profile_forms(profile: ResearcherProfile, data=None, files=None):
    """The profile form and its two formsets, bound to ``data`` or showing what is stored."""
    form = ResearcherProfileForm(data, files, instance=profile, prefix=None, versioned=profile)
    languages = ProfileLanguageFormSet(
        data,
        prefix="languages",
        initial=None
        if data is not None
        else [
            {"language": pl.language, "level": pl.level} for pl in profile.profile_languages.select_related("language")
        ],
    )
    publications = PublicationFormSet(
        data,
        prefix="publications",
        initial=None
        if data is not None
        else [{name: getattr(p, name) for name in PUBLICATION_FIELDS} for p in profile.publications.all()],
    )
    # A post without the earlier-affiliations part (an older form, a script) leaves them as they are: unbound.
    posted = data is not None and "affiliations-TOTAL_FORMS" in data
    affiliations = AffiliationFormSet(
        data if posted else None,
        prefix="affiliations",
        initial=None
        if posted
        else [
            {"organisation": a.organisation, "start_year": a.start_year, "end_year": a.end_year}
            for a in profile.affiliation_history.select_related("organisation")
        ]
        if profile.pk
        else [],
    )
    # Earlier affiliations (issue 18 §2: conflicts of interest) travel in ``form.lists`` like the other two.
    form.lists = {"languages": languages, "publications": publications, "affiliations": affiliations}
    return form, languages, publications


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
    "AffiliationFormSet",
    "MembershipDecisionForm",
    "MembershipRequestForm",
    "OrganisationEditForm",
    "OrganisationForm",
    "ProfileLanguageFormSet",
    "PublicationFormSet",
    "ResearcherProfileForm",
    "SignupExtraForm",
]
