"""A proposal's review numbers, stored on it so that the desk and the ranking sort and filter on plain columns
(issue 20): reviews submitted, reviewers still active, the weighted score and the spread of the scores.

They are computed in the database from the reviews (the same arithmetic as ``calls.scoring``) and written with one
``UPDATE`` whenever what they come from changes: an assignment created, answered, submitted or removed (the signals
below) and a criterion's weight changed or a criterion removed. Writers that bypass the signals (``bulk_create``, the
demo and the bench seeds) call :func:`refresh` themselves. :func:`stale` lists the proposals whose stored numbers
differ from a fresh computation; the test suite checks it after every test and ``manage.py refresh_review_numbers``
repairs them.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Sqrt
from django.db.models.signals import post_delete, post_save, pre_save

# The stored field each number is written to.
FIELDS = {
    "reviews_done": "review_count",
    "reviews_assigned": "reviewer_count",
    "weighted": "review_score",
    "spread": "review_spread",
}
# Saving an assignment with only these fields (a reminder, the reviewer taking up an invitation) changes no number.
_NUMBERLESS_FIELDS = {"reviewer", "reminded_at", "email", "token", "due_at"}
SUBMITTED = "submitted"
ACTIVE = ("invited", "accepted", "submitted")


def population_spread(field: str):
    """The population standard deviation of ``field`` as sqrt(mean of squares − square of the mean): Django's
    StdDev on SQLite (Python's statistics module) fails on a NULL or on no rows, where this is NULL."""
    value = ExpressionWrapper(F(field) * Value(1.0), output_field=FloatField())
    mean = Avg(value)
    square = ExpressionWrapper(value * F(field), output_field=FloatField())
    variance = ExpressionWrapper(Avg(square) - mean * mean, output_field=FloatField())
    return Sqrt(Greatest(variance, Value(0.0), output_field=FloatField()))


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("proposal_id").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def expressions(assignment_model=None, score_model=None) -> dict:
    """The four numbers of the proposal in ``OuterRef("pk")``, as correlated subqueries (models passable, so that
    a migration can use its historical ones)."""
    if assignment_model is None:
        from calls.models import ReviewAssignment as assignment_model  # noqa: N813  (models import this module)
        from calls.models import ReviewScore as score_model  # noqa: N813
    given = score_model.objects.filter(assignment__status=SUBMITTED, score__isnull=False)
    # The weighted score (calls.scoring.weighted_score): the weighted mean of the criteria's means over the criteria
    # that received a score, Σ w·mean / Σ w, summed over the score rows themselves: a row of criterion c counts
    # w·s/n and w/n, where n is the number of scores c got.
    per_criterion = Subquery(
        given.filter(assignment__proposal_id=OuterRef("assignment__proposal_id"), criterion_id=OuterRef("criterion_id"))
        .order_by()
        .values("criterion_id")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=FloatField(),
    )
    share = ExpressionWrapper(F("criterion__weight") * Value(1.0) / per_criterion, output_field=FloatField())
    weighted = (
        given.filter(assignment__proposal_id=OuterRef("pk"))
        .order_by()
        .values("assignment__proposal_id")
        .annotate(
            r=ExpressionWrapper(
                Sum(ExpressionWrapper(share * F("score"), output_field=FloatField())) / Sum(share),
                output_field=FloatField(),
            )
        )
        .values("r")[:1]
    )
    spread = (
        given.filter(assignment__proposal_id=OuterRef("pk"))
        .order_by()
        .values("assignment__proposal_id")
        .annotate(s=population_spread("score"))
        .values("s")[:1]
    )
    return {
        "reviews_done": _count(assignment_model.objects.filter(proposal=OuterRef("pk"), status=SUBMITTED)),
        "reviews_assigned": _count(assignment_model.objects.filter(proposal=OuterRef("pk"), status__in=ACTIVE)),
        "weighted": Subquery(weighted, output_field=FloatField()),
        "spread": Subquery(spread, output_field=FloatField()),
    }


def _write(queryset, assignment_model=None, score_model=None) -> int:
    numbers = expressions(assignment_model, score_model)
    return queryset.update(**{FIELDS[name]: expression for name, expression in numbers.items()})


def refresh(proposal_ids: Iterable[int]) -> None:
    """Compute and store the numbers of these proposals.

    The proposals' rows are locked first (on PostgreSQL), so the ``UPDATE`` runs on a snapshot taken once every
    other transaction writing numbers of the same proposal has committed: two reviews submitted at once both count.
    A queryset ``update`` leaves ``updated_at`` and the edit version alone: a review is not an edit of the draft.
    """
    from calls.models import Proposal  # cycle: the models import this module's signals

    ids = sorted(set(proposal_ids))
    if not ids:
        return
    with transaction.atomic():
        list(Proposal.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        _write(Proposal.objects.filter(pk__in=ids))


def refresh_call(call_id: int) -> None:
    """Compute and store the numbers of the call's proposals that have scores (a criterion's weight changed)."""
    from calls.models import Proposal, ReviewScore

    scored = ReviewScore.objects.filter(assignment__proposal__call_id=call_id).values("assignment__proposal_id")
    with transaction.atomic():
        _write(Proposal.objects.filter(Q(pk__in=scored) | Q(call_id=call_id, review_score__isnull=False)))


def refresh_all(batch: int = 2000) -> int:
    """Every proposal's numbers, in batches (the repair command); the count of proposals written."""
    from calls.models import Proposal

    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            _write(Proposal.objects.filter(pk__in=ids[start : start + batch]))
    return len(ids)


def stale(queryset=None) -> list[int]:
    """The proposals (of ``queryset``, else all) whose stored numbers differ from a fresh computation."""
    from calls.models import Proposal

    queryset = Proposal.objects.all() if queryset is None else queryset
    rows = queryset.order_by("pk").annotate(**{f"fresh_{name}": e for name, e in expressions().items()})
    fields = ["pk", *FIELDS.values(), *(f"fresh_{name}" for name in FIELDS)]
    wrong = []
    for row in rows.values_list(*fields):
        pk, stored, fresh = row[0], row[1:5], row[5:]
        if any(not _same(a, b) for a, b in zip(stored, fresh, strict=True)):
            wrong.append(pk)
    return wrong


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


# Signals: cache invalidation, the one use STYLE.md allows them for.


def _assignment_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and set(update_fields) <= _NUMBERLESS_FIELDS):
        return
    refresh([instance.proposal_id])


def _assignment_deleted(sender, instance, **kwargs):
    refresh([instance.proposal_id])


def _criterion_before_save(sender, instance, raw=False, **kwargs):
    # A new criterion has no scores yet; only a changed weight moves the weighted scores.
    instance._weight_changed = (
        not raw
        and instance.pk is not None
        and sender.objects.filter(pk=instance.pk).exclude(weight=instance.weight).exists()
    )


def _criterion_saved(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_weight_changed", False):
        refresh_call(instance.call_id)


def _criterion_deleted(sender, instance, **kwargs):
    # Its scores went with it (cascade, deleted before it).
    refresh_call(instance.call_id)


def connect() -> None:
    from calls.models import EvaluationCriterion, ReviewAssignment

    post_save.connect(_assignment_saved, sender=ReviewAssignment, dispatch_uid="review_numbers_assignment_saved")
    post_delete.connect(_assignment_deleted, sender=ReviewAssignment, dispatch_uid="review_numbers_assignment_deleted")
    pre_save.connect(_criterion_before_save, sender=EvaluationCriterion, dispatch_uid="review_numbers_criterion_pre")
    post_save.connect(_criterion_saved, sender=EvaluationCriterion, dispatch_uid="review_numbers_criterion_saved")
    post_delete.connect(_criterion_deleted, sender=EvaluationCriterion, dispatch_uid="review_numbers_criterion_gone")
