"""Signals only for search indexing: every change to a registered object is synced in its request, once it
commits, and enqueues its sync task (the retry, should the request's sync fail or Elasticsearch time out).

Saves never fail because of search: sync and enqueueing errors are logged, and the task itself catches
Elasticsearch errors (``search_reconcile`` repairs what was missed).
"""

import logging

from django.db.models.signals import m2m_changed, post_delete, post_save

from wagtail.signals import page_published, page_unpublished

from hub import bulk
from hub.search import indexing, registry

logger = logging.getLogger("hub.search")


def enqueue(instance) -> None:
    """Sync the object's entries in this request once the change commits, and enqueue the task that syncs again."""
    from hub.search.tasks import sync_object

    for search_type in registry.types_for(instance):
        indexing.sync_after_commit(search_type.kind, instance.pk)
        try:
            sync_object.enqueue(search_type.kind, str(instance.pk))
        except Exception:
            logger.exception("Could not enqueue the search sync of %s %s", search_type.kind, instance.pk)


def _on_change(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    enqueue(instance)


def _on_delete(sender, instance, **kwargs):
    for search_type in registry.types_for(instance):
        try:
            if indexing.db_delete(search_type.kind, instance.pk):
                bulk.withdraw()  # a public object is gone: the bulk download may hold it
            indexing._elastic(lambda es, t=search_type: es.delete(t, instance.pk))
        except Exception:
            logger.exception("Could not remove %s %s from search", search_type.kind, instance.pk)


def _on_m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and registry.types_for(instance):
        enqueue(instance)


def _on_page(sender, instance, **kwargs):
    enqueue(instance.specific if hasattr(instance, "specific") else instance)


def connect() -> None:
    """Connect the handlers for every registered type (called once, after autodiscover)."""
    for search_type in registry.types():
        model = search_type.model
        uid = f"hub.search.{search_type.kind}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"{uid}.delete")
        for name in search_type.m2m_fields:
            through = getattr(model, name).through
            m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"{uid}.m2m.{name}")
        if search_type.is_page:
            page_published.connect(_on_page, sender=model, dispatch_uid=f"{uid}.published")
            page_unpublished.connect(_on_page, sender=model, dispatch_uid=f"{uid}.unpublished")
