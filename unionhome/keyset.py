"""Keyset pagination: a page costs the same whether it is the first or the ten-thousandth.

A list is ordered by a key and the id (``name_pinyin, id`` for the directory; ``created_at, id`` for most
lists, newest first). The cursor of the next page is the last row's (key, id), base64-encoded JSON; the
next page starts strictly after it. Cursors come from the client, so decoding refuses anything that is
not exactly a printable string and a positive id (the API answers 422, pages start again).
"""

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import DateField, DateTimeField, Q, QuerySet


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    has_previous: bool


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if (
        not isinstance(values, list)
        or len(values) != 2
        or not isinstance(values[0], str)
        or not isinstance(values[1], int)
        or not values[0].isprintable()
        or not 0 < values[1] < 2**63
    ):
        return None
    return values


Moment = datetime.datetime | datetime.date


def decode_time_cursor(cursor: str | None, *, dates: bool = False) -> tuple[Moment, int] | None:
    """(moment, id) from a cursor of a list keyed on a timestamp (aware) or, with ``dates``, on a date."""
    values = decode_cursor(cursor) if cursor else None
    if values is None:
        return None
    try:
        if dates:
            return datetime.date.fromisoformat(values[0]), values[1]
        moment = datetime.datetime.fromisoformat(values[0])
    except (ValueError, OverflowError):
        return None
    return (moment, values[1]) if moment.tzinfo is not None else None


def _is_date_field(rows: QuerySet, field: str) -> bool:
    """Whether ``field`` (a model field or an annotation of ``rows``) holds dates rather than timestamps."""
    annotation = rows.query.annotations.get(field)
    model_field = annotation.output_field if annotation is not None else rows.model._meta.get_field(field)
    return isinstance(model_field, DateField) and not isinstance(model_field, DateTimeField)


def valid_time_cursor(rows: QuerySet, field: str, cursor: str) -> bool:
    return decode_time_cursor(cursor, dates=_is_date_field(rows, field)) is not None


def time_keyset_page(
    rows: QuerySet, cursor: str | None, *, field: str, size: int, newest_first: bool = True
) -> KeysetPage:
    """One page of ``rows`` in (``field``, id) order, newest first unless ``newest_first`` is False; an
    invalid cursor starts from the first page."""
    after = decode_time_cursor(cursor, dates=_is_date_field(rows, field))
    direction = "lt" if newest_first else "gt"
    prefix = "-" if newest_first else ""
    rows = rows.order_by(f"{prefix}{field}", f"{prefix}id")
    if after is not None:
        moment, pk = after
        rows = rows.filter(Q(**{f"{field}__{direction}": moment}) | Q(**{field: moment, f"id__{direction}": pk}))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    next_cursor = encode_cursor([getattr(items[-1], field).isoformat(), items[-1].pk]) if more and items else None
    return KeysetPage(items, next_cursor, has_previous=after is not None)
