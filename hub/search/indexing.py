"""Writing the indexes: one object (in the request and by a task), one type in bulk (reindex), or a full reconcile.

Every write re-reads the object through its type's public queryset: what is not public is
removed from the index, whatever the signal that asked. The database index is always written
(it is the fallback); Elasticsearch too when configured, and its failures are logged, never raised.

A change is indexed in the request that made it (``sync_after_commit``: once it commits, once per object),
so that a field or an object hidden now is not found by the next search, with or without a task worker;
the queued task syncs again later, as the retry of an Elasticsearch write that failed or timed out. An
object that stops being public also withdraws the bulk download, which may hold it (``hub.bulk.withdraw``).
"""

import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from hub import bulk, page_cache
from hub.search import elastic, registry
from hub.search.interface import elasticsearch_enabled
from hub.search.models import SearchEntry, SearchFacet

logger = logging.getLogger("hub.search")
BATCH = 500


def entry_of(search_type: registry.SearchType, obj) -> registry.Entry | None:
    """The entry of a public object; ``None`` if building it fails (logged, the object stays unindexed)."""
    try:
        return search_type.to_entry(obj)
    except Exception:  # one broken object must not stop a reindex or a save
        logger.exception("Could not build the search entry of %s %s", search_type.kind, obj.pk)
        return None


def _entry_row(search_type: registry.SearchType, obj, entry: registry.Entry) -> tuple[SearchEntry, dict]:
    facets = entry.facet_values(search_type.kind)
    row = SearchEntry(
        kind=search_type.kind,
        object_id=str(obj.pk),
        title=entry.title[:400],
        body=entry.body,
        url=entry.url,
        language=entry.language,
        year=entry.year,
        facets={k: v for k, v in facets.items() if k != "type"},
    )
    return row, facets


@transaction.atomic
def db_upsert(search_type: registry.SearchType, obj, entry: registry.Entry) -> None:
    row, facets = _entry_row(search_type, obj, entry)
    SearchEntry.objects.filter(kind=row.kind, object_id=row.object_id).delete()
    row.save()
    SearchFacet.objects.bulk_create(
        [SearchFacet(entry=row, name=name, value=value[:80]) for name, values in facets.items() for value in values]
    )


def db_delete(kind: str, object_id) -> int:
    """Remove one object's database entry; returns how many entries there were (0 or 1)."""
    deleted, _by_model = SearchEntry.objects.filter(kind=kind, object_id=str(object_id)).delete()
    return 1 if deleted else 0


def sync(kind: str, object_id) -> str:
    """Bring one object's entries in line with its public state: ``indexed``, ``removed`` or ``skipped``."""
    search_type = registry.get(kind)
    if search_type is None:
        return "skipped"
    obj = search_type.public().filter(pk=object_id).first()
    entry = entry_of(search_type, obj) if obj is not None else None
    if entry is None:
        if db_delete(kind, object_id):
            bulk.withdraw()  # it was public until now: the bulk download may hold it
        _elastic(lambda es: es.delete(search_type, object_id))
        outcome = "removed"
    else:
        db_upsert(search_type, obj, entry)
        _elastic(lambda es: es.index(search_type, obj, entry))
        outcome = "indexed"
    # Search answers are cached until the index changes (they depend on the "search" tag); the index changed
    # after the object's own change (this task runs once it committed): they are stale from now on.
    page_cache.invalidate({page_cache.SEARCH})
    return outcome


_SYNCED = "bridges_search_synced"
_SYNCED_LIMIT = 10_000
_sequence = itertools.count()


class _SyncAfterCommit:
    """One change's sync, run once the change commits; the first of a transaction's callbacks for an object syncs it
    (reading its committed state), the others find it synced since they were registered and do nothing."""

    def __init__(self, kind: str, object_id: str):
        self.kind, self.object_id, self.number = kind, object_id, next(_sequence)

    def __call__(self) -> None:
        synced = transaction.get_connection().__dict__.setdefault(_SYNCED, {})
        key = (self.kind, self.object_id)
        if synced.get(key, -1) > self.number:
            return
        if len(synced) > _SYNCED_LIMIT:
            synced.clear()  # forgetting only costs a second sync of an object, never a missed one
        synced[key] = next(_sequence)
        _sync_logged(self.kind, self.object_id)


def sync_after_commit(kind: str, object_id) -> None:
    """Sync one object in this request once the change commits (at once outside a transaction).

    Errors are logged, never raised: the change is saved, and the queued task retries the sync."""
    transaction.on_commit(_SyncAfterCommit(kind, str(object_id)))


def _sync_logged(kind: str, object_id: str) -> None:
    try:
        sync(kind, object_id)
    except Exception:  # the change is committed; the queued sync task retries
        logger.exception("Could not sync the search entry of %s %s in the request", kind, object_id)


def _elastic(action) -> None:
    if not elasticsearch_enabled():
        return
    try:
        action(elastic)
    except elastic.UNAVAILABLE as error:
        logger.warning("Elasticsearch index not updated (search_reconcile will catch up): %s", error)


def public_objects(search_type: registry.SearchType) -> Iterator:
    """Every public object of a type, in primary-key batches (bounded memory at any size)."""
    last = None
    while True:
        queryset = search_type.public().order_by("pk")
        if last is not None:
            queryset = queryset.filter(pk__gt=last)
        batch = list(queryset[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


@dataclass
class ReconcileReport:
    kind: str
    indexed: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return f"{self.kind}: {self.indexed} indexed, {self.removed} removed"


def reconcile_database(search_type: registry.SearchType) -> ReconcileReport:
    """Rewrite every public object's entry and drop entries of objects no longer public."""
    report = ReconcileReport(kind=search_type.kind)
    seen: set[str] = set()
    for obj in public_objects(search_type):
        entry = entry_of(search_type, obj)
        if entry is None:
            continue
        db_upsert(search_type, obj, entry)
        seen.add(str(obj.pk))
        report.indexed += 1
    stale = SearchEntry.objects.filter(kind=search_type.kind).exclude(object_id__in=seen)
    report.removed = stale.count()
    stale.delete()
    if report.removed:
        bulk.withdraw()  # objects that stopped being public without their sync: the zip may hold them
    return report


def drop_unregistered() -> int:
    """Entries of types no app registers any more."""
    kinds = [t.kind for t in registry.types()]
    deleted, _ = SearchEntry.objects.exclude(kind__in=kinds).delete()
    return deleted


def reconcile_all(*, kinds: list[str] | None = None, log=None) -> list[ReconcileReport]:
    """Reconcile the database index of every (or the named) type, then rebuild Elasticsearch if configured."""
    reports = []
    for search_type in registry.types():
        if kinds and search_type.kind not in kinds:
            continue
        report = reconcile_database(search_type)
        reports.append(report)
        if log:
            log(str(report))
    if not kinds:
        drop_unregistered()
    if elasticsearch_enabled():
        try:
            elastic.reindex(kinds=kinds, log=log)
        except elastic.UNAVAILABLE as error:
            logger.warning("Elasticsearch not reconciled: %s", error)
            if log:
                log(f"Elasticsearch not reconciled: {error}")
    return reports
