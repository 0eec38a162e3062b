"""Forms of research needs: posting, commenting, the city's answer, topics, hiding and reports (they only validate)."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from hub.models import GroupAtRisk, SDGTarget, Theme
from profiles.models import Organisation
from projects.models import ModerationReport, NeedTopic, ResearchNeed
from projects.services.takedowns import REASON_MIN_LENGTH


class NeedForm(forms.Form):
    """A research need for a city. ``cities`` and ``organisations`` are the querysets the user may choose from."""

    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=_("Choose…"),
        error_messages={
            "required": _("Choose the city the need is about."),
            "invalid_choice": _("Choose a city that is on Bridges."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("One line, e.g. “How many older persons in the north district cannot reach a health centre?”"),
        error_messages={"required": _("Give the need a title.")},
    )
    situation = forms.CharField(
        label=_("The situation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What people experience, where and since when. Do not name or describe individuals."),
        error_messages={"required": _("Describe the situation.")},
    )
    missing_evidence = forms.CharField(
        label=_("What evidence is missing"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What nobody knows yet and research could find out: numbers, causes, what works."),
        error_messages={"required": _("Say what evidence is missing.")},
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups concerned"),
        queryset=GroupAtRisk.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose groups from the list.")},
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Human-rights themes"),
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose themes from the list.")},
    )
    sdg_targets = forms.ModelMultipleChoiceField(
        label=_("SDG targets"),
        queryset=SDGTarget.objects.order_by("sort_key"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Optional. Hold Ctrl (or ⌘) to choose several."),
        error_messages={"invalid_choice": _("Choose SDG targets from the list.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Post for"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Myself, as a resident"),
        help_text=_("A civil-society organisation or human-rights institution you are a member of, or yourself."),
        error_messages={"invalid_choice": _("You can post only for an organisation you are an approved member of.")},
    )

    def __init__(self, *args, cities, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["organisation"].queryset = organisations


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Public, with your name. At most 3,000 characters."),
        error_messages={"required": _("Write your comment.")},
    )


class AnswerForm(forms.Form):
    """The city's public answer; ``seen_status`` is the status the official saw (a changed one is a conflict)."""

    status = forms.ChoiceField(
        label=_("The city's answer"),
        choices=[(s.value, s.label) for s in ResearchNeed.ANSWERED],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the city's answer."), "invalid_choice": _("Choose one of the answers.")},
    )
    answer = forms.CharField(
        label=_("Reasons"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Public. Why the city accepts the need for a call, considers it covered, or not now."),
        error_messages={"required": _("Give the city's reasons.")},
    )
    covered_by_url = forms.URLField(
        label=_("Already covered by"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("For “already covered”: the address of the research, call or data that covers it."),
        error_messages={"invalid": _("Give a web address starting with http:// or https://.")},
    )
    seen_status = forms.ChoiceField(choices=ResearchNeed.Status.choices, widget=forms.HiddenInput)


class TopicForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Take it up as"),
        choices=NeedTopic.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a thesis topic or a research project.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Optional, public: your university or programme, and when you expect to start."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason"),
        min_length=REASON_MIN_LENGTH,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Listed at /transparency/ with the date and your name: which rule was broken and how."),
        error_messages={
            "required": _("Give the public reason."),
            "min_length": _("Give the public reason in at least %(limit_value)d characters."),
        },
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you report it?"),
        choices=ModerationReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you report it."), "invalid_choice": _("Choose one of the reasons.")},
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Only network coordinators read your report; the author is not told who reported."),
    )
