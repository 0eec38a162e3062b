"""Accounts made from an invitation link: following a link that was emailed to an address proves that its holder
reads that mailbox, so the account is created with the address already verified (no second email to confirm)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from allauth.account.models import EmailAddress

from profiles.emails import normalise_email
from profiles.models import User


def address_has_account(email: str) -> bool:
    """Is there an account (verified or not) for this address? Only for the holder of the invitation link."""
    email = normalise_email(email)
    return bool(email) and (
        User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists()
    )


@transaction.atomic
def account_create_verified(*, email: str, first_name: str, last_name: str, password: str) -> User:
    """Create a researcher's account for ``email``, verified by the invitation link; refused if one exists."""
    email = normalise_email(email)
    if not email:
        raise ValidationError(_("This invitation has no email address."))
    if address_has_account(email):
        raise ValidationError(_("An account for %(email)s exists already: sign in instead.") % {"email": email})
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    except IntegrityError:  # the same form sent twice at once: the first made the account
        raise ValidationError(
            _("An account for %(email)s exists already: sign in instead.") % {"email": email}
        ) from None
    return user
