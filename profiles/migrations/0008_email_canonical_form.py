"""Stored addresses take their canonical form (profiles.emails); accounts that share a mailbox are reported only.

Collisions are printed (and listed later by ``manage.py email_collisions``) and never merged: which account a
person keeps is theirs to say.
"""

from django.db import migrations

from profiles.emails import account_collisions, canonicalise_stored


def canonical_addresses(apps, schema_editor):
    User = apps.get_model("profiles", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    groups = account_collisions(User, EmailAddress)
    for canonical, group in groups.items():
        accounts = ", ".join(f"account {pk}: {address}" for pk, address in group)
        print(f"\n  Email collision (not merged) for {canonical}: {accounts}")
    if groups:
        print(f"\n  {len(groups)} mailbox(es) have more than one account; see `manage.py email_collisions`.")
    canonicalise_stored(User, EmailAddress, skip=groups)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0007_private_photos"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(canonical_addresses, migrations.RunPython.noop)]
