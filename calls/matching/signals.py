"""Keep matching vectors up to date: cache invalidation by signals, the one use STYLE.md allows them for."""

import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from wagtail.signals import page_published, page_unpublished

from calls.matching import vectors
from calls.models import ResearchCall
from hub import translation
from profiles.models import ProfileLanguage, ResearcherProfile, User

# A call's own fields that change its vector; draft revisions save other fields only.
CALL_FIELDS = {"live", "closes_at", "early_career", "cross_border", "cancelled_at", "awarded_at", "organisation"}


# Profiles of this thread to refresh once the current transaction commits (see _refresh_profile).
_pending = threading.local()


def _refresh_profile(profile_id: int) -> None:
    """Now, and once more when the transaction commits: a service may bulk-create languages after the signals.

    Every write registers its callback (a rolled-back savepoint discards its own); the first callback run after
    the commit refreshes the profile and takes it out of the pending set, so the others of that commit do nothing."""
    vectors.refresh_profile(profile_id)
    if not transaction.get_connection().in_atomic_block:
        return
    pending = _pending.__dict__.setdefault("profile_ids", set())
    pending.add(profile_id)
    transaction.on_commit(lambda: _refresh_pending(profile_id))


def _refresh_pending(profile_id: int) -> None:
    pending = _pending.__dict__.setdefault("profile_ids", set())
    if profile_id in pending:
        pending.discard(profile_id)
        vectors.refresh_profile(profile_id)


def _profile_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_profile(instance.pk)


def _profile_list_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _refresh_profile(instance.pk)
    else:
        for pk in pk_set or ():
            _refresh_profile(pk)


def _language_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_profile(instance.profile_id)


def _language_deleted(sender, instance, origin=None, **kwargs):
    # Not when the profile itself is being deleted: its vector goes with it.
    if isinstance(origin, sender) or getattr(origin, "model", None) is sender:
        _refresh_profile(instance.profile_id)


def _user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "is_active" not in update_fields):
        return
    profile_id = getattr(getattr(instance, "researcher_profile", None), "pk", None)
    if profile_id:
        _refresh_profile(profile_id)


def _call_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not CALL_FIELDS & set(update_fields)):
        return
    _call_published(sender, instance)


def _call_published(sender, instance, **kwargs):
    if translation.is_original(instance):  # a translation is matched as its original
        vectors.refresh_call(instance)


def connect() -> None:
    post_save.connect(_profile_saved, sender=ResearcherProfile, dispatch_uid="match_profile_saved")
    for name in (*vectors.PROFILE_LISTS, "languages"):
        m2m_changed.connect(
            _profile_list_changed,
            sender=getattr(ResearcherProfile, name).through,
            dispatch_uid=f"match_profile_{name}",
        )
    post_save.connect(_language_saved, sender=ProfileLanguage, dispatch_uid="match_language_saved")
    post_delete.connect(_language_deleted, sender=ProfileLanguage, dispatch_uid="match_language_deleted")
    post_save.connect(_user_saved, sender=User, dispatch_uid="match_user_saved")
    post_save.connect(_call_saved, sender=ResearchCall, dispatch_uid="match_call_saved")
    page_published.connect(_call_published, sender=ResearchCall, dispatch_uid="match_call_published")
    page_unpublished.connect(_call_published, sender=ResearchCall, dispatch_uid="match_call_unpublished")
