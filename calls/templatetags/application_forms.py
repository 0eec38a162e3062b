"""Template tags of the call's own questions: a review's answers to the call's review questions, in their order."""

from django import template

from calls import application_forms

register = template.Library()


@register.simple_tag
def review_answers(assignment, call) -> list[dict]:
    """``[{"key", "label", "answer"}]``: the call's review questions answered, then answers to removed questions."""
    return application_forms.review_answers(
        call.review_questions.get_prep_value(), getattr(assignment, "answers", None)
    )
