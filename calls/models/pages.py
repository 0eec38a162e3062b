"""``/calls/`` and the ResearchCall pages that live under each CityPage."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

import pycountry

from calls import deadlines
from calls.form_blocks import ApplicationFormBlock, ReviewFormBlock
from calls.forms_admin import ResearchCallAdminForm
from hub.blocks import BodyBlock
from hub.public_address import PublicAddressMixin
from hub.translation import page_fields


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies (a callable keeps the long list out of migrations)."""
    return sorted((c.alpha_3, f"{c.alpha_3} — {c.name}") for c in pycountry.currencies)


class CallsIndexPage(PublicAddressMixin, Page):
    """``/calls/``: every published call, with facets, sorting and feeds."""

    translatable_fields = page_fields("intro")

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from calls.views.public import calls_index_context  # cycle: the views import these models

        context = super().get_context(request, *args, **kwargs)
        context.update(calls_index_context(request))
        return context


class ResearchCall(PublicAddressMixin, Page):
    """A city's call for human-rights research; its status follows from its dates and actions."""

    translatable_fields = page_fields("summary", "body", "consultation_questions", "data_protection", "ethics")

    class EarlyCareer(models.TextChoices):
        OPEN = "open", _("Open to researchers at every career stage")
        RESERVED = "reserved", _("A share is reserved for early-career researchers")
        ONLY = "only", _("Only students and early-career researchers")

    class CrossBorder(models.TextChoices):
        ALLOWED = "allowed", _("Cross-border teams allowed")
        REQUIRED = "required", _("Cross-border team required")
        DOMESTIC = "domestic", _("Teams based in the city's country only")

    Status = deadlines.Status

    organisation = models.ForeignKey(
        "profiles.Organisation", on_delete=models.PROTECT, related_name="calls", editable=False, null=True
    )
    time_zone = models.CharField(max_length=64, default="UTC", editable=False)
    summary = models.TextField(max_length=600, help_text=_("Two or three sentences shown in listings and feeds."))
    body = StreamField(BodyBlock(), blank=True, help_text=_("Background, research questions, expected outputs."))
    themes = ParentalManyToManyField("hub.Theme", blank=True, related_name="calls")
    sdg_targets = ParentalManyToManyField("hub.SDGTarget", blank=True, related_name="calls")
    methods = ParentalManyToManyField("hub.Method", blank=True, related_name="calls", verbose_name=_("methods sought"))
    groups = ParentalManyToManyField(
        "hub.GroupAtRisk", blank=True, related_name="calls", verbose_name=_("groups in focus")
    )
    budget_min = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    budget_max = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, default="EUR", choices=currency_choices, help_text=_("ISO 4217"))
    consultation_opens_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Optional: when the public consultation on the draft questions starts (before the call opens)."),
    )
    consultation_questions = models.TextField(
        blank=True, max_length=4000, help_text=_("The draft research questions put to public consultation.")
    )
    consultation_open_to_all = models.BooleanField(
        default=False,
        help_text=_("Let any signed-in user comment, not only members of civil-society organisations and NHRIs."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    two_stage = models.BooleanField(
        default=False, help_text=_("Concept notes first; the city invites the best to submit a full proposal.")
    )
    full_proposal_closes_at = models.DateTimeField(
        _("full proposals due at"), null=True, blank=True, help_text=_("Two-stage calls only.")
    )
    duration_months = models.PositiveSmallIntegerField(
        _("expected duration (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    early_career = models.CharField(max_length=16, choices=EarlyCareer.choices, default=EarlyCareer.OPEN)
    early_career_share = models.PositiveSmallIntegerField(
        _("share reserved for early-career researchers (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    cross_border = models.CharField(max_length=16, choices=CrossBorder.choices, default=CrossBorder.ALLOWED)
    required_languages = ParentalManyToManyField("hub.Language", blank=True, related_name="calls")
    data_protection = models.TextField(_("data-protection requirements"), blank=True, max_length=4000)
    ethics = models.TextField(_("ethics requirements"), blank=True, max_length=4000)
    blind_review = models.BooleanField(
        default=False, help_text=_("Reviewers do not see applicants' names and affiliations.")
    )
    sealed = models.BooleanField(
        default=False, help_text=_("The city sees submitted proposals only after the deadline.")
    )
    # Panel (issue 18 §4).
    reviewers_see_reviews = models.BooleanField(
        _("reviewers see each other's reviews"),
        default=False,
        help_text=_(
            "After submitting their own review, a reviewer reads the other reviews of the same proposal "
            "(never the reviewers' names)."
        ),
    )
    # Issue 18 §3 (dialogue): reviews released to the applicants, anonymised, and the response stage.
    review_release = models.CharField(
        _("release reviews to applicants"),
        max_length=16,
        choices=[
            ("none", _("No: reviews stay with the city")),
            ("after_decision", _("After the decision on each proposal")),
            ("response_stage", _("Before a response stage: teams answer the reviews by a deadline")),
        ],
        default="none",
        help_text=_("Released reviews show the scores and comments, never who wrote them."),
    )
    response_opens_at = models.DateTimeField(
        _("response stage opens at"), null=True, blank=True, help_text=_("Reviews in by then are shown to the teams.")
    )
    response_closes_at = models.DateTimeField(_("responses due at"), null=True, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    template_source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reused_by",
        editable=False,
        help_text=_("The call of another city this one was started from."),
    )
    # Issue 18 §1 (forms): the call's own questions, per stage, and its review form's free-text questions.
    application_form = StreamField(
        ApplicationFormBlock(),
        blank=True,
        verbose_name=_("application form"),
        help_text=_("The call's own questions (in a two-stage call: for the concept note)."),
    )
    full_application_form = StreamField(
        ApplicationFormBlock(),
        blank=True,
        verbose_name=_("full-proposal form"),
        help_text=_("Two-stage calls only: the questions of the full proposal."),
    )
    review_questions = StreamField(
        ReviewFormBlock(),
        blank=True,
        verbose_name=_("review questions"),
        help_text=_("Free-text questions every reviewer answers beside the scores."),
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(blank=True, editable=False)
    awarded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reviewer matching and load (issue 18 §2, "reviewers"): how many reviews each proposal gets, the caps per
    # reviewer, and how far back a shared affiliation still counts as a conflict of interest.
    reviews_per_proposal = models.PositiveSmallIntegerField(
        _("reviews per proposal"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("How many reviewers “assign automatically” gives each proposal."),
    )
    reviewer_cap_per_call = models.PositiveSmallIntegerField(
        _("reviews per reviewer in this call"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Nobody is asked to review more proposals of this call."),
    )
    reviewer_cap_per_month = models.PositiveSmallIntegerField(
        _("reviews per reviewer per month"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("Across all calls: invitations received in the current calendar month."),
    )
    conflict_years = models.PositiveSmallIntegerField(
        _("years a shared affiliation counts as a conflict"),
        default=3,
        validators=[MaxValueValidator(20)],
        help_text=_("A reviewer who worked at a team member's organisation within this many years is not asked."),
    )

    base_form_class = ResearchCallAdminForm
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("themes"), FieldPanel("sdg_targets"), FieldPanel("methods"), FieldPanel("groups")],
            heading=_("Human rights, SDGs and methods"),
        ),
        MultiFieldPanel(
            [
                HelpPanel(content=_("Dates and times are in the city's time zone.")),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("two_stage"),
                FieldPanel("full_proposal_closes_at"),
                FieldPanel("duration_months"),
            ],
            heading=_("Dates"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("consultation_opens_at"),
                FieldPanel("consultation_questions"),
                FieldPanel("consultation_open_to_all"),
            ],
            heading=_("Public consultation (optional)"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("budget_min"), FieldPanel("budget_max")]), FieldPanel("currency")],
            heading=_("Budget"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("early_career"),
                FieldPanel("early_career_share"),
                FieldPanel("cross_border"),
                FieldPanel("required_languages"),
            ],
            heading=_("Eligibility"),
        ),
        MultiFieldPanel([FieldPanel("data_protection"), FieldPanel("ethics")], heading=_("Data protection and ethics")),
        MultiFieldPanel(
            [
                HelpPanel(content=_("Reviewers score each criterion from 0 to 5. The weights must add up to 100.")),
                InlinePanel("criteria", label=_("Criterion"), min_num=1),
                FieldPanel("blind_review"),
                FieldPanel("sealed"),
            ],
            heading=_("Evaluation"),
        ),
        # Reviewer matching and load (issue 18 §2, "reviewers").
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("reviews_per_proposal"), FieldPanel("conflict_years")]),
                FieldRowPanel([FieldPanel("reviewer_cap_per_call"), FieldPanel("reviewer_cap_per_month")]),
            ],
            heading=_("Reviewers and their load"),
        ),
        # Panel (issue 18 §4).
        MultiFieldPanel([FieldPanel("reviewers_see_reviews")], heading=_("Review panel")),
        # Issue 18 §3 (dialogue).
        MultiFieldPanel(
            [
                FieldPanel("review_release"),
                FieldRowPanel([FieldPanel("response_opens_at"), FieldPanel("response_closes_at")]),
            ],
            heading=_("Feedback to applicants"),
        ),
        MultiFieldPanel([FieldPanel("contact_name"), FieldPanel("contact_email")], heading=_("Contact")),
        # Issue 18 §1 (forms): the application form per stage and the review questions.
        MultiFieldPanel(
            [
                HelpPanel(
                    content=_(
                        "Questions applicants answer besides title, summary, methods, budget and team. A question "
                        "can show only when an earlier one has a given answer; hidden questions are not required."
                    )
                ),
                FieldPanel("application_form"),
                FieldPanel("full_application_form"),
                FieldPanel("review_questions"),
            ],
            heading=_("Application and review forms"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("consultation_questions"),
        index.FilterField("opens_at"),
        index.FilterField("closes_at"),
        index.FilterField("organisation"),
    ]
    parent_page_types = ["profiles.CityPage"]
    subpage_types: list[str] = []
    template = "calls/research_call_page.html"

    class Meta:
        verbose_name = _("research call")
        indexes = [models.Index(fields=["closes_at"]), models.Index(fields=["opens_at"])]

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.depth:
            self.inherit_from_city()
        super().save(*args, **kwargs)

    def serve_preview(self, request, mode_name):
        """The admin preview shows the page as the public sees it, status and time left included."""
        from calls.views.public import serve_call  # cycle: the views import these models

        if self.organisation_id is None and self.depth:
            self.inherit_from_city()
        return serve_call(request, self)

    def inherit_from_city(self, city_page=None) -> None:
        """The owning organisation and its time zone come from the CityPage above."""
        city = (city_page or self.get_parent()).specific
        organisation = getattr(city, "organisation", None)
        if organisation is not None:
            self.organisation = organisation
            self.time_zone = organisation.time_zone

    def clean(self):
        super().clean()
        errors = {}
        if self.budget_max is not None and self.budget_min is not None and self.budget_max < self.budget_min:
            errors["budget_max"] = _("The maximum budget must not be below the minimum.")
        if self.opens_at and self.closes_at:
            errors.update(deadlines.dates_problems(self.dates))
        if self.two_stage and not self.full_proposal_closes_at:
            errors["full_proposal_closes_at"] = _("A two-stage call needs a deadline for full proposals.")
        if not self.two_stage and self.full_proposal_closes_at:
            errors["full_proposal_closes_at"] = _("Only two-stage calls have a second deadline; clear this date.")
        if self.early_career == self.EarlyCareer.RESERVED and not self.early_career_share:
            errors["early_career_share"] = _("Say which share of the budget is reserved for early-career researchers.")
        if self.consultation_opens_at and not self.consultation_questions.strip():
            errors["consultation_questions"] = _("Give the draft questions the public is asked to comment on.")
        errors.update(self.response_stage_problems())
        if errors:
            raise ValidationError(errors)

    def response_stage_problems(self) -> dict:
        """Issue 18 §3: a response stage needs its two dates, in order, after the last submission deadline."""
        if self.review_release != "response_stage":
            return {}
        if not self.response_opens_at or not self.response_closes_at:
            return {"response_opens_at": _("A response stage needs the dates it opens and closes.")}
        if self.response_closes_at <= self.response_opens_at:
            return {"response_closes_at": _("Responses must be due after the response stage opens.")}
        last = self.full_proposal_closes_at if self.two_stage and self.full_proposal_closes_at else self.closes_at
        if last and self.response_opens_at < last:
            return {"response_opens_at": _("The response stage opens after the deadline for proposals.")}
        return {}

    @property
    def dates(self) -> deadlines.CallDates:
        return deadlines.CallDates(
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            consultation_opens_at=self.consultation_opens_at,
            full_proposal_closes_at=self.full_proposal_closes_at,
            awarded_at=self.awarded_at,
            cancelled_at=self.cancelled_at,
        )

    def status_at(self, now: dt.datetime) -> deadlines.Status:
        return deadlines.call_status(self.dates, now)

    @cached_property
    def status(self) -> deadlines.Status:
        return self.status_at(timezone.now())

    @property
    def status_label(self) -> str:
        return str(deadlines.STATUS_LABELS[self.status])

    def accepts_submissions(self, *, full_stage: bool = False, now: dt.datetime | None = None) -> bool:
        return deadlines.accepts_submissions(self.dates, now or timezone.now(), full_stage=full_stage)

    def deadline_for(self, *, full_stage: bool) -> dt.datetime:
        return deadlines.submission_deadline(self.dates, full_stage=full_stage)

    @property
    def local_closes_at(self) -> dt.datetime:
        return deadlines.to_local(self.closes_at, self.time_zone)

    @property
    def local_opens_at(self) -> dt.datetime:
        return deadlines.to_local(self.opens_at, self.time_zone)

    def form_for(self, *, full_stage: bool):
        """The application form (StreamField) applicants of this stage answer."""
        return self.full_application_form if full_stage and self.two_stage else self.application_form

    @property
    def in_consultation(self) -> bool:
        return self.status == deadlines.Status.CONSULTATION


class EvaluationCriterion(Orderable):
    """One weighted criterion reviewers score from 0 to 5."""

    call = ParentalKey(ResearchCall, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=1000)
    weight = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("weight")]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"
