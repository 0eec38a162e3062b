"""Plain-text contexts (email subjects and bodies) are never HTML-escaped; HTML emails escape once."""

from pathlib import Path

from django.conf import settings
from django.core import mail
from django.template import TemplateSyntaxError
from django.urls import NoReverseMatch

import pytest

from hub.mail import render_subject, render_text, send_templated

TEXT = 'Ageing in place: older tenants\' <housing> rights & "care"'
ESCAPES = ("&#x27;", "&#39;", "&amp;", "&lt;", "&gt;", "&quot;")


class Anything(str):
    """Every attribute, key and call of it is itself: a template renders each variable as TEXT."""

    def __new__(cls):
        return super().__new__(cls, TEXT)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __getitem__(self, key):
        return Anything()

    def __iter__(self):
        return iter(())

    def __call__(self, *args, **kwargs):
        return Anything()


class AnyContext(dict):
    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return Anything()


def _text_templates() -> list[str]:
    root = Path(settings.BASE_DIR) / "templates"
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.txt")
        if "email" in path.parts and "account" not in path.parts
    )


@pytest.mark.parametrize("template_name", _text_templates())
def test_plain_text_templates_are_never_html_escaped(template_name):
    try:
        rendered = render_text(template_name, AnyContext())
    except (NoReverseMatch, TemplateSyntaxError, KeyError, TypeError, ValueError):
        pytest.skip("needs real objects (links, counts, dates); its flow's tests render it")
    for escape in ESCAPES:
        assert escape not in rendered, f"{template_name} escapes: {rendered[:300]}"


def test_subjects_are_one_line_and_read_as_typed():
    subject = render_subject("calls/email/call_cancelled_subject.txt", {"call": {"title": TEXT}})
    assert subject == f"Call cancelled: {TEXT}"


@pytest.mark.django_db
def test_a_templated_email_escapes_only_its_html_part(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call = {"title": TEXT, "cancellation_reason": "Budget <cut> & moved", "organisation": {"name": "Graz"}}
    send_templated("calls/email/call_cancelled", {"call": call}, ["team@example.org"])
    message = mail.outbox[-1]
    assert message.subject == f"Call cancelled: {TEXT}"
    assert TEXT in message.body and "Budget <cut> & moved" in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    if html:
        assert "older tenants&#x27; &lt;housing&gt; rights &amp;" in html
        assert "&amp;amp;" not in html and "&amp;#x27;" not in html
