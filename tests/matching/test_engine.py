"""Scoring, reasons and hard filters of matching (pure: no database)."""

import pytest

from calls.matching import engine
from calls.matching.engine import CallFacts, CityFacts, Match, ProfileFacts, match_call, match_partner

HOUSING, HEALTH = 1, 2
PAR, SURVEY = 10, 11
OLDER = 20
TARGET_11_1 = 30
COLOMBIA, AUSTRIA, GHANA = 40, 41, 42
SPANISH, ENGLISH, GERMAN = 50, 51, 52
LABELS = {
    "themes": {HOUSING: "right to adequate housing", HEALTH: "right to health"},
    "methods": {PAR: "participatory action research", SURVEY: "survey"},
    "groups": {OLDER: "older persons"},
    "sdg_targets": {TARGET_11_1: "11.1"},
    "countries": {COLOMBIA: "Colombia", AUSTRIA: "Austria", GHANA: "Ghana"},
    "languages": {SPANISH: "Spanish", ENGLISH: "English", GERMAN: "German"},
}
CALL = CallFacts(
    themes=frozenset({HOUSING, HEALTH}),
    methods=frozenset({PAR, SURVEY}),
    groups=frozenset({OLDER}),
    sdg_targets=frozenset({TARGET_11_1}),
    country=COLOMBIA,
    required_languages=frozenset({SPANISH}),
)
EVERYTHING = ProfileFacts(
    themes=frozenset({HOUSING, HEALTH}),
    methods=frozenset({PAR, SURVEY}),
    groups=frozenset({OLDER}),
    sdg_targets=frozenset({TARGET_11_1}),
    countries=frozenset({COLOMBIA}),
    languages=frozenset({SPANISH}),
)


def test_weights_add_up_to_100():
    assert sum(engine.WEIGHTS.values()) == 100
    assert sum(engine.PARTNER_WEIGHTS.values()) == 100
    assert sum(engine.PEER_WEIGHTS.values()) == 100


def test_reasons_say_what_is_shared_in_words_a_person_reads():
    profile = ProfileFacts(
        themes=frozenset({HOUSING}), methods=frozenset({PAR}), languages=frozenset({SPANISH}), countries=frozenset()
    )

    result = match_call(profile, CALL, LABELS)

    assert result.reasons == (
        "both: right to adequate housing",
        "you use participatory action research",
        "you work in Spanish",
    )
    assert (
        result.summary == "both: right to adequate housing; you use participatory action research; you work in Spanish"
    )
    assert result.eligible


def test_an_official_reads_the_reasons_about_the_researcher():
    result = match_call(EVERYTHING, CALL, LABELS, you=False)

    assert "uses participatory action research, survey" in result.reasons
    assert "works in Colombia" in result.reasons
    assert "works with older persons" in result.reasons


def test_everything_in_common_scores_100_and_nothing_scores_0():
    assert match_call(EVERYTHING, CALL, LABELS).score == 100
    nothing = match_call(ProfileFacts(), CALL, LABELS)
    assert nothing.score == 0
    assert nothing.reasons == ()
    assert nothing.summary == "nothing in common yet"


def test_a_call_without_lists_gives_no_points_but_no_error():
    assert match_call(EVERYTHING, CallFacts(), LABELS) == Match(points=0)


def test_more_shared_themes_score_higher():
    one = match_call(ProfileFacts(themes=frozenset({HOUSING})), CALL)
    two = match_call(ProfileFacts(themes=frozenset({HOUSING, HEALTH})), CALL)

    assert two.points > one.points
    assert two.points - one.points == engine.WEIGHTS["themes"] * engine.POINTS_PER_SCORE // 2


def test_hidden_facts_neither_score_nor_show_nor_exclude():
    hidden = ProfileFacts(
        themes=EVERYTHING.themes,
        methods=EVERYTHING.methods,
        groups=EVERYTHING.groups,
        sdg_targets=EVERYTHING.sdg_targets,
        countries=None,
        languages=None,
        early_career=None,
    )
    domestic_only = CallFacts(
        themes=CALL.themes,
        country=COLOMBIA,
        cross_border="domestic",
        early_career="only",
        required_languages=CALL.required_languages,
    )

    result = match_call(hidden, domestic_only, LABELS, you=False)

    assert result.eligible  # unknown is not "does not meet"
    assert not any("Colombia" in r or "Spanish" in r or "early-career" in r for r in result.reasons)
    assert result.points == engine.WEIGHTS["themes"] * engine.POINTS_PER_SCORE


@pytest.mark.parametrize(
    ("profile", "call", "problems"),
    [
        (
            ProfileFacts(early_career=False),
            CallFacts(early_career="only"),
            ["only students and early-career researchers may apply"],
        ),
        (ProfileFacts(early_career=True), CallFacts(early_career="only"), []),
        (ProfileFacts(early_career=None), CallFacts(early_career="only"), []),
        (
            ProfileFacts(languages=frozenset({ENGLISH})),
            CallFacts(required_languages=frozenset({SPANISH, GERMAN})),
            ["the call requires German, Spanish, which the profile does not list"],
        ),
        # A profile that lists no languages yet is not excluded (cold start); it is told to add them.
        (ProfileFacts(), CallFacts(required_languages=frozenset({SPANISH})), []),
        (
            ProfileFacts(countries=frozenset({AUSTRIA})),
            CallFacts(country=COLOMBIA, cross_border="domestic"),
            ["teams must be based in Colombia"],
        ),
        (ProfileFacts(countries=frozenset({COLOMBIA})), CallFacts(country=COLOMBIA, cross_border="domestic"), []),
        (ProfileFacts(), CallFacts(cross_border="required"), []),
    ],
)
def test_hard_filters(profile, call, problems):
    assert engine.call_problems(profile, call, LABELS) == problems


def test_unavailable_researchers_are_excluded_only_when_availability_counts():
    away = ProfileFacts(available=False)

    assert match_call(away, CALL).eligible
    assert match_call(away, CALL, availability=True).problems == ("not open to new partnerships",)
    assert engine.rank_researchers({1: away, 2: ProfileFacts()}, CALL, limit=5) == [(2, 0)]


def test_early_career_researchers_are_told_when_a_share_is_reserved():
    result = match_call(ProfileFacts(early_career=True), CallFacts(early_career="reserved"))

    assert "early-career researchers are welcome" in result.reasons


def test_ties_are_broken_by_profile_id_and_calls_by_deadline():
    import datetime as dt

    same = ProfileFacts(themes=frozenset({HOUSING}))
    assert engine.rank_researchers({9: same, 3: same, 5: same}, CALL, limit=2) == [(3, 1500), (5, 1500)]

    soon, later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2030, 6, 1, tzinfo=dt.UTC)
    calls = {1: (CALL, later), 2: (CALL, soon), 3: (CallFacts(themes=frozenset({HOUSING})), later)}
    ranked = engine.rank_calls(same, calls, limit=3)
    assert [pk for pk, _points in ranked] == [3, 2, 1]


def test_cold_start_orders_by_deadline_and_names_what_to_add():
    import datetime as dt

    new = ProfileFacts(countries=frozenset(), languages=frozenset())
    calls = {pk: (CALL, dt.datetime(2030, 1, day, tzinfo=dt.UTC)) for pk, day in [(1, 9), (2, 3), (3, 5)]}

    assert [pk for pk, _ in engine.rank_calls(new, calls, limit=3)] == [2, 3, 1]
    assert engine.profile_hints(new) == [
        "Add your human-rights themes to see better matches",
        "Add your methods to see better matches",
        "Add the countries you work in to see better matches",
    ]
    assert engine.profile_hints(EVERYTHING) == []


def test_partner_brings_methods_i_lack_shares_themes_and_works_elsewhere():
    me = ProfileFacts(
        themes=frozenset({HOUSING}),
        methods=frozenset({PAR}),
        countries=frozenset({AUSTRIA}),
        languages=frozenset({ENGLISH}),
    )
    partner = ProfileFacts(
        themes=frozenset({HOUSING}),
        methods=frozenset({PAR, SURVEY}),
        countries=frozenset({GHANA}),
        languages=frozenset({ENGLISH}),
    )
    clone = ProfileFacts(themes=frozenset({HOUSING}), methods=frozenset({PAR}), countries=frozenset({AUSTRIA}))
    cross_border = CallFacts(cross_border="required")

    result = match_partner(me, partner, LABELS, cross_border)

    assert result.reasons == (
        "both: right to adequate housing",
        "brings survey",
        "works in Ghana",
        "you both work in English",
        "makes your team cross-border, as the call requires",
    )
    assert result.points > match_partner(me, clone, LABELS).points
    assert match_partner(me, partner, LABELS).points < result.points


def test_available_partners_come_first():
    me = ProfileFacts(themes=frozenset({HOUSING}))
    great_but_away = ProfileFacts(themes=frozenset({HOUSING}), methods=frozenset({SURVEY}), available=False)
    modest = ProfileFacts()

    assert [pk for pk, _ in engine.rank_partners(me, {1: great_but_away, 2: modest}, limit=2)] == [2, 1]


def test_peer_cities_share_themes_and_networks():
    graz = CityFacts(themes=frozenset({HOUSING, HEALTH}), networks=frozenset({7}), country=AUSTRIA)
    vienna = CityFacts(themes=frozenset({HOUSING}), networks=frozenset({7}), country=AUSTRIA)
    bogota = CityFacts(themes=frozenset({HEALTH}), country=COLOMBIA)
    stranger = CityFacts(themes=frozenset({99}))
    labels = {**LABELS, "networks": {7: "Eurocities"}}

    assert engine.rank_peers(1, {1: graz, 2: vienna, 3: bogota, 4: stranger}, limit=5) == [
        (2, engine.peer_points(graz, vienna)),
        (3, engine.peer_points(graz, bogota)),
    ]
    assert engine.peer_reasons(graz, vienna, labels) == [
        "both commission research on right to adequate housing",
        "both in Eurocities",
        "both in Austria",
    ]
