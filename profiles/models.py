"""Users, organisations, memberships, researcher profiles and the public CityPage."""

import zoneinfo

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from hub.blocks import BodyBlock
from hub.public_address import PublicAddressMixin
from hub.translation import in_reader_language, page_fields
from hub.versioning import EditVersionField
from profiles.emails import normalise_email
from profiles.validators import validate_doi, validate_logo, validate_orcid

FORMER_MEMBER = _("former member")


def time_zone_choices() -> list[tuple[str, str]]:
    """IANA time zones known to this machine (a callable keeps them out of migrations)."""
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class UserManager(DjangoUserManager):
    """Email is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. ``account_type`` says how they mainly use Bridges."""

    class AccountType(models.TextChoices):
        RESEARCHER = "researcher", _("Researcher (including students and early-career researchers)")
        ORGANISATION = "organisation", _("Member of an organisation (city, NHRI, civil society, network …)")

    username = None
    email = models.EmailField(_("email address"), unique=True)
    account_type = models.CharField(max_length=20, choices=AccountType.choices, default=AccountType.RESEARCHER)
    # Issue 18 §3: how the notification centre emails this person (profiles/notify.py).
    notification_email = models.CharField(
        _("email me about notifications"),
        max_length=8,
        choices=[
            ("instant", _("At once, one email each")),
            ("daily", _("Once a day, in one digest")),
            ("none", _("Never (I read them on the site)")),
        ],
        default="instant",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]
        # The researcher directory lists profiles by their user's name (ResearcherProfile.Meta.ordering).
        indexes = [models.Index(fields=["last_name", "first_name"], name="user_name_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def is_researcher(self) -> bool:
        return self.account_type == self.AccountType.RESEARCHER


class Organisation(index.Indexed, models.Model):
    """A local or regional government, university, institute, NHRI, CSO, network or IO."""

    class Kind(models.TextChoices):
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        REGIONAL_GOVERNMENT = "regional_government", _("Regional government")
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        NHRI = "nhri", _("National human rights institution")
        CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
        CITY_NETWORK = "city_network", _("City network")
        INTERNATIONAL = "international", _("International organisation")

    GOVERNMENT_KINDS = (Kind.LOCAL_GOVERNMENT, Kind.REGIONAL_GOVERNMENT)

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    country = models.ForeignKey("hub.Country", on_delete=models.PROTECT, related_name="organisations")
    city = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, max_length=5000)
    logo = models.ImageField(
        upload_to="logos/", blank=True, validators=[validate_logo], help_text=_("PNG, JPEG or WebP, at most 2 MB.")
    )
    time_zone = models.CharField(max_length=64, default="UTC", choices=time_zone_choices)
    population = models.PositiveIntegerField(null=True, blank=True)
    hr_city_declaration_year = models.PositiveSmallIntegerField(
        _("Human Rights City declaration year"), null=True, blank=True
    )
    hr_city_declaration_url = models.URLField(_("Human Rights City declaration document"), blank=True)
    networks = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="network_members",
        limit_choices_to={"kind": Kind.CITY_NETWORK},
    )
    verified = models.BooleanField(default=False, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    editor_group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="city_organisation", editable=False
    )
    approver_group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="approver_organisation", editable=False
    )
    created_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    edit_version = EditVersionField()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("country"),
        FieldPanel("city"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("logo"),
        FieldPanel("time_zone"),
        FieldPanel("population"),
        FieldPanel("hr_city_declaration_year"),
        FieldPanel("hr_city_declaration_url"),
        FieldPanel("networks"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("city"),
        index.SearchField("description"),
        index.FilterField("kind"),
        index.FilterField("verified"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci")]
        permissions = [("verify_organisation", "Can verify organisations")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", args=[self.slug])

    @property
    def is_government(self) -> bool:
        return self.kind in self.GOVERNMENT_KINDS


class Membership(models.Model):
    """A user's tie to an organisation: role and the state of their request."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Administrator")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    message = models.TextField(blank=True, max_length=1000)
    is_listed = models.BooleanField(default=True, help_text=_("Show me on the organisation's public page."))
    decided_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_status_display()})"


class Visibility(models.TextChoices):
    """Who may see one personal field of a researcher's profile."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in users only")
    HIDDEN = "hidden", _("Only me")


def _visibility_field(default=Visibility.PUBLIC):
    return models.CharField(max_length=8, choices=Visibility.choices, default=default)


class ResearcherProfile(models.Model):
    """A researcher's profile: what they work on, where, in which languages, and who may see which part."""

    class CareerStage(models.TextChoices):
        STUDENT = "student", _("Student")
        EARLY_CAREER = "early_career", _("Early-career researcher")
        ESTABLISHED = "established", _("Established researcher")

    # The personal fields whose visibility the researcher chooses (field name → its visibility field).
    VISIBILITY_FIELDS = {
        "photo": "photo_visibility",
        "affiliation": "affiliation_visibility",
        "orcid": "orcid_visibility",
        "career_stage": "career_stage_visibility",
        "countries": "countries_visibility",
        "languages": "languages_visibility",
        "bio": "bio_visibility",
        "publications": "publications_visibility",
        "availability": "availability_visibility",
    }

    user = models.OneToOneField("profiles.User", on_delete=models.CASCADE, related_name="researcher_profile")
    photo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    affiliation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="researchers"
    )
    orcid = models.CharField(
        _("ORCID iD"), max_length=19, blank=True, validators=[validate_orcid], help_text=_("e.g. 0000-0002-1825-0097")
    )
    career_stage = models.CharField(max_length=16, choices=CareerStage.choices, default=CareerStage.EARLY_CAREER)
    headline = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, max_length=5000)
    themes = models.ManyToManyField("hub.Theme", blank=True, related_name="researchers")
    sdg_targets = models.ManyToManyField("hub.SDGTarget", blank=True, related_name="researchers")
    methods = models.ManyToManyField("hub.Method", blank=True, related_name="researchers")
    groups = models.ManyToManyField("hub.GroupAtRisk", blank=True, related_name="researchers")
    countries = models.ManyToManyField(
        "hub.Country", blank=True, related_name="researchers", help_text=_("Countries you work in.")
    )
    languages = models.ManyToManyField(
        "hub.Language", blank=True, related_name="researchers", through="profiles.ProfileLanguage"
    )
    is_available = models.BooleanField(_("open to new partnerships"), default=True)
    available_from = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(default=True, help_text=_("List me in the public researcher directory."))

    photo_visibility = _visibility_field()
    affiliation_visibility = _visibility_field()
    orcid_visibility = _visibility_field()
    career_stage_visibility = _visibility_field()
    countries_visibility = _visibility_field()
    languages_visibility = _visibility_field()
    bio_visibility = _visibility_field()
    publications_visibility = _visibility_field()
    availability_visibility = _visibility_field(Visibility.MEMBERS)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        # The home page shows the newest researchers.
        indexes = [models.Index(fields=["created_at"], name="researcher_created_idx")]

    def __str__(self) -> str:
        return self.user.display_name

    def get_absolute_url(self) -> str:
        return reverse("researcher_detail", args=[self.pk])

    @property
    def is_early_career(self) -> bool:
        return self.career_stage in (self.CareerStage.STUDENT, self.CareerStage.EARLY_CAREER)

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class ProfileLanguage(models.Model):
    """A working language of a researcher, with their level."""

    class Level(models.TextChoices):
        NATIVE = "native", _("Native or bilingual")
        FLUENT = "fluent", _("Fluent")
        WORKING = "working", _("Working knowledge")
        BASIC = "basic", _("Basic")

    profile = models.ForeignKey(ResearcherProfile, on_delete=models.CASCADE, related_name="profile_languages")
    language = models.ForeignKey("hub.Language", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.WORKING)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "language"], name="one_level_per_language")]
        ordering = ["language__name"]

    def __str__(self) -> str:
        return f"{self.language} ({self.get_level_display()})"


class Publication(models.Model):
    """A selected publication on a researcher's profile."""

    profile = models.ForeignKey(ResearcherProfile, on_delete=models.CASCADE, related_name="publications")
    title = models.CharField(max_length=500)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)], null=True, blank=True
    )
    doi = models.CharField(_("DOI"), max_length=200, blank=True, validators=[validate_doi])
    url = models.URLField(_("URL"), blank=True, max_length=500)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "-year", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url


class AffiliationPeriod(models.Model):
    """A past or present affiliation of a researcher (organisation and years), for conflicts of interest.

    Shown like the current affiliation (``affiliation_visibility``); a call's city is told only that a reviewer
    shared an organisation with a team within the call's window, and which organisation.
    """

    profile = models.ForeignKey(ResearcherProfile, on_delete=models.CASCADE, related_name="affiliation_history")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="former_researchers")
    start_year = models.PositiveSmallIntegerField(
        _("from"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("until"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text=_("Leave empty if you are still there."),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "-start_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True) | models.Q(end_year__gte=models.F("start_year")),
                name="affiliation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.start_year}–{self.end_year or ''})"


class CitiesIndexPage(PublicAddressMixin, Page):
    """``/cities/``: every verified local and regional government."""

    translatable_fields = page_fields("intro")

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["profiles.CityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from profiles.selectors import city_pages_public  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        # Not "page": Wagtail's template variable for this page is already called that.
        context["cities"] = in_reader_language(Paginator(city_pages_public(), 36).get_page(request.GET.get("page")))
        return context


class CityPage(PublicAddressMixin, Page):
    """The public face of a verified local or regional government; its calls live below it."""

    translatable_fields = page_fields("intro", "body")
    exclude_fields_in_copy = ["organisation"]  # the original is the organisation's page; a translation has its words
    original_only_fields = ("organisation",)

    # Empty on translations only (hub/translation.py): the organisation's page is the original.
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="city_page", null=True, blank=True
    )
    intro = models.TextField(blank=True, help_text=_("What the city does for human rights, in two sentences."))
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["profiles.CitiesIndexPage"]
    subpage_types = ["hub.StandardPage", "calls.ResearchCall"]
    # Created only by verifying an organisation, so that each city has exactly one.
    is_creatable = False

    def get_context(self, request, *args, **kwargs):
        from profiles.selectors import city_page_context  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context.update(city_page_context(self))
        return context


class Notification(models.Model):
    """Something a person should know about, on /dashboard/notifications/ and, per their choice, by email."""

    class Email(models.TextChoices):
        NONE = "none", _("Not emailed")
        PENDING = "pending", _("Waiting for the daily digest")
        SENT = "sent", _("Emailed")

    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.NONE)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["email", "user"], name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return self.message
