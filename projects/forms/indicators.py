"""Forms of indicators: chart options, a new indicator, and the column mapping of an import (forms only validate)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.models import GroupAtRisk, SDGIndicator, Theme
from projects.models import Disaggregation, Indicator
from projects.selectors.indicators import MAX_SERIES


class ChartOptionsForm(forms.Form):
    """Which cities the time series shows and which city and period the breakdown shows (GET)."""

    cities = forms.MultipleChoiceField(
        label=_("Cities in the time series"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Up to %(max)s cities.") % {"max": MAX_SERIES},
    )
    breakdown = forms.ChoiceField(label=_("City and period of the breakdown"), required=False)

    def __init__(self, *args, city_choices=(), breakdown_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cities"].choices = list(city_choices)
        self.fields["breakdown"].choices = list(breakdown_choices)

    def clean_cities(self):
        cities = self.cleaned_data["cities"]
        if len(cities) > MAX_SERIES:
            raise forms.ValidationError(
                _("Choose at most %(max)s cities; a chart with more lines cannot be read.") % {"max": MAX_SERIES}
            )
        return cities


class IndicatorForm(forms.Form):
    """A new indicator proposed by a partnership's research team."""

    title = forms.CharField(label=_("Title"), max_length=300)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=Indicator.Type.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Structural: laws and institutions in place. Process: efforts such as budgets and programmes. "
            "Outcome: the results people experience."
        ),
    )
    obligation = forms.ChoiceField(
        label=_("Obligation"),
        choices=Indicator.Obligation.choices,
        widget=forms.RadioSelect,
        help_text=_("Which duty of the city the indicator monitors."),
    )
    theme = forms.ModelChoiceField(label=_("Human-rights theme"), queryset=Theme.objects.none())
    sdg_indicator = forms.ModelChoiceField(
        label=_("Related SDG indicator"), queryset=SDGIndicator.objects.none(), required=False
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups at risk it is about"),
        queryset=GroupAtRisk.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unit = forms.CharField(label=_("Unit"), max_length=80, help_text=_("e.g. “% of households”, “persons”, “days”."))
    value_is_count = forms.BooleanField(
        label=_("Values count people (small counts are suppressed in public)"), required=False
    )
    definition = forms.CharField(
        label=_("Definition"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is measured, how it is computed, and the sources."),
    )
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregations"),
        choices=Disaggregation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The dimensions values are broken down by."),
    )

    def __init__(self, *args, themes, sdg_indicators, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        self.fields["sdg_indicator"].queryset = sdg_indicators
        self.fields["groups"].queryset = groups


class ImportDatasetForm(forms.Form):
    """Step one of an import: which of the partnership's datasets (GET)."""

    dataset = forms.ModelChoiceField(
        label=_("Dataset"),
        queryset=None,
        empty_label=_("Choose a dataset"),
        error_messages={
            "invalid_choice": _("Choose one of this partnership's datasets."),
            "required": _("Choose one of this partnership's datasets."),
        },
    )

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets


class ImportMappingForm(forms.Form):
    """Step two: the indicator and which column holds the period, the value, the city and each breakdown."""

    CITY_FIXED = "fixed"
    CITY_COLUMN = "column"

    dataset = forms.IntegerField(widget=forms.HiddenInput)
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=None, empty_label=_("Choose an indicator"))
    period_column = forms.ChoiceField(label=_("Period column"), help_text=_("Values like 2023, 2023-Q2 or 2023-05."))
    value_column = forms.ChoiceField(label=_("Value column"))
    city_mode = forms.ChoiceField(
        label=_("City"),
        choices=[(CITY_FIXED, _("All rows are about one city")), (CITY_COLUMN, _("A column names the city"))],
        widget=forms.RadioSelect,
        initial=CITY_FIXED,
    )
    city = forms.ModelChoiceField(label=_("The city"), queryset=None, required=False, empty_label=_("Choose a city"))
    city_column = forms.ChoiceField(
        label=_("City column"),
        required=False,
        help_text=_(
            "Cells must match the name of one of the partnership's cities, e.g. “Graz” or “City of Graz”. Rows about "
            "other cities are not imported."
        ),
    )
    denominator_column = forms.ChoiceField(
        label=_("Denominator column"),
        required=False,
        help_text=_(
            "Only for an indicator measured as a percentage or rate when the value column holds counts: the column "
            "with the total each count is a share of, e.g. the number of households. The import stores count ÷ "
            "denominator in the indicator's unit."
        ),
    )

    def __init__(self, *args, columns, indicators, cities, **kwargs):
        super().__init__(*args, **kwargs)
        column_choices = [(c, c) for c in columns]
        optional = [("", _("— not in this dataset —")), *column_choices]
        self.fields["indicator"].queryset = indicators
        self.fields["city"].queryset = cities
        self.fields["period_column"].choices = [("", _("Choose a column")), *column_choices]
        self.fields["value_column"].choices = [("", _("Choose a column")), *column_choices]
        self.fields["city_column"].choices = optional
        self.fields["denominator_column"].choices = optional
        for key, label in Disaggregation.choices:
            self.fields[f"dis_{key}"] = forms.ChoiceField(
                label=_("%(dimension)s column") % {"dimension": label}, choices=optional, required=False
            )

    @property
    def disaggregation_fields(self):
        return [self[f"dis_{key}"] for key in Disaggregation.values]

    def clean(self):
        data = super().clean()
        mode = data.get("city_mode")
        if mode == self.CITY_FIXED and not data.get("city"):
            self.add_error("city", _("Choose the city the values are about."))
        if mode == self.CITY_COLUMN and not data.get("city_column"):
            self.add_error("city_column", _("Choose the column that names the city."))
        used = [data.get("period_column"), data.get("value_column")]
        if data.get("period_column") and data.get("period_column") == data.get("value_column"):
            self.add_error("value_column", _("The value column must differ from the period column."))
        if data.get("denominator_column") and data.get("denominator_column") in used:
            self.add_error("denominator_column", _("The denominator must be another column than the period and value."))
        for key in Disaggregation.values:
            column = data.get(f"dis_{key}")
            if column and column in used:
                self.add_error(f"dis_{key}", _("This column is already mapped to the period or the value."))
        return data

    def disaggregation_columns(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"dis_{key}"] for key in Disaggregation.values if self.cleaned_data.get(f"dis_{key}")
        }
