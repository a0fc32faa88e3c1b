"""What the messages about an appeal to its handlers and supervisors say.

Every notification may leave the site: the notify channels send its title and body by email, by the
person's robot and, for announcements, to a unit's WeCom/DingTalk group robot (a chat). An appeal's subject
and text may be sensitive (health, family, money, a manager), so these messages name the appeal by its
reference (``SQ…``, the cadres' number, never an anonymous appeal's follow-up code), its branch, its kind
and category and its next deadline: never its title, its details, a reason or a message. Whoever may read
more follows the link to the signed-in handling page. The in-site inbox shows the same neutral row.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.voices.models import Appeal

WAITING = (Appeal.Status.SUBMITTED, Appeal.Status.REOPENED)


def moment_text(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def next_due(appeal: Appeal):
    """The deadline the handlers work to: acknowledging while the appeal waits for it, else answering."""
    return appeal.acknowledge_due if appeal.status in WAITING else appeal.answer_due


def appeal_names(appeal: Appeal) -> dict[str, str]:
    """The parts of an appeal that may leave the site."""
    return {
        "reference": appeal.reference,
        "unit": appeal.branch.name,
        "kind": str(appeal.get_kind_display()),
        "category": str(appeal.get_category_display()),
        "due": moment_text(next_due(appeal)),
    }


def appeal_line(appeal: Appeal) -> str:
    """The neutral body of a message about the appeal: where, what kind, by when, and where to read it."""
    return _("A %(kind)s on %(category)s in %(unit)s, due by %(due)s. Sign in to UnionHome to read it.") % appeal_names(
        appeal
    )


def new_appeal_message(appeal: Appeal) -> tuple[str, str]:
    """The title and text that tell handlers (and the branch's group robots) of a new appeal."""
    return _("New appeal %(reference)s") % appeal_names(appeal), appeal_line(appeal)


def submitter_action_message(appeal: Appeal, kind: str) -> tuple[str, str]:
    """The title and text telling handlers that the submitter wrote (``followed_up``), withdrew or reopened
    the appeal; the message or reason is read on the handling page."""
    names = appeal_names(appeal)
    if kind == "followed_up":
        title = _("The submitter wrote on appeal %(reference)s") % names
    elif kind == "withdrawn":
        title = _("Appeal %(reference)s was withdrawn") % names
    else:
        title = _("Appeal %(reference)s was reopened") % names
    return title, appeal_line(appeal)


def transfer_message(appeal: Appeal) -> tuple[str, str]:
    """Title and text for the new handlers of a transferred appeal (the reason is read on the page)."""
    return _("Appeal %(reference)s transferred to you") % appeal_names(appeal), appeal_line(appeal)


def reminder_title(stage: str, appeal: Appeal, due) -> str:
    values = {**appeal_names(appeal), "due": moment_text(due)}
    if stage == "acknowledge-before":
        return _("Acknowledge appeal %(reference)s by %(due)s") % values
    if stage == "acknowledge-due":
        return _("Appeal %(reference)s was to be acknowledged by %(due)s") % values
    if stage == "answer-before":
        return _("Answer appeal %(reference)s by %(due)s") % values
    return _("Appeal %(reference)s was to be answered by %(due)s") % values


def escalation_message(appeal: Appeal, *, unit_name: str, due, days: int) -> tuple[str, str]:
    """Title and text telling supervisors (and their unit's group robots) of an escalated appeal."""
    title = _("Overdue appeal %(reference)s escalated to %(unit)s") % {
        "reference": appeal.reference,
        "unit": unit_name,
    }
    late = _("It was due by %(due)s and is %(days)s working days late.") % {"due": moment_text(due), "days": days}
    return title, f"{late} {appeal_line(appeal)}"
