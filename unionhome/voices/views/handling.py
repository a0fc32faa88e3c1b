"""Handling pages: the queue (``/voices/queue/``) and one appeal as a handler sees it
(``/voices/handle/<id>/``) with the forms to acknowledge, reply, transfer and close."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import has_permission_anywhere
from unionhome.audit.recorder import record
from unionhome.congress.models import HandlingDepartment
from unionhome.home.form_errors import form_errors_from
from unionhome.voices.forms.handling import CloseForm, QueueFilterForm, ReplyForm, TransferForm
from unionhome.voices.handlers import SUPERVISE, NotYours, handles_anything, may_see
from unionhome.voices.selectors import appeals as appeal_selectors
from unionhome.voices.selectors import handling as selectors
from unionhome.voices.selectors import queue as queue_selectors
from unionhome.voices.services import handling as services
from unionhome.voices.views.appeal_parts import file_response


def _filters(request, units) -> tuple[QueueFilterForm, queue_selectors.QueueFilters]:
    supervises = has_permission_anywhere(request.user, SUPERVISE)
    form = QueueFilterForm(request.GET or None, units=units, supervises=supervises)
    filters = queue_selectors.QueueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        by_id = {u.pk: u for u in units}
        filters = queue_selectors.QueueFilters(
            status=data["status"] or "open",
            category=data["category"],
            overdue=data["overdue"],
            escalated=data["escalated"],
            unit=by_id.get(data.get("unit")),
            everyone=data.get("everyone", False),
        )
    return form, filters


@login_required
def queue(request):
    """The appeals the viewer answers, earliest deadline first (overdue ones lead, in red); a history
    (all statuses, closed or withdrawn) newest first."""
    if not handles_anything(request.user):
        raise NotYours(_("You answer no appeals: none is routed to you and you hold no voices role."))
    units = queue_selectors.unit_choices(request.user)
    form, filters = _filters(request, units)
    rows = queue_selectors.queue_for(request.user, filters)
    page = queue_selectors.queue_page(rows, request.GET.get("after"), filters=filters)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "voices/handling/queue.html", {"form": form, "page": page, "query": query.urlencode()})


def _transfer_form(request, appeal, data=None) -> TransferForm:
    return TransferForm(
        data,
        people=selectors.transfer_people(request.user, appeal),
        departments=selectors.transfer_departments(appeal),
    )


def _render(request, appeal, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    detail = selectors.handling_detail(request.user, appeal)
    actions = detail["actions"]
    context = {
        **detail,
        "reply_form": bound.get("reply") or ReplyForm() if "reply" in actions else None,
        "close_form": bound.get("close") or CloseForm() if "close" in actions else None,
        "transfer_form": bound.get("transfer") or _transfer_form(request, appeal) if "transfer" in actions else None,
    }
    return render(request, "voices/handling/detail.html", context, status=status)


@login_required
def handle(request, pk: int):
    return _render(request, selectors.appeal_for_handler(request.user, pk))


@login_required
@require_POST
def handle_action(request, pk: int, action: str):
    appeal = selectors.appeal_for_handler(request.user, pk)
    user = request.user
    if action == "acknowledge":
        try:
            services.appeal_acknowledge(actor=user, appeal=appeal)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The appeal is acknowledged."))
        return redirect("voices:handle", pk=pk)
    if action == "reply":
        form = ReplyForm(request.POST)
    elif action == "close":
        form = CloseForm(request.POST)
    elif action == "transfer":
        form = _transfer_form(request, appeal, request.POST)
    else:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "reply":
                services.appeal_reply(actor=user, appeal=appeal, body=data["body"], public=data["public"])
                done = _("Your reply was sent.")
            elif action == "close":
                services.appeal_close(actor=user, appeal=appeal, answer=data["answer"], public=data["public"])
                done = _("The appeal is answered and closed.")
            else:
                handler = get_user_model().objects.filter(pk=data["handler"]).first() if data["handler"] else None
                department = (
                    HandlingDepartment.objects.filter(pk=data["department"]).first() if data["department"] else None
                )
                services.appeal_transfer(
                    actor=user,
                    appeal=appeal,
                    reason=data["reason"],
                    handler=handler,
                    department=department,
                    to_supervisors=data["to_supervisors"],
                )
                done = _("The appeal was transferred.")
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done)
            appeal.refresh_from_db()
            if action == "transfer" and not may_see(user, appeal):
                return redirect("voices:queue")
            return redirect("voices:handle", pk=pk)
    return _render(request, selectors.appeal_for_handler(user, pk), {action: form}, status=422)


@login_required
def attachment(request, pk: int, attachment_pk: int):
    """A photo or document of the appeal, for those who may see it as handlers (the read is audited)."""
    appeal = selectors.appeal_for_handler(request.user, pk)
    found = appeal_selectors.attachment_of(appeal, attachment_pk)
    record(request.user, "voices.appeal.attachment_read", appeal, attachment=found.pk)
    return file_response(found)


urlpatterns = [
    path("queue/", queue, name="queue"),
    path("handle/<int:pk>/", handle, name="handle"),
    path("handle/<int:pk>/files/<int:attachment_pk>/", attachment, name="attachment"),
    path("handle/<int:pk>/<slug:action>/", handle_action, name="handle_action"),
]
