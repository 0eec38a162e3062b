"""How well a researcher fits a call, a partner fits a researcher, a city fits a city: facts in, points and reasons out.

Pure: no request, no ORM. Facts hold vocabulary ids (ints); ``Labels`` turns them into names for
the reasons. ``None`` for a fact means "not known to this viewer" (the researcher hid it, or never
filled it in): unknown facts neither add points nor exclude anybody. This is the plain reference
implementation; ``calls.matching.bits`` computes the same results faster from precomputed bitsets.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The one place the weights live: the share of 100 each kind of overlap can earn.
WEIGHTS: Mapping[str, int] = {
    "themes": 30,
    "methods": 20,
    "groups": 15,
    "sdg_targets": 10,
    "place": 15,
    "languages": 10,
}
# Overlaps counted as "the call's items the researcher covers" (share of the call's list).
SET_DIMENSIONS = ("themes", "methods", "groups", "sdg_targets", "languages")
POINTS_PER_SCORE = 100  # points are hundredths of a score point, so sums stay exact integers

PARTNER_WEIGHTS: Mapping[str, int] = {
    "shared_themes": 35,
    "new_methods": 25,
    "other_country": 15,
    "common_language": 10,
    "call_cross_border": 15,
}
PARTNER_NEW_METHODS_CAP = 3  # a partner bringing three methods you lack earns the full share

PEER_WEIGHTS: Mapping[str, int] = {"themes": 40, "groups": 20, "methods": 15, "sdg_targets": 10, "networks": 15}

Labels = Mapping[str, Mapping[int, str]]  # dimension → id → name; countries and languages included


@dataclass(frozen=True)
class ProfileFacts:
    """What a profile says, as far as the viewer may see it."""

    themes: frozenset[int] = frozenset()
    sdg_targets: frozenset[int] = frozenset()
    methods: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    countries: frozenset[int] | None = frozenset()
    languages: frozenset[int] | None = frozenset()
    early_career: bool | None = None
    available: bool | None = True
    available_from: dt.date | None = None


@dataclass(frozen=True)
class CallFacts:
    themes: frozenset[int] = frozenset()
    sdg_targets: frozenset[int] = frozenset()
    methods: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    country: int | None = None  # the city's country
    required_languages: frozenset[int] = frozenset()
    early_career: str = "open"  # open / reserved / only
    cross_border: str = "allowed"  # allowed / required / domestic


@dataclass(frozen=True)
class Match:
    points: int  # 0 … 100 × POINTS_PER_SCORE
    reasons: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # unmet hard requirements: the pair is not eligible
    shared: tuple[str, ...] = ()  # names of the shared themes, methods, groups, targets and languages
    # The profile names no theme and no method: a score would only measure that ("0 % fit"); people get a prompt.
    profile_empty: bool = False

    @property
    def score(self) -> int:
        """0–100, for people."""
        return round(self.points / POINTS_PER_SCORE)

    @property
    def eligible(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "nothing in common yet"


def _known(values: frozenset | None) -> frozenset | None:
    """Empty counts as unknown: a profile that lists no languages has not said it lacks them."""
    return values or None


def _share(weight: int, hits: int, total: int) -> int:
    return weight * POINTS_PER_SCORE * hits // total if total else 0


def _names(ids: Iterable[int], labels: Mapping[int, str]) -> str:
    return ", ".join(sorted(labels.get(i, str(i)) for i in ids))


def call_points(profile: ProfileFacts, call: CallFacts) -> int:
    """The score in points, from overlaps only (the fast path must return exactly this)."""
    points = 0
    for dimension in SET_DIMENSIONS:
        wanted = call.required_languages if dimension == "languages" else getattr(call, dimension)
        have = getattr(profile, dimension) or frozenset()
        points += _share(WEIGHTS[dimension], len(wanted & have), len(wanted))
    if call.country is not None and profile.countries and call.country in profile.countries:
        points += WEIGHTS["place"] * POINTS_PER_SCORE
    return points


def call_problems(profile: ProfileFacts, call: CallFacts, labels: Labels | None = None) -> list[str]:
    """Hard requirements of the call the profile is known not to meet."""
    labels = labels or {}
    problems = []
    if call.early_career == "only" and profile.early_career is False:
        problems.append("only students and early-career researchers may apply")
    languages = _known(profile.languages)
    if call.required_languages and languages is not None:
        missing = call.required_languages - languages
        if missing:
            problems.append(
                f"the call requires {_names(missing, labels.get('languages', {}))}, which the profile does not list"
            )
    countries = _known(profile.countries)
    if call.cross_border == "domestic" and call.country is not None and countries is not None:
        if call.country not in countries:
            problems.append(
                f"teams must be based in {labels.get('countries', {}).get(call.country, 'the city’s country')}"
            )
    return problems


def availability_problems(profile: ProfileFacts) -> list[str]:
    return ["not open to new partnerships"] if profile.available is False else []


def call_reasons(profile: ProfileFacts, call: CallFacts, labels: Labels, *, you: bool = True) -> list[str]:
    """What the profile and the call share, in words: "both: right to adequate housing; you use …"."""
    reasons = []
    themes = call.themes & profile.themes
    if themes:
        reasons.append(f"both: {_names(themes, labels.get('themes', {}))}")
    methods = call.methods & profile.methods
    if methods:
        reasons.append(f"{'you use' if you else 'uses'} {_names(methods, labels.get('methods', {}))}")
    groups = call.groups & profile.groups
    if groups:
        reasons.append(f"{'you work with' if you else 'works with'} {_names(groups, labels.get('groups', {}))}")
    targets = call.sdg_targets & profile.sdg_targets
    if targets:
        reasons.append(f"both: SDG target {_names(targets, labels.get('sdg_targets', {}))}")
    if call.country is not None and profile.countries and call.country in profile.countries:
        country = labels.get("countries", {}).get(call.country, "the city’s country")
        reasons.append(f"{'you work in' if you else 'works in'} {country}")
    languages = call.required_languages & (profile.languages or frozenset())
    if languages:
        reasons.append(f"{'you work in' if you else 'works in'} {_names(languages, labels.get('languages', {}))}")
    if call.early_career in ("only", "reserved") and profile.early_career:
        reasons.append("early-career researchers are welcome" if you else "early-career researcher")
    if not you and profile.available_from is not None and profile.available is not False:
        reasons.append(f"available from {profile.available_from:%-d %b %Y}")
    return reasons


def match_call(
    profile: ProfileFacts, call: CallFacts, labels: Labels | None = None, *, you: bool = True, availability=False
) -> Match:
    """Score a profile against a call, with the reasons and any unmet requirement."""
    labels = labels or {}
    problems = call_problems(profile, call, labels)
    if availability:
        problems += availability_problems(profile)
    return Match(
        points=call_points(profile, call),
        reasons=tuple(call_reasons(profile, call, labels, you=you)),
        problems=tuple(problems),
        shared=tuple(_shared_names(profile, call, labels)),
        profile_empty=not (profile.themes or profile.methods),
    )


def _shared_names(profile: ProfileFacts, call: CallFacts, labels: Labels) -> list[str]:
    names = []
    for dimension in SET_DIMENSIONS:
        wanted = call.required_languages if dimension == "languages" else getattr(call, dimension)
        shared = wanted & (getattr(profile, dimension) or frozenset())
        names += sorted(labels.get(dimension, {}).get(i, str(i)) for i in shared)
    return names


def rank_researchers(profiles: Mapping[int, ProfileFacts], call: CallFacts, *, limit: int) -> list[tuple[int, int]]:
    """Eligible and available profiles, best first; ties by profile id. Returns (id, points)."""
    rows = [
        (-call_points(facts, call), pk)
        for pk, facts in profiles.items()
        if not call_problems(facts, call) and not availability_problems(facts)
    ]
    return [(pk, -negative) for negative, pk in sorted(rows)[:limit]]


def rank_calls(
    profile: ProfileFacts, calls: Mapping[int, tuple[CallFacts, dt.datetime]], *, limit: int
) -> list[tuple[int, int]]:
    """Eligible calls, best first; ties by the soonest deadline, then id. ``calls``: id → (facts, closes_at)."""
    rows = [
        (-call_points(profile, facts), closes_at, pk)
        for pk, (facts, closes_at) in calls.items()
        if not call_problems(profile, facts)
    ]
    return [(pk, -negative) for negative, _closes, pk in sorted(rows)[:limit]]


# What to add to a profile to see better matches, in the order it helps most.
PROFILE_HINTS = (
    ("themes", "Add your human-rights themes to see better matches"),
    ("methods", "Add your methods to see better matches"),
    ("countries", "Add the countries you work in to see better matches"),
    ("languages", "Add your working languages to see better matches"),
    ("groups", "Add the groups you work with to see better matches"),
    ("sdg_targets", "Add SDG targets to see better matches"),
)


def profile_hints(profile: ProfileFacts, *, limit: int = 3) -> list[str]:
    """Cold start: which missing profile facts would improve the matches."""
    return [message for field, message in PROFILE_HINTS if not getattr(profile, field)][:limit]


# Partner search: a researcher assembling a team looks for complementary colleagues.


def partner_points(me: ProfileFacts, other: ProfileFacts, call: CallFacts | None = None) -> int:
    points = _share(PARTNER_WEIGHTS["shared_themes"], len(me.themes & other.themes), len(me.themes))
    new_methods = len(other.methods - me.methods)
    points += _share(PARTNER_WEIGHTS["new_methods"], min(new_methods, PARTNER_NEW_METHODS_CAP), PARTNER_NEW_METHODS_CAP)
    mine, theirs = me.countries or frozenset(), other.countries or frozenset()
    if theirs - mine:
        points += PARTNER_WEIGHTS["other_country"] * POINTS_PER_SCORE
    if (me.languages or frozenset()) & (other.languages or frozenset()):
        points += PARTNER_WEIGHTS["common_language"] * POINTS_PER_SCORE
    if call is not None and _makes_cross_border(mine, theirs, call):
        points += PARTNER_WEIGHTS["call_cross_border"] * POINTS_PER_SCORE
    return points


def _makes_cross_border(mine: frozenset, theirs: frozenset, call: CallFacts) -> bool:
    """The call requires a cross-border team, and together we work in at least two countries."""
    return call.cross_border == "required" and bool(theirs) and len(mine | theirs) >= 2 and bool(theirs - mine)


def partner_reasons(me: ProfileFacts, other: ProfileFacts, labels: Labels, call: CallFacts | None = None) -> list[str]:
    reasons = []
    themes = me.themes & other.themes
    if themes:
        reasons.append(f"both: {_names(themes, labels.get('themes', {}))}")
    new_methods = other.methods - me.methods
    if new_methods:
        reasons.append(f"brings {_names(new_methods, labels.get('methods', {}))}")
    mine, theirs = me.countries or frozenset(), other.countries or frozenset()
    if theirs - mine:
        reasons.append(f"works in {_names(theirs - mine, labels.get('countries', {}))}")
    languages = (me.languages or frozenset()) & (other.languages or frozenset())
    if languages:
        reasons.append(f"you both work in {_names(languages, labels.get('languages', {}))}")
    if call is not None and _makes_cross_border(mine, theirs, call):
        reasons.append("makes your team cross-border, as the call requires")
    return reasons


def match_partner(me: ProfileFacts, other: ProfileFacts, labels: Labels, call: CallFacts | None = None) -> Match:
    return Match(
        points=partner_points(me, other, call),
        reasons=tuple(partner_reasons(me, other, labels, call)),
        problems=tuple(availability_problems(other)),
    )


def rank_partners(
    me: ProfileFacts, others: Mapping[int, ProfileFacts], *, call: CallFacts | None = None, limit: int
) -> list[tuple[int, int]]:
    """Available colleagues first, then by points, then by id."""
    rows = [(facts.available is False, -partner_points(me, facts, call), pk) for pk, facts in others.items()]
    return [(pk, -negative) for _unavailable, negative, pk in sorted(rows)[:limit]]


# Peer cities: cities commissioning research on the same things, for exchange.


@dataclass(frozen=True)
class CityFacts:
    themes: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    methods: frozenset[int] = frozenset()
    sdg_targets: frozenset[int] = frozenset()
    networks: frozenset[int] = frozenset()
    country: int | None = None


def _jaccard(weight: int, a: frozenset, b: frozenset) -> int:
    union = len(a | b)
    return weight * POINTS_PER_SCORE * len(a & b) // union if union else 0


def peer_points(city: CityFacts, other: CityFacts) -> int:
    return sum(_jaccard(weight, getattr(city, name), getattr(other, name)) for name, weight in PEER_WEIGHTS.items())


def peer_reasons(city: CityFacts, other: CityFacts, labels: Labels) -> list[str]:
    reasons = []
    for name, phrase in (
        ("themes", "both commission research on {}"),
        ("groups", "both focus on {}"),
        ("methods", "both ask for {}"),
        ("networks", "both in {}"),
    ):
        shared = getattr(city, name) & getattr(other, name)
        if shared:
            reasons.append(phrase.format(_names(shared, labels.get(name, {}))))
    if city.country is not None and city.country == other.country:
        reasons.append(f"both in {labels.get('countries', {}).get(city.country, 'the same country')}")
    return reasons


def rank_peers(city_id: int, cities: Mapping[int, CityFacts], *, limit: int) -> list[tuple[int, int]]:
    """Other cities with something in common, most similar first, ties by id."""
    me = cities[city_id]
    rows = [(-peer_points(me, facts), pk) for pk, facts in cities.items() if pk != city_id]
    return [(pk, -negative) for negative, pk in sorted(rows) if negative < 0][:limit]
