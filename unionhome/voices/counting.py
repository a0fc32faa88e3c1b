"""Keeping the first-signal counts as appeals arrive, in the submitting transaction:

* ``AppealCount``: appeals per branch, category and day (the alert rule reads it);
* ``TopicCount``: per branch, category, topic word and month (the hot-issues board);
* ``AppealVolume``: per unit, category (and "" for all) and week, for the branch and every unit above it;
* ``TopicVolume``: per unit, topic word and month, likewise (the dashboards of unions and federations).

Each table is bumped with one statement of ``unionhome.tallies`` (an ``INSERT … ON CONFLICT … DO UPDATE
SET count = count + excluded.count``): exact and race-safe on both databases, without deadlocks. Org
paths never change, so the counts carry them without foreign keys.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from unionhome.org.models import OrgUnit, paths_with_parents
from unionhome.tallies import tallies_added
from unionhome.voices.first_signal import week_start
from unionhome.voices.keywords import MAX_WORD_LENGTH
from unionhome.voices.models import Appeal, AppealCount, AppealVolume, TopicCount, TopicVolume


def appeals_counted(branch: OrgUnit, category: str, day: datetime.date, n: int = 1) -> None:
    """Count ``n`` appeals of ``branch`` in ``category`` submitted on ``day`` (a local date)."""
    tallies_added(AppealCount, ("branch", "category", "day"), [
        {"branch": branch.pk, "unit_path": branch.path, "category": category, "day": day, "count": n}
    ])  # fmt: skip
    week = week_start(day)
    tallies_added(AppealVolume, ("unit_path", "category", "week"), [
        {"unit_path": path, "parent_path": parent, "category": c, "week": week, "count": n}
        for path, parent in paths_with_parents(branch.path)
        for c in (category, "")
    ])  # fmt: skip


def words_counted(branch: OrgUnit, category: str, day: datetime.date, words: Iterable[str], n: int = 1) -> None:
    """Count ``n`` appeals of ``branch`` in ``category`` on ``day`` for each of ``words`` (by month)."""
    words = counted_words(words)
    month = day.replace(day=1)
    tallies_added(TopicCount, ("branch", "category", "word", "month"), [
        {"branch": branch.pk, "unit_path": branch.path, "category": category, "word": w, "month": month, "count": n}
        for w in words
    ])  # fmt: skip
    tallies_added(TopicVolume, ("unit_path", "month", "word"), [
        {"unit_path": path, "word": w, "month": month, "count": n}
        for path, _parent in paths_with_parents(branch.path)
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
