"""Profile ↔ call matching: a score and the reasons a researcher reads (pure, no database)."""

import pytest

from calls.matching import CallFacts, ProfileFacts, match

HOUSING, HEALTH = 1, 2
PAR, SURVEY = 10, 11

CALL = CallFacts(
    themes={HOUSING: "right to adequate housing", HEALTH: "right to health"},
    methods={PAR: "participatory action research", SURVEY: "survey"},
    required_languages={"es": "Spanish"},
    country_code="CO",
    country_name="Colombia",
)


def test_reasons_name_the_shared_themes_methods_and_languages():
    profile = ProfileFacts(
        theme_ids=frozenset({HOUSING}), method_ids=frozenset({PAR}), language_codes=frozenset({"es"})
    )

    result = match(profile, CALL)

    assert result.summary == "matches: right to adequate housing, participatory action research, Spanish"
    assert result.eligible


def test_full_match_scores_100_and_nothing_in_common_scores_only_place():
    everything = ProfileFacts(
        theme_ids=frozenset({HOUSING, HEALTH}),
        method_ids=frozenset({PAR, SURVEY}),
        language_codes=frozenset({"es"}),
        country_codes=frozenset({"CO"}),
    )
    nothing = ProfileFacts()

    assert match(everything, CALL).score == 100
    low = match(nothing, CALL)
    assert low.score == 10  # cross-border teams are allowed, so where you work does not count against you
    assert low.summary == "no shared themes, methods or languages"


@pytest.mark.parametrize(
    ("profile", "call", "unmet"),
    [
        (
            ProfileFacts(early_career=False),
            CallFacts(early_career="only"),
            ["only students and early-career researchers may apply"],
        ),
        (ProfileFacts(early_career=True), CallFacts(early_career="only"), []),
        (
            ProfileFacts(),
            CallFacts(required_languages={"es": "Spanish", "pt": "Portuguese"}),
            ["the call requires Spanish, Portuguese, which your profile does not list"],
        ),
        (
            ProfileFacts(country_codes=frozenset({"AT"})),
            CallFacts(country_code="CO", country_name="Colombia", cross_border="domestic"),
            ["teams must be based in Colombia"],
        ),
        (
            ProfileFacts(country_codes=frozenset({"CO"})),
            CallFacts(country_code="CO", country_name="Colombia", cross_border="domestic"),
            [],
        ),
        (ProfileFacts(), CallFacts(cross_border="required"), []),
    ],
)
def test_unmet_eligibility_facts_are_listed(profile, call, unmet):
    assert list(match(profile, call).unmet) == unmet


def test_early_career_researchers_are_told_when_a_share_is_reserved():
    result = match(ProfileFacts(early_career=True), CallFacts(early_career="reserved"))

    assert "early-career researchers are welcome" in result.matches


def test_working_in_the_city_country_is_a_reason():
    result = match(ProfileFacts(country_codes=frozenset({"CO"})), CALL)

    assert "you work in Colombia" in result.matches


def test_more_shared_themes_score_higher():
    one = match(ProfileFacts(theme_ids=frozenset({HOUSING})), CALL)
    two = match(ProfileFacts(theme_ids=frozenset({HOUSING, HEALTH})), CALL)

    assert two.score > one.score
