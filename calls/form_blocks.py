"""The question blocks a city builds its call's application form and review form from (StreamFields)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
FILE_TYPES = [
    ("pdf", _("PDF document")),
    ("docx", _("Word document (.docx)")),
    ("xlsx", _("Spreadsheet (.xlsx)")),
    ("odt", _("OpenDocument text (.odt)")),
    ("png", _("PNG image")),
    ("jpg", _("JPEG image")),
]
# Questions another question's display may depend on: their answers are short and comparable.
CONDITION_SOURCES = ("short_text", "choice", "multiple_choice", "consent", "number")


class QuestionBlock(blocks.StructBlock):
    """What every question has: a stable key, its label, help, whether it is needed, and when it shows."""

    key = blocks.CharBlock(
        max_length=40,
        validators=[
            RegexValidator(KEY_PATTERN, _("Lower-case letters, digits and _ only, starting with a letter (e.g. q3)."))
        ],
        help_text=_("A short stable name (e.g. community_partner). Keep it when you reword the question."),
    )
    label = blocks.CharBlock(max_length=300, label=_("Question"))
    help_text = blocks.TextBlock(required=False, max_length=1000)
    required = blocks.BooleanBlock(required=False, default=True, help_text=_("Needed to submit (when shown)."))
    show_when_key = blocks.CharBlock(
        required=False,
        max_length=40,
        label=_("Show only when question (key)"),
        help_text=_("Optional: the key of an earlier choice, consent, number or short-text question."),
    )
    show_when_value = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("… has the answer"),
        help_text=_("For a consent question: yes or no. For multiple choice: one of the options."),
    )

    class Meta:
        icon = "help"


class TextQuestionBlock(QuestionBlock):
    max_words = blocks.IntegerBlock(required=False, min_value=1, max_value=5000, help_text=_("Optional word limit."))


class ShortTextBlock(TextQuestionBlock):
    """A one-line answer."""

    class Meta:
        icon = "pilcrow"
        description = _("A one-line answer, with an optional word limit")
        preview_value = {"key": "acronym", "label": "Project acronym", "required": True, "max_words": 3}


class LongTextBlock(TextQuestionBlock):
    """A free-text answer of several paragraphs."""

    class Meta:
        icon = "doc-full"
        description = _("A longer answer, with an optional word limit")
        preview_value = {"key": "impact", "label": "Expected impact on policy", "required": True, "max_words": 300}


class ChoiceBlock(QuestionBlock):
    """One answer out of the options."""

    choices = blocks.TextBlock(max_length=4000, label=_("Options"), help_text=_("One option a line."))

    class Meta:
        icon = "list-ul"
        description = _("One answer out of several options")
        preview_value = {"key": "partner", "label": "Do you work with a community partner?", "choices": "yes\nno"}


class MultipleChoiceBlock(ChoiceBlock):
    """Any number of the options."""

    class Meta:
        icon = "tasks"
        description = _("Any number of the options")
        preview_value = {"key": "groups", "label": "Groups involved", "choices": "Older persons\nMigrants"}


class NumberBlock(QuestionBlock):
    """A number within an optional range."""

    min_value = blocks.DecimalBlock(required=False, label=_("Smallest allowed"))
    max_value = blocks.DecimalBlock(required=False, label=_("Largest allowed"))

    class Meta:
        icon = "order"
        description = _("A number, optionally within a range")
        preview_value = {"key": "participants", "label": "Number of participants", "min_value": 1}


class DateBlock(QuestionBlock):
    """A calendar date."""

    class Meta:
        icon = "date"
        description = _("A date")
        preview_value = {"key": "start", "label": "Planned start date"}


class BudgetTableBlock(QuestionBlock):
    """An amount per budget category the city lists; the total is computed."""

    categories = blocks.TextBlock(max_length=4000, label=_("Budget categories"), help_text=_("One category a line."))

    class Meta:
        icon = "table"
        description = _("An amount per budget category, with the total")
        preview_value = {"key": "budget_table", "label": "Budget", "categories": "Staff\nFieldwork\nTravel"}


class FileBlock(QuestionBlock):
    """An uploaded file, checked by its content, of the allowed types and size."""

    allowed_types = blocks.MultipleChoiceBlock(choices=FILE_TYPES, default=["pdf"])
    max_size_mb = blocks.IntegerBlock(default=10, min_value=1, max_value=10, label=_("Largest size (MB)"))

    class Meta:
        icon = "doc-empty"
        description = _("A file of the allowed types, at most 10 MB")
        preview_value = {"key": "letter", "label": "Letter of support", "allowed_types": ["pdf"], "max_size_mb": 5}


class TeamTableBlock(QuestionBlock):
    """Rows of people (name, role, affiliation), e.g. staff not on the platform."""

    max_rows = blocks.IntegerBlock(default=6, min_value=1, max_value=20)

    class Meta:
        icon = "group"
        description = _("A table of people: name, role and affiliation")
        preview_value = {"key": "staff", "label": "Project staff", "max_rows": 4}


class ConsentBlock(QuestionBlock):
    """A statement the applicant ticks (required: must be ticked to submit)."""

    class Meta:
        icon = "tick"
        description = _("A statement to tick, e.g. consent to data processing")
        preview_value = {"key": "consent", "label": "I agree that the city processes the data of this application."}


class SectionHeadingBlock(blocks.StructBlock):
    """A heading (and optional text) that groups the questions after it."""

    heading = blocks.CharBlock(max_length=200)
    text = blocks.TextBlock(required=False, max_length=1000)

    class Meta:
        icon = "title"
        description = _("A section heading with optional text")
        preview_value = {"heading": "Partners", "text": "Tell us who you work with."}


def _check_keys(value, questions: set[str]) -> None:
    """Keys unique; a condition names an earlier question whose answer can be compared."""
    seen: dict[str, str] = {}
    errors = {}
    for index, child in enumerate(value):
        if child.block_type not in questions:
            continue
        key = child.value.get("key")
        when = (child.value.get("show_when_key") or "").strip()
        if key in seen:
            errors[index] = StructBlockValidationError(
                {"key": ValidationError(_("Another question already uses the key “%(key)s”.") % {"key": key})}
            )
        elif when and when not in seen:
            errors[index] = StructBlockValidationError(
                {"show_when_key": ValidationError(_("Name the key of an earlier question."))}
            )
        elif when and seen[when] not in CONDITION_SOURCES:
            errors[index] = StructBlockValidationError(
                {
                    "show_when_key": ValidationError(
                        _("A question can depend only on a choice, consent, number or short text.")
                    )
                }
            )
        elif when and not (child.value.get("show_when_value") or "").strip():
            errors[index] = StructBlockValidationError(
                {"show_when_value": ValidationError(_("Say which answer shows this question."))}
            )
        seen.setdefault(key, child.block_type)
    if errors:
        raise blocks.StreamBlockValidationError(block_errors=errors)


class ApplicationFormBlock(blocks.StreamBlock):
    """The questions of a call's application form, in order."""

    heading = SectionHeadingBlock()
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    choice = ChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    number = NumberBlock()
    date = DateBlock()
    budget_table = BudgetTableBlock()
    file = FileBlock()
    team_table = TeamTableBlock()
    consent = ConsentBlock()

    def clean(self, value):
        value = super().clean(value)
        _check_keys(value, set(self.child_blocks) - {"heading"})
        return value


class ReviewQuestionBlock(blocks.StructBlock):
    """A free-text question every reviewer of the call answers beside the scores."""

    key = blocks.CharBlock(
        max_length=40,
        validators=[RegexValidator(KEY_PATTERN, _("Lower-case letters, digits and _ only, starting with a letter."))],
    )
    label = blocks.CharBlock(max_length=300, label=_("Question"))
    help_text = blocks.TextBlock(required=False, max_length=1000)
    required = blocks.BooleanBlock(required=False, default=True)
    max_words = blocks.IntegerBlock(required=False, min_value=1, max_value=5000)

    class Meta:
        icon = "help"
        description = _("A free-text question for the reviewers")
        preview_value = {"key": "strengths", "label": "Main strengths", "required": True, "max_words": 200}


class ReviewFormBlock(blocks.StreamBlock):
    """The call's free-text review questions, in order."""

    question = ReviewQuestionBlock()

    def clean(self, value):
        value = super().clean(value)
        seen, errors = set(), {}
        for index, child in enumerate(value):
            key = child.value.get("key")
            if key in seen:
                errors[index] = StructBlockValidationError(
                    {"key": ValidationError(_("Another question already uses the key “%(key)s”.") % {"key": key})}
                )
            seen.add(key)
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return value
