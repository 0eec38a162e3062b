"""Anonymous page cache and cached fragments, invalidated by dependency.

**What is cached.** An anonymous ``GET`` (or ``HEAD``) of a public HTML page is answered from the cache
(``CACHES``, alias ``PAGE_CACHE_ALIAS``: Redis in production, the database cache otherwise; both shared by
every worker) for at most ``PAGE_CACHE_SECONDS`` (0 turns it off). The key is the host, scheme, full path
with query string and the active language. Fragments and aggregates (``hub.aggregates``) use the same
dependencies.

**Dependencies.** While a page (or fragment, or aggregate) is computed, every SQL ``SELECT`` it runs is
watched and the tables it reads are its *tags* (the model families it shows: a call page reads the call's
table, its city's, the vocabularies' and the page tree's). Anything that is not read through SQL — an
Elasticsearch answer, say — is declared with ``depends_on("search")``. The entry keeps its tags and the
value of a shared *clock* read before the computation started.

**Invalidation.** A save, delete or m2m change of any model (and a publish or unpublish) moves the clock
on and stamps the tags of the tables it wrote with the new value — immediately and again when the
transaction commits (``transaction.on_commit``). An entry is served only while none of its tags carries
a stamp newer than its own clock value; so a write invalidates exactly the pages that read what it
changed, and a page rendered while a write was committing is never kept past it. A missing stamp (a
cache that lost it) counts as a change. ``invalidate_everything()`` empties it all (tag ``*``).

**Private writes.** Writes that show on no public page never reach a public page's tags: their tables
are not read by any anonymous page (proposals, reviews, invitations, alerts, sessions, the workspace),
and writes that only touch private columns of public tables are declared here (``PRIVATE_FIELDS``: a
sign-in's ``last_login``) or skipped by their writer (usage counters use ``QuerySet.update``, which sends
no signal: such changes are bounded by the timeout).

**Never cached or served from the cache:** requests carrying a session cookie, a messages cookie or an
``Authorization`` header; methods other than GET/HEAD; the admin, the API, documents, accounts and the
language endpoint; responses that are not 200 HTML, are streamed, set a cookie, say
``Cache-Control: private``/``no-store``/``no-cache``, vary on anything but Cookie/Accept-Language/
Accept-Encoding, embed a CSRF token or consumed messages, or whose view wrote to the database (a hit would
skip the write). Responses say ``X-Cache: HIT``, ``MISS`` (stored now) or ``BYPASS``.

``AnonymousPageCacheMiddleware`` goes right after ``LocaleMiddleware``; ``connect()`` (from
``HubConfig.ready``) connects the signals in every process. Wagtail's frontend cache (a CDN or Varnish
purge on publish) is configured separately in settings.
"""

import functools
import re
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from hashlib import sha256

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

from wagtail.models import Page, get_page_models
from wagtail.signals import page_published, page_unpublished

CLOCK_KEY = "page_cache:clock"
TAG_PREFIX = "page_cache:tag:"
EVERYTHING = "*"
SEARCH = "search"
# Writes to these models change what every page shows (site structure, settings, vocabularies kept in
# process memory): they invalidate everything.
GLOBAL_MODELS = (
    "wagtailcore.Site",
    "wagtailcore.Locale",
    "hub.SiteSettings",
)
# Columns whose changes no public page shows: a save that touches only these invalidates nothing.
PRIVATE_FIELDS = {
    "auth.User": {"last_login", "password"},
}
# A page's draft revision, autosave and lock touch only these columns of its row (``Page.save_revision``).
PAGE_DRAFT_FIELDS = {
    "draft_title",
    "has_unpublished_changes",
    "latest_revision",
    "latest_revision_created_at",
    "locked",
    "locked_at",
    "locked_by",
}
PAGE_TABLE = "wagtailcore_page"
# Apps whose models' writes can show on a public page (the rest — sessions, allauth, the task queue, Wagtail's
# admin state — never do; their tables are not read by public pages either).
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
# Models of the watched apps that are the bookkeeping of background work, shown on no page: their writes stamp
# nothing (a task kept while the cache is unreachable must not stamp, which would keep another task, and so on).
UNWATCHED_MODELS = ("hub.UnsentTask", "hub.SentEmail")
# Paths (after any language prefix) that are never cached.
EXCLUDED_PREFIXES = ("/admin/", "/api/", "/documents/", "/accounts/", "/i18n/", "/static/", "/media/")
MESSAGES_COOKIE = "messages"
STORABLE_VARY = {"cookie", "accept-language", "accept-encoding"}
# Headers the cache never replays: set afresh by the outer middleware or by this one.
DROPPED_HEADERS = {"set-cookie", "x-cache", "x-sql-queries"}
_TABLES_READ = re.compile(r'\b(?:FROM|JOIN)\s+"([^"]+)"', re.IGNORECASE)


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE_SECONDS", 0) or getattr(settings, "AGGREGATE_CACHE_SECONDS", 0))


# --- the clock and the tags' stamps -------------------------------------------------------------------------


def clock() -> int | None:
    """The clock's value now; an entry computed from here on is fresh until one of its tags is stamped later.

    None while the cache cannot be reached (``hub.cache``): nothing is served from it or stored in it then."""
    if _unstamped:
        _stamp_again()
    cache = _cache()
    value = cache.get(CLOCK_KEY)
    if value is None:
        # Started (or restarted after a cache loss) from the time in microseconds, so that it never goes back
        # below a value an older entry holds.
        cache.add(CLOCK_KEY, time.time_ns() // 1000, None)
        value = cache.get(CLOCK_KEY)
    return value


def _tick() -> int | None:
    cache = _cache()
    try:
        return cache.incr(CLOCK_KEY)
    except ValueError:  # no clock yet (or lost), or no cache
        if clock() is None:
            return None
        try:
            return cache.incr(CLOCK_KEY)
        except ValueError:
            return None


# Tags this process wrote but could not stamp (the cache was unreachable): stamped again by its next write or
# page. The other processes (other workers, other nodes) learn of them through a task kept until Redis answers
# (``hub.tasks.stamp_page_cache``, pushed by the scheduler): a cache that comes back with its entries (Redis
# restarted from its append-only file, a network cut that ends) serves none of them past the change for longer
# than the scheduler's interval.
_unstamped: set[str] = set()
_unstamped_lock = threading.Lock()


def _take_unstamped() -> set[str]:
    with _unstamped_lock:
        tags = set(_unstamped)
        _unstamped.clear()
    return tags


def _stamp_again() -> None:
    tags = _take_unstamped()
    if tags:
        invalidate(tags, announce=False)  # announced to the other processes when the stamp first failed


def invalidate(tags: Iterable[str], *, announce: bool = True) -> bool:
    """Stamp these tags now: every entry that depends on one of them is stale from now on.

    False if the cache could not take the stamps: they are stamped again later (see ``_unstamped``); ``announce``
    also enqueues that for the other processes (not from that task itself, which fails and is retried instead)."""
    tags = set(tags) | _take_unstamped()
    if not tags:
        return True
    stamp = _tick()
    failed = _cache().set_many({TAG_PREFIX + tag: stamp for tag in tags}, None) if stamp is not None else list(tags)
    if not failed:
        return True
    with _unstamped_lock:
        _unstamped.update(tags)
    if announce:
        from hub.tasks import stamp_page_cache

        stamp_page_cache.enqueue(tags=sorted(tags))
    return False


def invalidate_everything() -> None:
    """Every cached page, fragment and aggregate is stale from now on."""
    invalidate({EVERYTHING})


def is_fresh(started: int, tags: Iterable[str]) -> bool:
    """Whether an entry computed from clock value ``started`` and depending on ``tags`` is still fresh."""
    if _unstamped:
        _stamp_again()
    keys = [TAG_PREFIX + tag for tag in tags] + [TAG_PREFIX + EVERYTHING]
    stamps = _cache().get_many(keys)
    missing = [key for key in keys if key not in stamps]
    if missing:
        # Unknown stamps (never written, or lost by the cache): assume a change, and stamp them now so that
        # the next entry can be kept.
        now = clock()
        if now is not None:
            for key in missing:
                _cache().add(key, now, None)
        return False
    return all(stamp <= started for stamp in stamps.values())


def ensure_stamped(started: int, tags: Iterable[str]) -> None:
    """Give every tag of a new entry a stamp (its clock value at most) so that the entry is served at once."""
    keys = [TAG_PREFIX + tag for tag in tags] + [TAG_PREFIX + EVERYTHING]
    cache = _cache()
    present = cache.get_many(keys)
    for key in keys:
        if key not in present:
            cache.add(key, started, None)


# --- recording what a computation reads ---------------------------------------------------------------------

_recorders: ContextVar[tuple[set, ...]] = ContextVar("page_cache_recorders", default=())


def depends_on(*tags: str) -> None:
    """Declare that whatever is being computed now (page, fragment, aggregate) depends on these tags."""
    for recorder in _recorders.get():
        recorder.update(tags)


def _ignored_tables() -> set[str]:
    return {
        str(config.get("LOCATION", ""))
        for config in settings.CACHES.values()
        if config.get("BACKEND", "").endswith("DatabaseCache")
    }


@functools.cache
def _specific_page_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in get_page_models() if model is not Page)


def tables_read(sql: str) -> set[str]:
    """The tags of a SELECT: the tables it reads. The page tree's table counts only for generic page queries
    (menus, routing, child lists): a query of one page type reads the tree's rows of that type only, which
    change with that type's table; the site lookup reads its root page only."""
    tables = set(_TABLES_READ.findall(sql)) - _ignored_tables()
    if PAGE_TABLE in tables and (tables & _specific_page_tables() or "wagtailcore_site" in tables):
        tables.discard(PAGE_TABLE)
    return tables


def _record_reads(execute, sql, params, many, context):
    start = sql.lstrip()[:6].upper()
    if start == "SELECT" or start.startswith("WITH"):
        recorders = _recorders.get()
        if recorders:
            tables = tables_read(sql)
            for recorder in recorders:
                recorder.update(tables)
    return execute(sql, params, many, context)


@contextmanager
def recording():
    """Collect the tags of what runs inside (the tables its queries read, and what it declares)."""
    tags: set[str] = set()
    outer = _recorders.get()
    token = _recorders.set((*outer, tags))
    try:
        if outer:  # the outermost recording watches the queries for everyone inside it
            yield tags
        else:
            with connection.execute_wrapper(_record_reads):
                yield tags
    finally:
        _recorders.reset(token)


# --- writes ---------------------------------------------------------------------------------------------------

_pending = threading.local()


def _pending_tags(using: str) -> set[str]:
    by_alias = getattr(_pending, "by_alias", None)
    if by_alias is None:
        by_alias = _pending.by_alias = {}
    return by_alias.setdefault(using, set())


def writing(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the current transaction has changed content not yet committed: its reads see its own rows, which
    nobody else must be served (``hub.aggregates`` neither reads nor stores then)."""
    return connections[using].in_atomic_block and bool(_pending_tags(using))


def _flush(using: str) -> None:
    tags = _pending_tags(using)
    if tags:
        flushed = set(tags)
        tags.clear()
        invalidate(flushed)


def forget_pending(**kwargs) -> None:
    """Drop the tags of a transaction that never committed (called when a request starts and ends)."""
    by_alias = getattr(_pending, "by_alias", None)
    if by_alias:
        by_alias.clear()


def note_write(tags: Iterable[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """These tags' tables were written: stale now, and again once the transaction commits (a page computed
    meanwhile read the rows as they were)."""
    tags = set(tags)
    if not tags or not enabled():
        return
    invalidate(tags)
    if connections[using].in_atomic_block:
        _pending_tags(using).update(tags)
        # One callback per write: a rolled-back transaction drops its callbacks, so none may be assumed to exist.
        transaction.on_commit(lambda: _flush(using), using=using)


class WriteNotingQuerySet(models.QuerySet):
    """A queryset whose ``update()`` stamps its table as a save does (``update`` sends no signal).

    For the tables behind cached aggregates that must never lag a write, such as the counts of the city's desk
    after a bulk action (``calls.filters_desk.desk_counts``); those tables are private, so no public page is
    invalidated by it."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            note_write(model_tags(self.model), self.db)
        return rows


def model_tags(model, instance=None) -> set[str]:
    """The tags a write to ``model`` invalidates: its table and its concrete parents' tables (for a page saved
    as a plain ``Page``, its specific type's tables too)."""
    if model._meta.label in GLOBAL_MODELS:
        return {EVERYTHING}
    if model is Page and instance is not None and instance.specific_class not in (None, Page):
        model = instance.specific_class
    tables = {model._meta.db_table}
    tables.update(parent._meta.db_table for parent in model._meta.get_parent_list())
    return tables


def _is_private_save(model, update_fields) -> bool:
    if not update_fields:
        return False
    private = PAGE_DRAFT_FIELDS if issubclass(model, Page) else PRIVATE_FIELDS.get(model._meta.label)
    return bool(private and set(update_fields) <= private)


def _saved(sender, instance=None, update_fields=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if _is_private_save(sender, update_fields):
        return
    note_write(model_tags(sender, instance), using or DEFAULT_DB_ALIAS)


def _deleted(sender, instance=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    note_write(model_tags(sender, instance), using or DEFAULT_DB_ALIAS)


def _m2m_changed(sender, action, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if action.startswith("post_"):
        note_write(model_tags(sender), using or DEFAULT_DB_ALIAS)


def _published(sender, instance=None, **kwargs) -> None:
    note_write(model_tags(type(instance), instance) if instance is not None else model_tags(sender))


def watched_models():
    """Every model of the watched apps, auto-created m2m tables included, but ``UNWATCHED_MODELS``."""
    for label in WATCHED_APPS:
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in app_config.get_models(include_auto_created=True):
            if model._meta.label not in UNWATCHED_MODELS:
                yield model


def connect() -> None:
    """Invalidate on any save/delete/m2m change of a watched model, and on publish/unpublish."""
    for model in watched_models():
        uid = f"page_cache:{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=uid)
    page_published.connect(_published, dispatch_uid="page_cache:published")
    page_unpublished.connect(_published, dispatch_uid="page_cache:unpublished")
    request_started.connect(forget_pending, dispatch_uid="page_cache:request_started")
    request_finished.connect(forget_pending, dispatch_uid="page_cache:request_finished")
    PRIVATE_FIELDS.setdefault(get_user_model()._meta.label, PRIVATE_FIELDS["auth.User"])


# --- the middleware -------------------------------------------------------------------------------------------


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


def _key(request) -> str:
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page_cache:page:{language}:{sha256(address.encode()).hexdigest()}"


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
        self.ignored_tables = _ignored_tables()

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
        key = _key(request)
        entry = cache.get(key)
        if entry is not None:
            started, tags, status, headers, content = entry
            if is_fresh(started, tags):
                response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
                for name, value in headers:
                    response[name] = value
                response["X-Cache"] = "HIT"
                return response
        started = clock()
        if started is None:  # the cache is unreachable: answered as if it were off
            response = self.get_response(request)
            response["X-Cache"] = "BYPASS"
            return response
        writes = []
        with recording() as tags, connection.execute_wrapper(_WriteWatcher(writes)):
            response = self.get_response(request)
        if not writes and _storable(request, response):
            headers = [(name, value) for name, value in response.items() if name.lower() not in DROPPED_HEADERS]
            ensure_stamped(started, tags)
            cache.set(key, (started, frozenset(tags), response.status_code, headers, response.content), seconds)
            response["X-Cache"] = "MISS"
        else:
            response["X-Cache"] = "BYPASS"
        return response
