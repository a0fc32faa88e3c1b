"""A person's notification preferences page (their own only)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from unionhome.home.form_errors import form_errors_from
from unionhome.notify.forms.preferences import PreferencesForm
from unionhome.notify.selectors.preferences import preferences_view
from unionhome.notify.services.preferences import preferences_update


@login_required
def preferences(request):
    view = preferences_view(request.user)
    prefs = view["preferences"]
    initial = {"quiet_start": prefs.quiet_start, "quiet_end": prefs.quiet_end, "digest_hour": prefs.digest_hour}
    form = PreferencesForm(request.POST or None, initial=initial, groups=view["groups"])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                preferences_update(
                    actor=request.user,
                    wecom_webhook="" if data["wecom_remove"] else (data["wecom_webhook"] or None),
                    dingtalk_webhook="" if data["dingtalk_remove"] else (data["dingtalk_webhook"] or None),
                    dingtalk_secret="" if data["dingtalk_remove"] else (data["dingtalk_secret"] or None),
                    quiet_start=_minute(data["quiet_start"]),
                    quiet_end=_minute(data["quiet_end"]),
                    digest_hour=data["digest_hour"],
                    groups=form.groups_choice(),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your notification preferences are saved."))
                return redirect("notify:preferences")
        status = 422
    return render(request, "notify/preferences/page.html", {**view, "form": form}, status=status)


def _minute(value: datetime.time | None) -> datetime.time | None:
    return value.replace(second=0, microsecond=0) if value else None


urlpatterns = [path("preferences/", preferences, name="preferences")]
