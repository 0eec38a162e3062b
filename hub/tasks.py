"""Background tasks of the hub: sending email off the request cycle."""

from django.core.mail import EmailMultiAlternatives

from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None, html: str = "") -> int:
    """Send one email; enqueued so that a slow mail server never slows a page."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
