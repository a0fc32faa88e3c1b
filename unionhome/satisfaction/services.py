"""Every write of ``Rating`` rows, for every feature: the one write path of the satisfaction loop.

* ``rating_record``: one rating, called by the feature services after their own checks (``rating_submit``
  below for the registered ratables; congress proposals and inspections; appeal answers).
* ``ratings_bulk_record``: many ratings at once (the demo data), validated the same way.
* ``rating_change``: the member changes their own rating within the edit window (``edit_window.py``).
* ``rating_rescore``: the write of a change (score, comment, tallies) with no checks of who or when, for
  ``rating_change`` and for features whose ratings are changed with their own record (an appeal's answer).

These are the only code that writes ratings (``tests/test_rating_writes.py`` holds the rest of
the source tree to it), and each tells ``_tallied`` what changed, so that exact running tallies of the
satisfaction index can be kept in that one place. ``rating_record`` and ``ratings_bulk_record`` write no
audit event: an anonymous appeal's rating must leave none, so the caller records what it may.
"""

import copy
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.audit.recorder import record
from unionhome.satisfaction.edit_window import change_until, changed_here
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.ratable import ratable_for, ratable_for_type
from unionhome.satisfaction.service_lines import is_service_line
from unionhome.satisfaction.tallies import ratings_tallied

SCORES = range(1, 6)
COMMENT_MAX_LENGTH = 500
BULK_BATCH_SIZE = 1000


def _tallied(old: Rating | None, new: Rating | None) -> None:
    """Keep the satisfaction tallies exact (``tallies.py``), inside the writing transaction, for every rating
    written: ``(None, new)`` when one is recorded, ``(old, new)`` when one is changed (``old`` as it was),
    ``(old, None)`` when one is removed. Nothing else writes ratings, so the running sums stay exact."""
    ratings_tallied(removed=[old] if old is not None else [], added=[new] if new is not None else [])


def _already_rated() -> str:
    return _("You have already rated this. Each service is rated once.")


def _checked(service_line: str, score: Any, comment: Any) -> str:
    """The comment as stored (trimmed, no NUL); ``ValidationError`` by the field for a bad score or comment."""
    if not is_service_line(service_line):
        raise ValueError(f"Unknown service line {service_line!r}: register it in the feature's ratings.py.")
    errors: dict[str, str] = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = _("Choose a score from 1 to 5 stars.")
    text = comment.replace("\x00", "").strip() if isinstance(comment, str) else ""
    if len(text) > COMMENT_MAX_LENGTH:
        errors["comment"] = _("Use at most %(max_length)s characters.") % {"max_length": COMMENT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def rating_record(
    *,
    service_line: str,
    item_type: str,
    item_id: int,
    member,
    unit_path: str,
    cadre_id: int | None,
    score: int,
    comment: str = "",
    rated_at: datetime.datetime | None = None,
) -> Rating:
    """Write one rating of a served item, once per member and item (``member`` None: an anonymous appeal's
    answer, rated once). ``score`` is a whole number from 1 to 5, ``comment`` at most 500 characters once
    trimmed. ``rated_at`` defaults to now. The caller has checked who may rate what, and audits it."""
    member_id = member.pk if member is not None else None
    if is_service_line(service_line) and (
        Rating.objects.filter(item_type=item_type, item_id=item_id, member_id=member_id).exists()
    ):
        raise ValidationError(_already_rated())
    text = _checked(service_line, score, comment)
    rating = rating_build(
        service_line=service_line,
        item_type=item_type,
        item_id=item_id,
        member_id=member_id,
        unit_path=unit_path,
        cadre_id=cadre_id,
        score=score,
        comment=text,
        rated_at=rated_at,
    )
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
    except IntegrityError as exc:  # the same rating sent twice at the same moment
        raise ValidationError(_already_rated()) from exc
    _tallied(None, rating)
    return rating


def rating_build(
    *,
    service_line: str,
    item_type: str,
    item_id: int,
    member_id: int | None,
    unit_path: str,
    cadre_id: int | None = None,
    score: int,
    comment: str = "",
    rated_at: datetime.datetime | None = None,
) -> Rating:
    """An unsaved rating for ``ratings_bulk_record`` (nothing is written or checked here)."""
    return Rating(
        service_line=service_line,
        item_type=item_type,
        item_id=item_id,
        member_id=member_id,
        unit_path=unit_path,
        cadre_id=cadre_id,
        score=score,
        comment=comment,
        rated_at=rated_at or timezone.now(),
    )


@transaction.atomic
def ratings_bulk_record(rows: list[Rating], *, batch_size: int = BULK_BATCH_SIZE) -> int:
    """Write many new ratings (built with ``rating_build``) in batches, checked as ``rating_record`` checks
    one: all are written or, on the first bad row, none (``ValidationError`` naming the row)."""
    seen: set[tuple[str, int, int]] = set()
    for number, row in enumerate(rows, start=1):
        if row.pk is not None:
            raise ValueError("ratings_bulk_record writes new ratings only.")
        try:
            row.comment = _checked(row.service_line, row.score, row.comment)
            key = (row.item_type, row.item_id, row.member_id)
            if row.member_id is not None and key in seen:
                raise ValidationError(_already_rated())
        except ValidationError as exc:
            raise ValidationError({f"row {number}": exc.messages}) from exc
        seen.add(key)
        row.rated_at = row.rated_at or timezone.now()
    try:
        with transaction.atomic():
            for start in range(0, len(rows), batch_size):
                Rating.objects.bulk_create(rows[start : start + batch_size])
    except IntegrityError as exc:  # a member's rating of the item is stored already
        raise ValidationError(_already_rated()) from exc
    ratings_tallied(added=rows)  # as ``_tallied(None, row)`` for each row, in few statements
    return len(rows)


@transaction.atomic
def rating_change(*, actor, rating: Rating, score: int, comment: str = "") -> Rating:
    """The member who gave a named rating changes its score and comment, within ``SATISFACTION_EDIT_DAYS``
    days of giving it. Anyone else (and any anonymous rating) gets ``OutOfScope`` (404); a rating kept with
    a feature's own record (a proposal, an inspection, an appeal) is changed there, not here. The audit
    trail notes the change, never the score or the comment."""
    member_id = getattr(actor, "member_id", None)
    rating = Rating.objects.select_for_update().filter(pk=rating.pk).first() if rating.pk else None
    if rating is None or member_id is None or rating.member_id != member_id:
        raise OutOfScope
    if not changed_here(rating.item_type):
        raise ValidationError(_("This rating is part of its case's record and is changed there."))
    now = timezone.now()
    if now > change_until(rating.rated_at):
        raise ValidationError(_("The time to change this rating is over."), code="edit_window_over")
    text = _checked(rating.service_line, score, comment)
    if (rating.score, rating.comment) == (score, text):
        return rating
    rating_rescore(rating, score=score, comment=text, changed_at=now)
    ratable = ratable_for_type(rating.item_type)
    item = ratable.model._default_manager.filter(pk=rating.item_id).first() if ratable else None
    record(actor, "satisfaction.rating.changed", item, item_type=rating.item_type, item_id=rating.item_id)
    return rating


@transaction.atomic
def rating_rescore(
    rating: Rating, *, score: int, comment: str = "", changed_at: datetime.datetime | None = None
) -> Rating:
    """Write a new score and comment on a saved ``rating`` and move the tallies with it; nothing else.

    No permission or window check: the caller has made them and holds the rating locked (``rating_change``
    here, a feature's own service for a rating kept with its record, e.g. an appeal's answer). Score and
    comment are checked as ``rating_record`` checks them (``ValidationError``, nothing written). Unchanged
    values write nothing. ``changed_at`` defaults to now (an anonymous rating passes the hour)."""
    text = _checked(rating.service_line, score, comment)
    if (rating.score, rating.comment) == (score, text):
        return rating
    old = copy.copy(rating)
    rating.score, rating.comment, rating.changed_at = score, text, changed_at or timezone.now()
    rating.save(update_fields=["score", "comment", "changed_at"])
    _tallied(old, rating)
    return rating


@transaction.atomic
def rating_submit(*, actor, item: Any, score: int, comment: str = "") -> Rating:
    """The served member rates ``item`` (a registered ratable: an assistance, a visit, an aid payment).

    Only the member who was served, only once per item, only once the item is ready (delivered,
    done, paid); ``score`` is a whole number from 1 to 5 and ``comment`` at most 500 characters.
    Anyone else gets ``OutOfScope`` (404): a rating is the served worker's own business.
    The audit trail notes that the item was rated, never the score or the comment.
    """
    ratable = ratable_for(item)
    if ratable is None:
        raise ValidationError(_("This cannot be rated."))
    member_id = getattr(actor, "member_id", None)
    if member_id is None or member_id != ratable.member_id_of(item):
        raise OutOfScope
    item = ratable.model._default_manager.select_for_update().filter(pk=item.pk).first()
    if item is None or ratable.member_id_of(item) != member_id:
        raise OutOfScope
    if not ratable.is_ready(item):
        raise ValidationError(_("You can rate this once the service has been delivered."))
    rating = rating_record(
        service_line=ratable.service_line,
        item_type=ratable.item_type,
        item_id=item.pk,
        member=actor.member,
        unit_path=ratable.unit_path_of(item),
        cadre_id=ratable.cadre_id_of(item),
        score=score,
        comment=comment,
    )
    record(actor, "satisfaction.rating.submitted", item, item_type=ratable.item_type)
    return rating
