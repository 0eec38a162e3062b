"""Score aggregation: "not applicable" is left out of the mean, not counted as zero."""

import math

import pytest

from calls.scoring import ProposalScore, criterion_stats, rank, score_proposal, weighted_score, weights_problem


@pytest.mark.parametrize(
    ("scores", "mean", "spread", "count", "not_applicable"),
    [
        ([4, 2], 3.0, 1.0, 2, 0),
        ([4, None, 2], 3.0, 1.0, 2, 1),
        ([None, None], None, None, 0, 2),
        ([], None, None, 0, 0),
        ([0, 0, 0], 0.0, 0.0, 3, 0),
        ([5], 5.0, 0.0, 1, 0),
        ([5, None, None, 0], 2.5, 2.5, 2, 2),
    ],
)
def test_not_applicable_is_left_out_of_the_mean(scores, mean, spread, count, not_applicable):
    stats = criterion_stats(1, scores)
    assert stats.mean == mean
    assert stats.spread == spread
    assert (stats.count, stats.not_applicable) == (count, not_applicable)


@pytest.mark.parametrize(
    ("reviews", "expected"),
    [
        # Two criteria weighted 60/40.
        ([{1: 5, 2: 0}], 3.0),
        ([{1: 5, 2: None}], 5.0),  # the criterion nobody could score does not drag the score down
        ([{1: 4, 2: 2}, {1: 2, 2: None}], (3.0 * 60 + 2.0 * 40) / 100),
        ([{1: None, 2: None}], None),
        ([], None),
        ([{1: 0, 2: 0}], 0.0),
    ],
)
def test_weighted_score_renormalises_over_scored_criteria(reviews, expected):
    result = score_proposal(7, reviews, {1: 60, 2: 40})
    assert result.reviews == len(reviews)
    if expected is None:
        assert result.weighted is None
    else:
        assert math.isclose(result.weighted, expected)


def test_a_missing_criterion_counts_as_not_applicable():
    result = score_proposal(1, [{1: 3}], {1: 50, 2: 50})
    assert result.criteria[1].not_applicable == 1 and result.weighted == 3.0


def test_weighted_score_of_no_stats_is_none():
    assert weighted_score([], {1: 100}) is None


def test_ranking_puts_the_highest_score_first_and_unscored_last():
    scores = [
        ProposalScore(1, None, (), 0),
        ProposalScore(2, 2.5, (), 1),
        ProposalScore(3, 4.0, (), 2),
        ProposalScore(4, 2.5, (), 1),
        ProposalScore(5, 0.0, (), 1),
    ]
    assert [s.proposal_id for s in rank(scores)] == [3, 2, 4, 5, 1]


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        ([30, 30, 25, 15], ""),
        ([100], ""),
        ([50, 40], "add up to 90"),
        ([60, 60], "add up to 120"),
        ([], "at least one"),
        ([100, 0], "above 0"),
    ],
)
def test_weights_must_add_up_to_100(weights, problem):
    result = weights_problem(weights)
    assert (problem in result) if problem else result == ""
