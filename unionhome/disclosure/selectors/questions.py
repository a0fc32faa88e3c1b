"""Reads of questions: the public questions and answers of a notice, a worker's own waiting questions,
and the cadres' queue of questions to answer (also their work-queue items on the home page).

The asker is shown by unit only, to everyone (cadres included): the name stays in the database for the
asker's own list and for nothing else.
"""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.disclosure.audience import ANSWER, active_member_of
from unionhome.disclosure.models import Notice, NoticeQuestion
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, decode_time_cursor, time_keyset_page
from unionhome.org.models import OrgUnit

PUBLIC_LIMIT = 200
QUEUE_PAGE_SIZE = 30
WORK_QUEUE_ITEMS = 20


def _with_unit_name(questions: QuerySet[NoticeQuestion]) -> QuerySet[NoticeQuestion]:
    return questions.annotate(
        asker_unit_name=Subquery(OrgUnit.objects.filter(path=OuterRef("unit_path")).values("name")[:1])
    )


def public_questions(notice: Notice) -> list[NoticeQuestion]:
    """Answered questions of ``notice``, oldest first (bounded)."""
    answered = NoticeQuestion.objects.filter(notice=notice, answered_at__isnull=False).order_by("asked_at", "id")
    return list(_with_unit_name(answered).defer("asker")[:PUBLIC_LIMIT])


def notice_questions(notice: Notice) -> list[NoticeQuestion]:
    """Every question of ``notice``, answered or not, oldest first (bounded), for the office's page."""
    questions = NoticeQuestion.objects.filter(notice=notice).order_by("asked_at", "id")
    return list(_with_unit_name(questions).defer("asker")[:PUBLIC_LIMIT])


def own_waiting_questions(viewer, notice: Notice) -> list[NoticeQuestion]:
    """The viewer's own questions on ``notice`` not answered yet."""
    if viewer.member_id is None:
        return []
    return list(
        NoticeQuestion.objects.filter(notice=notice, asker_id=viewer.member_id, answered_at__isnull=True).order_by(
            "asked_at", "id"
        )
    )


def my_waiting_questions(viewer, limit: int = 10) -> list[NoticeQuestion]:
    """The viewer's waiting questions on any notice, for the board (bounded)."""
    member = active_member_of(viewer)
    if member is None:
        return []
    return list(
        NoticeQuestion.objects.filter(asker=member, answered_at__isnull=True)
        .select_related("notice")
        .order_by("-asked_at", "-id")[:limit]
    )


def may_answer_somewhere(viewer) -> bool:
    return has_permission_anywhere(viewer, ANSWER)


def _answerable_q(viewer) -> Q:
    roots = scope_roots(viewer, ANSWER)
    return paths_scope_q(roots, "unit_path") | paths_scope_q(roots, "notice__unit_path")


def question_queue(viewer) -> QuerySet[NoticeQuestion]:
    """Unanswered questions on published notices that the viewer may answer, oldest first."""
    return _with_unit_name(
        NoticeQuestion.objects.filter(_answerable_q(viewer), answered_at__isnull=True)
        .filter(notice__status=Notice.Status.PUBLISHED)
        .select_related("notice")
        .defer("asker")
        .order_by("asked_at", "id")
    )


def queue_page(questions: QuerySet[NoticeQuestion], cursor: str | None, *, size: int = QUEUE_PAGE_SIZE) -> KeysetPage:
    """Oldest question first, by keyset on (asked_at, id)."""
    return time_keyset_page(questions, cursor, field="asked_at", size=size, newest_first=False)


def valid_queue_cursor(cursor: str) -> bool:
    return decode_time_cursor(cursor) is not None


def question_to_answer(viewer, pk: int) -> NoticeQuestion:
    """A question on a published notice that the viewer may answer: ``PermissionRefused`` (403) without
    ``disclosure.answer`` anywhere, ``OutOfScope`` (404) outside its scope. Answered ones are found too, so
    that answering twice is a clear error rather than "not found"."""
    if not may_answer_somewhere(viewer):
        raise PermissionRefused(ANSWER)
    question = (
        _with_unit_name(NoticeQuestion.objects.filter(_answerable_q(viewer), pk=pk))
        .filter(notice__status=Notice.Status.PUBLISHED)
        .select_related("notice")
        .first()
    )
    if question is None:
        raise OutOfScope()
    return question


def question_work_items(user) -> list[WorkItem]:
    """The work-queue provider: questions waiting for the user's answer, the oldest first."""
    if not getattr(user, "is_authenticated", False) or not may_answer_somewhere(user):
        return []
    items = []
    for question in question_queue(user)[:WORK_QUEUE_ITEMS]:
        items.append(
            WorkItem(
                title=_("Question on “%(title)s” from %(unit)s")
                % {"title": question.notice.title, "unit": question.asker_unit_name or "—"},
                url=reverse("disclosure:question_answer", args=[question.pk]),
                due=_("asked %(date)s") % {"date": timezone.localtime(question.asked_at).date().isoformat()},
                kind="disclosure.question",
            )
        )
    return items
