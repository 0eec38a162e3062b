"""Keep the matching bitsets of profiles and calls in the database, up to date, and cached in each process.

Each process holds every vector in memory (``researcher_index()``, ``call_rows()``) and asks the
database on each use whether anything changed (row count and latest ``updated_at`` of the table):
changed rows are loaded alone, and a deletion triggers a full reload.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.db import transaction
from django.db.models import Max

from calls.matching import bits
from calls.matching.bits import CallRow, ProfileRow, ResearcherIndex
from calls.models import CallVector, ProfileVector, ResearchCall
from hub.translation import originals
from profiles.models import ProfileLanguage, ResearcherProfile

CHUNK = 2000
PROFILE_LISTS = ("themes", "sdg_targets", "methods", "groups", "countries")
CALL_LISTS = ("themes", "sdg_targets", "methods", "groups", "required_languages")


def _m2m_pairs(model, field_name: str, ids: list[int]) -> Iterable[tuple[int, int]]:
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    return through.objects.filter(**{f"{source}__in": ids}).values_list(source, target)


def _visibility(profile, field: str) -> str:
    return getattr(profile, f"{field}_visibility", "public")


def profile_vectors(profiles: list) -> list:
    """ProfileVector instances (unsaved) for ``profiles`` (with ``user`` loaded), in 2 + 6 queries per chunk."""
    ids = [p.pk for p in profiles]
    lists: dict[str, dict[int, int]] = {name: defaultdict(int) for name in (*PROFILE_LISTS, "languages")}
    for name in PROFILE_LISTS:
        for profile_id, value_id in _m2m_pairs(ResearcherProfile, name, ids):
            lists[name][profile_id] |= 1 << value_id
    for profile_id, language_id in ProfileLanguage.objects.filter(profile_id__in=ids).values_list(
        "profile_id", "language_id"
    ):
        lists["languages"][profile_id] |= 1 << language_id
    return [
        ProfileVector(
            profile_id=p.pk,
            **{name: bits.to_bytes(lists[name].get(p.pk, 0)) for name in lists},
            early_career=p.is_early_career,
            is_available=p.is_available,
            available_from=p.available_from,
            listed=p.is_public and p.user.is_active,
            countries_visibility=_visibility(p, "countries"),
            languages_visibility=_visibility(p, "languages"),
            career_stage_visibility=_visibility(p, "career_stage"),
            availability_visibility=_visibility(p, "availability"),
        )
        for p in profiles
    ]


def call_vector(call) -> object:
    """An unsaved CallVector from a call instance (its lists as the instance holds them, saved or not)."""
    organisation = call.organisation if call.organisation_id else None
    return CallVector(
        call_id=call.pk,
        **{name: bits.to_bytes(bits.to_bits(v.pk for v in getattr(call, name).all())) for name in CALL_LISTS},
        organisation_id=call.organisation_id,
        country_id=organisation.country_id if organisation else None,
        early_career=call.early_career,
        cross_border=call.cross_border,
        closes_at=call.closes_at,
        live=call.live,
        current=bool(call.live and call.cancelled_at is None and call.awarded_at is None),
    )


def _save(model, vectors: list, key: str) -> None:
    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    model.objects.bulk_create(vectors, update_conflicts=True, unique_fields=[key], update_fields=fields)


def refresh_profile(profile_id: int) -> None:
    """Recompute one profile's vector (after the profile or one of its lists changed)."""
    profile = ResearcherProfile.objects.select_related("user").filter(pk=profile_id).first()
    if profile is None:
        return
    _save(ProfileVector, profile_vectors([profile]), "profile")


def refresh_call(call) -> None:
    if call.pk:
        _save(CallVector, [call_vector(call)], "call")


def refresh_call_after_commit(call_id: int) -> None:
    """After a call's state changed by a conditional update (cancelled, closed early, awarded: no ``post_save``),
    its vector follows once the change is committed, so that "Calls for you", alerts and digests drop it."""

    def refresh() -> None:
        call = ResearchCall.objects.filter(pk=call_id).first()
        if call is not None:
            refresh_call(call)

    transaction.on_commit(refresh)


def rebuild_all(*, log=None) -> tuple[int, int]:
    """Recompute every vector in bulk (no signals): after bulk imports, seeding, or a vocabulary change."""
    profile_ids = list(ResearcherProfile.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(profile_ids), CHUNK):
        chunk = list(ResearcherProfile.objects.select_related("user").filter(pk__in=profile_ids[start : start + CHUNK]))
        _save(ProfileVector, profile_vectors(chunk), "profile")
    ProfileVector.objects.exclude(profile_id__in=ResearcherProfile.objects.values("pk")).delete()
    call_ids = list(originals(ResearchCall.objects.order_by("pk")).values_list("pk", flat=True))
    for start in range(0, len(call_ids), CHUNK):
        ids = call_ids[start : start + CHUNK]
        calls = {c.pk: c for c in ResearchCall.objects.filter(pk__in=ids).select_related("organisation")}
        lists: dict[str, dict[int, int]] = {name: defaultdict(int) for name in CALL_LISTS}
        for name in CALL_LISTS:
            for call_id, value_id in _m2m_pairs(ResearchCall, name, ids):
                lists[name][call_id] |= 1 << value_id
        vectors = []
        for call in calls.values():
            vector = CallVector(
                call_id=call.pk,
                **{name: bits.to_bytes(lists[name].get(call.pk, 0)) for name in CALL_LISTS},
                organisation_id=call.organisation_id,
                country_id=call.organisation.country_id if call.organisation_id else None,
                early_career=call.early_career,
                cross_border=call.cross_border,
                closes_at=call.closes_at,
                live=call.live,
                current=bool(call.live and call.cancelled_at is None and call.awarded_at is None),
            )
            vectors.append(vector)
        _save(CallVector, vectors, "call")
    if log:
        log(f"{len(profile_ids)} profile vectors, {len(call_ids)} call vectors")
    return len(profile_ids), len(call_ids)


def profile_row(vector) -> ProfileRow:
    return ProfileRow(
        pk=vector.profile_id,
        themes=bits.from_bytes(vector.themes),
        sdg_targets=bits.from_bytes(vector.sdg_targets),
        methods=bits.from_bytes(vector.methods),
        groups=bits.from_bytes(vector.groups),
        countries=bits.from_bytes(vector.countries),
        languages=bits.from_bytes(vector.languages),
        early_career=vector.early_career,
        available=vector.is_available,
        available_from=vector.available_from,
        listed=vector.listed,
        countries_level=bits.LEVELS.get(vector.countries_visibility, bits.HIDDEN),
        languages_level=bits.LEVELS.get(vector.languages_visibility, bits.HIDDEN),
        career_level=bits.LEVELS.get(vector.career_stage_visibility, bits.HIDDEN),
        availability_level=bits.LEVELS.get(vector.availability_visibility, bits.HIDDEN),
    )


def call_row(vector) -> CallRow:
    return CallRow(
        pk=vector.call_id,
        themes=bits.from_bytes(vector.themes),
        sdg_targets=bits.from_bytes(vector.sdg_targets),
        methods=bits.from_bytes(vector.methods),
        groups=bits.from_bytes(vector.groups),
        languages=bits.from_bytes(vector.required_languages),
        country=vector.country_id,
        organisation=vector.organisation_id,
        early_career=vector.early_career,
        cross_border=vector.cross_border,
        closes_at=vector.closes_at,
        live=vector.live,
        current=vector.current,
    )


class _Rows:
    """Call rows by id (calls need no posting lists: a researcher is scored against each current call)."""

    def __init__(self, rows=None):
        self.rows = dict(rows or {})

    def put(self, row) -> None:
        self.rows[row.pk] = row


class _TableCache:
    """Rows of one vector table in memory, refreshed from what changed since the last look."""

    def __init__(self, model_path: str, to_row, factory):
        self.model_path, self.to_row, self.factory = model_path, to_row, factory
        self.lock = threading.Lock()
        self.stamp = None
        self.index = factory()

    @property
    def model(self):
        return apps.get_model(self.model_path)

    def get(self):
        # Two queries, not one aggregate: SQLite answers MAX from the index and COUNT from the
        # smallest index, but COUNT and MAX together scan the table.
        objects = self.model.objects
        stamp = (objects.count(), objects.aggregate(latest=Max("updated_at"))["latest"])
        with self.lock:
            if stamp == self.stamp:
                return self.index
            if self.stamp is not None and self.stamp[1] and stamp[1]:
                for vector in objects.filter(updated_at__gte=self.stamp[1]):
                    self.index.put(self.to_row(vector))
            # A deletion leaves more rows here than in the table (a delete plus an insert too, after the delta).
            if len(self.index.rows) != stamp[0]:
                self.index = self.factory({row.pk: row for row in map(self.to_row, objects.all())})
            self.stamp = stamp
            return self.index

    def clear(self) -> None:
        with self.lock:
            self.stamp, self.index = None, self.factory()


_profiles = _TableCache("calls.ProfileVector", profile_row, ResearcherIndex)
_calls = _TableCache("calls.CallVector", call_row, _Rows)


def researcher_index() -> ResearcherIndex:
    """Every researcher's vector with posting lists (one query when nothing changed)."""
    return _profiles.get()


def call_rows() -> dict[int, CallRow]:
    """Every call's vector by call id (one query when nothing changed)."""
    return _calls.get().rows


def stamps() -> tuple:
    """The versions of the vectors this process holds (as of the last ``researcher_index``/``call_rows``)."""
    return _profiles.stamp, _calls.stamp


def clear_caches() -> None:
    _profiles.clear()
    _calls.clear()
