"""Rebuild the search indexes from the public querysets, with a progress bar.

The database index is rewritten type by type (readers keep searching the old rows until each
type's new rows are committed). With ELASTICSEARCH_URL set, each type is bulk-loaded into a new
``<alias>_<timestamp>`` index and its alias switched atomically, so search never goes dark.
"""

from django.core.management.base import BaseCommand, CommandError

from hub.search import elastic, indexing, registry
from hub.search.interface import elasticsearch_enabled


class Command(BaseCommand):
    help = "Rebuild the search index (database, and Elasticsearch through an alias switch when configured)."

    def add_arguments(self, parser):
        parser.add_argument("--type", action="append", dest="kinds", help="only this type (repeatable), e.g. call")
        parser.add_argument("--elasticsearch-only", action="store_true", help="leave the database index alone")

    def handle(self, *args, kinds=None, elasticsearch_only=False, **options):
        known = [t.kind for t in registry.types()]
        unknown = sorted(set(kinds or []) - set(known))
        if unknown:
            raise CommandError(f"Unknown type {', '.join(unknown)}; choose from {', '.join(known)}.")
        if not elasticsearch_only:
            for search_type in registry.types():
                if kinds and search_type.kind not in kinds:
                    continue
                self.stdout.write(f"database: {indexing.reconcile_database(search_type)}")
        if elasticsearch_enabled():
            try:
                elastic.reindex(kinds=kinds, log=self.stdout.write, out=self.stdout)
            except elastic.UNAVAILABLE as error:
                raise CommandError(f"Elasticsearch could not be rebuilt: {error}")
        elif elasticsearch_only:
            raise CommandError("ELASTICSEARCH_URL is not set.")
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
