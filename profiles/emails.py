"""One mailbox, one address: the canonical form every email address is stored and compared in.

Variants of one mailbox — letter case, a composed "é" versus "e" + combining accent, the Unicode and the
IDNA/punycode ("xn--") spelling of the domain — must create one account and reach one person. Every place that
stores an address or looks an account up by one (sign-up and email change through ``profiles.adapters``,
team, reviewer, result-author and partnership invitations, ``profiles.visibility.account_for_address``) passes
it through ``normalise_email`` first.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import idna


def normalise_domain(domain: str) -> str:
    """The domain in lower-case Unicode (IDNA 2008 with UTS 46 mapping), so "xn--mnchen-3ya.de" is "münchen.de"."""
    domain = unicodedata.normalize("NFC", domain.strip()).rstrip(".")
    try:
        return idna.decode(idna.encode(domain, uts46=True))
    except (idna.IDNAError, UnicodeError, ValueError):
        # Not a valid IDN (the form's validator says so where it matters): still compare it caselessly.
        return domain.lower()


def normalise_email(address: str | None) -> str:
    """The canonical form of ``address``: trimmed, Unicode NFC, lower case (as allauth compares) and IDNA domain.

    Returns "" for an empty address; an address without "@" is only trimmed, NFC-normalised and lower-cased.
    """
    address = unicodedata.normalize("NFC", (address or "").strip())
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    return f"{local.lower()}@{normalise_domain(domain)}"


def same_mailbox(first: str | None, second: str | None) -> bool:
    """Whether two addresses are variants of one mailbox."""
    first, second = normalise_email(first), normalise_email(second)
    return bool(first) and first == second


def collisions(addresses: Iterable[tuple[object, str]]) -> dict[str, list[tuple[object, str]]]:
    """Groups of (key, address) whose addresses are variants of one mailbox, keyed by the canonical form."""
    groups: dict[str, list[tuple[object, str]]] = defaultdict(list)
    for key, address in addresses:
        if address:
            groups[normalise_email(address)].append((key, address))
    return {canonical: group for canonical, group in sorted(groups.items()) if len({k for k, _ in group}) > 1}


def account_collisions(user_model, address_model) -> dict[str, list[tuple[object, str]]]:
    """Accounts whose addresses (the login, or any allauth address) are variants of one mailbox.

    Takes the models so that a data migration can pass its historical ones; returns {canonical: [(user pk,
    stored address), …]} for every canonical form held by more than one account.
    """
    pairs = list(user_model._default_manager.values_list("pk", "email"))
    pairs += list(address_model._default_manager.values_list("user_id", "email"))
    return collisions(pairs)


def canonicalise_stored(user_model, address_model, *, skip: Iterable[str]) -> int:
    """Rewrite stored addresses in their canonical form, except those in ``skip`` (collisions: never merged).

    Returns how many rows changed. A row is left as it is when the change would clash with another row.
    """
    skip, changed = set(skip), 0
    for user in user_model._default_manager.only("pk", "email").iterator():
        canonical = normalise_email(user.email)
        if canonical and canonical != user.email and canonical not in skip:
            if not user_model._default_manager.filter(email__iexact=canonical).exclude(pk=user.pk).exists():
                user_model._default_manager.filter(pk=user.pk).update(email=canonical)
                changed += 1
    for address in address_model._default_manager.only("pk", "user_id", "email").iterator():
        canonical = normalise_email(address.email)
        if canonical and canonical != address.email and canonical not in skip:
            if not address_model._default_manager.filter(email__iexact=canonical).exclude(pk=address.pk).exists():
                address_model._default_manager.filter(pk=address.pk).update(email=canonical)
                changed += 1
    return changed
