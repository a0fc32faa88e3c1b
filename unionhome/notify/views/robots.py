"""Unit group robots (``notify.manage_robots``): list, add, change, test, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import OutOfScope
from unionhome.home.form_errors import form_errors_from
from unionhome.notify.forms.robots import RobotForm
from unionhome.notify.selectors import robots as selectors
from unionhome.notify.services.robots import robot_delete, robot_save, robot_test
from unionhome.notify.webhooks import webhook_masked


@login_required
def robot_list(request):
    viewer = request.user
    selectors.require_manager(viewer)
    robots = list(selectors.robots_for(viewer)[: selectors.MAX_ROBOTS_SHOWN])
    for robot in robots:
        robot.webhook_shown = webhook_masked(robot.webhook)
    return render(request, "notify/robots/list.html", {"robots": robots})


@login_required
def robot_form(request, pk: int | None = None):
    viewer = request.user
    selectors.require_manager(viewer)
    robot = selectors.robot_for(viewer, pk) if pk else None
    units = list(selectors.robot_units(viewer))
    initial = (
        {
            "unit": robot.unit_id,
            "name": robot.name,
            "platform": robot.platform,
            "groups": robot.groups,
            "include_subtree": robot.include_subtree,
            "enabled": robot.enabled,
        }
        if robot
        else {"enabled": True}
    )
    form = RobotForm(request.POST or None, initial=initial, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            unit = next((u for u in units if u.pk == data["unit"]), None)
            if unit is None:
                raise OutOfScope
            try:
                saved = robot_save(
                    actor=viewer,
                    unit=unit,
                    name=data["name"],
                    platform=data["platform"],
                    webhook=data["webhook"],
                    secret=data["secret"],
                    groups=data["groups"],
                    include_subtree=data["include_subtree"],
                    enabled=data["enabled"],
                    robot=robot,
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The robot “%(name)s” is saved.") % {"name": saved.name})
                return redirect("notify:robots")
        status = 422
    masked = webhook_masked(robot.webhook) if robot else ""
    context = {"form": form, "robot": robot, "webhook_shown": masked}
    return render(request, "notify/robots/form.html", context, status=status)


@require_POST
@login_required
def robot_remove(request, pk: int):
    robot = selectors.robot_for(request.user, pk)
    robot_delete(actor=request.user, robot=robot)
    messages.success(request, _("The robot is deleted."))
    return redirect("notify:robots")


@require_POST
@login_required
def robot_try(request, pk: int):
    robot = selectors.robot_for(request.user, pk)
    robot_test(actor=request.user, robot=robot)
    messages.success(request, _("A test message is on its way; its delivery shows under Deliveries."))
    return redirect("notify:robots")


urlpatterns = [
    path("robots/", robot_list, name="robots"),
    path("robots/new/", robot_form, name="robot_new"),
    path("robots/<int:pk>/", robot_form, name="robot_edit"),
    path("robots/<int:pk>/delete/", robot_remove, name="robot_delete"),
    path("robots/<int:pk>/test/", robot_try, name="robot_test"),
]
