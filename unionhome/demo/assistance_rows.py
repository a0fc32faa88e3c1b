"""The assistance demo's bulk writer: rows kept as plain tuples with ids handed out here, written with
``executemany`` (SQLite) or ``COPY`` (PostgreSQL), encrypted columns encrypted as the field would do it."""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from unionhome.assistance.models import (
    AidApplication,
    AidCampaign,
    AidTier,
    Assistance,
    BudgetLine,
    ConsentRecord,
    FileEvent,
    FollowUp,
    HardshipCause,
    HardshipFile,
    HouseholdMember,
    Objection,
    Payment,
    ReReview,
    Visit,
    VisitCampaign,
)
from unionhome.demo.assistance_clock import Clock
from unionhome.encryption import EncryptedTextField, encrypt_bytes
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.services import ratings_bulk_record

# --- Writing rows ---------------------------------------------------------------------------------

# Parents before children (foreign keys are checked at commit anyway).
TABLES: tuple[type[models.Model], ...] = (
    BudgetLine,
    AidCampaign,
    AidTier,
    VisitCampaign,
    VisitCampaign.tags.through,
    HardshipFile,
    HardshipCause,
    HouseholdMember,
    ConsentRecord,
    FileEvent,
    ReReview,
    Objection,
    Assistance,
    AidApplication,
    Visit,
    Visit.visitors.through,
    Payment,
    FollowUp,
)
_REQUIRED = object()


@dataclass
class Table:
    sql: str  # SQLite: an INSERT for executemany; PostgreSQL: a COPY ... FROM STDIN
    names: tuple[str, ...]  # column attnames, the id first
    defaults: tuple[Any, ...]
    adapt: tuple[Callable[[Any], Any] | None, ...]
    known: frozenset[str]


def _sqlite_datetime(value: datetime.datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC text.
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _encrypt(value: str) -> str:
    # What ``EncryptedTextField.get_prep_value`` stores: empty stays empty.
    return encrypt_bytes(value.encode()).decode() if value else value


def _table(model: type[models.Model], now: datetime.datetime) -> Table:
    fields = [f for f in model._meta.concrete_fields]
    fields.sort(key=lambda f: not f.primary_key)
    names, defaults, adapt = [], [], []
    for f in fields:
        names.append(f.attname)
        if f.primary_key:
            defaults.append(_REQUIRED)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        elif f.has_default() or f.null or f.empty_strings_allowed:
            defaults.append(f.get_default())
        else:
            defaults.append(_REQUIRED)
        if isinstance(f, EncryptedTextField):
            adapt.append(_encrypt)
        elif isinstance(f, models.DateTimeField) and connection.vendor == "sqlite":
            adapt.append(_sqlite_datetime)
        else:
            adapt.append(None)
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    if connection.vendor == "postgresql":
        sql = f"COPY {target} FROM STDIN"
    else:
        sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(fields))})"
    return Table(sql, tuple(names), tuple(defaults), tuple(adapt), frozenset(names))


class Rows:
    """Rows of the centre's tables as tuples, with their ids handed out here; ``flush`` writes them.

    ``add(Model, **columns)`` takes column attnames (``member_id``, not ``member``), fills the rest with
    the fields' defaults (``auto_now`` fields: now) and returns the new row's id.
    """

    def __init__(self, clock: Clock, batch_size: int):
        self.clock, self.batch_size = clock, batch_size
        self.tables = {model: _table(model, clock.now) for model in TABLES}
        self.rows: dict[type[models.Model], list[tuple]] = {model: [] for model in TABLES}
        self.next_id: dict[type[models.Model], int] = {}
        self.orm: list[models.Model] = []  # settings and visit rules: a few rows, through the ORM
        self.ratings: list[Rating] = []  # written by the satisfaction app's one write path
        self.pending = 0
        self.counts: Counter[type[models.Model]] = Counter()

    def add(self, model: type[models.Model], **values: Any) -> int:
        table = self.tables[model]
        if not values.keys() <= table.known:
            raise TypeError(f"{model.__name__} has no column(s) {sorted(values.keys() - table.known)}")
        if "id" not in values:
            values["id"] = self.reserve(model)
        pk = values["id"]
        row = []
        for name, default, adapt in zip(table.names, table.defaults, table.adapt, strict=True):
            value = values.get(name, default)
            if value is _REQUIRED:
                raise TypeError(f"{model.__name__}.{name} is required")
            if value is not None and adapt is not None:
                value = adapt(value)
            row.append(value)
        self.rows[model].append(tuple(row))
        self.pending += 1
        return pk

    def reserve(self, model: type[models.Model]) -> int:
        """The id of a row to be added later (``add(model, id=..., ...)``)."""
        if model not in self.next_id:
            self.next_id[model] = (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def add_orm(self, obj: models.Model) -> models.Model:
        self.orm.append(obj)
        self.pending += 1
        return obj

    def add_rating(self, rating: Rating) -> None:
        self.ratings.append(rating)
        self.pending += 1

    def flush(self) -> None:
        if not self.pending:
            return
        with transaction.atomic():
            by_model: dict[type[models.Model], list[models.Model]] = {}
            for obj in self.orm:
                by_model.setdefault(type(obj), []).append(obj)
            for model, objs in by_model.items():
                model.objects.bulk_create(objs, batch_size=self.batch_size)
            with connection.cursor() as cursor:
                for model in TABLES:
                    rows, sql = self.rows[model], self.tables[model].sql
                    if rows and connection.vendor == "postgresql":
                        # COPY: one stream per table instead of a round trip per row.
                        with cursor.cursor.copy(sql) as copy:
                            for row in rows:
                                copy.write_row(row)
                    else:
                        for start in range(0, len(rows), self.batch_size):
                            cursor.executemany(sql, rows[start : start + self.batch_size])
                    self.counts[model] += len(rows)
                    rows.clear()
            self.counts[Rating] += ratings_bulk_record(self.ratings, batch_size=self.batch_size)
            self.ratings = []
        self.orm.clear()
        self.pending = 0

    def finish(self) -> None:
        """Write what is left; on PostgreSQL, move the id sequences past the ids handed out here."""
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(self.next_id)):
                    cursor.execute(statement)
