"""Edit versions: one rule for every object that several people edit outside Wagtail.

Each such model carries an ``EditVersionField``. A form opened on version *n* posts *n* back
(``VersionedFormMixin`` adds the hidden field); the service saves only if the row is still at *n*
(``claim_edit``: one conditional UPDATE, so two saves of version *n* cannot both win, on SQLite or
PostgreSQL) and raises ``StaleEdit`` otherwise. The view then re-renders the bound form with
``form.show_conflict(current)``: the user's typed text stays in the fields, every field that differs
is shown side by side with the saved version, and a choice per field (keep mine / take the saved
one) merges the two on the next save, which names the saved version.

Usage in a service::

    with transaction.atomic():
        claim_edit(result, expected=edit_version)   # raises StaleEdit(current)
        ...apply the changes, result.save(update_fields=[...])  # edit_version is already bumped

and in a view::

    try:
        services.result_update(result=result, by=request.user, data=form.cleaned_data,
                               edit_version=form.cleaned_data["edit_version"])
    except StaleEdit as stale:
        form.show_conflict(stale.current)
        return render(..., {"form": form}, status=409)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = ["EditVersionField", "StaleEdit", "claim_edit", "VersionedFormMixin", "ConflictRow"]

MERGE_PREFIX = "merge-"
KEEP_MINE = "mine"
TAKE_SAVED = "saved"


class EditVersionField(models.PositiveIntegerField):
    """The number of saves an editable object has had; bumped only by ``claim_edit``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 1)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("verbose_name", _("edit version"))
        kwargs.setdefault(
            "help_text", _("Counts saves; a form opened on an older version cannot overwrite a newer one.")
        )
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("default", "editable", "verbose_name", "help_text"):
            kwargs.pop(key, None)
        return name, path, args, kwargs


class StaleEdit(Exception):
    """A save named a version that is no longer the object's latest; ``current`` is the saved object."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.edit_version}")


def claim_edit(instance, *, expected: int | None) -> None:
    """Move ``instance`` from version ``expected`` to the next one, or raise ``StaleEdit``.

    Must run inside the caller's transaction (so that a refused validation after it rolls the bump
    back). ``expected=None`` means "the version this instance was read at" — for callers that hold
    the row locked and have no form (a status change, a background task).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_edit() must run inside transaction.atomic()")
    model = type(instance)
    version = instance.edit_version if expected is None else int(expected)
    updated = model._base_manager.filter(pk=instance.pk, edit_version=version).update(
        edit_version=F("edit_version") + 1
    )
    if updated != 1:
        current = model._base_manager.filter(pk=instance.pk).first()
        if current is None:
            # Deleted by someone else since the form was opened: there is nothing left to save into.
            raise Http404(gettext("This was deleted by someone else after you opened it; nothing was saved."))
        raise StaleEdit(current)
    instance.edit_version = version + 1


@dataclass
class ConflictRow:
    """One field on which the user's text and the saved version differ."""

    name: str
    label: str
    mine: str
    saved: str
    merge_name: str
    choice: str  # KEEP_MINE or TAKE_SAVED, as last chosen


class VersionedFormMixin(forms.Form):
    """Adds the hidden ``edit_version`` and the side-by-side merge of a stale save.

    Pass ``versioned=<the object>`` when building the form (GET and POST): unbound forms take its
    version; bound forms use it to resolve "take the saved one" choices. Forms whose field values are
    not plain attributes of the object override ``values_from(instance)``.
    """

    edit_version = forms.IntegerField(
        label=_("Version of this form"), widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )

    #: Fields never shown in a conflict (files, passwords, anything that cannot be put side by side).
    conflict_exclude: tuple[str, ...] = ()

    def __init__(self, *args, versioned=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.versioned = versioned
        self.conflict: list[ConflictRow] | None = None
        self.conflict_saved = None
        if versioned is not None and not self.is_bound:
            self.initial.setdefault("edit_version", versioned.edit_version)
        # Missing, not a number, out of range: one message that says what to do.
        message = _("This form is missing its version; reload the page and try again.")
        for code in ("required", "invalid", "min_value", "max_value"):
            self.fields["edit_version"].error_messages[code] = message

    # -- values -------------------------------------------------------------------------------
    def values_from(self, instance) -> dict:
        """The object's values under the form's field names (override where they differ)."""
        values = {}
        for name in self._merge_fields():
            value = getattr(instance, name, None)
            if isinstance(value, models.Manager):
                value = list(value.all())
            values[name] = value
        return values

    def _merge_fields(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if name != "edit_version"
            and name not in self.conflict_exclude
            and not isinstance(field, forms.FileField)
            and not isinstance(field.widget, forms.HiddenInput)
        ]

    # -- merge choices on the save after a conflict ------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        if self.versioned is None:
            return cleaned
        taken = [name for name in self._merge_fields() if self.data.get(MERGE_PREFIX + name) == TAKE_SAVED]
        if taken:
            saved = self.values_from(self.versioned)
            for name in taken:
                if name in saved:
                    cleaned[name] = saved[name]
        return cleaned

    # -- the conflict ---------------------------------------------------------------------------------
    def show_conflict(self, current) -> None:
        """Prepare the re-render after ``StaleEdit``: keep the typed text, name the saved version."""
        self.conflict_saved = current
        self.versioned = current
        data = self.data.copy()
        data[self.add_prefix("edit_version")] = str(current.edit_version)
        self.data = data
        saved = self.values_from(current)
        mine = getattr(self, "cleaned_data", {}) or {}
        rows = []
        for name in self._merge_fields():
            if name not in saved:
                continue
            field = self.fields[name]
            mine_value = mine[name] if name in mine else self._typed_value(name)
            if _normalised(mine_value) == _normalised(saved[name]):
                continue
            rows.append(
                ConflictRow(
                    name=name,
                    label=str(field.label or name.replace("_", " ").capitalize()),
                    mine=_display(field, mine_value),
                    saved=_display(field, saved[name]),
                    merge_name=MERGE_PREFIX + name,
                    choice=self.data.get(MERGE_PREFIX + name, KEEP_MINE),
                )
            )
        self.conflict = rows
        self.add_error(
            None,
            gettext(
                "Someone else saved this after you opened it. Nothing of yours was saved: your text is "
                "below, beside the saved version. Choose what to keep and save again."
            ),
        )

    def _typed_value(self, name: str):
        """What the user typed into a field that did not make it into ``cleaned_data``."""
        field = self.fields[name]
        raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return raw

    @property
    def conflict_saved_at(self) -> str:
        updated = getattr(self.conflict_saved, "updated_at", None)
        if not updated:
            return ""
        return date_format(timezone.localtime(updated) if timezone.is_aware(updated) else updated, "DATETIME_FORMAT")


def _normalised(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip() or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)) or hasattr(value, "model"):
        return sorted(str(getattr(item, "pk", item)) for item in value)
    if value in ("", None):
        return None
    return value


def _display(field: forms.Field, value) -> str:
    if hasattr(value, "model") and not isinstance(value, models.Model):
        value = list(value)  # a queryset (many-to-many)
    if value in (None, "") or (isinstance(value, (list, tuple, set)) and not value):
        return gettext("(empty)")
    if isinstance(field, forms.BooleanField) or isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_display_one(field, item) for item in value)
    return _display_one(field, value)


def _display_one(field: forms.Field, value) -> str:
    """One value as its reader knows it: a choice's label, a date in the reader's format, an object's name."""
    if isinstance(value, models.Model):
        label_from = getattr(field, "label_from_instance", None)
        return str(label_from(value) if label_from else value)
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field, forms.ModelChoiceField):
        labels = {str(key): label for key, label in _flat(choices)}
        return str(labels.get(str(value), value))
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield key, label
