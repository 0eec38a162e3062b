"""django-allauth adapters: emails name the site, link to its canonical address and leave through the task queue."""

from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter

from hub.client_address import client_address
from hub.mail import queue_email
from profiles.emails import normalise_email
from profiles.mfa import mfa_required


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

    def save_user(self, request, user, form, commit=True):
        if not commit:
            return super().save_user(request, user, form, commit=False)
        try:
            with transaction.atomic():
                return super().save_user(request, user, form, commit=True)
        except IntegrityError:
            # A concurrent sign-up with this address was stored first: answer exactly as for a known address
            # (allauth's "account already exists" email and the usual "check your inbox" page), never a 500.
            raise ImmediateHttpResponse(prevent_enumeration(request, email=form.cleaned_data.get("email"))) from None

    def clean_email(self, email: str) -> str:
        # Sign-up, email change and password reset compare and store one canonical form: variants of an address
        # (case, composed or decomposed accents, a punycode domain) find the existing account (profiles.emails).
        return normalise_email(super().clean_email(email))

    def authenticate(self, request, **credentials):
        # Sign-in by any variant of the address, and one failed-attempts counter per mailbox.
        if credentials.get("email"):
            credentials["email"] = normalise_email(credentials["email"])
        return super().authenticate(request, **credentials)

    def get_client_ip(self, request) -> str:
        # The sign-in limits and security emails use the site's one trusted-proxy rule, as the API does.
        return client_address(request)

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
        queue_email(
            subject=message.subject, body=message.body, to=list(message.to), from_email=message.from_email, html=html
        )


class LoginForm(AllauthLoginForm):
    """Allauth's sign-in form (ACCOUNT_FORMS["login"]) taking any variant of the address (profiles.emails)."""

    def clean_login(self) -> str:
        # Normalised here, not only in the adapter: allauth checks that the very address typed is verified.
        return normalise_email(super().clean_login())


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """Those who must use two-factor authentication cannot switch off their authenticator app."""
        return not (authenticator.type == authenticator.Type.TOTP and mfa_required(authenticator.user))
