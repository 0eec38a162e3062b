"""Eligibility of a team against a call's rules: pure checks with reasons a person can act on."""

from calls.eligibility import Member, Rules, check, problems

ANA = Member("Ana", "AT", early_career=True, languages=("de", "en"), is_lead=True)
LUIS = Member("Luis", "CO", early_career=False, languages=("es",))
EVA = Member("Eva", "AT", early_career=False, languages=("de",))


def by_key(rules, team):
    return {c.key: c for c in check(rules, team)}


def test_open_call_has_no_checks():
    assert check(Rules(), [ANA]) == []


def test_cross_border_required_needs_two_countries():
    rules = Rules(cross_border="required")
    alone = by_key(rules, [ANA, EVA])["cross_border"]
    assert not alone.met and "another country" in alone.reason and "AT" in alone.reason
    assert by_key(rules, [ANA, LUIS])["cross_border"].met


def test_domestic_call_names_the_members_abroad():
    result = by_key(Rules(cross_border="domestic", call_country="AT"), [ANA, LUIS])["cross_border"]
    assert not result.met and "Luis" in result.reason


def test_early_career_only_names_established_members():
    result = by_key(Rules(early_career="only"), [ANA, EVA])["early_career"]
    assert not result.met and "Eva" in result.reason and "Ana" not in result.reason


def test_reserved_share_needs_one_early_career_member():
    assert by_key(Rules(early_career="reserved"), [ANA, EVA])["early_career"].met
    result = by_key(Rules(early_career="reserved"), [Member("Eva", "AT", False, is_lead=True)])["early_career"]
    assert not result.met and "besides Eva" in result.reason


def test_required_languages_use_names_in_the_reason():
    rules = Rules(required_languages=("de", "es"), language_names={"de": "German", "es": "Spanish"})
    result = by_key(rules, [ANA])["languages"]
    assert not result.met and result.reason == "Nobody in the team has declared Spanish."
    assert by_key(rules, [ANA, LUIS])["languages"].met


def test_problems_lists_only_unmet_reasons():
    checks = check(Rules(cross_border="required", early_career="only"), [ANA, LUIS])
    assert problems(checks) == [c.reason for c in checks if c.key == "early_career"]


def test_members_without_country_do_not_count_as_a_second_country():
    assert not by_key(Rules(cross_border="required"), [ANA, Member("X", "", True)])["cross_border"].met
