"""Typed input fields shared by the API's schemas.

Text that reaches the database must not hold NUL or other control characters (PostgreSQL
refuses NUL) nor lone surrogates (they cannot be encoded as UTF-8); both answer 422, not 500.
"""

import datetime
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


def _multiline_text(value: str) -> str:
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\n\r\t" for ch in value):
        raise ValueError(_("This text contains control characters or invalid characters."))
    return value


def _encodable(value: str) -> str:
    if "\x00" in value or any(unicodedata.category(ch) == "Cs" for ch in value):
        raise ValueError(_("This text contains invalid characters."))
    return value


# Text without control characters (for logins, searches, cursors).
def _local_time(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise ValueError(_("Give the time of day without a time zone: it is the union's local time."))
    return value


def _time_cursor(value: str) -> str | None:
    from unionhome.keyset import decode_time_cursor

    if value and decode_time_cursor(value) is None:
        raise ValueError(_("This cursor is not valid. Start again from the first page."))
    return value or None


def _date_cursor(value: str) -> str | None:
    from unionhome.keyset import decode_time_cursor

    if value and decode_time_cursor(value, dates=True) is None:
        raise ValueError(_("This cursor is not valid. Start again from the first page."))
    return value or None


def _key_cursor(value: str) -> str | None:
    from unionhome.keyset import decode_cursor

    if value and decode_cursor(value) is None:
        raise ValueError(_("This cursor is not valid. Start again from the first page."))
    return value or None


PlainText = Annotated[str, AfterValidator(_plain_text)]
# Text a person typed: line breaks and tabs are fine, other control characters (and NUL) are not.
MultilineText = Annotated[str, AfterValidator(_multiline_text)]
# The ``next`` cursor of a keyset page (``unionhome.keyset``): refused when it does not decode.
TimeCursor = Annotated[str, Field(max_length=300), AfterValidator(_plain_text), AfterValidator(_time_cursor)]
# The ``next`` cursor of a keyset page on a date (``due_on, id``…): refused when it does not decode.
DateCursor = Annotated[str, Field(max_length=300), AfterValidator(_plain_text), AfterValidator(_date_cursor)]
# The ``next`` cursor of a keyset page on a text key (``name_pinyin, id``…): refused when it does not decode.
KeyCursor = Annotated[str, Field(max_length=300), AfterValidator(_plain_text), AfterValidator(_key_cursor)]
# A time of day on the union's clock (quiet hours…): "22:00", never "22:00+08:00".
LocalTime = Annotated[datetime.time, AfterValidator(_local_time)]
# Any characters a person can type, for secrets such as passwords.
SecretText = Annotated[str, AfterValidator(_encodable)]
# A database id.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
