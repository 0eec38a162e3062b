"""Parameter types every router shares, each validated exactly as the OpenAPI schema declares it.

Pydantic's lax parsing accepts more than the schema says (``updated_since=0.5`` as a Unix timestamp, ``²`` as a
digit); these types refuse it with a 400, so that a client reading the schema is never surprised.
"""

import datetime as dt
import re
from typing import Annotated

from ninja import Path
from pydantic import BeforeValidator, Field, StringConstraints

# ASCII only: ``str.isdigit()`` also accepts "²", which int() then refuses.
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
SLUG_OR_ID = r"^[-A-Za-z0-9_]+$"
MAX_ID_DIGITS = 18  # beyond 64 bits no row can have the id


def is_ascii_number(text: str) -> bool:
    """Whether ``text`` is a non-negative integer in ASCII digits (what ``int()`` and the database agree on)."""
    return bool(_DIGITS.fullmatch(text))


def _iso_date_text(kind: str, example: str):
    def check(value):
        if isinstance(value, str) and not _ISO_DATE.match(value):
            raise ValueError(f"Use an ISO 8601 {kind}, e.g. {example}.")
        return value

    return check


IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_date_text("date-time", "2026-01-31T00:00:00Z"))]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text("date", "2026-01-31"))]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Amount = Annotated[float, Field(ge=0, le=10**10, allow_inf_nan=False)]

Ref = Path[
    str,
    {
        "pattern": SLUG_OR_ID,
        "min_length": 1,
        "max_length": 200,
        "description": "The object's numeric id or its slug.",
    },
]


def by_ref(ref: str) -> dict:
    """The lookup of a detail endpoint's ``ref``: an id when it is a number that fits the database, else a slug."""
    if is_ascii_number(ref) and len(ref) <= MAX_ID_DIGITS:
        return {"pk": int(ref)}
    return {"slug": ref}
