"""Signals only for search indexing: every change to a registered object is synced in its request, once it
commits, and enqueues its sync task (the retry, should the request's sync fail or Elasticsearch time out).

Saves never fail because of search: sync and enqueueing errors are logged, and the task itself catches
Elasticsearch errors (``search_reconcile`` repairs what was missed).
"""

import logging

from django.db.models.signals import m2m_changed, post_delete, post_save

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from hub import bulk, translation
from hub.search import indexing, registry
from hub.search.tasks import sync_object

logger = logging.getLogger("hub.search")


def enqueue(instance) -> None:
    """Sync the object's entries in this request once the change commits, and enqueue the task that syncs again.

    A page's translation has no entry of its own: its words are in its original's (hub/translation.py)."""
    if isinstance(instance, Page) and not translation.is_original(instance):
        instance = translation.original_of(instance)
        if instance is None:
            return
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
    """A change of one of the many-to-many fields a type declares (``m2m_fields``), from the object's side."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    types = registry.types_for(instance)
    if any(getattr(type(instance), name).through is sender for t in types for name in t.m2m_fields):
        enqueue(instance)


def _on_page(sender, instance, **kwargs):
    instance = instance.specific if hasattr(instance, "specific") else instance
    if any(t.is_page for t in registry.types_for(instance)):
        enqueue(instance)


def connect() -> None:
    """Connect the handlers for every model: the types are the ``search_types`` hook's answers, read when an object
    changes (not here: the apps' hooks are not loaded while the apps are)."""
    post_save.connect(_on_change, dispatch_uid="hub.search.save")
    post_delete.connect(_on_delete, dispatch_uid="hub.search.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="hub.search.m2m")
    page_published.connect(_on_page, dispatch_uid="hub.search.published")
    page_unpublished.connect(_on_page, dispatch_uid="hub.search.unpublished")
