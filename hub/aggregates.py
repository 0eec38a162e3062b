"""Cached aggregates: counts that are expensive at scale, computed once per content generation.

A list page's facet counts, a directory's total or the home page's activity overview scan tens of
thousands of rows; the rows they read change only when content changes. ``cached(name, parts,
compute)`` keeps ``compute()``'s result in the shared cache (Redis in production, the database
cache otherwise) under the page cache's content *generation* (``hub.page_cache``): any save, delete
or publish of the site's models sets a new generation, so a count is never served after the data it
counted has changed. ``AGGREGATE_CACHE_SECONDS`` bounds how long a value lives (changes that bypass
signals, such as ``QuerySet.update``, and counts that depend on the clock, such as "open" calls whose
deadline passes); 0 turns the cache off (the tests' default; ``tests/hub/test_aggregates.py`` turns it on).

``parts`` must name everything the result depends on besides the data: the filter parameters, the
language of the labels and — for anything a viewer's permissions change — the viewer (``viewer_key``).
A transaction that has changed content (a bump is pending on its commit) neither reads nor stores
cached values: it sees its own uncommitted rows, which nobody else must be served.
"""

from collections.abc import Callable, Hashable
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
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


def _changing_content(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return connection.in_atomic_block and any(
        func is page_cache.bump for _sids, func, _robust in connection.run_on_commit
    )


def _key(name: str, parts: Hashable) -> str:
    digest = sha256(repr((translation.get_language(), parts)).encode()).hexdigest()
    return f"{KEY_PREFIX}:{page_cache.current_generation()}:{name}:{digest}"


def cached(name: str, parts: Hashable, compute: Callable[[], Any], *, keep: Callable[[Any], bool] | None = None) -> Any:
    """``compute()``, or its value from the cache for this content generation, language and ``parts``.

    ``keep(value)`` may refuse to store a value (an answer produced in a degraded mode, say)."""
    if not enabled() or _changing_content():
        return compute()
    cache = caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]
    key = _key(name, parts)
    entry = cache.get(key)  # a 1-tuple, so that a computed None is cached too
    if entry is None:
        entry = (compute(),)
        if keep is None or keep(entry[0]):
            cache.set(key, entry, settings.AGGREGATE_CACHE_SECONDS)
    return entry[0]
