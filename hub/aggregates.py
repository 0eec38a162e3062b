"""Cached aggregates: counts that are expensive at scale, computed once until what they read changes.

A list page's facet counts, a directory's total or the home page's activity overview scan tens of
thousands of rows; the rows they read change only when content changes. ``cached(name, parts,
compute)`` keeps ``compute()``'s result in the shared cache (Redis in production, the database cache
otherwise) with the tables ``compute()`` read (its dependencies, ``hub.page_cache``): a save, delete or
publish of a model whose table it read makes it stale, and nothing else does — a private draft or a
sign-in leaves it in place. ``AGGREGATE_CACHE_SECONDS`` bounds how long a value lives (changes that
bypass signals, such as ``QuerySet.update``, and counts that depend on the clock, such as "open" calls
whose deadline passes); 0 turns the cache off (the tests' default; ``tests/hub/test_aggregates.py`` turns
it on). A cached value read inside a page adds its dependencies to the page's.

``parts`` must name everything the result depends on besides the data: the filter parameters, the
language of the labels and — for anything a viewer's permissions change — the viewer (``viewer_key``).
A transaction that has changed content (and not committed yet) neither reads nor stores cached values:
it sees its own uncommitted rows, which nobody else must be served.
"""

from collections.abc import Callable, Hashable
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import translation

from hub import page_cache

KEY_PREFIX = "aggregate"


def enabled() -> bool:
    return bool(getattr(settings, "AGGREGATE_CACHE_SECONDS", 0))


def viewer_key(viewer) -> str:
    """Who is asking, for results that depend on the viewer: "anonymous", or the signed-in user's id."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return "anonymous"
    return f"user:{viewer.pk}"


def _key(name: str, parts: Hashable) -> str:
    digest = sha256(repr((translation.get_language(), parts)).encode()).hexdigest()
    return f"{KEY_PREFIX}:{name}:{digest}"


def cached(name: str, parts: Hashable, compute: Callable[[], Any], *, keep: Callable[[Any], bool] | None = None) -> Any:
    """``compute()``, or its value from the cache for this language and ``parts`` while what it read is unchanged.

    ``keep(value)`` may refuse to store a value (an answer produced in a degraded mode, say)."""
    if not enabled() or page_cache.writing():
        return compute()
    cache = caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]
    key = _key(name, parts)
    entry = cache.get(key)  # (clock value, tags, value): a computed None is cached too
    if entry is not None:
        started, tags, value = entry
        if page_cache.is_fresh(started, tags):
            page_cache.depends_on(*tags)
            return value
    started = page_cache.clock()
    if started is None:  # the cache is unreachable
        return compute()
    with page_cache.recording() as tags:
        value = compute()
    if keep is None or keep(value):
        page_cache.ensure_stamped(started, tags)
        cache.set(key, (started, frozenset(tags), value), settings.AGGREGATE_CACHE_SECONDS)
    return value
