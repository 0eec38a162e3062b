"""``manage.py refresh_review_numbers``: recompute the review numbers stored on every proposal (calls.review_numbers)."""

from django.core.management.base import BaseCommand

from calls import review_numbers


class Command(BaseCommand):
    help = (
        "Recompute every proposal's stored review numbers (reviews done, reviewers active, weighted score, spread) "
        "from its reviews; the desk and the ranking sort on them. Needed only after writing reviews or scores "
        "outside Bridges' services (a bulk import). --check lists the out-of-date proposals, changes nothing and "
        "exits 1 when there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="List the proposals out of date; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            wrong = review_numbers.stale()
            if wrong:
                self.stdout.write(f"{len(wrong)} proposal(s) out of date: {', '.join(map(str, wrong))}")
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("Every proposal's review numbers are up to date."))
            return
        written = review_numbers.refresh_all()
        self.stdout.write(self.style.SUCCESS(f"Recomputed the review numbers of {written} proposal(s)."))
