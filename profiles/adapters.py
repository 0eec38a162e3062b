"""django-allauth adapters: emails name the site, link to its canonical address and leave through the task queue."""

from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter

from hub.tasks import send_email


def canonical_url(path: str) -> str:
    """``path`` on the site's configured address (SITE_BASE_URL), never on the Host a request claims."""
    return settings.SITE_BASE_URL + path


class AccountAdapter(DefaultAccountAdapter):
    # Links in emails are built from SITE_BASE_URL: a forged Host header must not turn a
    # password-reset or confirmation link into one that leaks its key to another site.
    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return canonical_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return canonical_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        if request is not None:
            # Other links allauth builds from the request (signup, password reset pages).
            request_base = request.build_absolute_uri("/")[:-1]
            context = {
                key: canonical_url(value[len(request_base) :])
                if isinstance(value, str) and value.startswith(request_base + "/")
                else value
                for key, value in context.items()
            }
        ctx = {
            "request": request,
            "email": email,
            "current_site": SimpleNamespace(
                name=settings.WAGTAIL_SITE_NAME, domain=urlsplit(settings.SITE_BASE_URL).netloc
            ),
            **context,
        }
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        send_email.enqueue(
            subject=message.subject, body=message.body, to=list(message.to), from_email=message.from_email, html=html
        )


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """Those who must use two-factor authentication cannot switch off their authenticator app."""
        from profiles.mfa import mfa_required

        return not (authenticator.type == authenticator.Type.TOTP and mfa_required(authenticator.user))
