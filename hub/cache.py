"""The production cache: Django's Redis backend, through which a Redis outage is a slower site, never a broken one.

Redis holds only what can be computed again (the anonymous page cache and its stamps, cached aggregates, Wagtail's
site list, unread counts, progress of bulk actions, rate-limit histories); PostgreSQL holds everything a user
saved. Django's ``RedisCache`` raises ``RedisError`` from every call while Redis is unreachable, so without this
every page, sign-in and save answered 500 (Wagtail reads its site list from the cache on every request).

Here, while Redis cannot be reached:

- reads miss (``get`` returns the default, ``get_many`` nothing, ``has_key`` False): the value is computed again;
- writes are not kept (``set`` does nothing, ``set_many`` returns every key as failed, ``add``/``touch``/``delete``
  return False, ``incr``/``decr`` raise ``ValueError`` as for a missing key). ``hub.page_cache`` notices a stamp it
  could not write and writes it again once Redis answers, so no page is served past a change it missed;
- allauth's rate limits cannot take their lock and refuse the attempt ("too many attempts"): sign-in is closed
  rather than open to guessing while the limits cannot be counted;
- after a failure, Redis is not asked again for ``RETRY_SECONDS`` (each request would otherwise wait for the
  connection timeout); the outage and the recovery are each logged once.

Connection and read timeouts are short (``OPTIONS`` in settings) for the same reason.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from redis.exceptions import RedisError

logger = logging.getLogger("hub.cache")
RETRY_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` whose calls miss, instead of raising, while Redis is unreachable."""

    _lock = threading.Lock()
    _down_until = 0.0  # per process: every thread waits out the same outage

    def available(self) -> bool:
        """Whether Redis is being asked (False for ``RETRY_SECONDS`` after a failure)."""
        return time.monotonic() >= type(self)._down_until

    def _failed(self, error: Exception) -> None:
        cls = type(self)
        with cls._lock:
            first = cls._down_until == 0.0
            cls._down_until = time.monotonic() + RETRY_SECONDS
        if first:
            logger.error("Cache unavailable (%s): pages and counts are computed without it until Redis answers", error)

    def _answered(self) -> None:
        cls = type(self)
        if cls._down_until:
            with cls._lock:
                was_down, cls._down_until = cls._down_until, 0.0
            if was_down:
                logger.warning("Cache available again")

    def _call(self, method, fallback, *args, **kwargs):
        if not self.available():
            return fallback()
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return fallback()
        self._answered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found: the cache is unavailable.")

        return self._call("incr", missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def clear(self):
        return self._call("clear", lambda: False)
