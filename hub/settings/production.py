"""Production: every secret comes from the environment and has no default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, CONTENT_SECURITY_POLICY, ENV, SECRET_KEY

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (comma-separated).")

_https = ENV.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _https
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = int(ENV.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in ENV.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SESSION_COOKIE_HTTPONLY = True
SHOW_DEMO_PASSWORDS = False
if _https:
    # Behind TLS: a stray http:// address in a page is fetched over HTTPS too, never in the clear.
    CONTENT_SECURITY_POLICY = {
        **CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},
    }

# Behind nginx (deploy/nginx/bridges.conf): private files are sent by nginx's internal location after the view's
# permission check (hub/private_files.py), e.g. PRIVATE_MEDIA_ACCEL_REDIRECT=/_private/; empty: Django sends them.
PRIVATE_MEDIA_ACCEL_REDIRECT = ENV.get("PRIVATE_MEDIA_ACCEL_REDIRECT", "") or None
# Sessions stay in the database (Django's default engine), shared by every app node: never a per-node store.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# How long the key of a sent email is kept (hub prune_sent_emails, daily); never shorter than the retry window.
SENT_EMAIL_RETENTION_DAYS = int(ENV.get("SENT_EMAIL_RETENTION_DAYS", "90"))
