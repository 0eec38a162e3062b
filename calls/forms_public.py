"""Front-end and small admin forms about calls: consultation comments, moderation, reuse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import ConsultationComment
from profiles.models import CityPage


class ConsultationCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment on the draft questions"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Published after the city's moderation, with your name and organisation. Up to 4,000 characters."),
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("reject", _("Do not publish"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason (required when not publishing)"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the comment is not published."))
        return cleaned


class UptakeForm(forms.Form):
    uptake = forms.ChoiceField(label=_("Did the city take it up?"), choices=ConsultationComment.Uptake.choices)
    response = forms.CharField(
        label=_("Public response"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class UseAsTemplateForm(forms.Form):
    city_page = forms.ModelChoiceField(
        label=_("Start the new call for"), queryset=CityPage.objects.none(), empty_label=None
    )

    def __init__(self, *args, city_pages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city_page"].queryset = city_pages
