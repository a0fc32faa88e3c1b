"""Follow-up pages (跟踪问效): the cadre's list (due, overdue, upcoming, recorded) and the record form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, can
from unionhome.assistance.forms.follow_ups import FollowUpForm
from unionhome.assistance.models import Assistance
from unionhome.assistance.selectors import follow_ups as selectors
from unionhome.assistance.services.follow_ups import follow_up_record as record_follow_up
from unionhome.audit.recorder import record
from unionhome.home.form_errors import form_errors_from


@login_required
def follow_up_list(request):
    viewer = request.user
    if not selectors.may_follow_up(viewer):
        raise PermissionRefused(selectors.PERMISSION)
    state = request.GET.get("state", selectors.Filter.DUE)
    if state not in selectors.Filter.ALL:
        state = selectors.Filter.DUE
    today = timezone.localdate()
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.follow_up_page(
        selectors.follow_ups_filtered(viewer, state=state, today=today), cursor, state=state, size=selectors.PAGE_SIZE
    )
    rows = [
        {"follow_up": f, "overdue_days": (today - f.due_on).days if f.done_on is None and f.due_on < today else 0}
        for f in page.items
    ]
    context = {"rows": rows, "page": page, "state": state, "filters": selectors.filter_choices(), "today": today}
    return render(request, "assistance/follow_ups/list.html", context)


def _shows_findings(viewer, follow_up) -> bool:
    """Findings may describe health or family matters: shown to those who may see sensitive details,
    and to the cadre who wrote them."""
    return follow_up.recorded_by_id == viewer.pk or can(viewer, "assistance.view_sensitive", follow_up)


def _may_record(viewer, follow_up) -> bool:
    return viewer.pk == follow_up.responsible_id or can(viewer, selectors.PERMISSION, follow_up)


@login_required
def follow_up_record(request, pk: int):
    viewer = request.user
    follow_up = selectors.follow_up_for(viewer, pk)
    assistance = follow_up.assistance
    open_for_recording = follow_up.done_on is None and assistance.status == Assistance.Status.DELIVERED
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        if not _may_record(viewer, follow_up):
            raise PermissionRefused(selectors.PERMISSION)
        if form.is_valid():
            try:
                record_follow_up(actor=viewer, follow_up=follow_up, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Follow-up recorded."))
                return redirect("assistance:follow_up_list")
    else:
        # Opening a follow-up shows the assistance and what was found before: who looked is on record.
        record(viewer, "assistance.follow_up.opened", follow_up, assistance=assistance.pk)
    sensitive = can(viewer, "assistance.view_sensitive", follow_up)
    earlier = [
        {"follow_up": other, "shows_findings": other.recorded_by_id == viewer.pk or sensitive}
        for other in selectors.follow_ups_of_assistance(follow_up)
    ]
    today = timezone.localdate()
    context = {
        "follow_up": follow_up,
        "assistance": assistance,
        "member": assistance.member,
        "form": form,
        "open_for_recording": open_for_recording and _may_record(viewer, follow_up),
        "reversed": assistance.status != Assistance.Status.DELIVERED,
        "shows_findings": _shows_findings(viewer, follow_up),
        "earlier": earlier,
        "overdue_days": (today - follow_up.due_on).days
        if follow_up.done_on is None and follow_up.due_on < today
        else 0,
    }
    return render(request, "assistance/follow_ups/record.html", context)


urlpatterns = [
    path("follow-ups/", follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/", follow_up_record, name="follow_up_record"),
]
