"""Forms of the result pages: they validate what was typed; ``services.results`` decides and stores."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from calls.validators import MAX_ATTACHMENT_BYTES, validate_pdf
from hub.models import GroupAtRisk, Language, Method, SDGTarget, Theme
from profiles.models import ResearcherProfile
from profiles.validators import normalise_doi, normalise_orcid
from projects.models import Result
from projects.services.results import MAX_AUTHORS
from projects.services.takedowns import REASON_MIN_LENGTH, reason_problem


class ResultForm(forms.ModelForm):
    """A result's own fields; who may save it is the service's decision."""

    url = forms.URLField(
        label=_("URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the result is published, if not (only) here."),
    )

    class Meta:
        model = Result
        fields = [
            "kind",
            "title",
            "abstract",
            "language",
            "licence",
            "doi",
            "url",
            "publication_date",
            "themes",
            "sdg_targets",
            "methods",
            "groups",
        ]
        labels = {
            "kind": _("Type"),
            "sdg_targets": _("SDG targets"),
            "groups": _("Groups in focus"),
            "publication_date": _("Publication date"),
        }
        help_texts = {
            "abstract": _("What you found, in plain words (up to 10,000 characters)."),
            "licence": _("CC BY 4.0 lets anyone reuse the result with credit; it is the default."),
            "doi": _("For example 10.1000/xyz123, with or without https://doi.org/ in front."),
            "publication_date": _("The date on the result itself; needed to publish."),
        }
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 8}),
            "publication_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].queryset = Language.objects.order_by("name")
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["sdg_targets"].queryset = SDGTarget.objects.select_related("goal").order_by("sort_key")
        self.fields["methods"].queryset = Method.objects.order_by("name")
        self.fields["groups"].queryset = GroupAtRisk.objects.order_by("name")

    def clean_doi(self):
        return normalise_doi(self.cleaned_data.get("doi") or "")

    def validate_unique(self):
        """The slug is the service's (it is not on the form)."""


class AuthorForm(forms.Form):
    """An author: a registered researcher found by ORCID iD or email, or a name with an affiliation."""

    researcher = forms.CharField(
        label=_("Registered researcher (ORCID iD or email)"),
        required=False,
        max_length=254,
        help_text=_("Links the author to their Bridges profile. Leave empty and type a name for anyone else."),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    affiliation = forms.CharField(label=_("Affiliation"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        key = (data.get("researcher") or "").strip()
        data["profile"] = None
        if key:
            orcid = normalise_orcid(key)
            profile = (
                ResearcherProfile.objects.select_related("user", "affiliation")
                .filter(Q(user__email__iexact=key) | (Q(orcid=orcid) & ~Q(orcid="")), user__is_active=True)
                .first()
            )
            if profile is None:
                self.add_error(
                    "researcher",
                    _(
                        "No registered researcher has this ORCID iD or email. Check it, or leave it empty and type a name."
                    ),
                )
                return data
            data["profile"] = profile
            data["name"] = data.get("name") or profile.user.display_name
            if not data.get("affiliation") and profile.affiliation_id:
                data["affiliation"] = profile.affiliation.name
        elif data.get("affiliation") and not data.get("name"):
            self.add_error("name", _("Type the author's name, or find a registered researcher."))
        return data

    def has_author(self) -> bool:
        return bool(
            getattr(self, "cleaned_data", None) and (self.cleaned_data.get("name") or self.cleaned_data.get("profile"))
        )


AuthorFormSet = forms.formset_factory(
    AuthorForm, extra=2, can_order=True, can_delete=True, max_num=MAX_AUTHORS, validate_max=True
)


def authors_from(formset) -> list[dict]:
    """The authors of a valid formset in the chosen order (empty rows and rows marked for removal are skipped)."""
    return [
        {
            "profile": form.cleaned_data.get("profile"),
            "name": form.cleaned_data["name"],
            "affiliation": form.cleaned_data.get("affiliation", ""),
        }
        for form in formset.ordered_forms
        if form.has_author() and not form.cleaned_data.get("DELETE")
    ]


def authors_initial(result: Result) -> list[dict]:
    return [
        {
            "researcher": (a.profile.orcid or a.profile.user.email) if a.profile else "",
            "name": a.name,
            "affiliation": a.affiliation,
            "ORDER": position,
        }
        for position, a in enumerate(result.authors.select_related("profile__user"), start=1)
    ]


class ResultFileForm(forms.Form):
    file = forms.FileField(
        label=_("Add a PDF"),
        help_text=_("PDF only, at most 10 MB each, up to 10 files."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,.pdf", "data-max-bytes": MAX_ATTACHMENT_BYTES}
        ),
    )
    title = forms.CharField(
        label=_("Title of the file"),
        required=False,
        max_length=200,
        help_text=_("For example “Full report” or “Summary in Spanish”."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_pdf(upload)
        return upload


class PublishForm(forms.Form):
    embargo_until = forms.DateField(
        label=_("Embargo until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, max_months: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["embargo_until"].help_text = _(
            "Leave empty to publish now. With a date, the result becomes public on that day by itself; "
            "at most %(months)s months from today."
        ) % {"months": max_months}


class TakedownForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Published at /transparency/ with the date and your name. At least %(n)s characters.")
        % {"n": REASON_MIN_LENGTH},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        problem = reason_problem(reason)
        if problem:
            raise forms.ValidationError(problem)
        return reason
