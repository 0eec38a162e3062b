"""Bring the search indexes back in line with what is public; run daily (cron) and after an outage.

It re-reads every type through its public queryset: adds what is missing (a result whose
embargo ended today, saves made while Elasticsearch was down), rewrites what changed (a
researcher's renamed user), and removes what is no longer public. Cron, e.g.:
``15 0 * * * cd /srv/bridges && .venv/bin/python manage.py search_reconcile``
"""

from django.core.management.base import BaseCommand

from hub.search import indexing


class Command(BaseCommand):
    help = "Re-index every public object and drop entries that are no longer public (daily cron)."

    def add_arguments(self, parser):
        parser.add_argument("--type", action="append", dest="kinds", help="only this type (repeatable)")

    def handle(self, *args, kinds=None, **options):
        indexing.reconcile_all(kinds=kinds, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Search index reconciled."))
