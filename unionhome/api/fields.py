"""Typed input fields shared by the API's schemas.

Text that reaches the database must not hold NUL or other control characters (PostgreSQL
refuses NUL) nor lone surrogates (they cannot be encoded as UTF-8); both answer 422, not 500.
"""

import unicodedata
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

# The largest primary key either database accepts (signed 64-bit).
MAX_ID = 2**63 - 1


def _plain_text(value: str) -> str:
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value):
        raise ValueError(_("This text contains control characters or invalid characters."))
    return value


def _encodable(value: str) -> str:
    if "\x00" in value or any(unicodedata.category(ch) == "Cs" for ch in value):
        raise ValueError(_("This text contains invalid characters."))
    return value


# Text without control characters (for logins, searches, cursors).
PlainText = Annotated[str, AfterValidator(_plain_text)]
# Any characters a person can type, for secrets such as passwords.
SecretText = Annotated[str, AfterValidator(_encodable)]
# A database id.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
