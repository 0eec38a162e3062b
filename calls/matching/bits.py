"""The fast path of matching: facts as bitsets (bit n = vocabulary id n), scored with ``int.bit_count``.

Pure, like ``engine``; every function here returns exactly what its ``engine`` counterpart returns
for the same facts (tests compare them on random data). Ranking the researchers for one call
does not score everybody: posting lists (vocabulary id → researcher ids) give the researchers
who share anything with the call, and the others all score zero.
"""

import datetime as dt
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from calls.matching.engine import (
    PARTNER_NEW_METHODS_CAP,
    PARTNER_WEIGHTS,
    POINTS_PER_SCORE,
    SET_DIMENSIONS,
    WEIGHTS,
    CallFacts,
    ProfileFacts,
)

# Who may see a field, as a level to compare with the viewer's: public < members < hidden (the owner only).
PUBLIC, MEMBERS, HIDDEN = 0, 1, 2
LEVELS = {"public": PUBLIC, "members": MEMBERS, "hidden": HIDDEN}
ANONYMOUS, SIGNED_IN, OWNER = PUBLIC, MEMBERS, HIDDEN
PROFILE_DIMENSIONS = ("themes", "sdg_targets", "methods", "groups", "countries", "languages")


def to_bits(ids: Iterable[int]) -> int:
    bits = 0
    for i in ids:
        bits |= 1 << i
    return bits


def from_bits(bits: int) -> frozenset[int]:
    ids = []
    while bits:
        low = bits & -bits  # visits set bits only: vocabularies are sparse
        ids.append(low.bit_length() - 1)
        bits ^= low
    return frozenset(ids)


def to_bytes(bits: int) -> bytes:
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


def from_bytes(data: bytes | memoryview | None) -> int:
    return int.from_bytes(bytes(data), "little") if data else 0


@dataclass(slots=True)
class ProfileRow:
    """One researcher's precomputed vector, with who may see which part."""

    pk: int
    themes: int = 0
    sdg_targets: int = 0
    methods: int = 0
    groups: int = 0
    countries: int = 0
    languages: int = 0
    early_career: bool = False
    available: bool = True
    available_from: dt.date | None = None
    listed: bool = True  # public profile of an active user
    countries_level: int = PUBLIC
    languages_level: int = PUBLIC
    career_level: int = PUBLIC
    availability_level: int = MEMBERS

    def facts(self, viewer: int) -> ProfileFacts:
        """What a viewer at this level may know (the reference implementation's input)."""
        return ProfileFacts(
            themes=from_bits(self.themes),
            sdg_targets=from_bits(self.sdg_targets),
            methods=from_bits(self.methods),
            groups=from_bits(self.groups),
            countries=from_bits(self.countries) if self.countries_level <= viewer else None,
            languages=from_bits(self.languages) if self.languages_level <= viewer else None,
            early_career=self.early_career if self.career_level <= viewer else None,
            available=self.available if self.availability_level <= viewer else None,
            available_from=self.available_from if self.availability_level <= viewer else None,
        )


@dataclass(slots=True)
class CallRow:
    """One call's precomputed vector and the dates and rules that filter it."""

    pk: int
    themes: int = 0
    sdg_targets: int = 0
    methods: int = 0
    groups: int = 0
    languages: int = 0  # required languages
    country: int | None = None
    organisation: int | None = None
    early_career: str = "open"
    cross_border: str = "allowed"
    closes_at: dt.datetime | None = None
    live: bool = True
    current: bool = True  # live, neither cancelled nor awarded
    totals: tuple[int, ...] = field(default=())

    def __post_init__(self):
        self.totals = tuple(getattr(self, d).bit_count() for d in SET_DIMENSIONS)

    def facts(self) -> CallFacts:
        return CallFacts(
            themes=from_bits(self.themes),
            sdg_targets=from_bits(self.sdg_targets),
            methods=from_bits(self.methods),
            groups=from_bits(self.groups),
            country=self.country,
            required_languages=from_bits(self.languages),
            early_career=self.early_career,
            cross_border=self.cross_border,
        )


_SET_WEIGHTS = tuple(WEIGHTS[d] * POINTS_PER_SCORE for d in SET_DIMENSIONS)
_PLACE = WEIGHTS["place"] * POINTS_PER_SCORE
_LEVELLED = ("countries", "languages")  # the listed dimensions that have a visibility setting


def _masked(row: ProfileRow, viewer: int) -> tuple[int, int, bool | None, bool | None]:
    """(countries, languages, early_career, available) as the viewer may know them (0/None: unknown)."""
    return (
        row.countries if row.countries_level <= viewer else 0,
        row.languages if row.languages_level <= viewer else 0,
        row.early_career if row.career_level <= viewer else None,
        row.available if row.availability_level <= viewer else None,
    )


def eligible(row: ProfileRow, call: CallRow, viewer: int, *, availability: bool) -> bool:
    countries, languages, early_career, available = _masked(row, viewer)
    if call.early_career == "only" and early_career is False:
        return False
    if call.languages and languages and call.languages & ~languages:
        return False
    if call.cross_border == "domestic" and call.country is not None and countries:
        if not (countries >> call.country) & 1:
            return False
    return not (availability and available is False)


def points(row: ProfileRow, call: CallRow, viewer: int) -> int:
    """``engine.call_points`` on bitsets."""
    countries, languages, _early, _available = _masked(row, viewer)
    have = (row.themes, row.methods, row.groups, row.sdg_targets, languages)
    wanted = (call.themes, call.methods, call.groups, call.sdg_targets, call.languages)
    total = 0
    for weight, mine, theirs, n in zip(_SET_WEIGHTS, have, wanted, call.totals, strict=True):
        if n:
            total += weight * (mine & theirs).bit_count() // n
    if call.country is not None and (countries >> call.country) & 1:
        total += _PLACE
    return total


class ResearcherIndex:
    """Every researcher's row plus posting lists, so that ranking for a call touches only overlaps."""

    def __init__(self, rows: Mapping[int, ProfileRow] | None = None):
        self.rows: dict[int, ProfileRow] = {}
        self.postings: dict[str, dict[int, set[int]]] = {d: {} for d in PROFILE_DIMENSIONS}
        # Who may see a researcher's countries and languages: level → ids.
        self.levels: dict[str, dict[int, set[int]]] = {d: {lv: set() for lv in LEVELS.values()} for d in _LEVELLED}
        self._sorted_ids: list[int] | None = None
        for row in (rows or {}).values():
            self.put(row)

    def _post(self, row: ProfileRow, add: bool) -> None:
        for dimension, level in (("countries", row.countries_level), ("languages", row.languages_level)):
            (self.levels[dimension][level].add if add else self.levels[dimension][level].discard)(row.pk)
        for dimension in PROFILE_DIMENSIONS:
            posting = self.postings[dimension]
            for bit in from_bits(getattr(row, dimension)):
                if add:
                    posting.setdefault(bit, set()).add(row.pk)
                else:
                    posting.get(bit, set()).discard(row.pk)

    def put(self, row: ProfileRow) -> None:
        old = self.rows.get(row.pk)
        if old is not None:
            self._post(old, add=False)
        else:
            self._sorted_ids = None
        self.rows[row.pk] = row
        self._post(row, add=True)

    def remove(self, pk: int) -> None:
        old = self.rows.pop(pk, None)
        if old is not None:
            self._post(old, add=False)
            self._sorted_ids = None

    @property
    def sorted_ids(self) -> list[int]:
        if self._sorted_ids is None:
            self._sorted_ids = sorted(self.rows)
        return self._sorted_ids

    def _hidden(self, dimension: str, viewer: int) -> set[int]:
        """Ids whose ``dimension`` (countries or languages) the viewer may not see."""
        levels = self.levels[dimension]
        return set().union(*(levels[level] for level in range(viewer + 1, HIDDEN + 1)))

    def rank_for_call(self, call: CallRow, *, viewer: int, limit: int) -> list[tuple[int, int]]:
        """``engine.rank_researchers`` over the listed rows, as the viewer may see them: (id, points).

        Points are summed from the posting lists of the call's items (C-speed counting), so only
        researchers who share something are touched; eligibility is checked best first, until
        ``limit`` are found.
        """
        points: dict[int, int] = {}
        wanted = (call.themes, call.methods, call.groups, call.sdg_targets, call.languages)
        for dimension, weight, bits, total in zip(SET_DIMENSIONS, _SET_WEIGHTS, wanted, call.totals, strict=True):
            if not total:
                continue
            hidden = self._hidden(dimension, viewer) if dimension == "languages" else None
            hits: Counter = Counter()
            for bit in from_bits(bits):
                posting = self.postings[dimension].get(bit)
                if posting:
                    hits.update(posting - hidden if hidden else posting)
            share = [weight * n // total for n in range(total + 1)]
            for pk, n in hits.items():
                points[pk] = points.get(pk, 0) + share[n]
        if call.country is not None:
            posting = self.postings["countries"].get(call.country, set())
            hidden = self._hidden("countries", viewer)
            for pk in posting - hidden if hidden else posting:
                points[pk] = points.get(pk, 0) + _PLACE
        buckets: dict[int, list[int]] = defaultdict(list)
        for pk, value in points.items():
            buckets[value].append(pk)
        rows, best = self.rows, []
        for value in sorted(buckets, reverse=True):
            for pk in sorted(buckets[value]):
                row = rows[pk]
                if row.listed and eligible(row, call, viewer, availability=True):
                    best.append((pk, value))
                    if len(best) == limit:
                        return best
        for pk in self.sorted_ids:  # then eligible researchers who share nothing, by id
            if len(best) >= limit:
                break
            if pk not in points:
                row = rows[pk]
                if row.listed and eligible(row, call, viewer, availability=True):
                    best.append((pk, 0))
        return best

    def rank_partners(
        self, me: ProfileRow, *, viewer: int, limit: int, call: CallRow | None = None
    ) -> list[tuple[int, int]]:
        """``engine.rank_partners`` for ``me`` (who sees all of their own profile) over the other listed rows.

        Researchers who share a theme are scored first: if the best ``limit`` of them are available and
        score more than anybody without a shared theme could, nobody else needs scoring.
        """
        sharers: set[int] = set()
        for bit in from_bits(me.themes):
            sharers.update(self.postings["themes"].get(bit, ()))
        sharers.discard(me.pk)
        best = heapq.nsmallest(limit, self._partner_keys(me, sharers, viewer, call))
        ceiling = (100 - PARTNER_WEIGHTS["shared_themes"]) * POINTS_PER_SCORE
        if len(best) < limit or any(unavailable or -negative <= ceiling for unavailable, negative, _pk in best):
            best = heapq.nsmallest(limit, self._partner_keys(me, self.rows, viewer, call))
        return [(pk, -negative) for _unavailable, negative, pk in best]

    def _partner_keys(self, me: ProfileRow, pks, viewer: int, call: CallRow | None):
        """(unavailable, -points, id) of each listed row in ``pks`` but ``me``."""
        mine_countries, mine_languages = me.countries, me.languages
        my_themes, my_methods = me.themes, me.methods
        n_themes = my_themes.bit_count()
        w_themes = PARTNER_WEIGHTS["shared_themes"] * POINTS_PER_SCORE
        w_methods = PARTNER_WEIGHTS["new_methods"] * POINTS_PER_SCORE
        w_country = PARTNER_WEIGHTS["other_country"] * POINTS_PER_SCORE
        w_language = PARTNER_WEIGHTS["common_language"] * POINTS_PER_SCORE
        w_cross = PARTNER_WEIGHTS["call_cross_border"] * POINTS_PER_SCORE
        cross_required = call is not None and call.cross_border == "required"
        rows = self.rows
        for pk in pks:
            row = rows[pk]
            if pk == me.pk or not row.listed:
                continue
            countries = row.countries if row.countries_level <= viewer else 0
            languages = row.languages if row.languages_level <= viewer else 0
            available = row.available if row.availability_level <= viewer else None
            total = w_themes * (my_themes & row.themes).bit_count() // n_themes if n_themes else 0
            new_methods = min((row.methods & ~my_methods).bit_count(), PARTNER_NEW_METHODS_CAP)
            total += w_methods * new_methods // PARTNER_NEW_METHODS_CAP
            if countries & ~mine_countries:
                total += w_country
                if cross_required and (mine_countries | countries).bit_count() >= 2:
                    total += w_cross
            if mine_languages & languages:
                total += w_language
            yield (available is False, -total, pk)


def rank_calls(profile: ProfileRow, calls: Iterable[CallRow], *, now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """``engine.rank_calls`` for the profile's owner over the calls still ahead of their deadline.

    ``eligible`` and ``points`` inlined: this loop runs over every current call on each request.
    """
    themes, methods, groups, targets = profile.themes, profile.methods, profile.groups, profile.sdg_targets
    countries, languages, early_career = profile.countries, profile.languages, profile.early_career
    w_themes, w_methods, w_groups, w_targets, w_languages = _SET_WEIGHTS
    rows = []
    for call in calls:
        if not call.current or call.closes_at is None or call.closes_at <= now:
            continue
        if call.early_career == "only" and early_career is False:
            continue
        required, country = call.languages, call.country
        if required and languages and required & ~languages:
            continue
        works_there = country is not None and (countries >> country) & 1
        if call.cross_border == "domestic" and country is not None and countries and not works_there:
            continue
        n_themes, n_methods, n_groups, n_targets, n_languages = call.totals
        total = _PLACE if works_there else 0
        if n_themes:
            total += w_themes * (themes & call.themes).bit_count() // n_themes
        if n_methods:
            total += w_methods * (methods & call.methods).bit_count() // n_methods
        if n_groups:
            total += w_groups * (groups & call.groups).bit_count() // n_groups
        if n_targets:
            total += w_targets * (targets & call.sdg_targets).bit_count() // n_targets
        if n_languages:
            total += w_languages * (languages & required).bit_count() // n_languages
        rows.append((-total, call.closes_at, call.pk))
    return [(pk, -negative) for negative, _closes, pk in heapq.nsmallest(limit, rows)]
