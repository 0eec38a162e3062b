from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache (used when REDIS_URL is unset) must exist before anything caches.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("hub", "0002_load_vocabularies")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
