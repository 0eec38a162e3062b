"""Score aggregation for a call's ranking: pure functions, no ORM.

A review gives each criterion 0–5 or "not applicable" (None). A criterion marked not
applicable is left out of that criterion's mean, not counted as zero. A proposal's
weighted score renormalises over the criteria that have at least one score, so that a
criterion nobody could score does not drag it down; the result is on the same 0–5 scale.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_SCORE = 5


@dataclass(frozen=True)
class CriterionStats:
    criterion_id: int
    mean: float | None
    spread: float | None  # population standard deviation of the scores
    count: int
    not_applicable: int


@dataclass(frozen=True)
class ProposalScore:
    proposal_id: int
    weighted: float | None
    criteria: tuple[CriterionStats, ...]
    reviews: int


def criterion_stats(criterion_id: int, scores: Iterable[int | None]) -> CriterionStats:
    values = list(scores)
    given = [s for s in values if s is not None]
    if not given:
        return CriterionStats(criterion_id, None, None, 0, len(values))
    mean = sum(given) / len(given)
    spread = math.sqrt(sum((s - mean) ** 2 for s in given) / len(given))
    return CriterionStats(criterion_id, mean, spread, len(given), len(values) - len(given))


def weighted_score(stats: Sequence[CriterionStats], weights: Mapping[int, int]) -> float | None:
    """Weighted mean of criterion means, over the criteria that received scores."""
    total_weight = sum(weights.get(s.criterion_id, 0) for s in stats if s.mean is not None)
    if not total_weight:
        return None
    return sum(s.mean * weights.get(s.criterion_id, 0) for s in stats if s.mean is not None) / total_weight


def score_proposal(
    proposal_id: int, reviews: Sequence[Mapping[int, int | None]], weights: Mapping[int, int]
) -> ProposalScore:
    """Aggregate the submitted reviews of one proposal (each a criterion id → score or None)."""
    stats = tuple(criterion_stats(cid, [r.get(cid) for r in reviews]) for cid in weights)
    return ProposalScore(proposal_id, weighted_score(stats, weights), stats, len(reviews))


def rank(scores: Iterable[ProposalScore]) -> list[ProposalScore]:
    """Highest weighted score first; unscored proposals last; ties keep their given order."""
    return sorted(scores, key=lambda s: (s.weighted is None, -(s.weighted or 0)))


def weights_problem(weights: Iterable[int]) -> str:
    """A message when the evaluation criteria's weights do not add up to 100, else ''."""
    values = list(weights)
    if not values:
        return "Add at least one evaluation criterion."
    if any(w <= 0 for w in values):
        return "Every criterion needs a weight above 0."
    total = sum(values)
    if total != 100:
        return f"The criteria's weights add up to {total}; they must add up to 100."
    return ""
