"""A call's application form as plain data: its questions, when each shows, and answers as stored and shown.

Pure: no request, no ORM. The form is the StreamField's raw JSON (``[{"type", "value", "id"}, …]``), so a
submitted version's frozen copy (``content["form"]``) reads the same way as the call's current form.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

WORD = re.compile(r"\S+")
HEADING = "heading"


@dataclass(frozen=True)
class Question:
    """One block of the form: a question, or a section heading (``type == "heading"``)."""

    type: str
    key: str
    label: str
    help_text: str = ""
    required: bool = False
    show_when_key: str = ""
    show_when_value: str = ""
    options: dict = field(default_factory=dict)

    @property
    def is_heading(self) -> bool:
        return self.type == HEADING


def lines(value) -> list[str]:
    """Options typed one a line in the editor (or a list), without blanks and repeats."""
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    seen: list[str] = []
    for item in items:
        item = str(item).strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def questions_from(raw) -> list[Question]:
    """The form's blocks in order, from the StreamField's raw data (or a frozen copy of it)."""
    questions = []
    for item in raw or []:
        kind, value = item.get("type"), dict(item.get("value") or {})
        if kind == HEADING:
            questions.append(
                Question(type=HEADING, key="", label=value.get("heading", ""), help_text=value.get("text") or "")
            )
            continue
        common = ("key", "label", "help_text", "required", "show_when_key", "show_when_value")
        questions.append(
            Question(
                type=kind,
                key=value.get("key") or "",
                label=value.get("label") or "",
                help_text=value.get("help_text") or "",
                required=bool(value.get("required")),
                show_when_key=(value.get("show_when_key") or "").strip(),
                show_when_value=(value.get("show_when_value") or "").strip(),
                options={
                    k: lines(v) if k in ("choices", "categories") else v for k, v in value.items() if k not in common
                },
            )
        )
    return questions


def word_count(text: str) -> int:
    return len(WORD.findall(text or ""))


def _matches(source: Question, answer, expected: str) -> bool:
    """Whether ``answer`` to ``source`` is the answer a condition waits for."""
    wanted = expected.strip().casefold()
    if answer in (None, "", []):
        return source.type == "consent" and wanted == "no"
    if source.type == "multiple_choice":
        return any(str(a).strip().casefold() == wanted for a in answer)
    if source.type == "consent":
        return ("yes" if answer is True else "no") == wanted
    if source.type == "number":
        try:
            return Decimal(str(answer)) == Decimal(expected.strip())
        except InvalidOperation:
            return False
    return str(answer).strip().casefold() == wanted


def shown_keys(questions: list[Question], answers: dict) -> set[str]:
    """The keys of the questions shown for these answers (a question under a hidden one is hidden too)."""
    by_key = {q.key: q for q in questions if not q.is_heading}
    shown: set[str] = set()
    for q in questions:
        if q.is_heading:
            continue
        if not q.show_when_key:
            shown.add(q.key)
            continue
        source = by_key.get(q.show_when_key)
        if source is None or source.key not in shown:
            continue
        if _matches(source, answers.get(source.key), q.show_when_value):
            shown.add(q.key)
    return shown


def is_empty(value) -> bool:
    if value in (None, "", [], {}, False):
        return True
    if isinstance(value, list):
        return all(is_empty(v) for v in value)
    if isinstance(value, dict) and "amount" in value:
        return value.get("amount") in (None, "")
    return False


def missing_required(questions: list[Question], answers: dict) -> list[str]:
    """Labels of required questions that are shown and not answered."""
    shown = shown_keys(questions, answers)
    return [q.label for q in questions if q.required and q.key in shown and is_empty(answers.get(q.key))]


def budget_total(rows) -> Decimal:
    total = Decimal("0")
    for row in rows or []:
        try:
            total += Decimal(str(row.get("amount") or "0"))
        except InvalidOperation:
            continue
    return total


def display(question: Question, value) -> str:
    """The human-readable answer, as the city, reviewers, the CSV and the PDF read it."""
    if is_empty(value):
        return ""
    kind = question.type
    if kind == "multiple_choice":
        return "; ".join(str(v) for v in value)
    if kind == "consent":
        return _("Yes") if value is True else _("No")
    if kind == "budget_table":
        lines = [f"{row.get('category')}: {row.get('amount')}" for row in value if row.get("amount") not in (None, "")]
        lines.append(_("Total: %(total)s") % {"total": budget_total(value)})
        return "; ".join(lines)
    if kind == "team_table":
        return "; ".join(
            ", ".join(part for part in (row.get("name"), row.get("role"), row.get("affiliation")) if part)
            for row in value
        )
    if kind == "file":
        return f"{value.get('name')} ({filesizeformat(value.get('size') or 0)})"
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def answers_list(questions: list[Question], answers: dict) -> list[dict]:
    """The shown questions in form order with their answers: ``{"key", "label", "type", "value", "display"}``."""
    shown = shown_keys(questions, answers)
    return [
        {
            "key": q.key,
            "label": q.label,
            "type": q.type,
            "value": answers.get(q.key),
            "display": display(q, answers.get(q.key)),
        }
        for q in questions
        if not q.is_heading and q.key in shown
    ]


def kept_answers(questions: list[Question], previous: dict, typed: dict) -> dict:
    """What a draft save stores: the typed answers of shown questions; hidden ones dropped; answers to questions no
    longer on the form kept (the city may put them back)."""
    on_form = {q.key for q in questions if not q.is_heading}
    shown = shown_keys(questions, typed)
    kept = {key: value for key, value in previous.items() if key not in on_form}
    kept.update({key: value for key, value in typed.items() if key in shown and not is_empty(value)})
    return kept


def review_answers(questions_raw, answers) -> list[dict]:
    """``[{"key", "label", "answer"}]``: a review's answers to the call's review questions (the StreamField's raw
    data) in their order, then its answers to questions since removed (labelled by their key)."""
    answers = dict(answers or {})
    shown = []
    for item in questions_raw or []:
        key = (item.get("value") or {}).get("key")
        if key in answers:
            shown.append({"key": key, "label": item["value"].get("label") or key, "answer": answers.pop(key)})
    shown.extend({"key": key, "label": key, "answer": value} for key, value in answers.items())
    return shown


def blind_answers(answers) -> list[dict]:
    """Answers as a blind reviewer reads them: team tables keep roles only (no names or affiliations)."""
    shown = []
    for answer in answers or []:
        if answer.get("type") == "team_table" and answer.get("value"):
            rows = [{"name": "", "role": row.get("role", ""), "affiliation": ""} for row in answer["value"]]
            answer = {**answer, "value": rows, "display": "; ".join(r["role"] or "—" for r in rows)}
        shown.append(answer)
    return shown
