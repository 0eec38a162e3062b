"""django-allauth adapter: emails name the site and leave through the background task queue."""

from types import SimpleNamespace

from django.conf import settings

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context

from hub.tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        domain = request.get_host() if request is not None else settings.SITE_BASE_URL.split("://")[-1]
        ctx = {
            "request": request,
            "email": email,
            "current_site": SimpleNamespace(name=settings.WAGTAIL_SITE_NAME, domain=domain),
            **context,
        }
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        send_email.enqueue(
            subject=message.subject, body=message.body, to=list(message.to), from_email=message.from_email, html=html
        )
