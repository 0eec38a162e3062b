"""Print the current two-factor code of the demo coordinator and administrator."""

from django.core.management.base import BaseCommand

from profiles.demo import DEMO_TOTP_SECRET
from profiles.mfa import totp_code


class Command(BaseCommand):
    help = "Print the authenticator code the demo coordinator and administrator sign in with now (demo only)."

    def handle(self, *args, **options):
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
