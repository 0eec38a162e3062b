from django.db import migrations

from hub.vocabulary_data import load_all


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial")]

    operations = [migrations.RunPython(load_all, migrations.RunPython.noop)]
