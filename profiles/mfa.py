"""Two-factor authentication: who must use it, and giving an account an authenticator app."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from profiles.services import is_coordinator


def mfa_required(user) -> bool:
    """Network coordinators, superusers and staff must sign in with a second factor."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or is_coordinator(user)))


def has_totp(user) -> bool:
    """Whether the user has an active authenticator app."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# The session remembers for a while that its user needs nothing more, so that ordinary pages cost
# no extra queries; a user made coordinator meanwhile is checked again within RECHECK_SECONDS.
SESSION_KEY = "profiles.mfa_satisfied"
RECHECK_SECONDS = 300


def mfa_missing(user) -> bool:
    """Whether the user must use two-factor authentication but has no authenticator app yet."""
    return mfa_required(user) and not has_totp(user)


def mfa_satisfied_remembered(request, user) -> bool:
    state = request.session.get(SESSION_KEY)
    return bool(state and state[0] == user.pk and state[1] > time.time())


def mfa_satisfied_remember(request, user) -> None:
    request.session[SESSION_KEY] = [user.pk, time.time() + RECHECK_SECONDS]


def check_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: settle the question once, while signing in."""
    if request is not None and hasattr(request, "session") and not mfa_missing(user):
        mfa_satisfied_remember(request, user)


def totp_activate(*, user, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with a known base32 ``secret`` (demo and test accounts only)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app with ``secret`` shows now (or at the Unix time ``at``)."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
