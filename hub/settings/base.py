"""Settings shared by every environment; safe for production.

The environment is read once, here at the top. Optional integrations switch on
only when their variable is set; see ``.env.example`` for every variable.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import dj_database_url
import dj_email_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

ENV = os.environ
DATABASE_URL = ENV.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
ELASTICSEARCH_URL = ENV.get("ELASTICSEARCH_URL", "")
REDIS_URL = ENV.get("REDIS_URL", "")
EMAIL_URL = ENV.get("EMAIL_URL", "")
SITE_BASE_URL = ENV.get("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [h.strip() for h in ENV.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
SECRET_KEY = ENV.get("SECRET_KEY", "")
# Let Django serve uploads itself (small deployments without a media-serving proxy).
SERVE_MEDIA = ENV.get("SERVE_MEDIA", "") == "1"
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (0 = trust no such header,
# so that a forged one cannot dodge the sign-in rate limits); or the one header a proxy sets.
TRUSTED_PROXY_COUNT = int(ENV.get("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_CLIENT_IP_HEADER = ENV.get("TRUSTED_CLIENT_IP_HEADER", "") or None

INSTALLED_APPS = [
    "hub",
    "profiles",
    "calls",
    "projects",
    "wagtail.contrib.settings",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and the page cache: static files, cached pages and error pages get the headers too.
    "hub.middleware.ContentSecurityPolicyMiddleware",
    "hub.middleware.PermissionsPolicyMiddleware",
    # Outermost of ours: it sees every response last, after any page cache inside it.
    "hub.middleware.PrivateCacheControlMiddleware",
    "hub.middleware.NullCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads request.POST (CSRF): a body over its URL's limit is refused before it reaches the disk.
    "hub.upload_handlers.UploadLimitMiddleware",
    "hub.page_cache.AnonymousPageCacheMiddleware",  # after the language is known, before CSRF/auth/messages
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "profiles.timezones.TimeZoneMiddleware",  # a signed-in member reads times in their organisation's zone
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "profiles.middleware.MfaRequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "hub.middleware.OutOfRangeIdMiddleware",
    # Last, so its process_exception runs first: a lost database connection → 503 "try again".
    "hub.resilience.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "hub.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while the task worker writes. IMMEDIATE: a transaction takes the write
    # lock when it begins, so concurrent saves wait their turn (timeout) instead of failing with
    # "database is locked" when a reader upgrades to a writer.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email is the login; verification is mandatory; rate limits stay on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# Tell the account holder by email when their password, email addresses or two-factor settings change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Signup, sign-in and password reset answer alike whether or not an address has an account;
# signing up with a taken address mails its owner instead of saying so on the page.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bridges] "
ACCOUNT_SIGNUP_FORM_CLASS = "profiles.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "profiles.adapters.AccountAdapter"
# Sign-in by any variant of an address (case, accents, punycode domain): profiles.emails.normalise_email.
ACCOUNT_FORMS = {"login": "profiles.adapters.LoginForm"}
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_email": "1/m/user",
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# The client IP behind the per-IP limits: REMOTE_ADDR unless a proxy is configured above.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER
# Two-factor authentication: an authenticator app (TOTP) with recovery codes; open to all,
# required of network coordinators and staff (profiles.middleware.MfaRequiredMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bridges"
MFA_ADAPTER = "profiles.adapters.MfaAdapter"
# The Wagtail admin signs in through allauth, so its rate limits and two-factor step apply.
WAGTAILADMIN_LOGIN_URL = "admin_login"  # profiles.views.admin_login: on to allauth's sign-in
# Email, password and two-factor changes go through allauth too (verification, re-authentication, rate limits): the
# admin's account screen links there (profiles/wagtail_hooks.py) and has no form of its own for them.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False  # administrators do not set passwords; people reset their own

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content translation (issue 16 §7; hub/translation.py): pages are written in English, and editors translate them
# with wagtail-localize. The English page is the record (proposals, reviews and partnerships point at it); a
# translation holds only the words and is served over it. A page not translated yet is served in English under
# /es/ and /fr/, with the interface in the reader's language.
WAGTAIL_I18N_ENABLED = True
# A translation is published by its translator (or its city's approvers), never at once in English words.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(ENV.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(ENV.get("MEDIA_ROOT", BASE_DIR / "media"))
# Proposal attachments and researcher photos not shown to everyone (profiles.storage): never under MEDIA_ROOT,
# served only through a view that checks who asks.
PRIVATE_MEDIA_ROOT = Path(ENV.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "profiles.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "hub.upload_handlers.UploadLimitHandler",  # first: stops a body past its URL's limit before it is stored
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Larger uploads spool here, a directory of the site's own (created at start) that private_media_sweep cleans.
FILE_UPLOAD_TEMP_DIR = Path(ENV.get("FILE_UPLOAD_TEMP_DIR", PRIVATE_MEDIA_ROOT / "upload-tmp"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
LOGO_MAX_BYTES = 2 * 1024 * 1024
# CSV datasets: the largest accepted upload (streamed to disk, never read whole into memory).
DATASET_MAX_UPLOAD_BYTES = int(ENV.get("DATASET_MAX_UPLOAD_MB", "50")) * 1024 * 1024
# The shared password of demo accounts (seed_demo); shown on the sign-in page only with DEBUG on.
DEMO_PASSWORD = "bridges-demo-2026"
# Whether ``manage.py seed_demo`` may run: its accounts' password and authenticator secret are public, so only
# development and test settings turn this on (a staging site passes --force-demo-in-production instead).
DEMO_CONTENT_ALLOWED = False

if EMAIL_URL:
    _email = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "Bridges <no-reply@bridges.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

if REDIS_URL:
    # hub.cache: while Redis is unreachable, reads miss and writes are dropped (a slower site, not a broken one);
    # short timeouts so that a Redis that does not answer costs a request a second at most.
    CACHES = {
        "default": {
            "BACKEND": "hub.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # MAX_ENTRIES: the page cache's stamps live here too; culling one only costs a recomputation (hub/page_cache.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bridges_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Background tasks (README "Background work"): RQ on Redis through django-tasks-rq (hub/task_queue.py), run by
# ``manage.py task_worker`` on any number of hosts; ``manage.py task_scheduler`` enqueues the periodic jobs of
# hub/schedule.py. Without REDIS_URL, the database queue of one machine (``check --deploy`` warns: it does not run
# again the task of a worker that died).
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "hub.task_queue.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# DEFAULT_TIMEOUT: a task still running after it (a stuck backup, say) is stopped and retried.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 2 * 3600}}
# A failed task, or one whose worker died under it, runs again after each of these delays (seconds), then is given up
# (about 4 h 40 in all: long enough for a mail server to come back).
TASK_RETRY_DELAYS = [60, 5 * 60, 30 * 60, 3600, 3 * 3600]
# Where the scheduled ``backup`` job writes (the same directory on every host that runs workers).
BACKUP_DIR = Path(ENV.get("BACKUP_DIR", BASE_DIR / "backups"))

# Anonymous page cache (hub/page_cache.py): public HTML pages for visitors without a session, from the
# cache above (Redis or the shared database cache), invalidated by dependency (a write stales only the pages
# that read the tables it wrote); 0 = off.
PAGE_CACHE_SECONDS = int(ENV.get("PAGE_CACHE_SECONDS", "300"))
PAGE_CACHE_ALIAS = "default"
# Cached aggregates (hub/aggregates.py): facet counts, totals and overviews, until what they read changes (the
# page cache's dependencies) and for at most this many seconds; they serve signed-in users too; 0 = off.
AGGREGATE_CACHE_SECONDS = int(ENV.get("AGGREGATE_CACHE_SECONDS", "300"))
# Unfiltered CSV exports are read from the bulk zip when it was built after the last change and at most this
# many seconds ago (hub/bulk.py); schedule ``build_bulk_download`` hourly.
BULK_EXPORT_MAX_AGE = int(ENV.get("BULK_EXPORT_MAX_AGE", "3600"))
# Data retention (issue 18 §5): declined and withdrawn proposals are anonymised this many months after the decision
# (withdrawn: after the team's last change); the team is told one month before.
PROPOSAL_RETENTION_MONTHS = int(ENV.get("PROPOSAL_RETENTION_MONTHS", "24"))
# Wagtail's frontend cache: purge a CDN/Varnish in front of the site when a page is published or
# unpublished. Optional: FRONTEND_CACHE_PURGE_URL (an HTTP PURGE endpoint such as Varnish), or
# CLOUDFLARE_BEARER_TOKEN with CLOUDFLARE_ZONEID.
FRONTEND_CACHE_PURGE_URL = ENV.get("FRONTEND_CACHE_PURGE_URL", "")
WAGTAILFRONTENDCACHE = {}
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": FRONTEND_CACHE_PURGE_URL,
    }
if ENV.get("CLOUDFLARE_BEARER_TOKEN") and ENV.get("CLOUDFLARE_ZONEID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": ENV["CLOUDFLARE_BEARER_TOKEN"],
        "ZONEID": ENV["CLOUDFLARE_ZONEID"],
    }
if WAGTAILFRONTENDCACHE:
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")

WAGTAIL_SITE_NAME = "Bridges"
# Citations (docs/citations.md): the DataCite prefix of the DOIs a deployment would mint (10.5072 is DataCite's
# test prefix) and the publisher named in citations. Bridges never calls DataCite itself.
DATACITE_PREFIX = ENV.get("DATACITE_PREFIX", "10.5072")
CITATION_PUBLISHER = ENV.get("CITATION_PUBLISHER", "") or WAGTAIL_SITE_NAME
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx", "docx", "odt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# Upload size per URL name: the limit each form announces (bytes, or (setting, fallback bytes)); a body beyond
# UPLOAD_REFUSE_FACTOR times it (+ form overhead) is refused with 413 by its Content-Length or while streaming
# (hub/upload_handlers.py), before it reaches the disk. Other URLs: UPLOAD_DEFAULT_MAX_BYTES.
UPLOAD_LIMITS = {
    "proposal_attachment_add": 10 * 1024 * 1024,
    "result_file_add": 10 * 1024 * 1024,
    "method_propose": 10 * 1024 * 1024,
    "workspace_document_add": ("WORKSPACE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
    "workspace_version_add": ("WORKSPACE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
    "dataset_new": ("DATASET_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
    "profile_edit": ("PROFILE_PHOTO_MAX_BYTES", WAGTAILIMAGES_MAX_UPLOAD_SIZE),
    "organisation_create": ("LOGO_MAX_BYTES", 2 * 1024 * 1024),
    "organisation_edit": ("LOGO_MAX_BYTES", 2 * 1024 * 1024),
}
# The rest (Wagtail's document and image uploads included) may send what DATA_UPLOAD_MAX_MEMORY_SIZE or
# Wagtail's own limits allow.
UPLOAD_DEFAULT_MAX_BYTES = max(DATA_UPLOAD_MAX_MEMORY_SIZE, WAGTAILDOCS_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_UPLOAD_SIZE)
UPLOAD_REFUSE_FACTOR = 2
UPLOAD_FORM_OVERHEAD_BYTES = 256 * 1024
# Animations are counted frame by frame; documents must hold what their extension says (hub/forms_media.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "hub.forms_media.ImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "hub.forms_media.DocumentForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_WORKFLOW_ENABLED = True
# Two editors on one page (issue 15 §2; tests/wagtail_admin/test_concurrent_editing.py). Every open page
# editor pings Wagtail's editing-session endpoint this often (milliseconds): the answer names the other
# people in the same page and whether one of them saved a newer revision, which the editor shows at
# once and asks about before it saves over it. Ten seconds is Wagtail's own default, written down so that
# it stays on: 0 or a very long interval would hide the other editor until it is too late.
WAGTAIL_EDITING_SESSION_PING_INTERVAL = 10_000
# Page locking ("Lock" in the page editor's status panel, for groups holding lock_page: the city editors,
# profiles.services.CITY_PAGE_PERMISSIONS). False, Wagtail's default: a lock keeps everyone else out and
# lets its owner go on editing, which is what an editor who wants the page to themselves for an afternoon
# needs. True would freeze the page for its owner too (a lock as "do not touch", not "I am on it").
WAGTAILADMIN_GLOBAL_EDIT_LOCK = False

# Site search (hub/search/): the database backend by default; Elasticsearch for /search/ when
# ELASTICSEARCH_URL is set, with short timeouts so that a dead server falls back within seconds.
ELASTICSEARCH_TIMEOUT = float(ENV.get("ELASTICSEARCH_TIMEOUT", "2"))
# After a failed search a process sends searches to the database for this long before asking again.
ELASTICSEARCH_RETRY_AFTER = float(ENV.get("ELASTICSEARCH_RETRY_AFTER", "10"))
ELASTICSEARCH_INDEX_PREFIX = ENV.get("ELASTICSEARCH_INDEX_PREFIX", "bridges")
# Wagtail's own search (the admin's page and snippet search) follows the same switch, with the
# same short timeout and no retries: Wagtail logs indexing errors, so publishing still succeeds.
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX": ELASTICSEARCH_INDEX_PREFIX + "_wagtail",
            "TIMEOUT": ELASTICSEARCH_TIMEOUT,
            "OPTIONS": {"max_retries": 0, "retry_on_timeout": False},
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": ENV.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # its progress steps (proposal PDFs) at INFO are noise
    },
}

# Open data API (/api/v1/): anonymous requests per IP, "number/period" (s, min, hour, day); empty = no limit.
API_ANON_RATE = ENV.get("API_ANON_RATE", "120/min")
# Ninja's own throttles (ours use hub.client_address) then read X-Forwarded-For by the same trusted-proxy rule.
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

# Content-Security-Policy (django-csp, hub.middleware.ContentSecurityPolicyMiddleware) on every response. The public
# site runs only its own script files: no inline script, no inline event handler, no style attribute. JSON-LD and
# other ``<script type="application/json">`` blocks are data, which browsers never execute, so script-src does not
# apply to them. No nonces either: the anonymous page cache would serve one page's nonce to every visitor.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The Wagtail admin (under its URL prefix) replaces these directives: its own templates and widgets still write
# inline scripts and style attributes (date pickers, inline panels, choosers) with no nonce to carry, so it needs
# 'unsafe-inline'; it frames its own previews and shows uploads as blob: images. Only signed-in editors see it.
ADMIN_CONTENT_SECURITY_POLICY = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-ancestors": ["'self'"],
}
# No editor's email address (hashed) goes to Gravatar, and the admin's images stay on this site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Permissions-Policy (hub.middleware.PermissionsPolicyMiddleware): the browser features no page of the site uses
# are switched off for it and anything embedded in it; an empty list is "()", "self" allows this site only.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
