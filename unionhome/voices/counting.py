"""Keeping the first-signal counts as appeals arrive: one ``AppealCount`` per branch, category and day,
one ``TopicCount`` per topic word and month. Called by the submitting service in its transaction.

Race-safe on both databases: a count row is bumped with ``UPDATE … SET count = count + 1``; when there is
no row yet it is inserted in a savepoint, and an insert that loses the race to a concurrent submission
(the unique constraint refuses it once the other commits, on PostgreSQL) becomes the same update. On
SQLite the IMMEDIATE transaction lets one writer in at a time. Rows are always touched in the same order
(the day's row, then the words sorted), so two submissions never wait on each other crosswise
(no deadlock on PostgreSQL).
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from unionhome.voices.keywords import MAX_WORD_LENGTH
from unionhome.voices.models import Appeal, AppealCount, TopicCount


def _bump(model, lookup: dict, unit_path: str) -> None:
    if model.objects.filter(**lookup).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, unit_path=unit_path, count=1)
    except IntegrityError:  # another submission created the row at the same moment
        model.objects.filter(**lookup).update(count=F("count") + 1)


def counted_words(keywords: list) -> list[str]:
    """The words of ``keywords`` that are counted: distinct, non-empty, short enough, in a fixed order."""
    return sorted({w for w in keywords if isinstance(w, str) and w and len(w) <= MAX_WORD_LENGTH})


def appeal_counted(appeal: Appeal) -> None:
    """Add ``appeal`` to the counts of its branch (its local day, and each of its keywords' month)."""
    day = timezone.localtime(appeal.submitted_at).date()
    branch_path = appeal.branch.path
    _bump(AppealCount, {"branch_id": appeal.branch_id, "category": appeal.category, "day": day}, branch_path)
    month = day.replace(day=1)
    for word in counted_words(appeal.keywords or []):
        lookup = {"branch_id": appeal.branch_id, "category": appeal.category, "word": word, "month": month}
        _bump(TopicCount, lookup, branch_path)
