"""Matching reads for pages: calls for a researcher, researchers for a call, partners, peer cities.

Each ranks on the cached vectors (``calls.matching.vectors``), then loads only the winners, so the
number of queries does not grow with the number of researchers, calls or cities.
"""

import datetime as dt
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from calls.matching import bits, engine, vectors
from calls.matching.bits import CallRow, ProfileRow
from calls.models import MatchInvitation
from calls.selectors import calls_public
from hub.models import Country, GroupAtRisk, Language, Method, SDGTarget, Theme
from hub.translation import originals
from profiles.models import CityPage
from profiles.visibility import can_see, profiles_visible_to

CALLS_FOR_YOU = 20
RESEARCHERS_WHO_FIT = 20
PARTNERS = 20
PEER_CITIES = 5
# Ranking looks a little further than it shows, so that a call or profile that just became
# private (and is dropped when loading) does not leave the list short.
SLACK = 2


@dataclass
class Fit:
    """A ranked object (call, profile or city page) with its match."""

    object: Any
    match: engine.Match
    invited_at: dt.datetime | None = None
    affiliation: str = ""  # for profiles: only when the viewer may see it


RANKINGS_KEPT = 256
_rankings: OrderedDict = OrderedDict()


def _ranking(key: tuple, rank) -> list[tuple[int, int]]:
    """``rank()``, remembered per process for the vectors' current versions (a reload or a second
    official on the same call does not rank 50,000 researchers again)."""
    key = (*key, vectors.stamps())
    if key in _rankings:
        _rankings.move_to_end(key)
        return _rankings[key]
    result = _rankings[key] = rank()
    if len(_rankings) > RANKINGS_KEPT:
        _rankings.popitem(last=False)
    return result


def clear_rankings() -> None:
    _rankings.clear()


LABELS_TTL = 300  # seconds: a renamed theme shows in reasons within five minutes in every process
_labels_cache: dict[str, Any] = {"at": None, "labels": None}


def _vocabulary_labels() -> dict[str, dict[int, str]]:
    """Every vocabulary's names by id, loaded once per process and per LABELS_TTL (a few hundred rows)."""
    now = time.monotonic()
    if _labels_cache["at"] is None or now - _labels_cache["at"] > LABELS_TTL:
        sources = {
            "themes": (Theme, "name"),
            "methods": (Method, "name"),
            "groups": (GroupAtRisk, "name"),
            "sdg_targets": (SDGTarget, "code"),
            "countries": (Country, "name"),
            "languages": (Language, "name"),
        }
        _labels_cache["labels"] = {
            name: dict(model.objects.values_list("pk", label)) for name, (model, label) in sources.items()
        }
        _labels_cache["at"] = now
    return _labels_cache["labels"]


def labels_for(ids: dict[str, set[int]]) -> engine.Labels:
    """Names of the vocabulary ids the reasons mention (from the process cache: no query)."""
    vocabularies = _vocabulary_labels()
    labels: dict[str, dict[int, str]] = {}
    for name, wanted in ids.items():
        if not wanted:
            continue
        known = vocabularies[name]
        if not wanted <= known.keys():  # added since the cache was filled
            _labels_cache["at"] = None
            known = _vocabulary_labels()[name]
        labels[name] = {pk: known[pk] for pk in wanted if pk in known}
    return labels


def _affiliation(profile, viewer) -> str:
    if profile.affiliation_id is None or not can_see(profile, "affiliation", viewer):
        return ""
    return profile.affiliation.name


def _collect(target: dict[str, set[int]], name: str, values) -> None:
    target[name] |= set(values or ())


def own_row(profile) -> ProfileRow:
    """The profile's vector from the cache, or computed now if it has none yet."""
    row = vectors.researcher_index().rows.get(profile.pk)
    if row is None:
        row = vectors.profile_row(vectors.profile_vectors([profile])[0])
    return row


def call_row_of(call) -> CallRow:
    row = vectors.call_rows().get(call.pk)
    return row if row is not None else vectors.call_row(vectors.call_vector(call))


def calls_for_researcher(profile, *, limit: int = CALLS_FOR_YOU, now: dt.datetime | None = None):
    """The open and upcoming calls a researcher is eligible for, best fit first; and profile hints."""
    now = now or timezone.now()
    row = own_row(profile)
    rows = vectors.call_rows()
    ranked = bits.rank_calls(row, rows.values(), now=now, limit=limit * SLACK)
    return _load_calls(row, ranked, rows, limit, calls_public()), engine.profile_hints(row.facts(bits.OWNER))


def fits_for_calls(profile, calls: list) -> None:
    """Attach ``fit`` (a Match for the profile's owner) to each call of a listing."""
    row = own_row(profile)
    rows = vectors.call_rows()
    facts = row.facts(bits.OWNER)
    pairs = [(call, (rows.get(call.pk) or vectors.call_row(vectors.call_vector(call))).facts()) for call in calls]
    labels = labels_for(_reason_ids(facts, [f for _call, f in pairs]))
    for call, call_facts in pairs:
        call.fit = engine.match_call(facts, call_facts, labels)


def _reason_ids(facts: engine.ProfileFacts, calls: list[engine.CallFacts]) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = defaultdict(set)
    for call in calls:
        for name in ("themes", "methods", "groups", "sdg_targets"):
            _collect(ids, name, getattr(call, name) & getattr(facts, name))
        _collect(ids, "languages", call.required_languages)
        if call.country is not None:
            ids["countries"].add(call.country)
    return ids


def _load_calls(row: ProfileRow, ranked, rows, limit: int, queryset) -> list[Fit]:
    ids = [pk for pk, _points in ranked]
    calls = {c.pk: c for c in queryset.defer_streamfields().filter(pk__in=ids)}
    kept = [pk for pk in ids if pk in calls][:limit]
    facts = row.facts(bits.OWNER)
    call_facts = {pk: rows[pk].facts() for pk in kept}
    labels = labels_for(_reason_ids(facts, list(call_facts.values())))
    return [Fit(calls[pk], engine.match_call(facts, call_facts[pk], labels)) for pk in kept]


def researchers_for_call(call, *, viewer, limit: int = RESEARCHERS_WHO_FIT) -> list[Fit]:
    """Listed, eligible, available researchers who fit a call, as a signed-in official may see them.

    A field the researcher hid from signed-in users neither scores, nor filters, nor shows up in the reasons.
    """
    crow = call_row_of(call)
    index = vectors.researcher_index()
    ranked = _ranking(
        ("fit", call.pk, limit), lambda: index.rank_for_call(crow, viewer=bits.SIGNED_IN, limit=limit * SLACK)
    )
    ids = [pk for pk, _points in ranked]
    profiles = {
        p.pk: p
        for p in profiles_visible_to(viewer)
        .filter(pk__in=ids, is_public=True)
        .select_related("user", "affiliation", "affiliation__country")
    }
    kept = [pk for pk in ids if pk in profiles][:limit]
    invited = dict(
        MatchInvitation.objects.filter(call=call, profile_id__in=kept).values_list("profile_id", "created_at")
    )
    call_facts = crow.facts()
    facts = {pk: index.rows[pk].facts(bits.SIGNED_IN) for pk in kept}
    labels = labels_for(_reason_ids_many(list(facts.values()), call_facts))
    return [
        Fit(
            profiles[pk],
            engine.match_call(facts[pk], call_facts, labels, you=False, availability=True),
            invited_at=invited.get(pk),
            affiliation=_affiliation(profiles[pk], viewer),
        )
        for pk in kept
    ]


def _reason_ids_many(profiles: list[engine.ProfileFacts], call: engine.CallFacts) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = defaultdict(set)
    for facts in profiles:
        for name in ("themes", "methods", "groups", "sdg_targets"):
            _collect(ids, name, getattr(call, name) & getattr(facts, name))
        _collect(ids, "languages", call.required_languages & (facts.languages or frozenset()))
    if call.country is not None:
        ids["countries"].add(call.country)
    return ids


def partners_for(profile, *, viewer, call=None, limit: int = PARTNERS) -> list[Fit]:
    """Colleagues for a cross-border team: shared themes, methods the researcher lacks, other countries."""
    me = own_row(profile)
    crow = call_row_of(call) if call is not None else None
    index = vectors.researcher_index()
    ranked = _ranking(
        ("partners", profile.pk, call.pk if call is not None else None, limit),
        lambda: index.rank_partners(me, viewer=bits.SIGNED_IN, limit=limit * SLACK, call=crow),
    )
    ids = [pk for pk, _points in ranked]
    profiles = {
        p.pk: p
        for p in profiles_visible_to(viewer)
        .filter(pk__in=ids, is_public=True)
        .exclude(pk=profile.pk)
        .select_related("user", "affiliation", "affiliation__country")
    }
    kept = [pk for pk in ids if pk in profiles][:limit]
    mine = me.facts(bits.OWNER)
    others = {pk: index.rows[pk].facts(bits.SIGNED_IN) for pk in kept}
    ids_needed: dict[str, set[int]] = defaultdict(set)
    for facts in others.values():
        _collect(ids_needed, "themes", mine.themes & facts.themes)
        _collect(ids_needed, "methods", facts.methods - mine.methods)
        _collect(ids_needed, "countries", (facts.countries or frozenset()) - (mine.countries or frozenset()))
        _collect(ids_needed, "languages", (facts.languages or frozenset()) & (mine.languages or frozenset()))
    labels = labels_for(ids_needed)
    call_facts = crow.facts() if crow is not None else None
    return [
        Fit(
            profiles[pk],
            engine.match_partner(mine, others[pk], labels, call_facts),
            affiliation=_affiliation(profiles[pk], viewer),
        )
        for pk in kept
    ]


def city_facts() -> tuple[dict[int, engine.CityFacts], dict[int, str], dict[int, int]]:
    """Per organisation with a public city page: the union of its published calls' lists, its networks,
    its country; the networks' names; the city page ids (one query besides the cached call vectors)."""
    cities: dict[int, int] = {}
    pages: dict[int, int] = {}
    networks: dict[int, set[int]] = defaultdict(set)
    network_names: dict[int, str] = {}
    rows = originals(CityPage.objects.live().public()).values_list(
        "pk",
        "organisation_id",
        "organisation__country_id",
        "organisation__networks",
        "organisation__networks__name",
    )
    for page, organisation, country, network, name in rows:
        cities[organisation] = country
        pages[organisation] = page
        if network is not None:
            networks[organisation].add(network)
            network_names[network] = name
    unions: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in vectors.call_rows().values():
        if row.live and row.organisation in cities:
            union = unions[row.organisation]
            for name in ("themes", "groups", "methods", "sdg_targets"):
                union[name] |= getattr(row, name)
    facts = {
        organisation: engine.CityFacts(
            **{name: bits.from_bits(value) for name, value in unions[organisation].items()},
            networks=frozenset(networks[organisation]),
            country=country,
        )
        for organisation, country in cities.items()
    }
    return facts, network_names, pages


def peer_cities(city_page, *, limit: int = PEER_CITIES) -> list[Fit]:
    """Cities whose calls share themes, groups and methods with this one's, or that share a network."""
    facts, network_names, page_ids = city_facts()
    if city_page.organisation_id not in facts:
        return []
    ranked = engine.rank_peers(city_page.organisation_id, facts, limit=limit)
    pages = {
        p.organisation_id: p
        for p in CityPage.objects.filter(pk__in=[page_ids[pk] for pk, _points in ranked]).select_related(
            "organisation", "organisation__country"
        )
    }
    me = facts[city_page.organisation_id]
    ids: dict[str, set[int]] = defaultdict(set)
    for pk, _points in ranked:
        for name in ("themes", "groups", "methods"):
            _collect(ids, name, getattr(me, name) & getattr(facts[pk], name))
    if me.country is not None:
        ids["countries"].add(me.country)
    labels = {**labels_for(ids), "networks": network_names}
    return [
        Fit(pages[pk], engine.Match(points=points, reasons=tuple(engine.peer_reasons(me, facts[pk], labels))))
        for pk, points in ranked
        if pk in pages
    ]


def call_page_match(profile, call) -> tuple[engine.Match, list[str]]:
    """The match box on a call page: how the call fits the signed-in researcher, and profile hints."""
    row = own_row(profile)
    cached = vectors.call_rows().get(call.pk) if call.pk else None
    # A call being previewed in the admin has unsaved lists: read them from the instance.
    call_facts = (cached or vectors.call_row(vectors.call_vector(call))).facts()
    facts = row.facts(bits.OWNER)
    labels = labels_for(_reason_ids(facts, [call_facts]))
    return engine.match_call(facts, call_facts, labels), engine.profile_hints(facts)


def order_by_fit(profile, call_ids: list[int], closes_at: dict[int, dt.datetime]) -> list[int]:
    """Call ids of a listing by fit: eligible first, then points, then the soonest deadline, then id."""
    row = own_row(profile)
    rows = vectors.call_rows()
    keys = []
    for pk in call_ids:
        crow = rows.get(pk)
        if crow is None:
            keys.append((True, 0, closes_at.get(pk), pk))
        else:
            ok = bits.eligible(row, crow, bits.OWNER, availability=False)
            keys.append((not ok, -bits.points(row, crow, bits.OWNER), closes_at.get(pk), pk))
    return [key[-1] for key in sorted(keys)]
