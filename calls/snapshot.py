"""The frozen content of a submitted proposal version, and what changed between two versions."""

import difflib
from decimal import Decimal

from calls.application_forms import answers_list, questions_from
from calls.models import Proposal

TEXT_FIELDS = [
    ("title", "Title"),
    ("summary", "Summary"),
    ("methodology", "Methodology"),
    ("participation_plan", "Participation plan"),
    ("data_management_plan", "Data management and protection plan"),
    ("ethics", "Ethics"),
]


def proposal_snapshot(proposal: Proposal) -> dict:
    """Everything a reviewer or the city reads, as plain JSON (text, budget, methods, team, timeline, files)."""
    data = {name: getattr(proposal, name) for name, _label in TEXT_FIELDS}
    data.update(
        {
            "stage": proposal.stage,
            # Two decimals always, so an unsaved Decimal("30000") and a stored 30000.00 give the same text.
            "budget": str(Decimal(proposal.budget).quantize(Decimal("0.01"))) if proposal.budget is not None else None,
            "currency": proposal.call.currency,
            "methods": sorted(m.name for m in proposal.methods.all()),
            "team": [
                {
                    "name": m.name,
                    "email": m.email,
                    "role": m.role,
                    "affiliation": m.affiliation,
                    "country": m.country.code if m.country_id else "",
                    "early_career": m.early_career,
                    "languages": sorted(lang.code for lang in m.languages.all()),
                }
                # .all() and a filter in Python, so a prefetched team costs no query.
                for m in proposal.team.all()
                if m.status == "accepted"
            ],
            "milestones": [
                {"month": m.month, "title": m.title, "description": m.description} for m in proposal.milestones.all()
            ],
            "attachments": [
                {"id": a.pk, "name": a.original_name, "size": a.size}
                for a in proposal.attachments.all()
                if not a.removed
            ],
        }
    )
    data.update(answers_snapshot(proposal))
    if proposal.review_response:
        data["review_response"] = proposal.review_response  # issue 18 §3: the answer to the released reviews
    return data


def answers_snapshot(proposal: Proposal) -> dict:
    """The call's form of the team's stage as it is now, and the shown questions' answers in its order."""
    form = proposal.call.form_for(full_stage=proposal.form_full_stage).get_prep_value()
    return {"form": form, "answers": answers_list(questions_from(form), proposal.answers or {})}


def snapshot_diff(old: dict, new: dict) -> list[dict]:
    """Per changed field: its label and a unified diff of the text (for lists, their lines)."""
    changes = []
    labels = dict(TEXT_FIELDS) | {
        "budget": "Budget",
        "methods": "Methods",
        "team": "Team",
        "milestones": "Timeline",
        "attachments": "Attachments",
        "answers": "Answers",
        "review_response": "Response to the reviews",
    }
    for key, label in labels.items():
        if key == "answers":
            before, after = _answer_lines(old.get(key)), _answer_lines(new.get(key))
        else:
            before, after = _lines(old.get(key)), _lines(new.get(key))
        if before != after:
            diff = list(difflib.unified_diff(before, after, "before", "after", lineterm="", n=1))[2:]
            changes.append({"field": key, "label": label, "diff": diff})
    return changes


def _lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [
            " · ".join(f"{v}" for v in item.values() if v not in ("", None, []))
            if isinstance(item, dict)
            else str(item)
            for item in value
        ]
    return str(value).splitlines()


def _answer_lines(answers) -> list[str]:
    return [f"{a.get('label')}: {line}" for a in answers or [] for line in (a.get("display") or "—").splitlines()]
