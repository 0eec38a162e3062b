"""Forms of the result pages: they validate what was typed; ``services.results`` decides and stores."""

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from calls.validators import MAX_ATTACHMENT_BYTES, validate_pdf
from hub.models import GroupAtRisk, Language, Method, SDGTarget, Theme
from hub.versioning import KEEP_MINE, MERGE_PREFIX, TAKE_SAVED, ConflictRow, VersionedFormMixin
from profiles.validators import normalise_doi, normalise_orcid, validate_orcid
from profiles.visibility import EVERYONE, profile_by_orcid, shown_to
from projects.forms.uptake import clear_version_errors
from projects.models import Result
from projects.services.results import MAX_AUTHORS, author_key
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


AUTHORS = "authors"


class ResultEditForm(VersionedFormMixin, ResultForm):
    """The edit form of an existing result: versioned, and the author list takes part in a conflict.

    The authors are a formset beside the form; on a stale save the view passes the typed authors to
    ``show_conflict`` and the conflict table gets an "Authors" row when they differ from the saved ones.
    Choosing "The saved one" there keeps the saved author list (``authors_to_save``).
    """

    conflict_exclude = ("version_note",)

    version_note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Saving an edit of a published result publishes it as a new version; readers see this note beside "
            "it, and the earlier versions stay at their own addresses."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clear_version_errors(self)
        if self.instance.pk is None or self.instance.status != Result.Status.PUBLISHED:
            del self.fields["version_note"]

    def clean_version_note(self):
        note = (self.cleaned_data.get("version_note") or "").strip()
        opened_on = self.data.get(self.add_prefix("edit_version"))
        if self.versioned is not None and opened_on != str(self.versioned.edit_version):
            # A form opened before the publication: the save is stale and gets the conflict page, which asks for it.
            return note
        if not note:
            raise forms.ValidationError(
                _("Say what changed in this version (for example “Corrected the figures in table 2”).")
            )
        return note

    def show_conflict(self, current, *, authors: list[dict] | None = None, viewer=None) -> None:
        super().show_conflict(current)
        if authors is None:
            return
        saved = saved_authors(current)
        if _author_identity(authors) == _author_identity(saved):
            return
        row = ConflictRow(
            name=AUTHORS,
            label=str(_("Authors")),
            mine=_authors_text(authors, viewer),
            saved=_authors_text(saved, viewer),
            merge_name=MERGE_PREFIX + AUTHORS,
            choice=self.data.get(MERGE_PREFIX + AUTHORS, KEEP_MINE),
        )
        # Where the page shows the authors: after "Where to find it", before the topics.
        topics = next(
            (i for i, r in enumerate(self.conflict) if r.name in ("themes", "sdg_targets", "methods", "groups")), None
        )
        self.conflict.insert(len(self.conflict) if topics is None else topics, row)

    def takes_saved_authors(self) -> bool:
        return self.versioned is not None and self.data.get(MERGE_PREFIX + AUTHORS) == TAKE_SAVED

    def authors_to_save(self, typed: list[dict]) -> list[dict]:
        """The typed authors, or the saved ones where the user chose "The saved one" for the authors."""
        return saved_authors(self.versioned) if self.takes_saved_authors() else typed


def saved_authors(result: Result) -> list[dict]:
    """A result's authors as ``authors_from`` gives them: each kept as it is, in the saved order."""
    return [
        {"keep": a, "profile": None, "email": "", "name": a.name, "affiliation": a.affiliation}
        for a in result.authors.select_related("profile__user")
    ]


def _author_identity(authors: list[dict]) -> list[tuple]:
    identity = []
    for a in authors:
        if a.get("keep") is not None:
            who = ("author", a["keep"].pk)
        elif a.get("email"):
            who = ("email", a["email"].lower())
        elif a.get("profile") is not None:
            who = ("profile", a["profile"].pk)
        else:
            who = None
        identity.append((who, (a.get("name") or "").strip(), (a.get("affiliation") or "").strip()))
    return identity


def _authors_text(authors: list[dict], viewer) -> str:
    """One author a line, numbered: the name, the affiliation and the key the viewer may read."""
    lines = []
    for position, a in enumerate(authors, start=1):
        key = ""
        if a.get("keep") is not None:
            key = author_key(a["keep"], viewer)
        elif a.get("email"):
            key = a["email"]
        elif a.get("profile") is not None:
            key = a["profile"].orcid or ""
        parts = [a.get("name") or "", a.get("affiliation") or "", key]
        lines.append(f"{position}. " + " · ".join(part for part in parts if part))
    return "\n".join(lines)


class AuthorForm(forms.Form):
    """An author: a name and affiliation, linked to a Bridges profile by an ORCID iD or an invitation by email.

    The form never tells whether an address has an account: an address always becomes an invitation ("we will
    email them"), and only the author, by answering it, links their profile. An ORCID iD links at once only when
    the viewer can read it on a listed profile; the affiliation is copied only when the profile shows it to everyone.
    """

    author = forms.IntegerField(required=False, widget=forms.HiddenInput)
    researcher = forms.CharField(
        label=_("ORCID iD or email address"),
        required=False,
        max_length=254,
        help_text=_(
            "Links the author to their Bridges profile. With an email address we email them: they confirm "
            "the authorship and choose what of their profile the result shows."
        ),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    affiliation = forms.CharField(label=_("Affiliation"), required=False, max_length=300)

    def __init__(self, *args, viewer=None, existing: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        # The result's authors by id, with the key the edit form showed for each.
        self.existing = existing or {}

    def clean(self):
        data = super().clean()
        key = (data.get("researcher") or "").strip()
        data.update(profile=None, email="", keep=None)
        current = self.existing.get(data.get("author"))
        if current is not None and key == current[1]:
            # An author the result already has, with the same key: keep its link or invitation as it is.
            data["keep"] = current[0]
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Type the author's name."))
            return data
        if not key:
            if data.get("affiliation") and not data.get("name"):
                self.add_error("name", _("Type the author's name."))
            return data
        if "@" in key:
            try:
                validate_email(key)
            except forms.ValidationError:
                self.add_error("researcher", _("Enter a valid email address or an ORCID iD."))
                return data
            data["email"] = key.lower()
            if not (data.get("name") or "").strip():
                self.add_error(
                    "name", _("Type the author's name as it should appear on the result; we will email them.")
                )
            return data
        orcid = normalise_orcid(key)
        try:
            validate_orcid(orcid)
        except forms.ValidationError as error:
            self.add_error("researcher", error.messages[0])
            return data
        profile = profile_by_orcid(orcid, self.viewer)
        if profile is None:
            # The same answer for an unknown iD and for one its researcher hides or whose profile is unlisted.
            self.add_error(
                "researcher",
                _(
                    "No profile you can see on Bridges shows this ORCID iD. Give the author's email address "
                    "instead and we will email them, or leave it empty and type a name."
                ),
            )
            return data
        data["profile"] = profile
        data["name"] = (data.get("name") or "").strip() or profile.user.display_name
        if not data.get("affiliation") and profile.affiliation_id and shown_to(profile, "affiliation", EVERYONE):
            # A published result is public: copy the affiliation only when the researcher shows it to everyone.
            data["affiliation"] = profile.affiliation.name
        return data

    @property
    def invitation_status(self) -> str:
        """For the team: where the invitation of this row's author stands."""
        current = self.existing.get(self.initial.get("author"))
        author = current[0] if current else None
        if author is None or not author.invited_email:
            return ""
        if author.is_invited:
            return _("Invitation emailed to %(email)s; not confirmed yet.") % {"email": author.invited_email}
        if author.declined:
            return _("%(email)s declined to link a profile; the name stays as you typed it.") % {
                "email": author.invited_email
            }
        return _("Confirmed by the author.")

    def has_author(self) -> bool:
        data = getattr(self, "cleaned_data", None)
        return bool(data and (data.get("name") or data.get("profile") or data.get("keep")))


class BaseAuthorFormSet(forms.BaseFormSet):
    def __init__(self, *args, viewer=None, result: Result | None = None, **kwargs):
        self.viewer = viewer
        existing = {}
        if result is not None and result.pk:
            for author in result.authors.select_related("profile__user"):
                existing[author.pk] = (author, author_key(author, viewer))
        self.existing = existing
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "viewer": self.viewer, "existing": self.existing}


AuthorFormSet = forms.formset_factory(
    AuthorForm,
    formset=BaseAuthorFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=MAX_AUTHORS,
    validate_max=True,
)


def authors_from(formset) -> list[dict]:
    """The authors of a valid formset in the chosen order (empty rows and rows marked for removal are skipped)."""
    return [
        {
            "keep": form.cleaned_data.get("keep"),
            "profile": form.cleaned_data.get("profile"),
            "email": form.cleaned_data.get("email", ""),
            "name": form.cleaned_data["name"],
            "affiliation": form.cleaned_data.get("affiliation", ""),
        }
        for form in formset.ordered_forms
        if form.has_author() and not form.cleaned_data.get("DELETE")
    ]


def authors_initial(result: Result, viewer) -> list[dict]:
    """The result's authors as the edit form shows them to ``viewer`` (a key only where the viewer may read it)."""
    return [
        {
            "author": a.pk,
            "researcher": author_key(a, viewer),
            "name": a.name,
            "affiliation": a.affiliation,
            "ORDER": position,
        }
        for position, a in enumerate(result.authors.select_related("profile__user"), start=1)
    ]


class AuthorshipForm(forms.Form):
    """An invited author's answer: link my profile (and show my affiliation, if I choose), or decline."""

    show_affiliation = forms.BooleanField(required=False)

    def __init__(self, *args, affiliation: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if affiliation:
            self.fields["show_affiliation"].label = _("Show my affiliation “%(name)s” with this result") % {
                "name": affiliation
            }
            self.fields["show_affiliation"].help_text = _(
                "The result is public once published. Leave this unticked to keep the affiliation the team typed."
            )
        else:
            del self.fields["show_affiliation"]


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
