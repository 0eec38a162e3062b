"""The Wagtail image and document forms of the site (WAGTAILIMAGES_IMAGE_FORM_BASE, WAGTAILDOCS_DOCUMENT_FORM_BASE).

Images: an animation's frames together count against a limit, read before anything is decoded (Willow's
Pillow plugin counts one frame only, so WAGTAILIMAGES_MAX_IMAGE_PIXELS sees a single frame).
Documents: the content must match the extension.
"""

from django import forms

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from hub.uploads import ANIMATION_MAX_PIXELS, animation_problem, document_problem


class ImageForm(BaseImageForm):
    """Refuses animations whose frames together pass ANIMATION_MAX_PIXELS (stills keep Wagtail's own limit)."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            problem = animation_problem(upload, max_pixels=ANIMATION_MAX_PIXELS)
            if problem:
                raise forms.ValidationError(problem)
        return upload


class DocumentForm(BaseDocumentForm):
    """Refuses a PNG named .pdf, HTML named .csv or an Office file that is a ZIP bomb, with a clear message."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            problem = document_problem(upload, name=getattr(upload, "name", "") or "")
            if problem:
                raise forms.ValidationError(problem)
        return upload
