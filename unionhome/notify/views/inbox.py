"""The inbox: a person's own notifications. Opening one marks it read and goes where it points."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.notify import selectors, services


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.inbox_page(selectors.inbox_for(request.user, unread_only=unread_only), cursor)
    return render(request, "notify/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
def notification_open(request, pk: int):
    notification = selectors.notification_for(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return render(request, "notify/notification.html", {"notification": notification})


@require_POST
@login_required
def mark_all_read(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:inbox")


urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:pk>/", notification_open, name="open"),
    path("read-all/", mark_all_read, name="mark_all_read"),
]
