"""Anonymous page cache: public HTML pages served from Django's cache, invalidated on every content change.

An anonymous ``GET`` (or ``HEAD``) of a public HTML page is answered from the cache (``CACHES``,
alias ``PAGE_CACHE_ALIAS``: Redis in production, the database cache otherwise; both are shared by
every worker) for ``PAGE_CACHE_SECONDS`` (0 turns the cache off). The key is the host, scheme, full
path with query string, the active language and a global content *generation*. Any save or delete of
a model of the site's apps (hub, profiles, calls, projects, Wagtail pages, revisions, images,
documents, redirects, tags) and any publish or unpublish sets a new generation, immediately and again
when the transaction commits, so a page rendered from uncommitted or older data is never served
after the change: invalidation does not depend on knowing which pages show which object.
Changes that bypass model signals (``QuerySet.update``, ``bulk_create``) are bounded by the timeout.

Never cached or served from the cache: requests carrying a session cookie (signed-in users, or
anyone with a session), a messages cookie or an ``Authorization`` header; methods other than
GET/HEAD; the admin, the API, documents, accounts and the language endpoint; responses that are not
200 HTML, are streamed, set a cookie, say ``Cache-Control: private``/``no-store``/``no-cache``, vary on
anything but Cookie/Accept-Language/Accept-Encoding, embed a CSRF token (which also sets the CSRF
cookie) or consumed messages, or whose view wrote to the database (a result's view counter, say: a
hit would skip the count). Responses say ``X-Cache: HIT``, ``MISS`` (stored now) or ``BYPASS``
(an anonymous request the cache did not store).

``AnonymousPageCacheMiddleware`` goes right after ``LocaleMiddleware`` (so the language is known and a
hit skips CSRF, authentication and messages); ``connect()``, called from ``HubConfig.ready``, connects the
signals in every process (web, task worker, management commands).
Wagtail's frontend cache (a CDN or Varnish purge on publish) is configured separately in settings.
"""

import time
import uuid
from hashlib import sha256

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpResponse

GENERATION_KEY = "page_cache:generation"
# Apps whose models' changes can show on a public page: any save or delete there invalidates.
WATCHED_APPS = (
    "hub",
    "profiles",
    "calls",
    "projects",
    "wagtailcore",
    "wagtailimages",
    "wagtaildocs",
    "wagtailredirects",
    "taggit",
)
# Paths (after any language prefix) that are never cached.
EXCLUDED_PREFIXES = ("/admin/", "/api/", "/documents/", "/accounts/", "/i18n/", "/static/", "/media/", "/__")
MESSAGES_COOKIE = "messages"
STORABLE_VARY = {"cookie", "accept-language", "accept-encoding"}
# Headers the cache never replays: set afresh by the outer middleware or by this one.
DROPPED_HEADERS = {"set-cookie", "x-cache", "x-sql-queries"}


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _new_generation() -> str:
    return f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"


def current_generation() -> str:
    """The generation pages are keyed by; created (never expiring) on first use."""
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump() -> None:
    """Invalidate every cached page: later requests use keys nobody has stored yet."""
    _cache().set(GENERATION_KEY, _new_generation(), None)


def content_changed(**kwargs) -> None:
    """Signal receiver: invalidate now, and again once the surrounding transaction commits (once per commit)."""
    if not (getattr(settings, "PAGE_CACHE_SECONDS", 0) or getattr(settings, "AGGREGATE_CACHE_SECONDS", 0)):
        return
    bump()
    connection = connections[kwargs.get("using") or DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and any(func is bump for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(bump, using=connection.alias)


def watched_models():
    """Every model of the watched apps, auto-created m2m tables included."""
    for label in WATCHED_APPS:
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue
        yield from app_config.get_models(include_auto_created=True)


def connect() -> None:
    """Invalidate on any save/delete/m2m change of the watched apps' models, and on publish/unpublish."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from wagtail.signals import page_published, page_unpublished

    for model in watched_models():
        uid = f"page_cache:{model._meta.label}"
        post_save.connect(content_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
        m2m_changed.connect(content_changed, sender=model, dispatch_uid=uid)
    page_published.connect(content_changed, dispatch_uid="page_cache:published")
    page_unpublished.connect(content_changed, dispatch_uid="page_cache:unpublished")


def _unprefixed(path: str) -> str:
    first, _sep, rest = path.lstrip("/").partition("/")
    if first in {code for code, _name in settings.LANGUAGES}:
        return "/" + rest
    return path


def _request_is_candidate(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return not _unprefixed(request.path_info).startswith(EXCLUDED_PREFIXES)


def _key(request, generation: str) -> str:
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page_cache:{generation}:{language}:{sha256(address.encode()).hexdigest()}"


def _messages_used(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and (storage.used or getattr(storage, "_queued_messages", None)))


def _storable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or _messages_used(request):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    if not vary <= STORABLE_VARY:
        return False
    return b"csrfmiddlewaretoken" not in response.content


class _WriteWatcher:
    """Notes any INSERT/UPDATE/DELETE a view runs (a view counter, a row created on first use): such a GET
    is not a pure read, so its response is not stored (a hit would skip the write)."""

    def __init__(self, writes: list):
        self.writes = writes
        self.ignored_tables = {
            str(config.get("LOCATION", ""))
            for config in settings.CACHES.values()
            if config.get("BACKEND", "").endswith("DatabaseCache")
        }

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and not any(
            table and table in sql for table in self.ignored_tables
        ):
            self.writes.append(sql[:80])
        return execute(sql, params, many, context)


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous public HTML pages; see the module's docstring for what is never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if not seconds or not _request_is_candidate(request):
            return self.get_response(request)
        cache = _cache()
        key = _key(request, current_generation())
        entry = cache.get(key)
        if entry is not None:
            status, headers, content = entry
            response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "HIT"
            return response
        writes = []
        with connection.execute_wrapper(_WriteWatcher(writes)):
            response = self.get_response(request)
        if not writes and _storable(request, response):
            headers = [(name, value) for name, value in response.items() if name.lower() not in DROPPED_HEADERS]
            cache.set(key, (response.status_code, headers, response.content), seconds)
            response["X-Cache"] = "MISS"
        else:
            response["X-Cache"] = "BYPASS"
        return response
