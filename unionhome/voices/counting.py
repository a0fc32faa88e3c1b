"""Keeping the first-signal counts as appeals arrive, in the submitting transaction:

* ``AppealCount``: appeals per branch, category and day (the alert rule reads it);
* ``TopicCount``: per branch, category, topic word and month (the hot-issues board);
* ``AppealVolume``: per unit, category (and "" for all) and week, for the branch and every unit above it;
* ``TopicVolume``: per unit, topic word and month, likewise (the dashboards of unions and federations).

Each table is bumped with one ``INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count`` (on
both databases): race-safe without a read first, since a concurrent insert of the same key becomes the
update. The rows of a statement are sorted by key, so two submissions lock them in the same order and
never wait on each other crosswise (no deadlock on PostgreSQL); on SQLite the IMMEDIATE transaction
lets one writer in at a time. Org paths never change, so the counts carry them without foreign keys.
"""

import datetime
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.voices.first_signal import week_start
from unionhome.voices.keywords import MAX_WORD_LENGTH
from unionhome.voices.models import Appeal, AppealCount, AppealVolume, TopicCount, TopicVolume


def _added(model, key: tuple[str, ...], rows: list[dict]) -> None:
    """Add each row's ``count`` to the row of ``model`` with the same ``key`` (created when missing)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    rows = sorted(rows, key=lambda row: tuple(str(row[name]) for name in key))
    fields = [model._meta.get_field(name) for name in rows[0]]
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in key)
    params = [f.get_db_prep_save(row[f.name], connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({conflict}) "
            f'DO UPDATE SET "count" = {table}."count" + EXCLUDED."count"',
            params,
        )


def _with_parents(path: str) -> list[tuple[str, str]]:
    """(unit path, parent path) for the unit at ``path`` and every unit above it."""
    paths = ancestor_paths(path)
    return [(p, paths[i - 1] if i else "") for i, p in enumerate(paths)]


def appeals_counted(branch: OrgUnit, category: str, day: datetime.date, n: int = 1) -> None:
    """Count ``n`` appeals of ``branch`` in ``category`` submitted on ``day`` (a local date)."""
    _added(AppealCount, ("branch", "category", "day"), [
        {"branch": branch.pk, "unit_path": branch.path, "category": category, "day": day, "count": n}
    ])  # fmt: skip
    week = week_start(day)
    _added(AppealVolume, ("unit_path", "category", "week"), [
        {"unit_path": path, "parent_path": parent, "category": c, "week": week, "count": n}
        for path, parent in _with_parents(branch.path)
        for c in (category, "")
    ])  # fmt: skip


def words_counted(branch: OrgUnit, category: str, day: datetime.date, words: Iterable[str], n: int = 1) -> None:
    """Count ``n`` appeals of ``branch`` in ``category`` on ``day`` for each of ``words`` (by month)."""
    words = counted_words(words)
    month = day.replace(day=1)
    _added(TopicCount, ("branch", "category", "word", "month"), [
        {"branch": branch.pk, "unit_path": branch.path, "category": category, "word": w, "month": month, "count": n}
        for w in words
    ])  # fmt: skip
    _added(TopicVolume, ("unit_path", "month", "word"), [
        {"unit_path": path, "word": w, "month": month, "count": n}
        for path, _parent in _with_parents(branch.path)
        for w in words
    ])  # fmt: skip


def counted_words(keywords: Iterable) -> list[str]:
    """The words of ``keywords`` that are counted: distinct, non-empty, short enough, in a fixed order."""
    return sorted({w for w in keywords if isinstance(w, str) and w and len(w) <= MAX_WORD_LENGTH})


def appeal_counted(appeal: Appeal) -> None:
    """Add ``appeal`` to the counts of its branch and the units above (its local day, week and month)."""
    day = timezone.localtime(appeal.submitted_at).date()
    appeals_counted(appeal.branch, appeal.category, day)
    words_counted(appeal.branch, appeal.category, day, appeal.keywords or [])
