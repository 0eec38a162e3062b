"""The bitset fast path returns exactly what the plain reference implementation returns, on random data."""

import datetime as dt
import random

import pytest

from calls.matching import bits, engine
from calls.matching.bits import CallRow, ProfileRow, ResearcherIndex

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
SIZES = {"themes": 12, "sdg_targets": 20, "methods": 8, "groups": 6, "countries": 10, "languages": 6}
LEVELS = [bits.PUBLIC, bits.MEMBERS, bits.HIDDEN]


def _bits(rng: random.Random, size: int, most: int) -> int:
    return bits.to_bits(rng.sample(range(1, size + 1), rng.randint(0, min(most, size))))


def random_profile(rng: random.Random, pk: int) -> ProfileRow:
    return ProfileRow(
        pk=pk,
        **{name: _bits(rng, size, 4) for name, size in SIZES.items()},
        early_career=rng.random() < 0.5,
        available=rng.random() < 0.8,
        available_from=rng.choice([None, dt.date(2030, 3, 1)]),
        listed=rng.random() < 0.9,
        countries_level=rng.choice(LEVELS),
        languages_level=rng.choice(LEVELS),
        career_level=rng.choice(LEVELS),
        availability_level=rng.choice(LEVELS),
    )


def random_call(rng: random.Random, pk: int) -> CallRow:
    return CallRow(
        pk=pk,
        themes=_bits(rng, SIZES["themes"], 3),
        sdg_targets=_bits(rng, SIZES["sdg_targets"], 3),
        methods=_bits(rng, SIZES["methods"], 3),
        groups=_bits(rng, SIZES["groups"], 2),
        languages=_bits(rng, SIZES["languages"], 2),
        country=rng.choice([None, *range(1, SIZES["countries"] + 1)]),
        early_career=rng.choice(["open", "reserved", "only"]),
        cross_border=rng.choice(["allowed", "required", "domestic"]),
        closes_at=NOW + dt.timedelta(days=rng.randint(-5, 30)),
        current=rng.random() < 0.9,
    )


def test_bits_round_trip():
    rng = random.Random(1)
    for _ in range(200):
        ids = frozenset(rng.sample(range(400), rng.randint(0, 20)))
        assert bits.from_bits(bits.to_bits(ids)) == ids
        assert bits.from_bytes(bits.to_bytes(bits.to_bits(ids))) == bits.to_bits(ids)


@pytest.mark.parametrize("seed", range(5))
def test_points_and_eligibility_agree_with_the_reference(seed):
    rng = random.Random(seed)
    for _ in range(400):
        profile, call = random_profile(rng, 1), random_call(rng, 1)
        viewer = rng.choice(LEVELS)
        facts, call_facts = profile.facts(viewer), call.facts()
        assert bits.points(profile, call, viewer) == engine.call_points(facts, call_facts)
        reference = not engine.call_problems(facts, call_facts) and not engine.availability_problems(facts)
        assert bits.eligible(profile, call, viewer, availability=True) == reference


@pytest.mark.parametrize("seed", range(5))
def test_ranking_researchers_for_a_call_agrees_with_the_reference(seed):
    rng = random.Random(seed)
    rows = {pk: random_profile(rng, pk) for pk in rng.sample(range(1, 2000), 300)}
    index = ResearcherIndex(rows)
    for _ in range(30):
        call = random_call(rng, 1)
        viewer = rng.choice([bits.ANONYMOUS, bits.SIGNED_IN])
        limit = rng.choice([1, 5, 20, 400])
        listed = {pk: row.facts(viewer) for pk, row in rows.items() if row.listed}
        assert index.rank_for_call(call, viewer=viewer, limit=limit) == engine.rank_researchers(
            listed, call.facts(), limit=limit
        )


def test_ranking_stays_right_after_profiles_change_and_disappear():
    rng = random.Random(42)
    rows = {pk: random_profile(rng, pk) for pk in range(1, 200)}
    index = ResearcherIndex(rows)
    for _ in range(100):
        pk = rng.randint(1, 250)
        if rng.random() < 0.2:
            index.remove(pk)
            rows.pop(pk, None)
        else:
            rows[pk] = random_profile(rng, pk)
            index.put(rows[pk])
    for _ in range(20):
        call = random_call(rng, 1)
        listed = {pk: row.facts(bits.SIGNED_IN) for pk, row in rows.items() if row.listed}
        assert index.rank_for_call(call, viewer=bits.SIGNED_IN, limit=20) == engine.rank_researchers(
            listed, call.facts(), limit=20
        )


@pytest.mark.parametrize("seed", range(5))
def test_ranking_calls_for_a_researcher_agrees_with_the_reference(seed):
    rng = random.Random(seed)
    calls = [random_call(rng, pk) for pk in range(1, 400)]
    for _ in range(30):
        profile = random_profile(rng, 1)
        current = {c.pk: (c.facts(), c.closes_at) for c in calls if c.current and c.closes_at > NOW}
        assert bits.rank_calls(profile, calls, now=NOW, limit=20) == engine.rank_calls(
            profile.facts(bits.OWNER), current, limit=20
        )


@pytest.mark.parametrize("seed", range(5))
def test_partner_ranking_agrees_with_the_reference(seed):
    rng = random.Random(seed)
    rows = {pk: random_profile(rng, pk) for pk in range(1, 300)}
    index = ResearcherIndex(rows)
    for _ in range(20):
        me = rows[rng.randint(1, 299)]
        call = random_call(rng, 1) if rng.random() < 0.5 else None
        others = {pk: row.facts(bits.SIGNED_IN) for pk, row in rows.items() if row.listed and pk != me.pk}
        expected = engine.rank_partners(me.facts(bits.OWNER), others, call=call.facts() if call else None, limit=20)
        assert index.rank_partners(me, viewer=bits.SIGNED_IN, limit=20, call=call) == expected
