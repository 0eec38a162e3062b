"""Coordinators and staff without an authenticator app are sent to set one up before anything else."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from hub.resilience import CONNECTION_ERRORS, database_unavailable
from profiles.mfa import mfa_missing, mfa_satisfied_remember, mfa_satisfied_remembered

# What such a user may still open: allauth's own pages (setting up two-factor authentication,
# reauthenticating, signing out, email and password), the admin's sign-out and the language switcher.
ALLOWED_URL_NAMES = {"set_language", "wagtailadmin_logout"}


def _allowed(request) -> bool:
    path = request.path_info
    if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return True  # a 404 shows nothing private
    return match.func.__module__.startswith("allauth.") or match.url_name in ALLOWED_URL_NAMES


class MfaRequiredMiddleware:
    """Redirect a signed-in coordinator, superuser or staff member without TOTP to its activation page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        try:
            blocked = self._blocked(request, user)
        except CONNECTION_ERRORS:
            return database_unavailable(request)  # never let the check fail open, nor as a 500
        if blocked:
            messages.warning(
                request,
                _(
                    "Network coordinators and administrators must use two-factor authentication. "
                    "Set up an authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _blocked(request, user) -> bool:
        if user is None or not user.is_authenticated or mfa_satisfied_remembered(request, user):
            return False
        if _allowed(request):
            return False
        if mfa_missing(user):
            return True
        mfa_satisfied_remember(request, user)
        return False
