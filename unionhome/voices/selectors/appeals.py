"""Reads of the worker's side: my appeals, one of them, an anonymous appeal by its code, its files, and
the home-page prompt to rate an answer.

A member sees their own named appeals only (anything else is ``OutOfScope``, 404). An anonymous appeal is
found by its follow-up code and nothing else: ``appeal_by_code`` counts wrong codes against the guessing
limits of ``follow_up_codes`` and refuses every code once a limit is reached.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.home.member_prompts import Prompt
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.satisfaction.models import Rating
from unionhome.voices import follow_up_codes
from unionhome.voices.appeal_workflow import can_transition
from unionhome.voices.models import Appeal, AppealAttachment, AppealEvent, AppealReply
from unionhome.voices.services.feedback import ITEM_TYPE, may_reopen

PAGE_SIZE = 20
HOME_PROMPTS = 5


class CodeRefused(ValidationError):
    """A follow-up code that finds nothing (``code == "wrong_code"``) or one tried while the guessing
    limit holds (``code == "too_many"``). Its message is the one the submitter sees."""


def is_overdue(appeal: Appeal, now: datetime.datetime | None = None) -> bool:
    return appeal.status in Appeal.OPEN_STATUSES and appeal.answer_due < (now or timezone.now())


# --- my appeals ------------------------------------------------------------------------------------


def my_appeals(viewer) -> QuerySet[Appeal]:
    """The viewer's named appeals, newest first (none without a member record)."""
    member_id = getattr(viewer, "member_id", None)
    if member_id is None:
        return Appeal.objects.none()
    return Appeal.objects.filter(member_id=member_id).select_related("branch").order_by("-submitted_at", "-id")


def my_appeals_page(viewer, cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of the viewer's appeals by keyset on (submitted_at, id): one query whatever the page."""
    page = time_keyset_page(my_appeals(viewer), cursor, field="submitted_at", size=size)
    now = timezone.now()
    for appeal in page.items:
        appeal.overdue = is_overdue(appeal, now)
    return page


def own_appeal(viewer, pk: int | None) -> Appeal:
    """A named appeal of the viewer's own member; anything else is ``OutOfScope`` (404)."""
    member_id = getattr(viewer, "member_id", None)
    appeal = (
        Appeal.objects.select_related("branch", "unit", "department", "handler").filter(pk=pk).first()
        if pk is not None and member_id is not None
        else None
    )
    if appeal is None or appeal.is_anonymous or appeal.member_id != member_id:
        raise OutOfScope()
    return appeal


# --- by code -----------------------------------------------------------------------------------------


def appeal_by_code(code: object, *, client: str) -> Appeal:
    """The anonymous appeal whose follow-up code is ``code``, asked from ``client`` (the address).

    Raises ``CodeRefused``: "too_many" while a guessing limit holds (even for a right code), else
    "wrong_code" for a code that finds nothing (counted)."""
    if not follow_up_codes.attempt_allowed(client):
        raise CodeRefused(
            _("Too many wrong codes were entered. Wait a quarter of an hour and try again."), code="too_many"
        )
    digest = follow_up_codes.code_digest(code) if isinstance(code, str) else None
    appeal = (
        Appeal.objects.select_related("branch", "unit", "department", "handler")
        .filter(code_digest=digest, is_anonymous=True)
        .first()
        if digest
        else None
    )
    if appeal is None:
        follow_up_codes.attempt_failed(client)
        raise CodeRefused(
            _("No appeal has this code. Check the code you wrote down (16 letters and digits)."), code="wrong_code"
        )
    return appeal


# --- one appeal as its submitter sees it ---------------------------------------------------------------


@dataclass
class SubmitterView:
    appeal: Appeal
    attachments: list[AppealAttachment]
    replies: list[AppealReply]
    events: list[AppealEvent]
    answer: AppealReply | None
    rating: Rating | None
    overdue: bool
    may_write: bool
    may_withdraw: bool
    may_rate: bool
    may_reopen: bool
    actions: list[str] = field(default_factory=list)


def submitter_view(appeal: Appeal, now: datetime.datetime | None = None) -> SubmitterView:
    """Details, files, every reply (public and private) and the submitter's own messages, the history and
    what the submitter may do now. A fixed number of queries."""
    now = now or timezone.now()
    replies = list(appeal.replies.select_related("author").order_by("created_at", "id"))
    answers = [r for r in replies if r.is_answer]
    answer = answers[-1] if answers else None
    rating = Rating.objects.filter(item_type=ITEM_TYPE, item_id=answer.pk).first() if answer is not None else None
    is_open = appeal.status in Appeal.OPEN_STATUSES
    view = SubmitterView(
        appeal=appeal,
        attachments=list(appeal.attachments.all()),
        replies=replies,
        events=list(appeal.events.order_by("at", "id")),
        answer=answer,
        rating=rating,
        overdue=is_overdue(appeal, now),
        may_write=is_open and can_transition(appeal, "follow_up", now=now),
        may_withdraw=is_open and can_transition(appeal, "withdraw", now=now),
        may_rate=answer is not None and rating is None and can_transition(appeal, "rate", now=now),
        may_reopen=may_reopen(appeal, rating, now) and can_transition(appeal, "reopen", now=now),
    )
    view.actions = [
        name
        for name, allowed in (
            ("follow_up", view.may_write),
            ("rate", view.may_rate),
            ("reopen", view.may_reopen),
            ("withdraw", view.may_withdraw),
        )
        if allowed
    ]
    return view


def attachment_of(appeal: Appeal, attachment_id: int | None) -> AppealAttachment:
    attachment = appeal.attachments.filter(pk=attachment_id).first() if attachment_id is not None else None
    if attachment is None:
        raise OutOfScope()
    return attachment


# --- the home page ---------------------------------------------------------------------------------------


def appeals_to_rate(viewer, now: datetime.datetime | None = None) -> QuerySet[Appeal]:
    """The viewer's named appeals answered and closed, not rated yet, while they may still reopen them."""
    now = now or timezone.now()
    return my_appeals(viewer).filter(status=Appeal.Status.CLOSED, rating_score__isnull=True, reopen_until__gte=now)


def appeal_prompts(user) -> list[Prompt]:
    """Home-page prompts: "your appeal was answered: rate it" (register with ``register_prompts``)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "member_id", None) is None:
        return []
    return [
        Prompt(
            title=_("Your appeal was answered: rate the answer — %(title)s") % {"title": appeal.title},
            url=reverse("voices:appeal_detail", args=[appeal.pk]) + "#rate",
            note=_("answered %(date)s") % {"date": timezone.localtime(appeal.closed_at).strftime("%Y-%m-%d")}
            if appeal.closed_at
            else "",
        )
        for appeal in appeals_to_rate(user)[:HOME_PROMPTS]
    ]
