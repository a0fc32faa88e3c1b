"""Pages of "you said, we did" (你说我做): the members' page, and the cadres' list and form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, has_permission_anywhere
from unionhome.home.form_errors import form_errors_from
from unionhome.satisfaction import services_actions as services
from unionhome.satisfaction import you_said as selectors
from unionhome.satisfaction.forms_you_said import FeedbackActionForm

PERMISSION = selectors.PERMISSION


@login_required
def you_said(request):
    cursor = request.GET.get("after")
    context = {
        "is_member": bool(selectors.member_paths(request.user)),
        "page": selectors.you_said_page(request.user, cursor),
        # The surveys' figures head the first page only.
        "surveys": [] if cursor else selectors.closed_surveys_for(request.user),
        "may_write": has_permission_anywhere(request.user, PERMISSION),
    }
    return render(request, "satisfaction/you_said/index.html", context)


def _require_writer(user) -> None:
    if not has_permission_anywhere(user, PERMISSION):
        raise PermissionRefused(PERMISSION)


@login_required
def manage(request):
    _require_writer(request.user)
    page = selectors.managed_actions_page(request.user, request.GET.get("after"))
    return render(request, "satisfaction/you_said/manage.html", {"page": page})


def _form(request, action=None) -> FeedbackActionForm:
    initial = None
    if action is not None:
        initial = {f: getattr(action, f) for f in ("title", "said", "done", "service_line", "topic")}
        initial.update(unit=action.unit_id, survey=action.survey_id)
    return FeedbackActionForm(
        request.POST or None,
        initial=initial,
        units=selectors.writable_units(request.user),
        surveys=selectors.linkable_surveys(request.user),
        fixed_unit=action.unit if action is not None else None,
    )


@login_required
def write(request):
    _require_writer(request.user)
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.feedback_action_create(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                publish=request.POST.get("do") == "publish",
                **form.service_data(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Published.") if action.is_published else _("Saved as a draft."))
            return redirect("satisfaction:you_said_manage")
    return render(request, "satisfaction/you_said/form.html", {"form": form, "action": None})


@login_required
def edit(request, pk: int):
    action = selectors.managed_action(request.user, pk)
    form = _form(request, action)
    if request.method == "POST":
        do = request.POST.get("do", "save")
        try:
            if do == "withdraw":
                services.feedback_action_withdraw(actor=request.user, action=action)
                messages.success(request, _("Withdrawn: members no longer see it."))
                return redirect("satisfaction:you_said_manage")
            if form.is_valid():
                action = services.feedback_action_update(actor=request.user, action=action, **form.service_data())
                if do == "publish":
                    services.feedback_action_publish(actor=request.user, action=action)
                messages.success(request, _("Published.") if do == "publish" else _("Saved."))
                return redirect("satisfaction:you_said_manage")
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(request, "satisfaction/you_said/form.html", {"form": form, "action": action})
