"""Read receipts and reminders to read.

Opening a notice records a ``NoticeRead`` for the member, once: two requests at the same moment (a
double tap, the page and the API) insert one row, the loser of the race finding the winner's row after
the unique constraint refuses its own. Cadres holding ``disclosure.view_receipts`` remind the members of
their part of the audience who have not read a notice; the task worker sends the reminders in batches,
each once per notice and member (``dedupe_key``), so a second click, a retry or the daily sweep never
sends one twice. The daily sweep reminds once, ``SWEEP_AFTER_DAYS`` days after publishing, the audience
of notices on major decisions and on wages and welfare.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
from unionhome.access.scope import paths_scope_q
from unionhome.accounts.models import User
from unionhome.audit.recorder import record
from unionhome.disclosure.audience import RECEIPTS, active_member_of, follow_roots, in_audience, is_shown, shown_q
from unionhome.disclosure.models import Notice, NoticeRead
from unionhome.notify.models import Notification
from unionhome.notify.services import notification_send

logger = logging.getLogger(__name__)

REMINDER_BATCH = 500
SWEEP_AFTER_DAYS = 3
SWEEP_CATEGORIES = (Notice.Category.MAJOR_DECISIONS, Notice.Category.WAGES_WELFARE)


def notice_mark_read(*, actor, notice: Notice) -> tuple[NoticeRead, bool]:
    """Record that ``actor``'s member has read ``notice``; (the receipt, whether it is new).

    Only a member of the audience, while the notice is shown; anyone else gets ``OutOfScope``."""
    member = active_member_of(actor)
    if not (in_audience(member, notice) and is_shown(notice)):
        raise OutOfScope()
    existing = NoticeRead.objects.filter(notice=notice, member=member).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return NoticeRead.objects.create(notice=notice, member=member, unit_path=member.unit_path), True
    except IntegrityError:  # the same member's other request won the race
        return NoticeRead.objects.get(notice=notice, member=member), False


def dedupe_key(notice_id: int, member_id: int) -> str:
    return f"disclosure.notice:{notice_id}:remind:{member_id}"


@transaction.atomic
def notice_remind_non_readers(*, actor, notice: Notice) -> list[str]:
    """Queue reminders to the members of ``actor``'s part of the audience who have not read ``notice``.

    Returns the unit paths reminded. 403 without ``disclosure.view_receipts`` anywhere, 404 when the
    notice's audience is outside the actor's scope; a notice not shown now cannot be reminded of."""
    if not has_permission_anywhere(actor, RECEIPTS):
        raise PermissionRefused(RECEIPTS)
    roots = follow_roots(actor, RECEIPTS, notice)
    if not roots or notice.status == Notice.Status.DRAFT:
        raise OutOfScope()
    if not is_shown(notice):
        raise ValidationError(_("Only a notice shown on the board now can be reminded of."))
    record(actor, "disclosure.notice.reminded", notice, units=roots)
    from unionhome.disclosure.tasks import remind_non_readers

    transaction.on_commit(lambda: remind_non_readers.enqueue(notice.pk, roots))
    return roots


def non_readers_remind(*, notice_id: int, roots: list[str]) -> int:
    """Send the reminders (run by the task worker): each active member with a login in ``roots`` (parts of
    the audience) who has not read the notice, in batches by member id. Returns how many were sent."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None or not is_shown(notice):
        return 0
    roots = [root for root in roots if root.startswith(notice.audience_path)]
    if not roots:
        return 0
    read = NoticeRead.objects.filter(notice_id=notice.pk, member_id=OuterRef("member_id"))
    recipients = (
        User.objects.filter(is_active=True, member__status="active")
        .filter(paths_scope_q(roots, "member__unit_path"))
        .annotate(has_read=Exists(read))
        .filter(has_read=False)
        .order_by("member_id")
        .only("id", "email", "member_id")
    )
    url = reverse("disclosure:notice", args=[notice.pk])
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Please read: %(title)s") % {"title": notice.title}
        body = _("A %(category)s notice was published for you on %(date)s. Open it to read it.") % {
            "category": notice.get_category_display(),
            "date": timezone.localtime(notice.publish_from).date().isoformat(),
        }
    sent = 0
    after = 0
    while True:
        batch = list(recipients.filter(member_id__gt=after)[:REMINDER_BATCH])
        if not batch:
            return sent
        after = batch[-1].member_id
        keys = {user.pk: dedupe_key(notice.pk, user.member_id) for user in batch}
        done = set(
            Notification.objects.filter(recipient_id__in=list(keys), dedupe_key__in=list(keys.values())).values_list(
                "recipient_id", "dedupe_key"
            )
        )
        with transaction.atomic():
            for user in batch:
                if (user.pk, keys[user.pk]) in done:
                    continue
                if notification_send(
                    recipient=user,
                    kind="disclosure.notice.unread",
                    title=title,
                    body=body,
                    url=url,
                    dedupe_key=keys[user.pk],
                ):
                    sent += 1


def notices_remind_sweep(*, today: datetime.date) -> int:
    """The daily sweep: remind once the whole audience of each notice on major decisions or on wages and
    welfare shown for ``SWEEP_AFTER_DAYS`` days or more. Returns how many notices were reminded of."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    cutoff = start_of_today - datetime.timedelta(days=SWEEP_AFTER_DAYS - 1)
    due = (
        Notice.objects.filter(shown_q(), category__in=SWEEP_CATEGORIES, reminded_at__isnull=True)
        .filter(publish_from__lt=cutoff, published_at__lt=cutoff)
        .order_by("publish_from", "id")
        .values_list("pk", "audience_path")
    )
    count = 0
    for pk, audience_path in list(due):
        with transaction.atomic():
            claimed = Notice.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
        if claimed:  # another worker did not take it first
            non_readers_remind(notice_id=pk, roots=[audience_path])
            count += 1
    return count
