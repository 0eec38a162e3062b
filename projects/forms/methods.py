"""The form a partnership's research team uses to propose a method or a tool (it only validates)."""

import csv

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

import filetype

from projects.selectors.methods import methods_for_choice

MAX_TOOL_BYTES = 10 * 1024 * 1024
TOOL_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TOOL_ACCEPT = ".pdf,.docx,.odt,.xlsx,.csv," + ",".join(TOOL_TYPES.values()) + ",text/csv"
TEXTAREA = {"rows": 5}


def _looks_like_csv(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The sample may end inside a multi-byte character.
        if error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    try:
        csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t")
    except csv.Error:
        return len(lines) > 0 and "," in lines[0]
    return True


def validate_tool_file(upload) -> None:
    """PDF, DOCX, ODT, XLSX or CSV, recognised by content (not by name), at most 10 MB."""
    name = getattr(upload, "name", "") or "The file"
    size = getattr(upload, "size", 0) or 0
    if size > MAX_TOOL_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; tool files may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_TOOL_BYTES)}
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is not None and kind.extension in TOOL_TYPES and TOOL_TYPES[kind.extension] == kind.mime:
        if kind.extension == "pdf" and not head.startswith(b"%PDF-"):
            raise ValidationError(_("“%(name)s” is not a valid PDF document.") % {"name": name})
        return
    if kind is None and extension == "csv" and _looks_like_csv(head):
        return
    raise ValidationError(
        _("“%(name)s” is not a PDF, Word (DOCX), OpenDocument text (ODT), Excel (XLSX) or CSV file.") % {"name": name}
    )


class MethodProposalForm(forms.Form):
    """A new method (title, summary, guidance) or a tool for an existing method (link or file)."""

    KIND_METHOD = "method"
    KIND_TOOL = "tool"

    kind = forms.ChoiceField(
        label=_("What do you propose?"),
        choices=[(KIND_METHOD, _("A new method")), (KIND_TOOL, _("A tool or template for an existing method"))],
        widget=forms.RadioSelect,
        initial=KIND_METHOD,
    )
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("The method's name, or the tool's title."))
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("New method: one or two sentences for the methods list (up to 600 characters)."),
    )
    what_it_is = forms.CharField(
        label=_("What it is"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("New method: how the method works. Separate paragraphs with a blank line."),
    )
    when_to_use = forms.CharField(
        label=_("When to use it"), max_length=10000, required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    ethics = forms.CharField(
        label=_("Ethics and participation"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Consent, risks for participants, and how the people concerned take part."),
    )
    method_page = forms.ModelChoiceField(
        label=_("Method the tool is for"),
        queryset=None,
        required=False,
        empty_label=_("Choose a method"),
    )
    description = forms.CharField(
        label=_("What the tool is for"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(
        label=_("Link to the tool"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A web address, or upload the file below."),
    )
    file = forms.FileField(
        label=_("Tool file"),
        required=False,
        help_text=_("PDF, DOCX, ODT, XLSX or CSV, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": TOOL_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method_page"].queryset = methods_for_choice()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_tool_file(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == self.KIND_METHOD:
            for name, message in (
                ("summary", _("Give a short summary of the method.")),
                ("what_it_is", _("Explain what the method is.")),
            ):
                if not (cleaned.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, message)
        elif kind == self.KIND_TOOL:
            if not cleaned.get("method_page") and "method_page" not in self.errors:
                self.add_error("method_page", _("Choose the method the tool is for."))
            if not cleaned.get("url") and not cleaned.get("file") and not {"url", "file"} & set(self.errors):
                self.add_error("url", _("Give a link to the tool or upload its file."))
            if cleaned.get("url") and cleaned.get("file"):
                self.add_error("file", _("Give either a link or a file, not both."))
        if self.errors and self.files.get("file"):
            self.add_error(None, _("For your safety the file was not kept: choose it again before you send."))
        return cleaned
