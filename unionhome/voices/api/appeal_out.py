"""An appeal as its submitter sees it through the API (the answers of ``appeals.py`` and ``anonymous.py``)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from unionhome.satisfaction.edit_window import change_until
from unionhome.voices.models import Appeal
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.feedback import rating_changeable

# The history keeps the score in these events' notes: the submitter's own page does not repeat it.
RATING_EVENTS = ("rated", "rerated")


def summary_out(appeal: Appeal, now: datetime.datetime) -> dict:
    return {
        "id": appeal.pk,
        "reference": appeal.reference,
        "kind": appeal.kind,
        "category": appeal.category,
        "title": appeal.title,
        "status": appeal.status,
        "submitted_at": appeal.submitted_at,
        "answer_due": appeal.answer_due,
        "overdue": selectors.is_overdue(appeal, now),
        "rating_score": appeal.rating_score,
        "url": reverse("voices:appeal_detail", args=[appeal.pk]) if not appeal.is_anonymous else "",
    }


def _answered_by(appeal: Appeal) -> str:
    if appeal.department_id is not None:
        return appeal.department.name
    if appeal.handler_id is not None:
        return getattr(appeal.handler, "display_name", "") or appeal.handler.username
    return appeal.branch.name


def appeal_out(appeal: Appeal) -> dict:
    now = timezone.now()
    view = selectors.submitter_view(appeal, now)
    changeable = rating_changeable(appeal, view.answer, view.rating, now)
    return {
        **summary_out(appeal, now),
        "body": appeal.body,
        "anonymous": appeal.is_anonymous,
        "unit_name": appeal.unit.name,
        "answered_by": _answered_by(appeal),
        "acknowledge_due": appeal.acknowledge_due,
        "closed_at": appeal.closed_at,
        "reopen_until": appeal.reopen_until,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": None if appeal.is_anonymous else reverse("voices:appeal_file", args=[appeal.pk, a.pk]),
            }
            for a in view.attachments
        ],
        "replies": [
            {
                "id": r.pk,
                "body": r.body,
                "from_submitter": r.from_submitter,
                "author_name": "" if r.from_submitter or r.author is None else (r.author.display_name or ""),
                "public": r.is_public,
                "answer": r.is_answer,
                "created_at": r.created_at,
            }
            for r in view.replies
        ],
        "events": [
            {"kind": e.kind, "note": "" if e.kind in RATING_EVENTS else e.note, "at": e.at} for e in view.events
        ],
        "rating": {"score": view.rating.score, "comment": view.rating.comment} if view.rating else None,
        "rating_change_until": change_until(view.rating.rated_at) if changeable else None,
        "actions": _with_change(view.actions, changeable),
    }


def _with_change(actions: list[str], changeable: bool) -> list[str]:
    if not changeable:
        return actions
    at = actions.index("rate") + 1 if "rate" in actions else 0
    return [*actions[:at], "change_rating", *actions[at:]]


def fresh_out(appeal: Appeal) -> dict:
    """The appeal as it now stands in the database (after a service changed it)."""
    return appeal_out(Appeal.objects.select_related("branch", "unit", "department", "handler").get(pk=appeal.pk))
