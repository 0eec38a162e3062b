"""Forms of issue 18 §3: a comment (or reply) on a proposal, and the team's response to the released reviews."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Audience
from calls.services.dialogue import MAX_COMMENT, MAX_RESPONSE
from calls.validators import MAX_ATTACHMENT_BYTES, validate_pdf


class CommentForm(forms.Form):
    """A new comment (``parent`` empty) or a reply; the audience is chosen only for a new comment."""

    body = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 5}), strip=True
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), widget=forms.RadioSelect, required=False)
    mentions = forms.TypedMultipleChoiceField(
        label=_("Mention (they are notified)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people who can read the comment are listed; check that the audience fits them."),
    )
    attachment = forms.FileField(
        label=_("Attach a PDF"),
        required=False,
        help_text=_("PDF only, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "application/pdf,.pdf",
                "data-max-bytes": MAX_ATTACHMENT_BYTES,
                "data-too-big": _("This file is larger than 10 MB; attachments may be at most 10 MB."),
            }
        ),
    )
    parent = forms.IntegerField(
        label=_("The comment you reply to"), widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )
    idempotency_key = forms.UUIDField(label=_("Form key"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, audiences: list[str], candidates: list, **kwargs):
        kwargs.setdefault("initial", {"idempotency_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        labels = dict(Audience.choices)
        self.fields["visibility"].choices = [(a, labels[a]) for a in audiences]
        if len(audiences) == 1:
            self.fields["visibility"].initial = audiences[0]
        self.fields["mentions"].choices = [(person.pk, label) for person, label in candidates]
        if not candidates:
            del self.fields["mentions"]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_pdf(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("parent") and not cleaned.get("visibility") and "visibility" not in self.errors:
            self.add_error("visibility", _("Choose who may read the comment."))
        return cleaned


class ResponseForm(forms.Form):
    """The team's answer to the released reviews, sent as a new version."""

    response = forms.CharField(
        label=_("Your response to the reviews"),
        max_length=MAX_RESPONSE,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("The reviewers and the city read it with the next version of your proposal."),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
