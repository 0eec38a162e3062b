"""Copy the catalogues' translations of vocabulary names into the vocabularies (after a catalogue update).

Names already translated in the admin are kept: the admin is where editors change them.
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from hub.vocabulary_names import load_name_translations


class Command(BaseCommand):
    help = "Fill the vocabularies' per-language names from the catalogues, keeping those edited in the admin."

    def handle(self, *args, **options):
        added = load_name_translations(apps)
        self.stdout.write(f"{added} translated names added")
