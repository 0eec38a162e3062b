"""Forms of the dataset pages: they validate what was typed; the services read files, check and store."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from hub.models import Country, GroupAtRisk, SDGTarget, Theme
from hub.versioning import KEEP_MINE, MERGE_PREFIX, TAKE_SAVED, ConflictRow, VersionedFormMixin
from profiles.validators import normalise_doi, validate_doi
from projects import datasets_io
from projects.models import DataLicence, Dataset, Disaggregation

TEXTAREA = {"rows": 5}


class DatasetMetadataForm(forms.Form):
    """Title, description, licence, provenance, access, personal data, disaggregations, vocabularies, period."""

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What the data shows, for whom, and what a row is."),
    )
    provenance = forms.CharField(
        label=_("Provenance"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Dataset._meta.get_field("provenance").help_text,
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=DataLicence.choices, initial=DataLicence.CC_BY_4)
    access_level = forms.ChoiceField(
        label=_("Access"),
        choices=Dataset.AccessLevel.choices,
        initial=Dataset.AccessLevel.OPEN,
        widget=forms.RadioSelect,
    )
    personal_data = forms.ChoiceField(
        label=_("Personal-data declaration"),
        choices=Dataset.PersonalData.choices,
        initial=Dataset.PersonalData.NONE,
        widget=forms.RadioSelect,
    )
    personal_data_note = forms.CharField(
        label=_("Data-protection measures"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for personal or pseudonymised data: legal basis, consent, safeguards, retention."),
    )
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregated by"),
        choices=Disaggregation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_cell_count = forms.IntegerField(
        label=_("Small-cell threshold"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Counts below this are hidden in public tables and downloads. Empty: the site minimum."),
    )
    period_start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label=_("Period to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    themes = forms.ModelMultipleChoiceField(
        label=_("Human-rights themes"), queryset=Theme.objects.order_by("name"), required=False
    )
    sdg_targets = forms.ModelMultipleChoiceField(
        label=_("SDG targets"), queryset=SDGTarget.objects.order_by("sort_key"), required=False
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups at risk"), queryset=GroupAtRisk.objects.order_by("name"), required=False
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"), queryset=Country.objects.order_by("name"), required=False
    )
    doi = forms.CharField(
        label=_("DOI"),
        required=False,
        max_length=200,
        help_text=_(
            "If the dataset already has a DOI, for example 10.1000/xyz123, with or without https://doi.org/ in front."
        ),
    )

    def clean_doi(self):
        doi = normalise_doi(self.cleaned_data.get("doi") or "")
        if doi:
            validate_doi(doi)
        return doi

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class DatasetUploadForm(DatasetMetadataForm):
    """Step 1: the CSV file and its metadata."""

    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,  # the service explains what an empty CSV lacks
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv"}),
    )
    field_order = ["file", "title", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = datasets_io.megabytes(settings.DATASET_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = _(
            "A CSV file with a header row, at most %(limit)s MB. Comma, semicolon, tab or pipe separated; UTF-8, "
            "Latin-1 and Windows encodings are recognised. The first row must name the columns."
        ) % {"limit": limit}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DATASET_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": datasets_io.megabytes(upload.size), "limit": datasets_io.megabytes(limit)}
            )
        return upload


class DatasetVersionForm(forms.Form):
    """A new file for an existing dataset, and what changed in it."""

    file = forms.FileField(
        label=_("New CSV file"),
        allow_empty_file=True,  # the service explains what an empty CSV lacks
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv"}),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Readers see this beside the version, for example “Added the 2025 figures”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = datasets_io.megabytes(settings.DATASET_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = _(
            "A CSV file with a header row, at most %(limit)s MB. You will see how its columns differ from the "
            "current version before you confirm."
        ) % {"limit": limit}

    def clean_file(self):
        return DatasetUploadForm.clean_file(self)


class SchemaColumnForm(forms.Form):
    """One column of the schema: its type, description and whether it holds counts (name fixed by the file)."""

    name = forms.CharField(widget=forms.HiddenInput, max_length=300)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[
            ("string", _("text")),
            ("integer", _("integer")),
            ("number", _("number")),
            ("date", _("date")),
            ("boolean", _("yes/no")),
        ],
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=1000)
    is_count = forms.BooleanField(label=_("Counts of people or cases (suppress small values)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("is_count") and data.get("type") not in ("integer", "number"):
            self.add_error("is_count", _("Only integer or number columns can hold counts."))
        return data


SchemaFormSet = forms.formset_factory(SchemaColumnForm, extra=0, max_num=datasets_io.MAX_COLUMNS, validate_max=True)


def schema_initial(dataset: Dataset) -> list[dict]:
    return [dict(column) for column in dataset.schema]


def metadata_initial(dataset: Dataset) -> dict:
    initial = {
        name: getattr(dataset, name)
        for name in (
            "title",
            "description",
            "provenance",
            "licence",
            "access_level",
            "personal_data",
            "personal_data_note",
            "disaggregations",
            "min_cell_count",
            "period_start",
            "period_end",
            "doi",
        )
    }
    for name in ("themes", "sdg_targets", "groups", "countries"):
        initial[name] = list(getattr(dataset, name).all())
    return initial


SCHEMA_FIELD = "schema"


class DatasetEditForm(VersionedFormMixin, DatasetMetadataForm):
    """The edit page's metadata with the version it was opened on; the columns come from ``SchemaFormSet``.

    Pass ``schema=<the bound formset>`` too: after a stale save the columns that differ are one “Columns” row
    of the side-by-side view, and choosing the saved one there puts the saved columns in ``cleaned_data["schema"]``.
    """

    def __init__(self, *args, schema=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema_formset = schema

    def clean(self):
        cleaned = super().clean()
        if self.versioned is not None and self.data.get(MERGE_PREFIX + SCHEMA_FIELD) == TAKE_SAVED:
            cleaned[SCHEMA_FIELD] = [dict(column) for column in self.versioned.schema or []]
        return cleaned

    def typed_schema(self) -> list[dict] | None:
        """The columns as typed in the formset (cleaned where valid), or None without a formset."""
        formset = self.schema_formset
        if formset is None or not formset.is_bound:
            return None
        columns = []
        for column_form in formset.forms:
            data = getattr(column_form, "cleaned_data", None) or {}
            raw = {name: column_form[name].value() for name in ("name", "type", "description", "is_count")}
            columns.append(
                {
                    "name": data.get("name", raw["name"]) or "",
                    "type": data.get("type", raw["type"]) or "string",
                    "description": (data.get("description", raw["description"]) or "").strip(),
                    "is_count": bool(data.get("is_count", raw["is_count"])),
                }
            )
        return columns

    def show_conflict(self, current) -> None:
        super().show_conflict(current)
        mine = self.typed_schema()
        if mine is None:
            return
        saved = [dict(column) for column in current.schema or []]
        mine_lines, saved_lines = _schema_differences(mine, saved)
        if not mine_lines and not saved_lines:
            return
        self.conflict.append(
            ConflictRow(
                name=SCHEMA_FIELD,
                label=str(_("Columns")),
                mine="\n".join(mine_lines) or gettext("(empty)"),
                saved="\n".join(saved_lines) or gettext("(empty)"),
                merge_name=MERGE_PREFIX + SCHEMA_FIELD,
                choice=self.data.get(MERGE_PREFIX + SCHEMA_FIELD, KEEP_MINE),
            )
        )


def _column_line(column: dict) -> str:
    kinds = dict(SchemaColumnForm.base_fields["type"].choices)
    values = {
        "name": column.get("name", ""),
        "type": kinds.get(column.get("type") or "string", column.get("type")),
        "description": column.get("description") or pgettext("column description", "no description"),
    }
    if column.get("is_count"):
        return gettext("%(name)s (%(type)s, counts): %(description)s") % values
    return gettext("%(name)s (%(type)s): %(description)s") % values


def _schema_differences(mine: list[dict], saved: list[dict]) -> tuple[list[str], list[str]]:
    """One line per column that differs, on each side (columns are matched by position, as in the file)."""

    def key(column: dict | None):
        if column is None:
            return None
        return (
            column.get("name"),
            column.get("type") or "string",
            (column.get("description") or "").replace("\r\n", "\n").strip(),
            bool(column.get("is_count")),
        )

    mine_lines, saved_lines = [], []
    for index in range(max(len(mine), len(saved))):
        a = mine[index] if index < len(mine) else None
        b = saved[index] if index < len(saved) else None
        if key(a) == key(b):
            continue
        if a is not None:
            mine_lines.append(_column_line(a))
        if b is not None:
            saved_lines.append(_column_line(b))
    return mine_lines, saved_lines


class AccessRequestForm(forms.Form):
    organisation = forms.CharField(label=_("Your organisation"), required=False, max_length=300)
    purpose = forms.CharField(
        label=_("What will you use the data for?"),
        min_length=20,
        max_length=3000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The research team reads this to decide. Say how you will protect the data."),
    )


class AccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput)
    decision_note = forms.CharField(
        label=_("Message to the requester"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing."),
    )
