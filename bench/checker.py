"""Lost and duplicated writes: what the write driver was told, checked against what the database holds.

Pure functions on plain data (no Django, no HTTP), so that ``tests/bench/`` can check them quickly.

Every write of the mixed run carries a unique token. An *insert* (a saved search, a consultation comment)
that was acknowledged must be in the database exactly once: none is a lost write, two or more a
duplicated one. A *draft save* (the proposal editor) overwrites the draft's text with its token: the
draft's final text must be the last acknowledged save's, and the number of acknowledged saves must equal
the increase of the draft's ``edit_version`` (each save claims one version; two acknowledged saves of the
same version, or fewer versions than acknowledgements, mean one save silently overwrote another).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

TOKEN = re.compile(r"\blt[0-9a-z]{6}s\d{2}n\d{6}\b")


def make_token(*, run: str, session: int, sequence: int) -> str:
    """A token no other write of any run shares: ``lt`` + 6-character run id + session + sequence."""
    if not re.fullmatch(r"[0-9a-z]{6}", run):
        raise ValueError("run must be 6 lowercase letters or digits")
    return f"lt{run}s{session:02d}n{sequence:06d}"


def tokens_in(text: str) -> list[str]:
    return TOKEN.findall(text or "")


@dataclass(frozen=True)
class Ack:
    """A write the site acknowledged (2xx/3xx meaning saved)."""

    kind: str  # "draft" for a draft save, otherwise the kind of inserted row ("saved_search", "comment")
    token: str
    target: int | None = None  # the draft's primary key for draft saves
    version: int | None = None  # the edit_version the save was made on (None: the form had none)
    finished: float = 0.0  # when the answer arrived (monotonic seconds): orders saves that carry no version


@dataclass(frozen=True)
class DraftState:
    """A draft before and after the run, read from the database."""

    start_version: int
    final_version: int
    final_text: str


@dataclass
class DraftVerdict:
    pk: int
    acknowledged: int
    version_increase: int
    expected_token: str | None
    final_token: str | None
    lost: int
    unacknowledged_saves: int  # versions claimed by saves whose answer never came (a timeout): not lost
    problems: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    acknowledged: Counter
    lost: int
    duplicated: int
    unacknowledged_present: int
    problems: list[str]
    drafts: list[DraftVerdict]

    @property
    def ok(self) -> bool:
        return not self.lost and not self.duplicated

    def as_dict(self) -> dict:
        return {
            "acknowledged": dict(self.acknowledged),
            "acknowledged_total": sum(self.acknowledged.values()),
            "lost": self.lost,
            "duplicated": self.duplicated,
            "unacknowledged_present": self.unacknowledged_present,
            "problems": self.problems,
            "drafts": [vars(draft) for draft in self.drafts],
        }


def check_inserts(acks: list[Ack], rows: dict[str, list[str]]) -> tuple[int, int, int, list[str]]:
    """(lost, duplicated, unacknowledged present, problems) for inserted rows.

    ``rows`` maps a kind to the text of every row of that kind the run could have written (one string per
    row; a row's tokens are found in its text).
    """
    lost = duplicated = unacknowledged = 0
    problems: list[str] = []
    kinds = {ack.kind for ack in acks if ack.kind != "draft"} | set(rows)
    for kind in sorted(kinds):
        found = Counter(token for text in rows.get(kind, []) for token in set(tokens_in(text)))
        acknowledged = [ack.token for ack in acks if ack.kind == kind]
        for token, times in sorted(Counter(acknowledged).items()):
            if times > 1:
                problems.append(f"{kind} {token}: acknowledged {times} times (the driver reused a token)")
        for token in sorted(set(acknowledged)):
            present = found.get(token, 0)
            if present == 0:
                lost += 1
                problems.append(f"{kind} {token}: acknowledged but not in the database")
            elif present > 1:
                duplicated += present - 1
                problems.append(f"{kind} {token}: acknowledged once, {present} rows in the database")
        for token in sorted(set(found) - set(acknowledged)):
            # A request that timed out or failed after the commit: saved without an acknowledgement. Not a
            # lost or duplicated acknowledged write, but reported (and a duplicate of it still counts).
            unacknowledged += 1
            if found[token] > 1:
                duplicated += found[token] - 1
                problems.append(f"{kind} {token}: not acknowledged, {found[token]} rows in the database")
    return lost, duplicated, unacknowledged, problems


def check_draft(pk: int, acks: list[Ack], state: DraftState) -> DraftVerdict:
    """One shared draft: final text = last acknowledged save's, acknowledged saves = versions claimed."""
    saves = [ack for ack in acks if ack.kind == "draft" and ack.target == pk]
    increase = state.final_version - state.start_version
    final_tokens = tokens_in(state.final_text)
    final_token = final_tokens[-1] if final_tokens else None
    problems: list[str] = []
    versioned = bool(saves) and all(ack.version is not None for ack in saves)
    if versioned:
        versions = Counter(ack.version for ack in saves)
        doubled = sorted(version for version, times in versions.items() if times > 1)
        for version in doubled:
            problems.append(f"draft {pk}: {versions[version]} saves of version {version} were all acknowledged")
        outside = sorted(v for v in versions if not state.start_version <= v < state.final_version)
        if outside:
            problems.append(
                f"draft {pk}: acknowledged saves of versions {outside} outside {state.start_version}–"
                f"{state.final_version - 1}"
            )
        last = max(saves, key=lambda ack: (ack.version, ack.finished))
    else:
        last = max(saves, key=lambda ack: ack.finished) if saves else None
    expected = last.token if last else None
    lost = max(0, len(saves) - increase)
    unacknowledged = max(0, increase - len(saves))
    if len(saves) != increase:
        problems.append(f"draft {pk}: {len(saves)} acknowledged saves, edit_version went up by {increase}")
    if saves and final_token != expected:
        problems.append(f"draft {pk}: the last acknowledged save wrote {expected}, the database holds {final_token}")
        # With versions, a later save whose answer never came (a timeout) may hold the last version: then the
        # text is its, and nothing acknowledged was lost. Otherwise the last acknowledged save was overwritten.
        later_unacknowledged = versioned and last.version < state.final_version - 1
        if not later_unacknowledged and not lost:
            lost = 1
    return DraftVerdict(
        pk=pk,
        acknowledged=len(saves),
        version_increase=increase,
        expected_token=expected,
        final_token=final_token,
        lost=lost,
        unacknowledged_saves=unacknowledged,
        problems=problems,
    )


def check(acks: list[Ack], *, rows: dict[str, list[str]], drafts: dict[int, DraftState]) -> Verdict:
    """Every acknowledged write against the database: lost, duplicated, and what went wrong where."""
    lost, duplicated, unacknowledged, problems = check_inserts(acks, rows)
    draft_verdicts = [check_draft(pk, acks, state) for pk, state in sorted(drafts.items())]
    unknown = sorted({ack.target for ack in acks if ack.kind == "draft"} - set(drafts))
    for pk in unknown:
        problems.append(f"draft {pk}: saves were acknowledged but the draft was not read back")
        lost += sum(1 for ack in acks if ack.kind == "draft" and ack.target == pk)
    for verdict in draft_verdicts:
        lost += verdict.lost
        problems += verdict.problems
    return Verdict(
        acknowledged=Counter(ack.kind for ack in acks),
        lost=lost,
        duplicated=duplicated,
        unacknowledged_present=unacknowledged + sum(v.unacknowledged_saves for v in draft_verdicts),
        problems=problems,
        drafts=draft_verdicts,
    )
