"""Site settings editable in the Wagtail admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Footer text, contact address and default licence note."""

    footer_text = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        default=(
            "<p>Bridges connects local governments and researchers to promote human rights. "
            "Content is licensed CC BY 4.0 unless stated otherwise.</p>"
        ),
    )
    contact_email = models.EmailField(blank=True, default="hello@bridges.example")
    small_cell_threshold = models.PositiveSmallIntegerField(
        default=5,
        help_text=_("The site minimum: public aggregates hide counts below this; a dataset may set more, never less."),
    )

    embargo_max_months = models.PositiveSmallIntegerField(
        default=24, help_text=_("The longest embargo researchers may set on a result, in months.")
    )

    panels = [
        FieldPanel("footer_text"),
        FieldPanel("contact_email"),
        FieldPanel("small_cell_threshold"),
        FieldPanel("embargo_max_months"),
    ]

    class Meta:
        verbose_name = _("site settings")
