"""Matching researchers, calls and cities: pure scoring (``engine``, ``bits``) and its uses on the site.

``engine`` is the reference implementation with the weights; ``bits`` the fast path over
precomputed bitsets; ``vectors`` keeps those bitsets up to date and cached; ``selectors`` ranks
for pages; ``services`` sends invitations to apply.
"""

from calls.matching.engine import WEIGHTS, CallFacts, Match, ProfileFacts, match_call

__all__ = ["WEIGHTS", "CallFacts", "Match", "ProfileFacts", "match_call"]
