"""StreamField blocks shared by every page type."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading; level 2 or 3 keeps the document outline valid."""

    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2")

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        description = _("A section heading")
        preview_value = {"text": "How the platform works", "level": "h2"}


class CallToActionBlock(blocks.StructBlock):
    """A highlighted link inviting the reader to act."""

    text = blocks.CharBlock(max_length=200)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False)
    label = blocks.CharBlock(max_length=60)

    class Meta:
        icon = "link"
        template = "blocks/call_to_action_block.html"
        description = _("A short invitation with a button")
        preview_value = {"text": "Cities: post a research call", "label": "Get started", "url": "/accounts/signup/"}


class QuoteBlock(blocks.StructBlock):
    """A quotation with its source."""

    quote = blocks.TextBlock()
    source = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        description = _("A quotation with its source")
        preview_value = {"quote": "Human rights go local.", "source": "Gwangju Declaration"}


class BodyBlock(blocks.StreamBlock):
    """The body of editorial pages."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        template="blocks/paragraph_block.html",
        icon="pilcrow",
        description=_("Rich text"),
        preview_value="<p>Local governments commission research on human rights.</p>",
    )
    image = ImageBlock(template="blocks/image_block.html", description=_("An image with alt text"))
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
