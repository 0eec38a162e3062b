"""How well a researcher's profile fits a call: facts in, score and readable reasons out (no ORM)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

# Shares of the score; eligibility problems do not lower it but are listed as unmet.
THEME_POINTS = 40
METHOD_POINTS = 30
LANGUAGE_POINTS = 20
PLACE_POINTS = 10


@dataclass(frozen=True)
class ProfileFacts:
    theme_ids: frozenset[int] = frozenset()
    method_ids: frozenset[int] = frozenset()
    country_codes: frozenset[str] = frozenset()
    language_codes: frozenset[str] = frozenset()
    early_career: bool = False


@dataclass(frozen=True)
class CallFacts:
    themes: Mapping[int, str] = field(default_factory=dict)  # id → name
    methods: Mapping[int, str] = field(default_factory=dict)
    required_languages: Mapping[str, str] = field(default_factory=dict)  # code → name
    country_code: str = ""
    country_name: str = ""
    early_career: str = "open"  # open / reserved / only
    cross_border: str = "allowed"  # allowed / required / domestic


@dataclass(frozen=True)
class Match:
    score: int  # 0–100
    matches: tuple[str, ...]
    unmet: tuple[str, ...]

    @property
    def summary(self) -> str:
        return f"matches: {', '.join(self.matches)}" if self.matches else "no shared themes, methods or languages"

    @property
    def eligible(self) -> bool:
        return not self.unmet


def _share(wanted: set, have: frozenset) -> float:
    """Which part of what the call asks for the profile offers (nothing asked: full marks)."""
    return len(wanted & have) / len(wanted) if wanted else 1.0


def match(profile: ProfileFacts, call: CallFacts) -> Match:
    """Score a profile against a call; reasons name the shared themes, methods and languages."""
    theme_hits = [name for pk, name in call.themes.items() if pk in profile.theme_ids]
    method_hits = [name for pk, name in call.methods.items() if pk in profile.method_ids]
    language_hits = [name for code, name in call.required_languages.items() if code in profile.language_codes]
    missing_languages = [name for code, name in call.required_languages.items() if code not in profile.language_codes]

    unmet: list[str] = []
    if call.early_career == "only" and not profile.early_career:
        unmet.append("only students and early-career researchers may apply")
    if missing_languages:
        unmet.append(f"the call requires {', '.join(missing_languages)}, which your profile does not list")
    works_there = bool(call.country_code) and call.country_code in profile.country_codes
    if call.cross_border == "domestic" and call.country_code and not works_there:
        unmet.append(f"teams must be based in {call.country_name or call.country_code}")

    score = (
        THEME_POINTS * (_share(set(call.themes), profile.theme_ids) if call.themes else 0.5)
        + METHOD_POINTS * (_share(set(call.methods), profile.method_ids) if call.methods else 0.5)
        + LANGUAGE_POINTS * _share(set(call.required_languages), profile.language_codes)
        + PLACE_POINTS * (1.0 if works_there or call.cross_border != "domestic" else 0.0)
    )
    matches = [*theme_hits, *method_hits, *language_hits]
    if works_there:
        matches.append(f"you work in {call.country_name or call.country_code}")
    if call.early_career in ("only", "reserved") and profile.early_career:
        matches.append("early-career researchers are welcome")
    return Match(score=round(score), matches=tuple(matches), unmet=tuple(unmet))
