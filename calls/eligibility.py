"""Whether a team meets a call's eligibility rules: pure, so the page and the service agree.

Each rule yields a Check with a reason a person can act on; submission is refused while
any check fails.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rules:
    early_career: str = "open"  # "open" | "only" | "reserved"
    cross_border: str = "allowed"  # "allowed" | "required" | "domestic"
    required_languages: tuple[str, ...] = ()  # ISO 639-1 codes
    language_names: dict = field(default_factory=dict)
    call_country: str = ""


@dataclass(frozen=True)
class Member:
    name: str
    country: str  # ISO 3166-1 alpha-2, "" when unknown
    early_career: bool
    languages: tuple[str, ...] = ()
    is_lead: bool = False


@dataclass(frozen=True)
class Check:
    key: str
    met: bool
    label: str
    reason: str = ""


def check(rules: Rules, team: Sequence[Member]) -> list[Check]:
    checks: list[Check] = []
    countries = {m.country for m in team if m.country}
    if rules.cross_border == "required":
        met = len(countries) >= 2
        checks.append(
            Check(
                "cross_border",
                met,
                "Cross-border team required",
                ""
                if met
                else "Add a team member from another country: the team works from only "
                + (", ".join(sorted(countries)) or "one country")
                + ".",
            )
        )
    elif rules.cross_border == "domestic" and rules.call_country:
        foreign = sorted(m.name for m in team if m.country and m.country != rules.call_country)
        checks.append(
            Check(
                "cross_border",
                not foreign,
                f"Team based in {rules.call_country}",
                ""
                if not foreign
                else f"This call is for teams based in {rules.call_country}: {', '.join(foreign)} work elsewhere.",
            )
        )
    if rules.early_career == "only":
        others = sorted(m.name for m in team if not m.early_career)
        checks.append(
            Check(
                "early_career",
                not others,
                "Early-career researchers only",
                ""
                if not others
                else f"Only students and early-career researchers may apply: {', '.join(others)} "
                "are established researchers.",
            )
        )
    elif rules.early_career == "reserved":
        lead = next((m for m in team if m.is_lead), None)
        met = any(m.early_career for m in team)
        checks.append(
            Check(
                "early_career",
                met,
                "Share reserved for early-career researchers",
                ""
                if met
                else "Part of this call is reserved for early-career researchers: include at least one "
                "student or early-career researcher in the team" + (f" besides {lead.name}" if lead else "") + ".",
            )
        )
    if rules.required_languages:
        spoken = {code for m in team for code in m.languages}
        missing = [code for code in rules.required_languages if code not in spoken]
        names = ", ".join(rules.language_names.get(code, code) for code in missing)
        checks.append(
            Check(
                "languages",
                not missing,
                "Required languages: " + ", ".join(rules.language_names.get(c, c) for c in rules.required_languages),
                "" if not missing else f"Nobody in the team has declared {names}.",
            )
        )
    return checks


def problems(checks: Iterable[Check]) -> list[str]:
    return [c.reason for c in checks if not c.met]
