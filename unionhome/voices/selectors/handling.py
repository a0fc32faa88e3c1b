"""One appeal as a handler sees it (``/voices/handle/<id>/``): the appeal and its deadlines, its
attachments, replies and history, and what the viewer may do next. An anonymous appeal shows
"anonymous" and its branch only: there is nobody to show."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from unionhome.access.models import RoleAssignment
from unionhome.access.policy import OutOfScope
from unionhome.congress.models import HandlingDepartment
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.voices import appeal_workflow as workflow
from unionhome.voices.handlers import may_handle, may_see
from unionhome.voices.models import Appeal, RoutingRule
from unionhome.voices.selectors.queue import annotate_deadlines

HANDLER_ACTIONS = ("acknowledge", "reply", "transfer", "close")
MAX_CHOICES = 200


def appeal_for_handler(viewer, pk: int | None) -> Appeal:
    """The appeal, when the viewer may see it as a handler or supervisor; else 404."""
    appeal = (
        Appeal.objects.select_related("member", "unit", "branch", "handler", "department", "escalation_unit")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if appeal is None or not may_see(viewer, appeal):
        raise OutOfScope()
    return appeal


def attachment_url(appeal: Appeal, attachment) -> str:
    """The handlers' checked download of an attachment."""
    return reverse("voices:attachment", args=[appeal.pk, attachment.pk])


def handling_detail(viewer, appeal: Appeal) -> dict:
    annotate_deadlines(appeal, timezone.now())
    handles = may_handle(viewer, appeal)
    attachments = list(appeal.attachments.all())
    for attachment in attachments:
        attachment.url = attachment_url(appeal, attachment)
    return {
        "appeal": appeal,
        "may_handle": handles,
        "actions": workflow.available(appeal, HANDLER_ACTIONS) if handles else [],
        "attachments": attachments,
        "replies": list(appeal.replies.select_related("author")),
        "events": list(appeal.events.select_related("actor")),
    }


def transfer_departments(appeal: Appeal) -> list[HandlingDepartment]:
    """Active departments serving the appeal: of a unit above it, or inside its branch."""
    rows = HandlingDepartment.objects.filter(is_active=True).filter(
        unit_path__in=ancestor_paths(appeal.unit_path)
    ) | HandlingDepartment.objects.filter(is_active=True, unit_path__startswith=appeal.branch.path)
    return list(rows.order_by("unit_path", "name")[:MAX_CHOICES])


def transfer_people(viewer, appeal: Appeal) -> list:
    """Cadres of the appeal's union (role holders in its tree), not the viewer, for a transfer."""
    User = get_user_model()
    root = appeal.unit_path[: OrgUnit.steplen]
    cadres = RoleAssignment.objects.filter(unit__path__startswith=root).values("user_id")
    department_handlers = HandlingDepartment.handlers.through.objects.filter(
        handlingdepartment__unit_path__startswith=root, handlingdepartment__is_active=True
    ).values("user_id")
    named = RoutingRule.objects.filter(unit_path__startswith=root, handler__isnull=False).values("handler_id")
    people = User.objects.filter(Q(pk__in=cadres) | Q(pk__in=department_handlers) | Q(pk__in=named), is_active=True)
    return list(people.exclude(pk=viewer.pk).order_by("display_name", "pk")[:MAX_CHOICES])
