"""Read receipts of a notice for cadres (readers against the audience per unit) and reminding non-readers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.disclosure.selectors import notices as selectors
from unionhome.disclosure.selectors.receipts import notice_receipts, receipt_roots
from unionhome.disclosure.services.reads import notice_remind_non_readers


@login_required
def receipts(request, pk: int):
    viewer = request.user
    notice = selectors.notice_for(viewer, pk)
    receipt_roots(viewer, notice)  # 403 / 404 before anything is read
    unit_path = request.GET.get("unit", "")[:255]
    result = notice_receipts(viewer, notice, unit_path=unit_path)
    return render(request, "disclosure/manage/receipts.html", {"notice": notice, "receipts": result})


@login_required
@require_POST
def remind(request, pk: int):
    viewer = request.user
    notice = selectors.notice_for(viewer, pk)
    try:
        notice_remind_non_readers(actor=viewer, notice=notice)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Reminders are being sent to the members who have not read the notice."))
    return redirect("disclosure:receipts", notice.pk)


urlpatterns = [
    path("manage/<int:pk>/receipts/", receipts, name="receipts"),
    path("manage/<int:pk>/remind/", remind, name="remind"),
]
