"""Forms of review and award: they only validate; services decide."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from calls.models import Recommendation
from calls.scoring import MAX_SCORE

NOT_APPLICABLE = "na"
CONFIDENCE_CHOICES = [
    (1, _("1 — outside my expertise")),
    (2, _("2 — somewhat unsure")),
    (3, _("3 — fairly confident")),
    (4, _("4 — confident")),
    (5, _("5 — expert in this field")),
]


class ReviewerAssignForm(forms.Form):
    """An official asks someone to review one proposal."""

    reviewer_email = forms.EmailField(
        label=_("Reviewer's email address"),
        help_text=_(
            "We email them an invitation; if they have no account yet, they sign up with this address first. "
            "They declare any conflict of interest before they see the proposal."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    due_on = forms.DateField(
        label=_("Review due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("End of that day in the city's time zone."),
    )

    def __init__(self, *args, time_zone: str = "UTC", **kwargs):
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)

    def clean_due_on(self):
        due_on = self.cleaned_data.get("due_on")
        if due_on and due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date must be today or later."))
        return due_on

    @property
    def due_at(self) -> dt.datetime | None:
        due_on = self.cleaned_data.get("due_on")
        if not due_on:
            return None
        return dt.datetime.combine(due_on, dt.time(23, 59), tzinfo=ZoneInfo(self.time_zone))


class InfoRequestForm(forms.Form):
    """What the city asks the team to add or change."""

    message = forms.CharField(
        label=_("What should the team add or change?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclarationForm(forms.Form):
    """A reviewer's conflict-of-interest declaration, made before seeing the proposal."""

    answer = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            ("no_conflict", _("I have no conflict of interest with this proposal or its team")),
            ("conflict", _("I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Describe the conflict"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only if you have a conflict: the city reads it and assigns someone else."),
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "conflict" and not (data.get("statement") or "").strip():
            self.add_error("statement", _("Describe the conflict in a sentence, so the city can reassign."))
        return data

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data.get("answer") == "conflict"


class ScoreForm(forms.Form):
    """A score from 0 to 5, or not applicable, per criterion of the call; and comments."""

    comments = forms.CharField(
        label=_("Comments for the city"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )

    # Panel (issue 18 §4): the reviewer's recommendation and how confident they are.
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your recommendation: fund, fund with changes, or do not fund.")},
    )
    confidence = forms.TypedChoiceField(
        label=_("Your confidence in this review"),
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how confident you are, from 1 to 5.")},
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        choices = [(str(n), str(n)) for n in range(MAX_SCORE + 1)] + [(NOT_APPLICABLE, _("Not applicable"))]
        for criterion in self.criteria:
            self.fields[self.field_name(criterion)] = forms.ChoiceField(
                label=f"{criterion.name} ({criterion.weight} %)",
                help_text=escape(criterion.description),  # the field template marks help text safe
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Give a score from 0 to 5, or choose “Not applicable”.")},
            )
        # Comments last.
        self.order_fields([self.field_name(c) for c in self.criteria] + ["comments", "recommendation", "confidence"])

    @staticmethod
    def field_name(criterion) -> str:
        return f"criterion_{criterion.pk}"

    def criterion_fields(self):
        return [self[self.field_name(c)] for c in self.criteria]

    @property
    def scores(self) -> dict[int, int | None]:
        values = {}
        for criterion in self.criteria:
            value = self.cleaned_data[self.field_name(criterion)]
            values[criterion.pk] = None if value == NOT_APPLICABLE else int(value)
        return values

    @classmethod
    def initial_from(cls, assignment) -> dict:
        initial = {"comments": assignment.comments}
        if assignment.recommendation:
            initial["recommendation"] = assignment.recommendation
        if assignment.confidence:
            initial["confidence"] = str(assignment.confidence)
        for score in assignment.scores.all():
            initial[f"criterion_{score.criterion_id}"] = NOT_APPLICABLE if score.score is None else str(score.score)
        return initial


class DecisionForm(forms.Form):
    """The city's decision on one or several proposals of a call."""

    ACTIONS = [
        ("shortlist", _("Shortlist")),
        ("invite", _("Invite to submit a full proposal")),
        ("award", _("Award")),
        ("decline", _("Decline")),
    ]

    proposals = forms.ModelMultipleChoiceField(
        label=_("Proposals"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one proposal.")},
    )
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS)
    message = forms.CharField(
        label=_("Message to the teams"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every applicant reads it with the decision. Required when declining."),
    )

    def __init__(self, *args, proposals, two_stage: bool = False, award_open: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = proposals
        if not two_stage:
            self.fields["action"].choices = [c for c in self.ACTIONS if c[0] != "invite"]
        if not award_open:
            # Not offered before the deadline; an award sent anyway reaches the service, which says why it is refused.
            self.fields["action"].widget.choices = [c for c in self.fields["action"].choices if c[0] != "award"]

    def clean(self):
        data = super().clean()
        if data.get("action") == "decline" and not (data.get("message") or "").strip():
            self.add_error("message", _("Write a message to the teams you decline; they will read it."))
        return data
