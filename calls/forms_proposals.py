"""Forms of the proposal pages: they validate what was typed; the services decide and store."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Proposal, TeamMember
from calls.services.proposals import budget_problem, money, team_facts_default
from calls.validators import MAX_ATTACHMENT_BYTES, validate_pdf
from hub.models import Country, Method
from hub.versioning import KEEP_MINE, MERGE_PREFIX, TAKE_SAVED, ConflictRow, VersionedFormMixin

TEXTAREA = {"rows": 6}
NEEDED_TO_SUBMIT = _("Needed to submit; you can save the draft without it.")


class NeededToSubmitField(forms.CharField):
    """Shown as required (it is, to submit), yet a draft may be saved with it empty."""

    def validate(self, value):
        if value not in self.empty_values:
            super().validate(value)


class ProposalStartForm(forms.Form):
    title = forms.CharField(
        label=_("Working title"), max_length=300, help_text=_("You can change it while the proposal is a draft.")
    )


class NeededToSubmitDecimalField(forms.DecimalField):
    """A budget: needed to submit, not to save a draft."""

    def validate(self, value):
        if value not in self.empty_values:
            super().validate(value)


TIMELINE = "timeline"  # the milestones formset in a conflict: one row, merged as a whole


def _value(item, name: str):
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def timeline_text(milestones) -> str:
    """A timeline as one text for the side-by-side view: “Month 3: Survey — what happens”, one a line."""
    lines = []
    for item in milestones:
        line = _("Month %(month)s: %(title)s") % {
            "month": _value(item, "month"),
            "title": (_value(item, "title") or "").strip(),
        }
        description = (_value(item, "description") or "").strip()
        lines.append(f"{line} — {description}" if description else line)
    return "\n".join(lines) or str(_("(empty)"))


def _timeline_key(milestones) -> list[tuple]:
    """What a save would store of a timeline, comparable between typed rows and saved milestones."""
    return sorted(
        (
            _value(item, "month"),
            (_value(item, "title") or "").strip(),
            (_value(item, "description") or "").strip().replace("\r\n", "\n"),
        )
        for item in milestones
    )


class ProposalDraftForm(VersionedFormMixin, forms.Form):
    """The working draft; ``versioned=<proposal>`` carries its edit version (a stale save is refused).

    The timeline is a formset beside the form: give it as ``timeline=<formset>`` so a conflict shows a
    “Timeline” row and “The saved one” for it saves the saved milestones (``milestones()``).
    """

    use_required_attribute = False  # drafts save incomplete; the browser must not block "Save draft"

    title = forms.CharField(label=_("Title"), max_length=300)
    summary = NeededToSubmitField(
        label=_("Summary"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What you will find out and why it matters for human rights in the city (up to 3,000 characters). "
            "Needed to submit."
        ),
    )
    methodology = NeededToSubmitField(
        label=_("Methodology"), max_length=20000, widget=forms.Textarea(attrs=TEXTAREA), help_text=NEEDED_TO_SUBMIT
    )
    methods = forms.ModelMultipleChoiceField(
        label=_("Research methods"), queryset=Method.objects.order_by("name"), required=False
    )
    participation_plan = NeededToSubmitField(
        label=_("Participation plan"),
        max_length=10000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("How the community and civil society take part. Needed to submit."),
    )
    data_management_plan = NeededToSubmitField(
        label=_("Data management and protection plan"),
        max_length=10000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What personal data you collect, how you protect it and when you delete it. Needed to submit."),
    )
    ethics = forms.CharField(label=_("Ethics"), required=False, max_length=10000, widget=forms.Textarea(attrs=TEXTAREA))
    budget = NeededToSubmitDecimalField(label=_("Budget"), min_value=0, max_digits=12, decimal_places=2)

    def __init__(self, *args, call, timeline=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.timeline = timeline
        # A hidden field: its errors read as one clear sentence, whatever was posted.
        version = self.fields["edit_version"]
        version.label = _("Version of the draft")
        missing = version.error_messages["required"]
        version.error_messages.update(invalid=missing, min_value=missing, max_value=missing)
        self.fields["budget"].label = _("Budget (%(currency)s)") % {"currency": call.currency}
        self.fields["budget"].help_text = _("Between %(min)s and %(max)s %(currency)s. Needed to submit.") % {
            "min": money(call.budget_min),
            "max": money(call.budget_max),
            "currency": call.currency,
        }

    def clean_budget(self):
        budget = self.cleaned_data.get("budget")
        problem = budget_problem(self.call, budget)
        if problem:
            raise forms.ValidationError(problem)
        return budget

    # -- the timeline in a conflict -----------------------------------------------------------------
    @property
    def takes_saved_timeline(self) -> bool:
        return self.is_bound and self.data.get(MERGE_PREFIX + TIMELINE) == TAKE_SAVED

    def milestones(self) -> list[dict]:
        """The timeline to save: the typed one, or the saved one when the user chose it in a conflict."""
        if self.takes_saved_timeline and self.versioned is not None:
            return [
                {"title": m.title, "month": m.month, "description": m.description}
                for m in self.versioned.milestones.all()
            ]
        return milestones_from(self.timeline) if self.timeline is not None else []

    def show_conflict(self, current) -> None:
        super().show_conflict(current)
        if self.timeline is None or not self.timeline.is_valid():
            return
        mine = milestones_from(self.timeline)
        saved = list(current.milestones.all())
        if _timeline_key(mine) == _timeline_key(saved):
            return
        self.conflict.append(
            ConflictRow(
                name=TIMELINE,
                label=str(_("Timeline")),
                mine=timeline_text(mine),
                saved=timeline_text(saved),
                merge_name=MERGE_PREFIX + TIMELINE,
                choice=self.data.get(MERGE_PREFIX + TIMELINE, KEEP_MINE),
            )
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    month = forms.IntegerField(label=_("Month"), min_value=1)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, max_month: int = 120, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs["max"] = max_month
        self.max_month = max_month

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > self.max_month:
            raise forms.ValidationError(
                _("The call lasts %(months)s months; choose a month from 1 to %(months)s.") % {"months": self.max_month}
            )
        return month


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, can_delete=True, max_num=40, validate_max=True)


def milestones_from(formset) -> list[dict]:
    """The milestones a valid formset keeps (filled in and not marked for deletion)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("title")
    ]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Add a PDF"),
        help_text=_("PDF only, at most 10 MB each, up to 10 files."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "application/pdf,.pdf",
                "data-max-bytes": MAX_ATTACHMENT_BYTES,
                "data-too-big": _("This file is larger than 10 MB; attachments may be at most 10 MB."),
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_pdf(upload)
        return upload


class ProposalSubmitForm(forms.Form):
    """The submit button's form: a one-time key, made when the page is rendered, so a replayed POST submits once."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"idempotency_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class TeamInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(v, label) for v, label in TeamMember.Role.choices if v != TeamMember.Role.LEAD]
    )
    affiliation = forms.CharField(label=_("Affiliation"), max_length=300, required=False)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        help_text=_("Where they work from; it counts for cross-border eligibility."),
    )
    early_career = forms.BooleanField(label=_("Student or early-career researcher"), required=False)


class TeamAnswerForm(forms.Form):
    """What an invited co-applicant brings from their profile to the proposal, which the city and reviewers read.

    Ticked at first: what the profile already shows to signed-in people; a field kept to oneself only if ticked.
    """

    share = forms.MultipleChoiceField(
        label=_("Bring from my profile to the proposal"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The team, the city and its reviewers read what you bring. You can leave everything unticked."),
    )

    def __init__(self, *args, profile=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if profile is not None:
            if profile.affiliation_id:
                choices.append(("affiliation", _("Affiliation: %(name)s") % {"name": profile.affiliation.name}))
            countries = [c.name for c in profile.countries.order_by("name")]
            if countries:
                choices.append(("countries", _("Countries: %(names)s") % {"names": ", ".join(countries)}))
            languages = [lang.name for lang in profile.languages.order_by("name")]
            if languages:
                choices.append(("languages", _("Languages: %(names)s") % {"names": ", ".join(languages)}))
        if not choices:
            del self.fields["share"]
            return
        self.fields["share"].choices = choices
        self.fields["share"].initial = sorted(team_facts_default(profile) & {value for value, _label in choices})

    @property
    def shared(self) -> list[str]:
        return list(self.cleaned_data.get("share") or []) if "share" in self.fields else []


def draft_initial(proposal: Proposal) -> dict:
    """What the draft form shows for a saved proposal."""
    return {
        "title": proposal.title,
        "summary": proposal.summary,
        "methodology": proposal.methodology,
        "methods": [m.pk for m in proposal.methods.all()],
        "participation_plan": proposal.participation_plan,
        "data_management_plan": proposal.data_management_plan,
        "ethics": proposal.ethics,
        "budget": proposal.budget,
    }
