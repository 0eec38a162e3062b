"""List accounts whose addresses are variants of one mailbox (case, accents, punycode domain); merges nothing."""

from django.core.management.base import BaseCommand

from allauth.account.models import EmailAddress

from profiles.emails import account_collisions
from profiles.models import User


class Command(BaseCommand):
    help = "List accounts whose email addresses are variants of one mailbox (profiles.emails.normalise_email)."

    def handle(self, *args, **options):
        groups = account_collisions(User, EmailAddress)
        accounts = User.objects.in_bulk({pk for group in groups.values() for pk, _address in group})
        for canonical, group in groups.items():
            self.stdout.write(f"{canonical}:")
            for pk in sorted({pk for pk, _address in group}):
                user = accounts[pk]
                stored = ", ".join(sorted({address for key, address in group if key == pk}))
                state = "active" if user.is_active else "inactive"
                self.stdout.write(f"  account {pk} ({state}, joined {user.date_joined:%Y-%m-%d}): {stored}")
        if groups:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(groups)} mailbox(es) with more than one account. Nothing was merged: ask each person "
                    "which account to keep, then deactivate the others."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("No two accounts share a mailbox."))
