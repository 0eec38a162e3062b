"""The call's own questions as a real Django form on the proposal's edit page, and the review questions' form.

Every field is shown as required when its question is (it is, to submit), yet a draft saves without it: a
required question is checked when the proposal is submitted, and only if it is shown then.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.application_forms import Question, questions_from, shown_keys, word_count
from calls.validators import validate_upload

SHORT_MAX_CHARS = 1000
LONG_MAX_CHARS = 20000
NEEDED = gettext_lazy("Needed to submit.")


class DraftRequiredMixin:
    """Required in the page (and at submission), not to save a draft: an empty value passes."""

    def validate(self, value):
        if value in self.empty_values or value is False:
            return
        super().validate(value)


class WordLimitMixin:
    max_words: int | None = None

    def validate(self, value):
        super().validate(value)
        if self.max_words and value and word_count(value) > self.max_words:
            raise forms.ValidationError(
                _("At most %(limit)s words, please; this answer has %(count)s.")
                % {"limit": self.max_words, "count": word_count(value)}
            )


class TextAnswerField(DraftRequiredMixin, WordLimitMixin, forms.CharField):
    pass


class ChoiceAnswerField(DraftRequiredMixin, forms.ChoiceField):
    pass


class MultipleChoiceAnswerField(DraftRequiredMixin, forms.MultipleChoiceField):
    pass


class NumberAnswerField(DraftRequiredMixin, forms.DecimalField):
    pass


class DateAnswerField(DraftRequiredMixin, forms.DateField):
    pass


class ConsentAnswerField(DraftRequiredMixin, forms.BooleanField):
    pass


class FileAnswerField(DraftRequiredMixin, forms.FileField):
    pass


def _decimal(value) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


def field_name(key: str, *parts) -> str:
    return "__".join(["q_" + key, *[str(p) for p in parts]])


def _help(question: Question, extra: str = "") -> str:
    # The include renders help text as HTML: what the city typed is escaped here.
    parts = [escape(question.help_text)] if question.help_text else []
    if extra:
        parts.append(escape(extra))
    if question.required:
        parts.append(escape(str(NEEDED)))
    return " ".join(parts)


class ApplicationAnswersForm(forms.Form):
    """One field (or one row of fields) per question of the call's form, in its order.

    ``answers`` are the stored ones (the initial values; a file question keeps its file unless a new one comes).
    After ``is_valid()``, ``typed_answers`` are the answers as stored and ``uploads`` the new files by key.
    """

    use_required_attribute = False
    prefix = "answers"

    def __init__(self, data=None, files=None, *, questions: list[Question], answers: dict | None = None, currency=""):
        self.questions = questions
        self.stored = dict(answers or {})
        self.currency = currency
        super().__init__(data, files, initial=self._initial())
        self.layout: list[dict] = []
        for q in questions:
            if q.is_heading:
                self.layout.append({"question": q, "names": []})
                continue
            names = self._add_fields(q)
            self.layout.append({"question": q, "names": names})
        self.typed_answers: dict = {}
        self.uploads: dict = {}

    # -- building -----------------------------------------------------------------------------------
    def _add_fields(self, q: Question) -> list[str]:
        o = q.options
        common = {"label": q.label, "required": q.required}
        name = field_name(q.key)
        if q.type in ("short_text", "long_text"):
            long = q.type == "long_text"
            limit = o.get("max_words")
            extra = _("At most %(limit)s words.") % {"limit": limit} if limit else ""
            field = TextAnswerField(
                max_length=LONG_MAX_CHARS if long else SHORT_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 6}) if long else forms.TextInput,
                help_text=_help(q, extra),
                **common,
            )
            field.max_words = limit
            if limit:
                field.widget.attrs["data-max-words"] = limit
        elif q.type == "choice":
            field = ChoiceAnswerField(
                choices=[(c, c) for c in o.get("choices") or []], widget=forms.RadioSelect, help_text=_help(q), **common
            )
        elif q.type == "multiple_choice":
            field = MultipleChoiceAnswerField(
                choices=[(c, c) for c in o.get("choices") or []],
                widget=forms.CheckboxSelectMultiple,
                help_text=_help(q),
                **common,
            )
        elif q.type == "number":
            field = NumberAnswerField(
                max_digits=14,
                decimal_places=2,
                min_value=_decimal(o.get("min_value")),
                max_value=_decimal(o.get("max_value")),
                help_text=_help(q),
                **common,
            )
        elif q.type == "date":
            field = DateAnswerField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d"],
                help_text=_help(q, _("As year-month-day, e.g. 2027-03-15.")),
                **common,
            )
        elif q.type == "consent":
            field = ConsentAnswerField(help_text=_help(q), **common)
        elif q.type == "file":
            types = o.get("allowed_types") or ["pdf"]
            size = int(o.get("max_size_mb") or 10)
            current = self.stored.get(q.key)
            extra = _("Accepted: %(types)s, at most %(size)s MB.") % {
                "types": ", ".join(t.upper() for t in types),
                "size": size,
            }
            if isinstance(current, dict) and current.get("name"):
                extra += " " + _("Uploaded: %(name)s. Choose a file only to replace it.") % {"name": current["name"]}
            field = FileAnswerField(widget=forms.FileInput, help_text=_help(q, extra), **common)
            field.widget.attrs.update({"data-max-bytes": size * 1024 * 1024})
        elif q.type == "budget_table":
            names = []
            for index, category in enumerate(o.get("categories") or []):
                sub = field_name(q.key, index)
                self.fields[sub] = NumberAnswerField(
                    label=_("%(category)s (%(currency)s)") % {"category": category, "currency": self.currency}
                    if self.currency
                    else category,
                    required=False,
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                )
                names.append(sub)
            return names
        elif q.type == "team_table":
            names = []
            labels = {"name": _("Name"), "role": _("Role"), "affiliation": _("Affiliation")}
            for index in range(int(o.get("max_rows") or 6)):
                for part, label in labels.items():
                    sub = field_name(q.key, index, part)
                    self.fields[sub] = forms.CharField(
                        label=_("%(label)s, row %(n)s") % {"label": label, "n": index + 1},
                        required=False,
                        max_length=300,
                    )
                    names.append(sub)
            return names
        else:
            return []
        field.widget.attrs.setdefault("data-answer-type", q.type)
        self.fields[name] = field
        return [name]

    def _initial(self) -> dict:
        initial = {}
        for q in self.questions:
            value = self.stored.get(q.key)
            if q.is_heading or value is None:
                continue
            if q.type == "budget_table":
                amounts = {row.get("category"): row.get("amount") for row in value if isinstance(row, dict)}
                for index, category in enumerate(q.options.get("categories") or []):
                    initial[field_name(q.key, index)] = amounts.get(category)
            elif q.type == "team_table":
                for index, row in enumerate(value):
                    for part in ("name", "role", "affiliation"):
                        initial[field_name(q.key, index, part)] = row.get(part, "")
            elif q.type != "file":
                initial[field_name(q.key)] = value
        return initial

    # -- reading ------------------------------------------------------------------------------------
    def _answer(self, q: Question, data: dict):
        """The storable answer to ``q`` from cleaned values (JSON: strings, lists, dicts, booleans)."""
        o = q.options
        if q.type == "budget_table":
            rows = []
            for index, category in enumerate(o.get("categories") or []):
                amount = data.get(field_name(q.key, index))
                rows.append({"category": category, "amount": None if amount is None else f"{amount:.2f}"})
            return rows if any(r["amount"] is not None for r in rows) else None
        if q.type == "team_table":
            rows = []
            for index in range(int(o.get("max_rows") or 6)):
                row = {
                    part: (data.get(field_name(q.key, index, part)) or "").strip()
                    for part in ("name", "role", "affiliation")
                }
                if any(row.values()):
                    rows.append(row)
            return rows or None
        value = data.get(field_name(q.key))
        if q.type == "file":
            return self.stored.get(q.key)  # a new upload replaces it in the service
        if q.type == "number":
            return None if value is None else f"{value:f}"
        if q.type == "date":
            return value.isoformat() if value else None
        if q.type == "consent":
            return True if value else None
        if isinstance(value, str):
            value = value.strip()
        return value or None

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        cleaned = getattr(self, "cleaned_data", {})
        typed = {}
        for q in self.questions:
            if not q.is_heading:
                answer = self._answer(q, cleaned)
                if answer is not None:
                    typed[q.key] = answer
        shown = shown_keys(self.questions, typed)
        for item in self.layout:
            q = item["question"]
            if q.is_heading or q.key in shown:
                continue
            # A hidden question is neither required nor kept: its errors do not stop the save.
            for name in item["names"]:
                self._errors.pop(name, None)
        self.typed_answers = {key: value for key, value in typed.items() if key in shown}
        self.uploads = {
            q.key: cleaned[field_name(q.key)]
            for q in self.questions
            if q.type == "file" and q.key in shown and cleaned.get(field_name(q.key))
        }

    def clean(self):
        cleaned = super().clean()
        for q in self.questions:
            name = field_name(q.key)
            upload = cleaned.get(name) if q.type == "file" else None
            if upload:
                try:
                    validate_upload(
                        upload,
                        types=q.options.get("allowed_types") or ["pdf"],
                        max_bytes=int(q.options.get("max_size_mb") or 10) * 1024 * 1024,
                    )
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def rows(self):
        """The layout for the template: per question its bound fields and when it shows."""
        labels = {q.key: q.label for q in self.questions if not q.is_heading}
        for item in self.layout:
            q = item["question"]
            yield {
                "question": q,
                "fields": [self[name] for name in item["names"] if name in self.fields],
                "condition_label": labels.get(q.show_when_key, q.show_when_key),
            }


def answers_form_for(proposal, data=None, files=None) -> ApplicationAnswersForm:
    """The form of the stage the team is answering, with the draft's answers."""
    call = proposal.call
    raw = call.form_for(full_stage=proposal.form_full_stage).get_prep_value()
    return ApplicationAnswersForm(
        data, files, questions=questions_from(raw), answers=proposal.answers, currency=call.currency
    )


class ReviewAnswerField(WordLimitMixin, forms.CharField):
    pass


class ReviewQuestionsForm(forms.Form):
    """The call's free-text review questions; answers by question key."""

    prefix = "review"

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            limit = q.get("max_words")
            help_parts = [escape(q.get("help_text") or "")]
            if limit:
                help_parts.append(escape(_("At most %(limit)s words.") % {"limit": limit}))
            field = ReviewAnswerField(
                label=q.get("label") or q.get("key"),
                required=bool(q.get("required")),
                max_length=10000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=" ".join(p for p in help_parts if p),
            )
            field.max_words = limit
            self.fields[field_name(q["key"])] = field

    @classmethod
    def for_call(cls, call, *args, **kwargs):
        questions = [item["value"] for item in call.review_questions.get_prep_value() if item["type"] == "question"]
        return cls(*args, questions=questions, **kwargs)

    @staticmethod
    def initial_from(assignment) -> dict:
        return {field_name(key): value for key, value in (assignment.answers or {}).items()}

    @property
    def answers(self) -> dict:
        return {
            q["key"]: (self.cleaned_data.get(field_name(q["key"])) or "").strip()
            for q in self.questions
            if (self.cleaned_data.get(field_name(q["key"])) or "").strip()
        }
